//! Why a seed could not be imported: one variant per problem, each with a hint. No message or
//! hint ever contains the secret.

use std::fmt;

use super::{MAX_PERIOD_SECS, MAX_SECRET_BITS, MIN_SECRET_BITS};

/// Parameter values quoted in error messages are cut to this many characters.
const MAX_QUOTED_CHARS: usize = 16;

/// What kind of character made a secret invalid base32. The character itself is not kept: it is
/// part of what the user believes is their secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// `0`, `1`, `8` or `9`: base32 has only the digits 2–7.
    Digit,
    /// An `=` followed by more secret characters; padding may only end the secret.
    Padding,
    /// ASCII punctuation or a symbol other than the ignored `-`.
    Symbol,
    /// Any character outside ASCII.
    NonAscii,
    /// An ASCII control character other than tab, CR and LF.
    Control,
}

impl fmt::Display for CharClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharClass::Digit => "a digit 0, 1, 8 or 9 (base32 has only 2-7)",
            CharClass::Padding => "an '=' padding sign before the end",
            CharClass::Symbol => "a punctuation mark or symbol",
            CharClass::NonAscii => "a non-ASCII character",
            CharClass::Control => "a control character",
        })
    }
}

impl CharClass {
    pub(super) fn of(c: char) -> Self {
        if c.is_ascii_digit() {
            CharClass::Digit
        } else if c.is_ascii_control() {
            CharClass::Control
        } else if c.is_ascii() {
            CharClass::Symbol
        } else {
            CharClass::NonAscii
        }
    }
}

/// Why a seed could not be imported. Messages and hints never contain the secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error("no TOTP secret was given")]
    Empty,
    #[error("the secret is not base32: character {position} is {class}")]
    NotBase32 { position: usize, class: CharClass },
    #[error("the secret is not base32: {chars} characters cannot encode a whole number of bytes")]
    BadLength { chars: usize },
    #[error(
        "the secret is only {bits} bits long; at least {MIN_SECRET_BITS} are needed \
         (AWS seeds are 320 bits, 64 characters)"
    )]
    TooShort { bits: usize },
    #[error("the secret is {bits} bits long; at most {MAX_SECRET_BITS} are accepted")]
    TooLong { bits: usize },
    #[error(
        "otpauth://hotp URIs are not supported: HOTP is counter-based; AWS virtual MFA uses TOTP"
    )]
    Hotp,
    #[error(
        "otpauth-migration:// is a Google Authenticator export, which plain import does not support"
    )]
    MigrationExport,
    #[error("unsupported URI scheme {scheme:?}; expected otpauth://totp/")]
    UnsupportedScheme { scheme: String },
    #[error("unsupported one-time password type {kind:?} in the otpauth URI; expected totp")]
    UnsupportedOtpType { kind: String },
    #[error("unsupported algorithm={value:?}; TOTP uses SHA1, SHA256 or SHA512")]
    UnsupportedAlgorithm { value: String },
    #[error("unsupported digits={value:?}; codes have 6, 7 or 8 digits")]
    UnsupportedDigits { value: String },
    #[error(
        "unsupported period={value:?}; the period is a whole number of seconds from 1 to {MAX_PERIOD_SECS}"
    )]
    UnsupportedPeriod { value: String },
    #[error(
        "{parameter}={value} cannot work with AWS: virtual MFA devices use SHA1, 6 digits and 30 s"
    )]
    NotAws {
        parameter: &'static str,
        value: String,
    },
    #[error("the otpauth URI has no secret= parameter, or it is empty")]
    MissingSecret,
    #[error("the otpauth URI is malformed: {reason}")]
    MalformedUri { reason: String },
}

impl SeedError {
    /// One line telling the user how to fix the input.
    pub fn hint(&self) -> &'static str {
        match self {
            SeedError::Empty => {
                "paste the base32 secret key (AWS console: \"Show secret key\") or an \
                 otpauth://totp/ URI on standard input"
            }
            SeedError::NotBase32 { .. } => {
                "base32 uses only the letters A-Z and the digits 2-7 (spaces, dashes and '=' \
                 padding are ignored); 0, 1 and 8 are usually O, I or L, and B: copy the secret again"
            }
            SeedError::BadLength { .. } => {
                "a character is probably missing or doubled: copy the secret again \
                 (AWS shows 64 characters)"
            }
            SeedError::TooShort { .. } => {
                "the secret looks truncated: copy the whole secret key again"
            }
            SeedError::TooLong { .. } => {
                "paste only the one secret key, without other text or further secrets"
            }
            SeedError::Hotp => {
                "import the otpauth://totp/ URI or the base32 secret of a virtual MFA device"
            }
            SeedError::MigrationExport => {
                "in the authenticator app, show this account's secret key or otpauth://totp/ URI \
                 and paste that, or re-create the virtual MFA device in AWS"
            }
            SeedError::UnsupportedScheme { .. } | SeedError::UnsupportedOtpType { .. } => {
                "paste the base32 secret key or an otpauth://totp/ URI"
            }
            SeedError::UnsupportedAlgorithm { .. } => {
                "AWS virtual MFA uses SHA1: remove the algorithm parameter or set algorithm=SHA1"
            }
            SeedError::UnsupportedDigits { .. } => {
                "AWS virtual MFA uses 6 digits: remove the digits parameter or set digits=6"
            }
            SeedError::UnsupportedPeriod { .. } => {
                "AWS virtual MFA uses 30 seconds: remove the period parameter or set period=30"
            }
            SeedError::NotAws { .. } => {
                "this seed belongs to another service (AWS never issues such seeds): import the \
                 AWS entry (--account NAME) or the secret key AWS showed for the device"
            }
            SeedError::MissingSecret | SeedError::MalformedUri { .. } => {
                "copy the complete otpauth://totp/LABEL?secret=... URI again, or paste just the \
                 base32 secret key"
            }
        }
    }
}

/// A parameter value as quoted in an error: at most [`MAX_QUOTED_CHARS`] characters.
pub(crate) fn quoted(value: &str) -> String {
    let mut chars = value.chars();
    let mut shown: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}
