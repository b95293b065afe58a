//! JSON that is no export mfa-mint reads (andOTP's array, FreeOTP+, Bitwarden, anything else):
//! refused by name. Also the field readers the JSON formats share.

use serde_json::Value;

use super::{Entry, Error, Format, Input, seed_from_parts};
use crate::totp::{Seed, SeedError};

/// Last in the JSON formats: it claims every JSON document the others did not.
pub(super) const FORMAT: Format = Format {
    detect: |input| input.json.is_some(),
    read,
};

/// Top-level keys that name another app's export.
const OTHER_APPS: &[(&str, &str)] = &[
    ("tokenOrder", "a FreeOTP+ backup"),
    ("items", "a Bitwarden export"),
];

fn read(input: &Input) -> Result<Vec<Entry>, Error> {
    match &input.json {
        Some(Ok(Value::Array(_))) => Err(Error::JsonArray),
        Some(Ok(Value::Object(map))) => Err(OTHER_APPS
            .iter()
            .find(|(key, _)| map.contains_key(*key))
            .map_or_else(
                || Error::Json(String::new()),
                |(_, app)| Error::OtherExport(app),
            )),
        Some(Ok(_)) | None => Err(Error::Json(String::new())),
        Some(Err(e)) => Err(Error::Json(format!(" (invalid JSON at line {})", e.line()))),
    }
}

/// The JSON object of an input, if it is one.
pub(super) fn object<'a>(input: &'a Input) -> Option<&'a serde_json::Map<String, Value>> {
    match &input.json {
        Some(Ok(Value::Object(map))) => Some(map),
        _ => None,
    }
}

pub(super) fn str_field<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |cur, key| cur.get(key))?.as_str()
}

/// A number, also when written as a string (`"digits": "6"`).
pub(super) fn num_field(v: &Value, path: &[&str]) -> Option<u64> {
    let cur = path.iter().try_fold(v, |cur, key| cur.get(key))?;
    cur.as_u64()
        .or_else(|| cur.as_str().and_then(|s| s.trim().parse().ok()))
}

/// A TOTP seed from a base32 text secret, through the same strict check as a pasted secret.
pub(super) fn seed(
    secret: Option<&str>,
    algorithm: &str,
    digits: u64,
    period: u64,
    label: (Option<&str>, Option<&str>),
) -> Result<Seed, SeedError> {
    let secret = crate::totp::parse_secret(secret.ok_or(SeedError::Empty)?)?;
    seed_from_parts(secret, algorithm, digits, period, label)
}

#[cfg(test)]
mod tests {
    use crate::totp::formats::{Error, entries};

    #[test]
    fn json_that_is_no_export_says_what_it_is() {
        // Regression (issue 16): these were reported as bad base32.
        let cases = [
            (
                r#"[{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ======","type":"TOTP"}]"#,
                "this is a JSON array, not an Aegis or 2FAS export",
            ),
            (
                r#"{"tokenOrder":[],"tokens":[]}"#,
                "this is a FreeOTP+ backup, not an Aegis or 2FAS export",
            ),
            (
                r#"{"encrypted":false,"items":[]}"#,
                "this is a Bitwarden export, not an Aegis or 2FAS export",
            ),
            (
                r#"{"hello":1}"#,
                "this JSON is not an Aegis or 2FAS plain export",
            ),
            (
                "{\n\"db\": ",
                "this JSON is not an Aegis or 2FAS plain export (invalid JSON at line 2)",
            ),
        ];
        for (text, message) in cases {
            let err = entries(text.as_bytes()).unwrap_err();
            assert_eq!(err.to_string(), message, "{text}");
            assert!(!matches!(err, Error::Seed(_)));
        }
    }
}
