//! TOTP seeds: parsing base32 secrets and `otpauth://totp/` URIs, computing codes at a given time,
//! and the canonical URI stored in the keyring. Pure: no clock, no I/O.
//!
//! Codes follow RFC 6238 (<https://www.rfc-editor.org/rfc/rfc6238>); URIs follow Google's Key Uri
//! Format (<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>). AWS virtual MFA
//! devices use SHA-1, 6 digits and 30-second steps with a 320-bit seed shown as 64 base32 characters.

use std::fmt;

use totp_rs::{Builder, Secret};
use url::Url;
use zeroize::Zeroizing;

use crate::secret::{SecretBytes, SecretText};

/// RFC 4226 §4 requires 128 bits and recommends 160, but authenticator apps accept 80-bit secrets
/// and some issuers still hand them out; below 80 the input is almost certainly truncated.
const MIN_SECRET_BITS: usize = 80;
/// Far beyond any real seed (AWS uses 320); more means several secrets or other text were pasted.
const MAX_SECRET_BITS: usize = 1024;
/// Longest period accepted; real issuers use 30 or 60 seconds.
const MAX_PERIOD_SECS: u64 = 300;
const DEFAULT_DIGITS: u8 = 6;
const DEFAULT_PERIOD_SECS: u64 = 30;
/// Parameter values quoted in error messages are cut to this many characters.
const MAX_QUOTED_CHARS: usize = 16;

/// The HMAC hash a seed uses. AWS virtual MFA uses SHA-1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    /// Accepts the Key Uri names in any case, also written with a dash (`SHA-256`).
    fn from_uri_value(value: &str) -> Option<Self> {
        let name: String = value
            .trim()
            .chars()
            .filter(|c| *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        match name.as_str() {
            "SHA1" => Some(Algorithm::Sha1),
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Algorithm> for totp_rs::Algorithm {
    fn from(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
            Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
            Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
        }
    }
}

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
    fn of(c: char) -> Self {
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
    #[error("unsupported period={value:?}; the period is a whole number of seconds from 1 to 300")]
    UnsupportedPeriod { value: String },
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
            SeedError::MissingSecret | SeedError::MalformedUri { .. } => {
                "copy the complete otpauth://totp/LABEL?secret=... URI again, or paste just the \
                 base32 secret key"
            }
        }
    }
}

/// A TOTP seed: the secret and how codes are derived from it.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed {
    secret: SecretBytes,
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    issuer: Option<String>,
    account: Option<String>,
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seed")
            .field("secret", &self.secret)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .finish()
    }
}

impl Seed {
    /// A seed from raw secret bytes, checking the same limits as [`Seed::parse`].
    pub fn new(
        secret: SecretBytes,
        algorithm: Algorithm,
        digits: u8,
        period: u64,
    ) -> Result<Seed, SeedError> {
        check_secret_len(secret.len())?;
        if !(6..=8).contains(&digits) {
            return Err(SeedError::UnsupportedDigits {
                value: digits.to_string(),
            });
        }
        if !(1..=MAX_PERIOD_SECS).contains(&period) {
            return Err(SeedError::UnsupportedPeriod {
                value: period.to_string(),
            });
        }
        Ok(Seed {
            secret,
            algorithm,
            digits,
            period,
            issuer: None,
            account: None,
        })
    }

