//! Secret-holding newtypes (TOTP seeds, AWS secret keys, session tokens) that zeroize on drop and
//! never print their contents, plus [`mask`] for identifiers shown to the user.
//!
//! The types implement `Debug` with a fixed redaction and no `Display`, so a secret can only reach
//! text through `expose_secret()`: `grep expose_secret` lists every place one is consumed.

use std::fmt;

use zeroize::Zeroizing;

/// What `Debug` prints instead of a secret.
const REDACTED: &str = "<redacted>";

/// A secret string: an AWS secret access key, a session token, a stored seed URI.
///
/// Held in a [`Zeroizing<String>`] rather than `secrecy::SecretString`: converting a `String` into
/// a `Box<str>` may reallocate and leave an unzeroized copy behind (docs/notes.md), whereas
/// wrapping the `String` itself moves it without copying, and the whole capacity is wiped on drop.
#[derive(Clone, Default)]
pub struct SecretText(Zeroizing<String>);

impl SecretText {
    /// Copies `s` into a new exactly-sized allocation. The caller still owns (and should wipe) `s`.
    pub fn new(s: &str) -> Self {
        Self(Zeroizing::new(String::from(s)))
    }

    /// Takes ownership of `s` without copying or reallocating it.
    pub fn from_string(s: String) -> Self {
        Self(Zeroizing::new(s))
    }

    /// The secret itself. Call only where it is consumed (a request, the keyring, a file write).
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretText")
            .field(&format_args!("{REDACTED}"))
            .finish()
    }
}

impl PartialEq for SecretText {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for SecretText {}

/// Raw secret bytes, such as a decoded TOTP seed.
#[derive(Clone, Default)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes` without copying them; the whole capacity is wiped on drop.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new exactly-sized allocation.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// The secret itself. Call only where it is consumed.
    pub fn expose_secret(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// Number of bytes; not secret in itself.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretBytes")
            .field(&format_args!("{REDACTED}"))
            .finish()
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.0, &other.0)
    }
}

impl Eq for SecretBytes {}

/// Equality whose running time depends only on the lengths, not on where the contents differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Shows only the last four characters of an identifier such as an access key id or an MFA
/// serial, the way aws-vault does: `AKIAIOSFODNN7EXAMPLE` becomes `****MPLE`. Anything of four
/// characters or fewer is masked entirely, so the output never reveals a whole value.
pub fn mask(s: &str) -> String {
    let count = s.chars().count();
    let mut out = String::from("****");
    if count > 4 {
        out.extend(s.chars().skip(count - 4));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn secret_text_debug_is_redacted() {
        for text in [
            SecretText::new(VALUE),
            SecretText::from_string(VALUE.to_owned()),
        ] {
            let debug = format!("{text:?} {text:#?}");
            assert!(!debug.contains(VALUE), "{debug}");
            assert!(!debug.contains("wJal"), "{debug}");
            assert!(debug.contains(REDACTED));
            assert_eq!(text.expose_secret(), VALUE);
        }
    }

    #[test]
    fn secret_text_inside_other_debug_output_is_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Credentials {
            access_key_id: String,
            secret: SecretText,
        }
        let creds = Credentials {
            access_key_id: "AKIA".into(),
            secret: SecretText::new(VALUE),
        };
        assert!(!format!("{creds:?}").contains(VALUE));
    }

    #[test]
    fn secret_bytes_debug_is_redacted() {
        let bytes = SecretBytes::from_slice(b"12345678901234567890");
        let debug = format!("{bytes:?} {bytes:#?}");
        assert!(!debug.contains("1234"), "{debug}");
        assert!(!debug.contains("49, 50"), "{debug}");
        assert_eq!(bytes.expose_secret(), b"12345678901234567890");
        assert_eq!(bytes.len(), 20);
    }

    #[test]
    fn from_string_keeps_the_allocation() {
        let s = String::from(VALUE);
        let ptr = s.as_ptr();
        let text = SecretText::from_string(s);
        assert_eq!(text.expose_secret().as_ptr(), ptr);
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(SecretText::new("a"), SecretText::new("a"));
        assert_ne!(SecretText::new("a"), SecretText::new("b"));
        assert_ne!(SecretText::new("a"), SecretText::new("ab"));
        assert_eq!(
            SecretBytes::from_slice(b"xy"),
            SecretBytes::new(b"xy".to_vec())
        );
        assert_ne!(
            SecretBytes::from_slice(b"xy"),
            SecretBytes::from_slice(b"xz")
        );
    }

    #[test]
    fn mask_shows_last_four_characters() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask("arn:aws:iam::123456789012:mfa/alice"), "****lice");
        assert_eq!(mask("ABCDE"), "****BCDE");
        assert_eq!(mask("ABCD"), "****");
        assert_eq!(mask("AB"), "****");
        assert_eq!(mask(""), "****");
        assert_eq!(mask("ÄÖÜßéè"), "****Üßéè");
    }
}
