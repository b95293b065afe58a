//! Errors of reading and writing the AWS files: each names the file, never a value from it.

use std::io;
use std::path::PathBuf;

use super::ini::{EditError, ParseError};
use super::paths::display;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot find the home directory to locate the AWS files")]
    NoHome { var: &'static str },
    #[error("{} line {}: {}", display(path), error.line, error.kind)]
    Parse { path: PathBuf, error: ParseError },
    #[error("{}: not valid UTF-8 on line {line} (looks binary)", display(path))]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{}: contains a NUL byte on line {line} (looks binary)", display(path))]
    Binary { path: PathBuf, line: usize },
    #[error("{}: too large ({size} bytes, the limit is {limit})", display(path))]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: is a directory", display(path))]
    IsDirectory { path: PathBuf },
    #[error("{}: not a regular file", display(path))]
    NotAFile { path: PathBuf },
    #[error("{}: too many levels of symbolic links", display(path))]
    SymlinkLoop { path: PathBuf },
    #[error("cannot read {}", display(path))]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot create directory {}", display(path))]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot lock {}", display(path))]
    Lock {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}", display(path))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot replace {}: another program still had it open after {} s",
        display(path),
        waited.as_secs()
    )]
    InUse {
        path: PathBuf,
        waited: std::time::Duration,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {} and keep its owner", display(path))]
    KeepOwner {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot update {}", display(path))]
    Edit {
        path: PathBuf,
        #[source]
        source: EditError,
    },
}

impl Error {
    /// How to fix it, for the `hint:` line.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NoHome { var } => Some(format!(
                "set {} to your home directory, or {var} to the file's path",
                super::paths::HOME_VAR
            )),
            Error::Parse { error, .. } => Some(error.kind.hint()),
            Error::NotUtf8 { path, .. } | Error::Binary { path, .. } => Some(format!(
                "check that {} is an AWS config or credentials file saved as UTF-8 text",
                display(path)
            )),
            Error::TooLarge { path, .. } => Some(format!(
                "AWS files are small; check that {} is the right file",
                display(path)
            )),
            Error::IsDirectory { .. } | Error::NotAFile { .. } | Error::SymlinkLoop { .. } => Some(
                "point AWS_SHARED_CREDENTIALS_FILE or AWS_CONFIG_FILE at a regular file".into(),
            ),
            Error::Read { path, source }
            | Error::CreateDir { path, source }
            | Error::Lock { path, source }
            | Error::Write { path, source } => io_hint(path, source),
            Error::InUse { path, .. } => Some(format!(
                "close what has {} open (an editor, a sync client, a running AWS command) and \
                 run mfa-mint again; the file was left as it was",
                display(path)
            )),
            Error::KeepOwner { path, .. } => Some(format!(
                "run mfa-mint as the owner of {} (e.g. `sudo -u USER mfa-mint …`); the file was \
                 left as it was",
                display(path)
            )),
            Error::Edit { source, .. } => source.hint(),
        }
    }
}

fn io_hint(path: &std::path::Path, source: &io::Error) -> Option<String> {
    match source.kind() {
        io::ErrorKind::PermissionDenied => Some(format!(
            "check the permissions of {} and its directory (you need read and write access)",
            display(path)
        )),
        io::ErrorKind::ReadOnlyFilesystem => Some(format!(
            "{} is on a read-only file system; set AWS_SHARED_CREDENTIALS_FILE or \
             AWS_CONFIG_FILE to a writable location",
            display(path)
        )),
        io::ErrorKind::StorageFull => Some("free some disk space and try again".into()),
        io::ErrorKind::NotADirectory => Some(format!(
            "a parent of {} is a file, not a directory: move that file away, or set \
             AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE to another location",
            display(path)
        )),
        _ => None,
    }
}
