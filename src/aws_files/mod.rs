//! Reading and editing `~/.aws/config` and `~/.aws/credentials`: format-preserving (comments,
//! spacing and line endings survive), under a lock, with atomic 0600 writes.
//!
//! - [`ini`]: the text model (`Document`), pure and tested from `&str`.
//! - [`names`]: AWS section naming (`[profile NAME]` in config, `[NAME]` in credentials).
//! - [`paths`]: where the files are (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, `~/.aws`).
//! - [`file`](mod@file): `load` and `edit` on disk.

mod error;
pub mod file;
pub mod ini;
pub mod names;
pub mod paths;
mod retry;

pub use error::Error;
pub use file::{MAX_FILE_SIZE, edit, load};
pub use ini::{Document, EditError, ParseError, ParseErrorKind};
pub use names::{NAME_PUNCTUATION, config_section, credentials_section, name_problem};
pub use paths::{config_path, config_path_with, credentials_path, credentials_path_with};

/// A key of profile `profile` in a config file (`[profile NAME]`, or `[default]`).
pub fn config_get(doc: &Document, profile: &str, key: &str) -> Option<String> {
    doc.get(doc.config_profile_section(profile)?, key)
}

/// Whether the config file has a section for `profile`.
pub fn config_has_profile(doc: &Document, profile: &str) -> bool {
    doc.config_profile_section(profile).is_some()
}

/// The profiles a config file describes, in file order.
pub fn config_profiles(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in doc
        .sections()
        .into_iter()
        .filter_map(names::config_profile_of)
    {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

impl Error {
    /// Local I/O trouble (permissions, disk), as opposed to a problem with the file's content.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            Error::Read { .. }
                | Error::CreateDir { .. }
                | Error::Lock { .. }
                | Error::Write { .. }
                | Error::InUse { .. }
                | Error::KeepOwner { .. }
        )
    }
}