    /// Parses what a user pastes: a base32 secret as authenticator apps and the AWS console show
    /// it (any case, spaces, dashes, optional `=` padding), or an `otpauth://totp/` URI.
    pub fn parse(input: &str) -> Result<Seed, SeedError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(SeedError::Empty);
        }
        match uri_scheme(input) {
            Some(scheme) => parse_uri(input, scheme),
            None => {
                let secret = decode_base32(input)?.ok_or(SeedError::Empty)?;
                Seed::new(secret, Algorithm::Sha1, DEFAULT_DIGITS, DEFAULT_PERIOD_SECS)
            }
        }
    }

    /// Sets the issuer and account shown in labels. Surrounding whitespace is dropped and an empty
    /// value counts as none, as [`Seed::parse`] does.
    pub fn with_label(mut self, issuer: Option<&str>, account: Option<&str>) -> Seed {
        self.issuer = non_empty(issuer);
        self.account = non_empty(account);
        self
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Length of a time step in seconds.
    pub fn period(&self) -> u64 {
        self.period
    }

    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Whether AWS would accept codes from this seed: SHA-1, 6 digits, 30 seconds.
    pub fn is_aws_compatible(&self) -> bool {
        self.algorithm == Algorithm::Sha1
            && self.digits == DEFAULT_DIGITS
            && self.period == DEFAULT_PERIOD_SECS
    }

    /// The RFC 6238 time step containing `unix_secs`.
    pub fn step_at(&self, unix_secs: u64) -> u64 {
        unix_secs / self.period
    }

    /// Seconds until the step containing `unix_secs` ends: from `period` down to 1.
    pub fn seconds_remaining(&self, unix_secs: u64) -> u64 {
        self.period - unix_secs % self.period
    }

    /// The zero-padded code valid at `unix_secs`.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.code_for_step(self.step_at(unix_secs))
    }

    /// The zero-padded code for a time step (RFC 6238's T).
    pub fn code_for_step(&self, step: u64) -> String {
        // A one-second step makes totp-rs's counter equal to `step`, so no multiplication can
        // overflow. `build_noncompliant` because `Seed::new` already checked the parameters and
        // we accept 80-bit secrets, which `build` refuses.
        let totp = Builder::new()
            .with_algorithm(self.algorithm.into())
            .with_digits(self.digits)
            .with_step_duration(1)
            .with_skew(0)
            .with_secret(Secret::from(self.secret.expose_secret()))
            .build_noncompliant();
        totp.generate(step).to_string()
    }

    /// The canonical `otpauth://totp/` URI kept in the keyring: upper-case unpadded base32 secret,
    /// every parameter explicit, issuer and account when known. [`Seed::parse`] restores the same
    /// seed from it.
    pub fn to_storage(&self) -> SecretText {
        let issuer = self.issuer.as_deref().unwrap_or("");
        let account = self.account.as_deref().unwrap_or("");
        self.build_uri(issuer, account, true)
    }

    /// A Key Uri Format URI for enrolling the seed in an authenticator app, for example with
    /// issuer `Amazon Web Services` and account `alice@123456789012`. Algorithm, digits and period
    /// are written only when they differ from the SHA1/6/30 defaults every app understands.
    pub fn key_uri(&self, issuer: &str, account: &str) -> SecretText {
        self.build_uri(issuer.trim(), account.trim(), !self.is_aws_compatible())
    }

    fn build_uri(&self, issuer: &str, account: &str, all_params: bool) -> SecretText {
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

fn check_secret_len(bytes: usize) -> Result<(), SeedError> {
    let bits = bytes * 8;
    if bits < MIN_SECRET_BITS {
        Err(SeedError::TooShort { bits })
    } else if bits > MAX_SECRET_BITS {
        Err(SeedError::TooLong { bits })
    } else {
        Ok(())
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}

/// Decodes a base32 secret as people copy it. `Ok(None)` when nothing but separators was given.
/// Positions in errors count characters of `text` from 1.
fn decode_base32(text: &str) -> Result<Option<SecretBytes>, SeedError> {
    let text = text.trim();
    let mut clean = Zeroizing::new(String::with_capacity(text.len()));
    let mut padding_at = None;
    for (index, c) in text.chars().enumerate() {
        let position = index + 1;
        if c.is_whitespace() || c == '-' {
            continue;
        }
        if c == '=' {
            padding_at.get_or_insert(position);
        } else if c.is_ascii_alphabetic() || ('2'..='7').contains(&c) {
            if let Some(position) = padding_at {
                return Err(SeedError::NotBase32 {
                    position,
                    class: CharClass::Padding,
                });
            }
            clean.push(c.to_ascii_uppercase());
        } else {
            return Err(SeedError::NotBase32 {
                position,
                class: CharClass::of(c),
            });
        }
    }
    if clean.is_empty() {
        return Ok(None);
    }
    // RFC 4648 §6: the last quantum holds 2, 4, 5 or 7 characters; 1, 3 or 6 cannot occur.
    if matches!(clean.len() % 8, 1 | 3 | 6) {
        return Err(SeedError::BadLength { chars: clean.len() });
    }
    check_secret_len(clean.len() * 5 / 8)?;
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &clean)
        .ok_or(SeedError::BadLength { chars: clean.len() })?;
    Ok(Some(SecretBytes::new(bytes)))
}

/// The scheme of `input` if it looks like a URI rather than a base32 secret (which has no ':').
fn uri_scheme(input: &str) -> Option<&str> {
    let (scheme, rest) = input.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let ours =
        scheme.eq_ignore_ascii_case("otpauth") || scheme.eq_ignore_ascii_case("otpauth-migration");
    (valid && (ours || rest.starts_with("//"))).then_some(scheme)
}

fn parse_uri(input: &str, scheme: &str) -> Result<Seed, SeedError> {
    if scheme.eq_ignore_ascii_case("otpauth-migration") {
        return Err(SeedError::MigrationExport);
    }
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(SeedError::UnsupportedScheme {
            scheme: quoted(scheme),
        });
    }
    // totp-rs's `from_url` rejects an issuer prefix that differs from `issuer=` and a ':' in the
    // account, both seen in the wild, so the URI is taken apart here.
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

/// A parameter value as quoted in an error: at most [`MAX_QUOTED_CHARS`] characters.
fn quoted(value: &str) -> String {
    let mut chars = value.chars();
    let mut shown: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests;
