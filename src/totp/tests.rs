//! Tests for `totp`: RFC 6238 vectors, parsing, errors and round trips.

use proptest::prelude::*;

use super::*;

/// RFC 6238 Appendix B seeds: the ASCII digits repeated to the hash's output length.
const RFC_SHA1: &[u8] = b"12345678901234567890";
const RFC_SHA256: &[u8] = b"12345678901234567890123456789012";
const RFC_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// A 320-bit AWS-style seed: "1234567890" four times, base32. Not a real credential.
pub(super) const AWS_SEED: &str =
    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// Another test secret ("Hello!\xde\xad\xbe\xef" twice), used where messages must not leak it.
pub(super) const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn seed(secret: &[u8], algorithm: Algorithm, digits: u8) -> Seed {
    Seed::new(SecretBytes::from_slice(secret), algorithm, digits, 30).unwrap()
}

pub(super) fn parse_err(input: &str) -> SeedError {
    Seed::parse(input).unwrap_err()
}

// --- codes -----------------------------------------------------------------------------------

#[test]
fn rfc6238_appendix_b_vectors() {
    // (time, SHA1, SHA256, SHA512) from RFC 6238 Appendix B.
    let vectors = [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ];
    let sha1 = seed(RFC_SHA1, Algorithm::Sha1, 8);
    let sha256 = seed(RFC_SHA256, Algorithm::Sha256, 8);
    let sha512 = seed(RFC_SHA512, Algorithm::Sha512, 8);
    for (time, c1, c256, c512) in vectors {
        assert_eq!(sha1.code_at(time), c1, "SHA1 at {time}");
        assert_eq!(sha256.code_at(time), c256, "SHA256 at {time}");
        assert_eq!(sha512.code_at(time), c512, "SHA512 at {time}");
    }
}

#[test]
fn rfc6238_vectors_via_uri_parameters() {
    let uri = |secret: &[u8], algorithm: &str| {
        let b32 = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, secret);
        format!("otpauth://totp/x?secret={b32}&algorithm={algorithm}&digits=8&period=30")
    };
    let sha256 = Seed::parse(&uri(RFC_SHA256, "SHA256")).unwrap();
    assert_eq!(sha256.code_at(1111111109), "68084774");
    let sha512 = Seed::parse(&uri(RFC_SHA512, "sha512")).unwrap();
    assert_eq!(sha512.code_at(1111111109), "25091201");
}

#[test]
fn aws_seed_vector() {
    // Checked independently with Python's hmac/hashlib (HMAC-SHA1, RFC 4226 truncation).
    let seed = Seed::parse(AWS_SEED).unwrap();
    assert!(seed.is_aws_compatible());
    assert_eq!(seed.code_at(59), "440963");
    assert_eq!(seed.code_for_step(1), "440963");
}

#[test]
fn six_digit_codes_are_zero_padded() {
    // 8-digit code 07081804 at this time; the 6-digit code keeps its leading zero.
    assert_eq!(
        seed(RFC_SHA1, Algorithm::Sha1, 6).code_at(1111111109),
        "081804"
    );
    assert_eq!(
        seed(RFC_SHA1, Algorithm::Sha1, 7).code_at(1111111109),
        "7081804"
    );
}

#[test]
fn steps_and_remaining_seconds() {
    let seed = Seed::parse(AWS_SEED).unwrap();
    assert_eq!(seed.step_at(0), 0);
    assert_eq!(seed.step_at(29), 0);
    assert_eq!(seed.step_at(30), 1);
    assert_eq!(seed.step_at(59), 1);
    assert_eq!(seed.seconds_remaining(0), 30);
    assert_eq!(seed.seconds_remaining(29), 1);
    assert_eq!(seed.seconds_remaining(30), 30);
    assert_eq!(seed.seconds_remaining(59), 1);
    assert_eq!(seed.code_at(30), seed.code_at(59));
    assert_ne!(seed.code_at(59), seed.code_at(60));
    // The largest step does not overflow.
    assert_eq!(seed.code_for_step(u64::MAX).len(), 6);
    assert_eq!(seed.code_at(u64::MAX).len(), 6);

    let slow = Seed::parse(&format!("otpauth://totp/x?secret={AWS_SEED}&period=60")).unwrap();
    assert_eq!(slow.step_at(119), 1);
    assert_eq!(slow.seconds_remaining(61), 59);
}

