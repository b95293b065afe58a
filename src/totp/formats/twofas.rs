//! 2FAS Authenticator backups (`.2fas`, JSON schema versions 1 to 4): `services`, each with a
//! base32 `secret` and an `otp` object. An encrypted backup (`servicesEncrypted`) is refused with
//! how to export it unencrypted.

use serde_json::Value;

use super::json::{num_field, object, seed, str_field};
use super::{Entry, Error, Format, Input, Unusable, join_label};

pub(super) const FORMAT: Format = Format {
    detect: |input| {
        object(input)
            .is_some_and(|o| o.contains_key("services") || o.contains_key("servicesEncrypted"))
    },
    read,
};

fn read(input: &Input) -> Result<Vec<Entry>, Error> {
    let Some(backup) = object(input) else {
        return Err(Error::Json(String::new()));
    };
    let services = backup.get("services").and_then(Value::as_array);
    let encrypted = backup
        .get("servicesEncrypted")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    match services {
        // An encrypted backup has an empty `services` beside the ciphertext.
        Some(services) if !(encrypted && services.is_empty()) => {
            Ok(services.iter().map(entry).collect())
        }
        _ if encrypted => Err(Error::TwofasEncrypted),
        _ => Err(Error::Json(String::new())),
    }
}

fn entry(e: &Value) -> Entry {
    let issuer = str_field(e, &["otp", "issuer"]).or_else(|| str_field(e, &["name"]));
    let account = str_field(e, &["otp", "account"]).or_else(|| str_field(e, &["otp", "label"]));
    let label = join_label(issuer, account);
    // Schemas 1 and 2 have no tokenType: every entry is TOTP.
    match str_field(e, &["otp", "tokenType"])
        .unwrap_or("TOTP")
        .to_ascii_uppercase()
        .as_str()
    {
        "TOTP" => {}
        "HOTP" => return Entry::unusable(label, Unusable::Hotp),
        "STEAM" => return Entry::unusable(label, Unusable::Steam),
        other => return Entry::unusable(label, Unusable::OtherType(other.to_string())),
    }
    let seed = seed(
        str_field(e, &["secret"]),
        str_field(e, &["otp", "algorithm"]).unwrap_or("SHA1"),
        num_field(e, &["otp", "digits"]).unwrap_or(6),
        num_field(e, &["otp", "period"]).unwrap_or(30),
        (issuer, account),
    );
    Entry::totp(label, seed)
}

#[cfg(test)]
mod tests {
    use crate::totp::SeedError;
    use crate::totp::formats::{Error, Unusable, entries, pick};

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn service(name: &str, secret: &str, otp: &str) -> String {
        format!(r#"{{"name":"{name}","secret":"{secret}","otp":{{{otp}}}}}"#)
    }

    fn backup(services: &[String]) -> String {
        format!(
            r#"{{"services":[{}],"schemaVersion":4}}"#,
            services.join(",")
        )
    }

    #[test]
    fn plain_backup() {
        let text = backup(&[
            service(
                "AWS",
                B32,
                r#""account":"alice","issuer":"AWS","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP""#,
            ),
            service(
                "Other",
                B32,
                r#""account":"x","digits":6,"period":30,"algorithm":"SHA1","tokenType":"HOTP""#,
            ),
        ]);
        let found = entries(text.as_bytes()).unwrap();
        assert_eq!(found[0].label, "AWS:alice");
        assert_eq!(found[1].seed.as_ref().unwrap_err(), &Unusable::Hotp);
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");
        // Schema 1: no parameters at all, the name as issuer.
        let text = backup(&[service("AWS", B32, r#""label":"AWS:alice""#)]);
        let found = entries(text.as_bytes()).unwrap();
        assert_eq!(found[0].label, "AWS:alice");
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");
    }

    #[test]
    fn encrypted_backup_says_so() {
        // Regression (issue 16): "the input holds no TOTP entry (found: nothing)".
        let text = r#"{"services":[],"groups":[],"schemaVersion":4,"servicesEncrypted":"PCeJ8H3t:abc:def"}"#;
        let err = entries(text.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::TwofasEncrypted), "{err}");
        assert_eq!(err.to_string(), "the 2FAS backup is encrypted");
        assert!(err.hint().contains("skip the password"), "{}", err.hint());
    }

    #[test]
    fn secrets_go_through_the_strict_check() {
        // Regression (issue 16): 17 and 19 characters imported as a truncated key.
        for (secret, chars) in [("JDJDBDBDDBDBBXBXB", 17), ("JDJDUZBXHSHDBXBXHBB", 19)] {
            let text = backup(&[service("Code", secret, r#""tokenType":"TOTP""#)]);
            let err = pick(entries(text.as_bytes()).unwrap(), None).unwrap_err();
            assert!(
                matches!(&err, Error::Unusable { reason: Unusable::Seed(SeedError::BadLength { chars: c }), .. } if *c == chars),
                "{err}"
            );
        }
    }

    #[test]
    fn parameters_aws_cannot_use_are_refused() {
        let text = backup(&[service(
            "Airbnb",
            B32,
            r#""digits":8,"period":50,"algorithm":"SHA512""#,
        )]);
        let err = pick(entries(text.as_bytes()).unwrap(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Airbnb\" is unusable: algorithm=SHA512 cannot work with AWS: virtual MFA devices \
             use SHA1, 6 digits and 30 s"
        );
    }
}
