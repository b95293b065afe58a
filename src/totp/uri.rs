//! `otpauth://` URIs: taking apart what users paste, and writing the stored and enrolment forms.
//!
//! totp-rs's `from_url` rejects an issuer prefix that differs from `issuer=` and a ':' in the
//! account, both seen in the wild, so URIs are parsed here with `url` and the generator is built
//! with totp-rs's unchecked constructor.

use url::Url;
use zeroize::Zeroizing;

use super::error::quoted;
use super::{
    Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD_SECS, MAX_PERIOD_SECS, Seed, SeedError,
    decode_base32, non_empty,
};
use crate::secret::SecretText;

impl Seed {
    /// `otpauth://totp/issuer:account?secret=…`; `all_params` adds algorithm, digits and period.
    pub(super) fn build_uri(&self, issuer: &str, account: &str, all_params: bool) -> SecretText {
        let secret = Zeroizing::new(base32::encode(
            base32::Alphabet::Rfc4648 { padding: false },
            self.secret.expose_secret(),
        ));
        // Sized up front so the string holding the secret never reallocates and leaves a copy.
        let mut uri = String::with_capacity(uri_capacity(secret.len(), issuer, account));
        let capacity = uri.capacity();
        uri.push_str("otpauth://totp/");
        // Without an issuer the label is just the account, unless parsing would misread it: an
        // account holding ':' would lose its first part to the issuer, and a label of "." or
        // ".." is a dot segment that URL parsing removes. An empty issuer prefix avoids both.
        if !issuer.is_empty() || account.contains(':') || account == "." || account == ".." {
            push_encoded(&mut uri, issuer);
            uri.push(':');
        }
        push_encoded(&mut uri, account);
        uri.push_str("?secret=");
        uri.push_str(&secret);
        if !issuer.is_empty() {
            uri.push_str("&issuer=");
            push_encoded(&mut uri, issuer);
        }
        if all_params {
            uri.push_str("&algorithm=");
            uri.push_str(self.algorithm.as_str());
            uri.push_str("&digits=");
            uri.push_str(&self.digits.to_string());
            uri.push_str("&period=");
            uri.push_str(&self.period.to_string());
        }
        debug_assert_eq!(uri.capacity(), capacity, "URI buffer reallocated");
        SecretText::from_string(uri)
    }
}

/// An upper bound for the length of [`Seed::build_uri`]'s output.
fn uri_capacity(secret_chars: usize, issuer: &str, account: &str) -> usize {
    const FIXED: usize = "otpauth://totp/:?secret=&issuer=&algorithm=SHA512&digits=8&period=".len();
    // Each byte of issuer (twice) and account percent-encodes to at most 3 characters.
    FIXED + secret_chars + 3 * (2 * issuer.len() + account.len()) + 20
}

/// The scheme of `input` if it looks like a URI rather than a base32 secret (which has no ':').
pub(super) fn uri_scheme(input: &str) -> Option<&str> {
    let (scheme, rest) = input.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let ours =
        scheme.eq_ignore_ascii_case("otpauth") || scheme.eq_ignore_ascii_case("otpauth-migration");
    (valid && (ours || rest.starts_with("//"))).then_some(scheme)
}

