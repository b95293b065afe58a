//! Why an input could not be imported, and why one of its entries cannot be used: each with a
//! hint that says what to export instead. No message holds a secret.

use crate::totp::SeedError;

/// Why an entry of an export cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("it is HOTP (counter-based); AWS virtual MFA uses TOTP")]
    Hotp,
    #[error("it is a Steam Guard entry; AWS virtual MFA uses TOTP")]
    Steam,
    #[error("it is of type {0}; AWS virtual MFA uses TOTP")]
    OtherType(String),
    #[error(transparent)]
    Seed(SeedError),
    /// A line of a multi-line export that cannot be read at all.
    #[error("{0}")]
    Damaged(String),
}

impl Unusable {
    /// A few words for the list of entries an export holds.
    pub fn brief(&self) -> String {
        match self {
            Unusable::Hotp => "HOTP".into(),
            Unusable::Steam => "Steam".into(),
            Unusable::OtherType(kind) => kind.clone(),
            Unusable::Seed(SeedError::NotAws { parameter, value }) => {
                format!("unusable: {parameter}={value}")
            }
            Unusable::Seed(e) => format!("unusable: {e}"),
            Unusable::Damaged(e) => format!("damaged: {e}"),
        }
    }

    fn hint(&self) -> String {
        match self {
            Unusable::Seed(e) => e.hint().into(),
            _ => {
                "pick the AWS entry with --account NAME, or paste the secret key AWS showed".into()
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the input is not a PNG or JPEG image")]
    NotAnImage,
    #[error("the input is neither text nor a PNG or JPEG image")]
    NotText,
    #[error("the image cannot be read: {0}")]
    Image(String),
    #[error("the image holds no readable QR code")]
    NoQrCode,
    #[error(
        "the image is {width}x{height} pixels, more than the {limit} megapixels mfa-mint reads"
    )]
    ImageTooLarge { width: u32, height: u32, limit: u64 },
    #[error("no QR code was found in the image within {seconds} s")]
    QrTooSlow { seconds: u64 },
    #[error("the QR code holds text, not an otpauth URI")]
    QrText,
    #[error("the Google Authenticator export is damaged: {0}")]
    Migration(&'static str),
    #[error("this is a JSON array, not an Aegis or 2FAS export")]
    JsonArray,
    #[error("this is {0}, not an Aegis or 2FAS export")]
    OtherExport(&'static str),
    #[error("this JSON is not an Aegis or 2FAS plain export{0}")]
    Json(String),
    #[error("the Aegis vault is encrypted")]
    AegisEncrypted,
    #[error("the 2FAS backup is encrypted")]
    TwofasEncrypted,
    #[error("the input holds no TOTP entry AWS can use (found: {0})")]
    NoTotp(String),
    #[error("the input holds {count} TOTP entries AWS can use: {names}")]
    Ambiguous { count: usize, names: String },
    #[error("no entry matches --account {wanted:?} (found: {names})")]
    NoMatch { wanted: String, names: String },
    #[error("{label:?} is unusable: {reason}")]
    Unusable { label: String, reason: Unusable },
    #[error(transparent)]
    Seed(#[from] SeedError),
}

/// Said for every export that is not one of the formats mfa-mint reads.
const EXPORT_ONE: &str = "export the AWS account from that app as an otpauth:// URI or QR code, \
     or paste its secret key (mfa-mint reads Aegis and 2FAS JSON, Google Authenticator and WinAuth exports)";

impl Error {
    pub fn hint(&self) -> String {
        match self {
            Error::NotAnImage => {
                "pass a PNG or JPEG screenshot of the QR code to --qr; use --from for text exports"
                    .into()
            }
            Error::NotText => "give a base32 secret, an otpauth:// URI, a PNG or JPEG screenshot \
                 of the QR code, or an export `mfa-mint import --help` lists"
                .into(),
            Error::OtherExport(_) | Error::JsonArray | Error::Json(_) => EXPORT_ONE.into(),
            Error::ImageTooLarge { .. } | Error::QrTooSlow { .. } => {
                "crop the screenshot to the QR code (or save it smaller), then import that; or paste the secret".into()
            }
            Error::NoQrCode | Error::Image(_) => {
                "use a sharp PNG or JPEG screenshot of the QR code, or paste the secret".into()
            }
            Error::QrText => "this QR code is not an authenticator's: use the QR code AWS showed \
                 for the device (or an authenticator app's export), or paste the secret key"
                .into(),
            Error::AegisEncrypted => "in Aegis, Settings → Import & Export → Export, untick \
                 \"Encrypt the vault\"; import that file, then delete it"
                .into(),
            Error::TwofasEncrypted => "in 2FAS, Settings → 2FAS Backup → Export to file, and skip \
                 the password so the file is not encrypted; import that file, then delete it"
                .into(),
            Error::Ambiguous { .. } => {
                "pick one with --account NAME (a part of the name is enough if it is unique)".into()
            }
            Error::NoMatch { .. } => "pass --account with one of the names listed".into(),
            Error::Unusable { reason, .. } => reason.hint(),
            Error::Seed(e) => e.hint().to_string(),
            Error::Migration(_) | Error::NoTotp(_) => {
                "export the entry again as an otpauth:// URI or paste its base32 secret".into()
            }
        }
    }
}