/// An RFC 4226/6238 code computed with the RustCrypto `hmac` and `sha2` crates directly.
fn reference_code(secret: &[u8], algorithm: Algorithm, step: u64, digits: u8) -> String {
    use hmac::{Hmac, Mac};
    let hash = match algorithm {
        Algorithm::Sha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
            mac.update(&step.to_be_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha512 => {
            let mut mac = Hmac::<sha2::Sha512>::new_from_slice(secret).unwrap();
            mac.update(&step.to_be_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha1 => unreachable!("no SHA-1 crate in the dev-dependencies"),
    };
    let offset = usize::from(hash[hash.len() - 1] & 0xF);
    let value = u32::from_be_bytes([
        hash[offset] & 0x7F,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let width = usize::from(digits);
    format!("{:0width$}", value % 10u32.pow(u32::from(digits)))
}

// --- base32 input ----------------------------------------------------------------------------

#[test]
fn base32_as_apps_display_it() {
    let expected = Seed::parse(SECRET).unwrap();
    for input in [
        "jbswy3dpehpk3pxpjbswy3dpehpk3pxp",
        "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
        "jbsw-y3dp-ehpk-3pxp-jbsw-y3dp-ehpk-3pxp",
        "JBSWY3DP\tEHPK3PXP\tJBSWY3DPEHPK3PXP",
        "  JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n",
        "\r\nJbSwY3dPeHpK3pXpJbSwY3dPeHpK3pXp\r\n",
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP========",
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP=",
        "JBSW\u{a0}Y3DP EHPK3PXPJBSWY3DPEHPK3PXP",
    ] {
        assert_eq!(Seed::parse(input).unwrap(), expected, "{input:?}");
    }
    assert_eq!(
        expected.secret.expose_secret(),
        b"Hello!\xde\xad\xbe\xefHello!\xde\xad\xbe\xef"
    );
    assert!(expected.is_aws_compatible());
    assert_eq!(expected.issuer(), None);
    assert_eq!(expected.account(), None);
}

#[test]
fn base32_padding_in_a_partial_quantum() {
    // 10 bytes = 16 characters, the minimum; 11 bytes need padding to a multiple of 8.
    assert_eq!(Seed::parse("GEZDGNBVGY3TQOJQ").unwrap().secret.len(), 10);
    let eleven = Seed::parse("GEZDGNBVGY3TQOJQGE======").unwrap();
    assert_eq!(eleven.secret.expose_secret(), b"12345678901");
    assert_eq!(Seed::parse("GEZDGNBVGY3TQOJQGE").unwrap(), eleven);
}

#[test]
fn debug_does_not_reveal_the_secret() {
    let seed = Seed::parse(SECRET)
        .unwrap()
        .with_label(Some("Example"), Some("alice"));
    let debug = format!("{seed:?} {seed:#?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains("JBSW"), "{debug}");
    assert!(!debug.contains("72, 101"), "{debug}");
    assert!(debug.contains("alice"));
    assert!(!format!("{:?}", seed.to_storage()).contains("JBSW"));
}

// --- errors ----------------------------------------------------------------------------------

/// Every message and hint is one line and never contains the secret (or a large part of it).
pub(super) fn assert_no_leak(error: &SeedError) {
    let message = error.to_string();
    let hint = error.hint();
    for text in [message.as_str(), hint] {
        assert!(!text.contains('\n'), "{text}");
        assert!(!text.is_empty());
        for secret in [SECRET, &SECRET.to_lowercase(), AWS_SEED] {
            for window in secret.as_bytes().windows(8) {
                let part = std::str::from_utf8(window).unwrap();
                assert!(!text.contains(part), "{text:?} contains {part}");
            }
        }
    }
}

#[test]
fn errors_say_what_is_wrong_without_the_secret() {
    use CharClass::*;
    let aws = |extra: &str| format!("otpauth://totp/a?secret={AWS_SEED}{extra}");
    let cases: Vec<(String, SeedError)> = vec![
        (String::new(), SeedError::Empty),
        (" \n\t".into(), SeedError::Empty),
        ("- - -".into(), SeedError::Empty),
        (
            "JBSWY3DP0HPK3PXPJBSWY3DPEHPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Digit,
            },
        ),
        (
            "JBSW Y3D1 EHPK".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Digit,
            },
        ),
        (
            "JBSWY3DP==EHPK3PXPJBSWY3DPEHPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Padding,
            },
        ),
        (
            "JBSWY3DP.EHPK3PXPJBSWY3DPEHPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Symbol,
            },
        ),
        (
            "JBSWY3DPÄEHPK3PXPJBSWY3DPEHPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: NonAscii,
            },
        ),
        (
            "JBSWY3DP\u{7}EHPK3PXPJBSWY3DPEHPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Control,
            },
        ),
        (
            "JBSWY3DPEHPK3PXPJ".into(),
            SeedError::BadLength { chars: 17 },
        ),
        (format!("{SECRET}A"), SeedError::BadLength { chars: 33 }),
        ("JBSWY3DPEHPK3PX".into(), SeedError::TooShort { bits: 72 }),
        ("JBSWY3DP".into(), SeedError::TooShort { bits: 40 }),
        (AWS_SEED.repeat(4), SeedError::TooLong { bits: 1280 }),
        (
            format!("otpauth://hotp/a?secret={SECRET}&counter=0"),
            SeedError::Hotp,
        ),
        (
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SBGFsaWNl".into(),
            SeedError::MigrationExport,
        ),
        (
            format!("https://example.com/?secret={SECRET}"),
            SeedError::UnsupportedScheme {
                scheme: "https".into(),
            },
        ),
        (
            format!("otpauth://steam/a?secret={SECRET}"),
            SeedError::UnsupportedOtpType {
                kind: "steam".into(),
            },
        ),
        (
            aws("&algorithm=MD5"),
            SeedError::UnsupportedAlgorithm {
                value: "MD5".into(),
            },
        ),
        (
            aws("&algorithm="),
            SeedError::UnsupportedAlgorithm {
                value: String::new(),
            },
        ),
        (
            aws("&digits=5"),
            SeedError::UnsupportedDigits { value: "5".into() },
        ),
        (
            aws("&digits=9"),
            SeedError::UnsupportedDigits { value: "9".into() },
        ),
        (
            aws("&digits=six"),
            SeedError::UnsupportedDigits {
                value: "six".into(),
            },
        ),
        (
            aws("&digits=300"),
            SeedError::UnsupportedDigits {
                value: "300".into(),
            },
        ),
        (
            aws("&period=0"),
            SeedError::UnsupportedPeriod { value: "0".into() },
        ),
        (
            aws("&period=301"),
            SeedError::UnsupportedPeriod {
                value: "301".into(),
            },
        ),
        (
            aws("&period=-30"),
            SeedError::UnsupportedPeriod {
                value: "-30".into(),
            },
        ),
        (
            aws("&period=30s"),
            SeedError::UnsupportedPeriod {
                value: "30s".into(),
            },
        ),
        (
            aws("&period=99999999999999999999999"),
            SeedError::UnsupportedPeriod {
                value: "9999999999999999…".into(),
            },
        ),
        ("otpauth://totp/a?issuer=x".into(), SeedError::MissingSecret),
        ("otpauth://totp/a?secret=".into(), SeedError::MissingSecret),
        (
            "otpauth://totp/a?secret=%20-".into(),
            SeedError::MissingSecret,
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP0HPK3PXP".into(),
            SeedError::NotBase32 {
                position: 9,
                class: Digit,
            },
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP".into(),
            SeedError::TooShort { bits: 40 },
        ),
    ];
    for (input, expected) in &cases {
        let error = parse_err(input);
        assert_eq!(&error, expected, "{input:?}");
        assert_no_leak(&error);
    }
}

