//! Reading and editing `~/.aws/config` and `~/.aws/credentials`: format-preserving (comments,
//! spacing and line endings survive), under a lock, with atomic 0600 writes.
//!
//! - [`ini`]: the text model (`Document`), pure and tested from `&str`.
//! - [`names`]: AWS section naming (`[profile NAME]` in config, `[NAME]` in credentials).
//! - [`paths`]: where the files are (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, `~/.aws`).
//! - [`file`]: `load` and `edit` on disk.

mod error;
pub mod file;
pub mod ini;
pub mod names;
pub mod paths;

pub use error::Error;
pub use file::{MAX_FILE_SIZE, edit, load};
pub use ini::{Document, EditError, ParseError, ParseErrorKind};
pub use names::{config_section, credentials_section};
pub use paths::{config_path, config_path_with, credentials_path, credentials_path_with};
