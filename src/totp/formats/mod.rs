//! Authenticator exports and the other places seeds live, turned into [`Entry`]s: detection and
//! dispatch. One file per format; [`pick`] then chooses the entry to import.
//!
//! A new import format is one file in this folder: a module with a `FORMAT` (how to recognise the
//! input, how to read it) and its line in `FORMATS`. Whatever it reads goes through the same
//! checks as every other format: a text secret through [`crate::totp::parse_secret`], raw bytes
//! through [`crate::totp::Seed::new`], and every seed through `Entry::totp`, which refuses what
//! AWS cannot use (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html>:
//! TOTP, SHA-1, 6 digits, 30 s). The corpus of real exports that `tests/it/import_corpus.rs`
//! reads at test time is the evidence that each format reads what real apps write.

mod aegis;
mod error;
mod google;
mod json;
mod lines;
mod pick;
#[cfg(test)]
mod props;
mod qr_image;
mod twofas;
mod uri;

use crate::secret::SecretBytes;
use crate::totp::{Algorithm, Seed, SeedError};

pub use self::error::{Error, Unusable};
pub use self::pick::pick;
pub use self::qr_image::decode as decode_qr;

/// One OTP entry found in an input (Debug is safe: `Seed` redacts its secret).
#[derive(Debug)]
pub struct Entry {
    /// `issuer:account` or the name the app shows.
    pub label: String,
    /// The seed when AWS can use it, else why not.
    pub seed: Result<Seed, Unusable>,
}

impl Entry {
    /// A TOTP entry: usable only when its seed passed the checks and AWS can use it.
    fn totp(label: String, seed: Result<Seed, SeedError>) -> Entry {
        let seed = seed.and_then(|seed| seed.check_aws().map(|()| seed));
        Entry {
            label,
            seed: seed.map_err(Unusable::Seed),
        }
    }

    fn unusable(label: String, why: Unusable) -> Entry {
        Entry {
            label,
            seed: Err(why),
        }
    }
}

/// What the user said the input is: `--qr` promises an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Anything,
    QrImage,
}

/// The input, examined once for every format's `detect`.
struct Input<'a> {
    bytes: &'a [u8],
    /// The text without a BOM and surrounding whitespace, when the input is UTF-8.
    text: Option<&'a str>,
    /// The parsed document when the text looks like JSON (starts with `{` or `[`).
    json: Option<Result<serde_json::Value, serde_json::Error>>,
}

/// A format: whether an input is of it, and how to read its entries.
struct Format {
    detect: fn(&Input) -> bool,
    read: fn(&Input) -> Result<Vec<Entry>, Error>,
}

/// Most specific first; the first whose `detect` says yes reads the input.
const FORMATS: &[Format] = &[
    qr_image::FORMAT,
    aegis::FORMAT,
    twofas::FORMAT,
    json::FORMAT,
    lines::FORMAT,
];

/// Finds every OTP entry in `bytes`, whatever they are.
pub fn entries(bytes: &[u8]) -> Result<Vec<Entry>, Error> {
    read(bytes, Claim::Anything)
}

/// Finds every OTP entry in `bytes`; with [`Claim::QrImage`] only an image is accepted.
pub fn read(bytes: &[u8], claim: Claim) -> Result<Vec<Entry>, Error> {
    if claim == Claim::QrImage && !qr_image::is_image(bytes) {
        return Err(Error::NotAnImage);
    }
    let text = std::str::from_utf8(bytes)
        .ok()
        .map(|t| t.trim_start_matches('\u{feff}').trim());
    let json = text
        .filter(|t| t.starts_with('{') || t.starts_with('['))
        .map(serde_json::from_str);
    let input = Input { bytes, text, json };
    match FORMATS.iter().find(|f| (f.detect)(&input)) {
        Some(format) => (format.read)(&input),
        None => Err(Error::NotText),
    }
}

/// Builds a seed from the parts an export stores; [`Seed::new`] applies the same limits as
/// parsing a URI. An algorithm name it does not know is refused by name.
fn seed_from_parts(
    secret: SecretBytes,
    algorithm: &str,
    digits: u64,
    period: u64,
    (issuer, account): (Option<&str>, Option<&str>),
) -> Result<Seed, SeedError> {
    let algorithm =
        Algorithm::from_uri_value(algorithm).ok_or_else(|| SeedError::UnsupportedAlgorithm {
            value: crate::totp::quoted(algorithm),
        })?;
    let digits = u8::try_from(digits).map_err(|_| SeedError::UnsupportedDigits {
        value: digits.to_string(),
    })?;
    Ok(Seed::new(secret, algorithm, digits, period)?.with_label(issuer, account))
}

/// `issuer:account`, either alone, or "unnamed".
fn join_label(issuer: Option<&str>, account: Option<&str>) -> String {
    match (
        issuer.map(str::trim).filter(|s| !s.is_empty()),
        account.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(i), Some(a)) if a.starts_with(&format!("{i}:")) => a.to_string(),
        (Some(i), Some(a)) => format!("{i}:{a}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => "unnamed".into(),
    }
}