pub(super) fn parse_uri(input: &str, scheme: &str) -> Result<Seed, SeedError> {
    if scheme.eq_ignore_ascii_case("otpauth-migration") {
        return Err(SeedError::MigrationExport);
    }
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(SeedError::UnsupportedScheme {
            scheme: quoted(scheme),
        });
    }
    let uri = Url::parse(input).map_err(|e| SeedError::MalformedUri {
        reason: e.to_string(),
    })?;
    let kind = uri.host_str().ok_or_else(|| SeedError::MalformedUri {
        reason: "expected otpauth://totp/ followed by a label".into(),
    })?;
    if kind.eq_ignore_ascii_case("hotp") {
        return Err(SeedError::Hotp);
    }
    if !kind.eq_ignore_ascii_case("totp") {
        return Err(SeedError::UnsupportedOtpType { kind: quoted(kind) });
    }

    let mut secret: Option<Zeroizing<String>> = None;
    let mut issuer = None;
    let mut algorithm = None;
    let mut digits = None;
    let mut period = None;
    // The first occurrence of a parameter wins; unknown ones (image, counter, ...) are ignored.
    for (key, value) in uri.query_pairs() {
        let key = key.to_ascii_lowercase();
        match key.as_str() {
            "secret" if secret.is_none() => secret = Some(Zeroizing::new(value.into_owned())),
            "issuer" if issuer.is_none() => issuer = Some(value.into_owned()),
            "algorithm" if algorithm.is_none() => algorithm = Some(value.into_owned()),
            "digits" if digits.is_none() => digits = Some(value.into_owned()),
            "period" if period.is_none() => period = Some(value.into_owned()),
            _ => {}
        }
    }

    let algorithm = match algorithm {
        None => Algorithm::Sha1,
        Some(value) => {
            Algorithm::from_uri_value(&value).ok_or_else(|| SeedError::UnsupportedAlgorithm {
                value: quoted(&value),
            })?
        }
    };
    let digits = match digits {
        None => DEFAULT_DIGITS,
        Some(value) => value
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| (6..=8).contains(d))
            .ok_or_else(|| SeedError::UnsupportedDigits {
                value: quoted(&value),
            })?,
    };
    let period = match period {
        None => DEFAULT_PERIOD_SECS,
        Some(value) => value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=MAX_PERIOD_SECS).contains(p))
            .ok_or_else(|| SeedError::UnsupportedPeriod {
                value: quoted(&value),
            })?,
    };
    let secret = match secret {
        Some(text) => decode_base32(&text)?,
        None => None,
    }
    .ok_or(SeedError::MissingSecret)?;

    let label =
        percent_decode(uri.path().strip_prefix('/').unwrap_or(uri.path())).ok_or_else(|| {
            SeedError::MalformedUri {
                reason: "the label is not UTF-8 after percent-decoding".into(),
            }
        })?;
    // Best effort: wipe the parsed URI's copy of the secret.
    drop(Zeroizing::new(String::from(uri)));
    let (issuer, account) = split_label(&label, non_empty(issuer.as_deref()));
    Ok(Seed::new(secret, algorithm, digits, period)?.with_label(issuer.as_deref(), account))
}

/// Splits a decoded `Issuer:account` label. The `issuer=` parameter wins over the label's prefix
/// (Key Uri Format); when the label starts with that issuer and a colon, the rest is the account
/// even if it holds further colons.
fn split_label(label: &str, issuer_param: Option<String>) -> (Option<String>, Option<&str>) {
    if let Some(issuer) = issuer_param {
        let account = label
            .strip_prefix(issuer.as_str())
            .and_then(|rest| rest.strip_prefix(':'))
            .or_else(|| label.split_once(':').map(|(_, account)| account))
            .unwrap_or(label);
        return (Some(issuer), Some(account));
    }
    match label.split_once(':') {
        Some((issuer, account)) => (non_empty(Some(issuer)), Some(account)),
        None => (None, Some(label)),
    }
}

/// Percent-encodes all but RFC 3986 unreserved characters and '@' (kept for readable e-mail
/// style accounts). Spaces become `%20`, which every app decodes, rather than `+`.
fn push_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
}