#[test]
fn error_messages_read_well() {
    assert_eq!(
        SeedError::TooShort { bits: 40 }.to_string(),
        "the secret is only 40 bits long; at least 80 are needed (AWS seeds are 320 bits, 64 characters)"
    );
    assert_eq!(
        SeedError::NotBase32 {
            position: 9,
            class: CharClass::Digit
        }
        .to_string(),
        "the secret is not base32: character 9 is a digit 0, 1, 8 or 9 (base32 has only 2-7)"
    );
    assert!(
        SeedError::Hotp
            .to_string()
            .contains("HOTP is counter-based; AWS virtual MFA uses TOTP")
    );
    assert!(
        SeedError::MigrationExport
            .to_string()
            .contains("Google Authenticator export")
    );
}

#[test]
fn new_checks_its_parameters() {
    let bytes = || SecretBytes::from_slice(RFC_SHA1);
    assert!(Seed::new(bytes(), Algorithm::Sha1, 6, 30).is_ok());
    assert!(matches!(
        Seed::new(bytes(), Algorithm::Sha1, 10, 30),
        Err(SeedError::UnsupportedDigits { .. })
    ));
    assert!(matches!(
        Seed::new(bytes(), Algorithm::Sha1, 6, 0),
        Err(SeedError::UnsupportedPeriod { .. })
    ));
    assert_eq!(
        Seed::new(SecretBytes::from_slice(b"short"), Algorithm::Sha1, 6, 30).unwrap_err(),
        SeedError::TooShort { bits: 40 }
    );
}

