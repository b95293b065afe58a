//! Aegis Authenticator vault exports (plain JSON, db versions 1 to 3,
//! <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>). An encrypted vault is
//! refused with how to export it unencrypted.

use serde_json::Value;

use super::json::{num_field, object, seed, str_field};
use super::{Entry, Error, Format, Input, Unusable, join_label};

pub(super) const FORMAT: Format = Format {
    detect: |input| object(input).is_some_and(|o| o.contains_key("db")),
    read,
};

fn read(input: &Input) -> Result<Vec<Entry>, Error> {
    let Some(vault) = object(input) else {
        return Err(Error::Json(String::new()));
    };
    // Encrypted, `db` is a base64 string and `header.slots` lists the key slots.
    match vault.get("db").and_then(|db| db.get("entries")) {
        Some(Value::Array(entries)) => Ok(entries.iter().map(entry).collect()),
        _ => Err(Error::AegisEncrypted),
    }
}

fn entry(e: &Value) -> Entry {
    let issuer = str_field(e, &["issuer"]);
    let name = str_field(e, &["name"]);
    let label = join_label(issuer, name);
    match str_field(e, &["type"])
        .unwrap_or("totp")
        .to_ascii_lowercase()
        .as_str()
    {
        "totp" => {}
        "hotp" => return Entry::unusable(label, Unusable::Hotp),
        "steam" => return Entry::unusable(label, Unusable::Steam),
        other => return Entry::unusable(label, Unusable::OtherType(other.to_string())),
    }
    let seed = seed(
        str_field(e, &["info", "secret"]),
        str_field(e, &["info", "algo"]).unwrap_or("SHA1"),
        num_field(e, &["info", "digits"]).unwrap_or(6),
        num_field(e, &["info", "period"]).unwrap_or(30),
        (issuer, name),
    );
    Entry::totp(label, seed)
}

#[cfg(test)]
mod tests {
    use crate::totp::SeedError;
    use crate::totp::formats::{Error, Unusable, entries, pick};

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn vault(entries: &str) -> String {
        format!(
            r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":2,"entries":[{entries}]}}}}"#
        )
    }

    fn totp(name: &str, secret: &str, algo: &str, digits: u32, period: u32) -> String {
        format!(
            r#"{{"type":"totp","uuid":"1","name":"{name}","issuer":"AWS","info":{{"secret":"{secret}","algo":"{algo}","digits":{digits},"period":{period}}}}}"#
        )
    }

    #[test]
    fn plain_vault() {
        let text = vault(&format!(
            r#"{},{{"type":"steam","uuid":"2","name":"gamer","issuer":"Steam","info":{{"secret":"{B32}","algo":"SHA1","digits":5,"period":30}}}}"#,
            totp("alice", B32, "SHA1", 6, 30)
        ));
        let found = entries(text.as_bytes()).unwrap();
        assert_eq!(found[0].label, "AWS:alice");
        assert_eq!(found[1].seed.as_ref().unwrap_err(), &Unusable::Steam);
        let seed = pick(found, None).unwrap();
        assert_eq!(seed.code_at(59), "287082");
        assert_eq!(
            (seed.issuer(), seed.account()),
            (Some("AWS"), Some("alice"))
        );
    }

    #[test]
    fn encrypted_vault_says_so() {
        let text = r#"{"version":1,"header":{"slots":[{"type":1}],"params":{}},"db":"c2VjcmV0"}"#;
        let err = entries(text.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::AegisEncrypted));
        assert!(err.hint().contains("Encrypt the vault"), "{}", err.hint());
    }

    #[test]
    fn secrets_go_through_the_strict_check() {
        // Regression (issue 16): a 17-character secret imported as its 16-character prefix, and
        // '=' inside a secret was dropped.
        for (secret, expected) in [
            ("JDJDBDBDDBDBBXBXB", SeedError::BadLength { chars: 17 }),
            (
                "GEZDGNBVGY3TQOJQ=GEZDGNBVGY3TQOJQ",
                SeedError::NotBase32 {
                    position: 17,
                    class: crate::totp::CharClass::Padding,
                },
            ),
            ("GEZDGNBV", SeedError::TooShort { bits: 40 }),
        ] {
            let text = vault(&totp("alice", secret, "SHA1", 6, 30));
            let err = pick(entries(text.as_bytes()).unwrap(), None).unwrap_err();
            assert!(
                matches!(&err, Error::Unusable { reason: Unusable::Seed(e), .. } if *e == expected),
                "{secret}: {err}"
            );
        }
        // Padding at the end, lower case and spaces are fine, as when pasted.
        let text = vault(&totp(
            "alice",
            "gezd gnbv gy3t qojq gezd gnbv gy3t qojq====",
            "SHA1",
            6,
            30,
        ));
        assert_eq!(
            pick(entries(text.as_bytes()).unwrap(), None)
                .unwrap()
                .code_at(59),
            "287082"
        );
    }

    #[test]
    fn parameters_aws_cannot_use_are_refused() {
        for (algo, digits, period, brief) in [
            ("SHA256", 7, 20, "unusable: algorithm=SHA256"),
            ("SHA1", 8, 30, "unusable: digits=8"),
            ("SHA1", 6, 50, "unusable: period=50"),
        ] {
            let text = vault(&totp("alice", B32, algo, digits, period));
            let found = entries(text.as_bytes()).unwrap();
            assert_eq!(found[0].seed.as_ref().unwrap_err().brief(), brief);
        }
    }
}
