//! TOTP seeds: parsing base32 secrets and `otpauth://totp/` URIs, computing codes at a given time,
//! and the canonical URI stored in the keyring. Pure: no clock, no I/O.
//!
//! Codes follow RFC 6238 (<https://www.rfc-editor.org/rfc/rfc6238>); URIs follow Google's Key Uri
//! Format (<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>). AWS virtual MFA
//! devices use SHA-1, 6 digits and 30-second steps with a 320-bit seed shown as 64 base32 characters.

mod error;
pub mod formats;
mod uri;

use std::fmt;

use totp_rs::{Builder, Secret};
use zeroize::Zeroizing;

pub(crate) use self::error::quoted;
pub use self::error::{CharClass, SeedError};
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
    pub(crate) fn from_uri_value(value: &str) -> Option<Self> {
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
        match uri::uri_scheme(input) {
            Some(scheme) => uri::parse_uri(input, scheme),
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
        self.check_aws().is_ok()
    }

    /// AWS virtual MFA is TOTP with SHA-1, 6 digits and 30-second steps; any other seed gives
    /// codes AWS rejects forever. The error names the first parameter that differs.
    pub fn check_aws(&self) -> Result<(), SeedError> {
        let (parameter, value) = if self.algorithm != Algorithm::Sha1 {
            ("algorithm", self.algorithm.as_str().to_string())
        } else if self.digits != DEFAULT_DIGITS {
            ("digits", self.digits.to_string())
        } else if self.period != DEFAULT_PERIOD_SECS {
            ("period", self.period.to_string())
        } else {
            return Ok(());
        };
        Err(SeedError::NotAws { parameter, value })
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
}

/// The one strict check of a base32 secret, for every format that carries one as text: the rules
/// of [`Seed::parse`] (any case, spaces and dashes ignored, `=` only at the end, no length that
/// base32 cannot produce, 80 to 1024 bits).
pub fn parse_secret(text: &str) -> Result<SecretBytes, SeedError> {
    decode_base32(text)?.ok_or(SeedError::Empty)
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

#[cfg(test)]
mod tests;