// --- properties ------------------------------------------------------------------------------

/// A base32 rendering of `bytes` as a person might paste it.
fn messy_base32(
    bytes: &[u8],
    styles: &[(bool, u8)],
    padding: usize,
    lead: &str,
    trail: &str,
) -> String {
    let b32 = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, bytes);
    let mut text = String::from(lead);
    for (i, c) in b32.chars().enumerate() {
        let (lower, separator) = styles.get(i).copied().unwrap_or_default();
        text.push(if lower { c.to_ascii_lowercase() } else { c });
        match separator {
            1 => text.push(' '),
            2 => text.push('-'),
            3 => text.push('\t'),
            4 => text.push_str("  "),
            _ => {}
        }
    }
    text.extend(std::iter::repeat_n('=', padding));
    text.push_str(trail);
    text
}

proptest! {
    #[test]
    fn base32_text_round_trips(
        bytes in prop::collection::vec(any::<u8>(), 10..=64),
        styles in prop::collection::vec((any::<bool>(), 0u8..8), 0..110),
        padding in 0usize..8,
        lead in "[ \t\r\n]{0,3}",
        trail in "[ \t\r\n]{0,3}",
    ) {
        let text = messy_base32(&bytes, &styles, padding, &lead, &trail);
        let seed = Seed::parse(&text).unwrap();
        prop_assert_eq!(seed.secret.expose_secret(), &bytes[..]);
        let stored = seed.to_storage();
        prop_assert_eq!(Seed::parse(stored.expose_secret()).unwrap(), seed);
    }

    #[test]
    fn to_storage_round_trips_any_label(
        bytes in prop::collection::vec(any::<u8>(), 10..=64),
        algorithm in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
        digits in 6u8..=8,
        period in 1u64..=300,
        issuer in prop::option::of(any::<String>()),
        account in prop::option::of(any::<String>()),
    ) {
        let seed = Seed::new(SecretBytes::new(bytes), algorithm, digits, period)
            .unwrap()
            .with_label(issuer.as_deref(), account.as_deref());
        let stored = seed.to_storage();
        prop_assert_eq!(Seed::parse(stored.expose_secret()).unwrap(), seed.clone());
        let key_uri = seed.key_uri("Amazon Web Services", "alice@123456789012");
        let enrolled = Seed::parse(key_uri.expose_secret()).unwrap();
        prop_assert_eq!(enrolled.code_at(59), seed.code_at(59));
    }

    #[test]
    fn codes_match_an_independent_hmac(
        bytes in prop::collection::vec(any::<u8>(), 10..=128),
        sha512 in any::<bool>(),
        digits in 6u8..=8,
        step in any::<u64>(),
    ) {
        let algorithm = if sha512 { Algorithm::Sha512 } else { Algorithm::Sha256 };
        let seed = seed(&bytes, algorithm, digits);
        prop_assert_eq!(seed.code_for_step(step), reference_code(&bytes, algorithm, step, digits));
    }

    #[test]
    fn parse_never_panics(input in any::<String>()) {
        let _ = Seed::parse(&input);
    }

    #[test]
    fn parse_never_panics_on_uri_like_input(
        prefix in prop_oneof![
            Just("otpauth://totp/"),
            Just("otpauth://totp/a?secret="),
            Just("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&"),
            Just("otpauth:"),
            Just("otpauth-migration://"),
        ],
        rest in any::<String>(),
    ) {
        if let Err(error) = Seed::parse(&format!("{prefix}{rest}")) {
            prop_assert!(!error.to_string().contains('\n') || rest.contains('\n'));
        }
    }
}