/// Decodes `%XX` escapes; a '%' not followed by two hex digits stays as it is, and '+' stays '+'
/// (in a path it is not a space).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex_value(*hi).zip(hex_value(*lo)),
            _ => None,
        };
        match escaped {
            Some((hi, lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::tests::{AWS_SEED, SECRET, assert_no_leak, parse_err};

    #[test]
    fn uri_with_every_parameter() {
        let seed = Seed::parse(&format!(
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret={SECRET}&issuer=ACME%20Co\
         &algorithm=SHA256&digits=8&period=60"
        ))
        .unwrap();
        assert_eq!(seed.algorithm(), Algorithm::Sha256);
        assert_eq!(seed.digits(), 8);
        assert_eq!(seed.period(), 60);
        assert_eq!(seed.issuer(), Some("ACME Co"));
        assert_eq!(seed.account(), Some("john.doe@email.com"));
        assert!(!seed.is_aws_compatible());
        assert_eq!(seed.secret, Seed::parse(SECRET).unwrap().secret);
    }

    #[test]
    fn uri_defaults_and_parameter_spellings() {
        let seed = Seed::parse(&format!(
            "otpauth://totp/alice?secret={}",
            SECRET.to_lowercase()
        ))
        .unwrap();
        assert_eq!(
            (seed.algorithm(), seed.digits(), seed.period()),
            (Algorithm::Sha1, 6, 30)
        );
        assert_eq!(seed.issuer(), None);
        assert_eq!(seed.account(), Some("alice"));

        for (value, expected) in [
            ("SHA1", Algorithm::Sha1),
            ("sha1", Algorithm::Sha1),
            ("SHA-256", Algorithm::Sha256),
            ("Sha512", Algorithm::Sha512),
        ] {
            let seed = Seed::parse(&format!(
                "otpauth://totp/a?secret={SECRET}&algorithm={value}"
            ))
            .unwrap();
            assert_eq!(seed.algorithm(), expected, "{value}");
        }
        for digits in 6..=8u8 {
            let seed =
                Seed::parse(&format!("otpauth://totp/a?secret={SECRET}&digits={digits}")).unwrap();
            assert_eq!(seed.digits(), digits);
            assert_eq!(seed.code_at(59).len(), usize::from(digits));
        }
        for period in [1, 30, 60, 300] {
            let seed =
                Seed::parse(&format!("otpauth://totp/a?secret={SECRET}&period={period}")).unwrap();
            assert_eq!(seed.period(), period);
        }
        // Upper-case scheme, type and parameter names; unknown parameters; a fragment.
        let seed = Seed::parse(&format!(
            "OTPAUTH://TOTP/a?SECRET={SECRET}&Digits=7&image=https%3A%2F%2Fx%2Fy.png#frag"
        ))
        .unwrap();
        assert_eq!(seed.digits(), 7);
        // The first of repeated parameters wins.
        let seed = Seed::parse(&format!(
            "otpauth://totp/a?secret={SECRET}&period=60&period=30"
        ))
        .unwrap();
        assert_eq!(seed.period(), 60);
        // A spaced secret inside a URI, '+' or %20 for spaces.
        let seed = Seed::parse("otpauth://totp/a?secret=JBSW+Y3DP%20EHPK-3PXP").unwrap();
        assert_eq!(seed.secret.len(), 10);
    }

    #[test]
    fn uri_labels() {
        let label = |uri: &str| {
            let seed = Seed::parse(&format!(
                "{uri}{}secret={SECRET}",
                if uri.contains('?') { "&" } else { "?" }
            ))
            .unwrap();
            (
                seed.issuer().map(String::from),
                seed.account().map(String::from),
            )
        };
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            label("otpauth://totp/Example:alice@google.com"),
            (s("Example"), s("alice@google.com"))
        );
        // Encoded colon and the optional space after it.
        assert_eq!(
            label("otpauth://totp/Example%3A%20alice"),
            (s("Example"), s("alice"))
        );
        // The issuer parameter wins over a different label prefix (totp-rs rejects this).
        assert_eq!(
            label("otpauth://totp/Amazon:alice@123456789012?issuer=Amazon%20Web%20Services"),
            (s("Amazon Web Services"), s("alice@123456789012"))
        );
        // Colons in the account (totp-rs rejects these).
        assert_eq!(
            label("otpauth://totp/AWS:arn:aws:iam::123456789012:mfa/alice"),
            (s("AWS"), s("arn:aws:iam::123456789012:mfa/alice"))
        );
        assert_eq!(
            label("otpauth://totp/My%3AOrg:bob:x?issuer=My%3AOrg"),
            (s("My:Org"), s("bob:x"))
        );
        // Only an issuer parameter, only an account, no label at all.
        assert_eq!(
            label("otpauth://totp/alice?issuer=Example"),
            (s("Example"), s("alice"))
        );
        assert_eq!(
            label("otpauth://totp/?issuer=Example"),
            (s("Example"), None)
        );
        assert_eq!(label("otpauth://totp/"), (None, None));
        assert_eq!(label("otpauth://totp"), (None, None));
        // Non-ASCII, raw or percent-encoded; '+' in a path is a plus.
        assert_eq!(
            label("otpauth://totp/B%C3%BCro:J%C3%BCrgen"),
            (s("Büro"), s("Jürgen"))
        );
        assert_eq!(
            label("otpauth://totp/Büro:Jürgen+1"),
            (s("Büro"), s("Jürgen+1"))
        );
    }

    #[test]
    fn to_storage_is_canonical_and_round_trips() {
        let seed = Seed::parse(&format!(
        "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={}&issuer=Amazon%20Web%20Services",
        SECRET.to_lowercase()
    ))
    .unwrap();
        let stored = seed.to_storage();
        assert_eq!(
            stored.expose_secret(),
            format!(
                "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={SECRET}\
             &issuer=Amazon%20Web%20Services&algorithm=SHA1&digits=6&period=30"
            )
        );
        assert_eq!(Seed::parse(stored.expose_secret()).unwrap(), seed);

        let bare = Seed::parse(AWS_SEED).unwrap();
        assert_eq!(
            bare.to_storage().expose_secret(),
            format!("otpauth://totp/?secret={AWS_SEED}&algorithm=SHA1&digits=6&period=30")
        );
        for (issuer, account) in [
            (None, Some("arn:aws:iam::123456789012:mfa/alice")),
            (Some("a:b"), Some("c:d")),
            (Some("Issuer"), None),
            (None, Some("..")),
            (None, Some(".")),
            (Some("?&#=%+"), Some("/../ x")),
        ] {
            let seed = Seed::parse(SECRET).unwrap().with_label(issuer, account);
            let stored = seed.to_storage();
            assert_eq!(
                Seed::parse(stored.expose_secret()).unwrap(),
                seed,
                "{issuer:?} {account:?}"
            );
        }
    }

    #[test]
    fn key_uri_for_authenticator_apps() {
        let seed = Seed::parse(SECRET).unwrap();
        let uri = seed.key_uri("Amazon Web Services", "alice@123456789012");
        assert_eq!(
            uri.expose_secret(),
            format!(
                "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={SECRET}\
             &issuer=Amazon%20Web%20Services"
            )
        );
        let back = Seed::parse(uri.expose_secret()).unwrap();
        assert_eq!(
            back,
            seed.clone()
                .with_label(Some("Amazon Web Services"), Some("alice@123456789012"))
        );

        let sha256 = Seed::parse(&format!(
            "otpauth://totp/a?secret={SECRET}&algorithm=SHA256&digits=8"
        ))
        .unwrap();
        assert!(
            sha256
                .key_uri("I", "a")
                .expose_secret()
                .ends_with("&issuer=I&algorithm=SHA256&digits=8&period=30")
        );
    }

    #[test]
    fn malformed_uris() {
        for input in [
            format!("otpauth:totp/a?secret={SECRET}"),
            format!("otpauth://[zz/a?secret={SECRET}"),
            format!("otpauth://totp:99999999/a?secret={SECRET}"),
        ] {
            let error = parse_err(&input);
            assert!(
                matches!(error, SeedError::MalformedUri { .. }),
                "{input}: {error:?}"
            );
            assert_no_leak(&error);
        }
    }

    #[test]
    fn percent_encoding_helpers() {
        let mut out = String::new();
        push_encoded(&mut out, "a b:c/ü@x.y_~-+");
        assert_eq!(out, "a%20b%3Ac%2F%C3%BC@x.y_~-%2B");
        assert_eq!(percent_decode(&out).unwrap(), "a b:c/ü@x.y_~-+");
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert_eq!(percent_decode("%zz%4").unwrap(), "%zz%4");
        assert_eq!(percent_decode("%FF"), None);
    }
}
