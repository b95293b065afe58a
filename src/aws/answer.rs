//! Checks an STS answer before anything is written: a 200 from a broken proxy, a captive portal
//! or a middlebox can carry a `<Credentials>` block that lacks a field (the SDK fills in `""` and
//! 1970 for missing required members), has empty values, or an expiration in the past or absurdly
//! far away. Such a session must never replace a good one in the credentials file (issue 22).
//!
//! Values also go into an INI file line by line, so any whitespace or control character in them
//! is refused too: a crafted answer could otherwise add keys or sections to the file.

/// Room for clock noise between AWS's `Date` and its `Expiration` (AWS itself is exact).
pub const ALLOWANCE_SECS: i64 = 300;
/// No session token is anywhere near this long (AWS: "typically under 4,096 bytes").
pub const MAX_TOKEN_CHARS: usize = 64 * 1024;

/// The four fields of an answer, as the SDK parsed them.
pub struct Fields<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: &'a str,
    /// Unix seconds.
    pub expiration: i64,
}

/// What is wrong with an answer, in words that name the field and never its secret value.
pub fn check(fields: &Fields<'_>, duration_secs: u32, now: i64) -> Result<(), String> {
    let id = fields.access_key_id;
    if id.is_empty() {
        return Err("its AccessKeyId is missing or empty".into());
    }
    // IAM: 16 to 128 characters of `[\w]`; AWS's are upper-case letters and digits.
    if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "its AccessKeyId is not an access key id ({} characters{})",
            id.chars().count(),
            if id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                ""
            } else {
                ", not all letters and digits"
            }
        ));
    }
    for (name, value, max) in [
        ("SecretAccessKey", fields.secret_access_key, 1024),
        ("SessionToken", fields.session_token, MAX_TOKEN_CHARS),
    ] {
        if value.is_empty() {
            return Err(format!("its {name} is missing or empty"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("its {name} contains spaces or control characters"));
        }
        if value.len() > max {
            return Err(format!("its {name} is longer than {max} characters"));
        }
    }
    let expiration = crate::clock::format_rfc3339(fields.expiration);
    if fields.expiration <= 0 {
        return Err("its Expiration is missing or not a time".into());
    }
    if fields.expiration <= now {
        return Err(format!("its Expiration {expiration} is in the past"));
    }
    let latest = now + i64::from(duration_secs) + ALLOWANCE_SECS;
    if fields.expiration > latest {
        return Err(format!(
            "its Expiration {expiration} is later than the {duration_secs} s asked for"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_561_373;

    fn fields<'a>(id: &'a str, secret: &'a str, token: &'a str, exp: i64) -> Fields<'a> {
        Fields {
            access_key_id: id,
            secret_access_key: secret,
            session_token: token,
            expiration: exp,
        }
    }

    fn check_one(id: &str, secret: &str, token: &str, exp: i64) -> Result<(), String> {
        check(&fields(id, secret, token, exp), 3600, NOW)
    }

    const ID: &str = "ASIAEXAMPLEEXAMPLE12";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn a_good_answer_passes() {
        let token = "IQoJb3JpZ2luX2VjE".repeat(200);
        assert_eq!(check_one(ID, SECRET, &token, NOW + 3600), Ok(()));
        // A little later than asked for: clock noise.
        assert_eq!(check_one(ID, SECRET, "t", NOW + 3600 + 60), Ok(()));
    }

    #[test]
    fn each_defect_is_named_without_the_secret() {
        let cases = [
            (
                check_one("", SECRET, "t", NOW + 60),
                "AccessKeyId is missing",
            ),
            (
                check_one("ASIA", SECRET, "t", NOW + 60),
                "not an access key id",
            ),
            (
                check_one("ASIA EXAMPLE EXAMPLE", SECRET, "t", NOW + 60),
                "not all letters",
            ),
            (
                check_one(ID, "", "t", NOW + 60),
                "SecretAccessKey is missing",
            ),
            (
                check_one(ID, SECRET, "", NOW + 60),
                "SessionToken is missing",
            ),
            (
                check_one(ID, SECRET, "tok\n[default]", NOW + 60),
                "SessionToken contains spaces or control",
            ),
            (check_one(ID, SECRET, "t", 0), "Expiration is missing"),
            (
                check_one(ID, SECRET, "t", NOW - 1),
                "Expiration 2026-11-24T23:02:52Z is in the past",
            ),
            (
                check_one(ID, SECRET, "t", NOW + 10 * 365 * 86_400),
                "is later than the 3600 s asked for",
            ),
        ];
        for (result, expected) in cases {
            let message = result.expect_err(expected);
            assert!(message.contains(expected), "{message} / {expected}");
            assert!(!message.contains(SECRET), "{message}");
        }
    }
}
