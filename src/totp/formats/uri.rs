//! A base32 secret or one `otpauth://` URI (Key Uri Format,
//! <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>), as pasted, in a file or
//! in a QR code; also one line of a multi-line export. Parsing is [`Seed::parse`]'s.

use super::{Entry, Error, Unusable};
use crate::totp::{Seed, SeedError};

/// A whole input that is one secret or URI: its own parse error is the clearest message.
pub(super) fn read_single(text: &str) -> Result<Vec<Entry>, Error> {
    let seed = Seed::parse(text)?;
    seed.check_aws()?;
    Ok(vec![Entry {
        label: label_of(text),
        seed: Ok(seed),
    }])
}

/// One line of an export: HOTP and Steam by their type, anything else by [`Seed::parse`].
pub(super) fn entry(line: &str) -> Entry {
    let lower = line.to_ascii_lowercase();
    let label = label_of(line);
    if lower.starts_with("otpauth://hotp") {
        return Entry::unusable(label, Unusable::Hotp);
    }
    if lower.starts_with("otpauth://steam") || lower.contains("encoder=steam") {
        return Entry::unusable(label, Unusable::Steam);
    }
    match Seed::parse(line) {
        Err(SeedError::UnsupportedOtpType { kind }) => {
            Entry::unusable(label, Unusable::OtherType(kind))
        }
        seed => Entry::totp(label, seed),
    }
}

/// The (percent-decoded) label of an otpauth URI, or "secret" for a bare secret.
fn label_of(text: &str) -> String {
    let Ok(url) = url::Url::parse(text) else {
        return "secret".into();
    };
    let path = url.path().trim_start_matches('/');
    let decoded = url::form_urlencoded::parse(format!("l={path}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if decoded.is_empty() {
        "unnamed".into()
    } else {
        decoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::formats::{entries, pick};

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn plain_secret_and_uri() {
        let found = entries(format!("  {}\n", B32.to_lowercase()).as_bytes()).unwrap();
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");
        let uri = format!(
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={B32}&issuer=Amazon%20Web%20Services"
        );
        let found = entries(uri.as_bytes()).unwrap();
        assert_eq!(found[0].label, "Amazon Web Services:alice@123456789012");
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");
    }

    #[test]
    fn a_uri_aws_cannot_use_is_refused_naming_the_parameter() {
        // Regression (issue 16): these were stored with a warning and gave 7- or 8-digit codes.
        for (params, parameter, value) in [
            ("algorithm=SHA256&digits=7&period=20", "algorithm", "SHA256"),
            ("algorithm=sha512", "algorithm", "SHA512"),
            ("digits=8", "digits", "8"),
            ("period=60", "period", "60"),
        ] {
            let uri = format!("otpauth://totp/x?secret={B32}&{params}");
            match entries(uri.as_bytes()) {
                Err(Error::Seed(SeedError::NotAws {
                    parameter: p,
                    value: v,
                })) => assert_eq!((p, v.as_str()), (parameter, value), "{uri}"),
                other => panic!("{uri}: {other:?}"),
            }
        }
        let uri = format!("otpauth://totp/x?secret={B32}&algorithm=SHA1&digits=6&period=30");
        assert!(entries(uri.as_bytes()).is_ok());
        let hotp = format!("otpauth://hotp/x?secret={B32}&counter=1");
        assert!(matches!(
            entries(hotp.as_bytes()),
            Err(Error::Seed(SeedError::Hotp))
        ));
    }

    #[test]
    fn lines_of_an_export_by_type() {
        let entry_of = |line: &str| entry(line).seed.map(|_| ());
        assert_eq!(
            entry_of(&format!("otpauth://hotp/a?secret={B32}&counter=1")),
            Err(Unusable::Hotp)
        );
        assert_eq!(
            entry_of(&format!("otpauth://steam/a?secret={B32}")),
            Err(Unusable::Steam)
        );
        assert_eq!(
            entry_of(&format!("otpauth://totp/a?secret={B32}&encoder=steam")),
            Err(Unusable::Steam)
        );
        assert_eq!(
            entry_of(&format!("otpauth://motp/a?secret={B32}")),
            Err(Unusable::OtherType("motp".into()))
        );
        assert_eq!(
            entry_of(&format!("otpauth://totp/a?secret={B32}&digits=8")),
            Err(Unusable::Seed(SeedError::NotAws {
                parameter: "digits",
                value: "8".into()
            }))
        );
        assert_eq!(
            entry(&format!("otpauth://totp/%5bDemo%5d%20X?secret={B32}")).label,
            "[Demo] X"
        );
    }
}
