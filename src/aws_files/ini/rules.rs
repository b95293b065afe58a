//! What the parser rejects and what edits refuse to write, with messages that never hold values.

/// Why a file could not be read; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    pub line: usize,
    pub kind: ParseErrorKind,
}

/// Messages name sections and keys, never values (they may be secrets).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("key outside any section")]
    KeyOutsideSection,
    #[error("duplicate section [{section}]")]
    DuplicateSection { section: String },
    #[error("duplicate key `{key}` in section [{section}]")]
    DuplicateKey { section: String, key: String },
    #[error("missing key name before `=` or `:`")]
    EmptyKey,
    #[error("empty section name")]
    EmptySectionName,
    #[error("not a section header, `key = value` line, comment or continuation")]
    InvalidLine,
    #[error("carriage return without a line feed")]
    BareCarriageReturn,
}

impl ParseErrorKind {
    /// How to fix the file.
    pub fn hint(&self) -> String {
        match self {
            ParseErrorKind::KeyOutsideSection => {
                "put a section header such as [default] above this line, or delete the line".into()
            }
            ParseErrorKind::DuplicateSection { section } => {
                format!("merge the two [{section}] sections into one; AWS tools reject duplicates")
            }
            ParseErrorKind::DuplicateKey { section, key } => format!(
                "keep one `{key}` line in [{section}] (key names ignore case); AWS tools reject duplicates"
            ),
            ParseErrorKind::EmptyKey => "write the line as `name = value`".into(),
            ParseErrorKind::EmptySectionName => "give the section a name, e.g. [default]".into(),
            ParseErrorKind::InvalidLine => {
                "each line must be a [section] header, `key = value`, a comment \
                 starting with # or ;, an indented continuation of the previous value, or blank"
                    .into()
            }
            ParseErrorKind::BareCarriageReturn => {
                "use LF or CRLF line endings throughout (e.g. run dos2unix on the file)".into()
            }
        }
    }
}

/// Why an edit was refused. Never carries the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("invalid section name [{section}]: {reason}")]
    InvalidSection {
        section: String,
        reason: &'static str,
    },
    #[error("invalid key name `{key}`: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error("cannot store the value of `{key}` in [{section}]: {reason}")]
    InvalidValue {
        section: String,
        key: String,
        reason: &'static str,
    },
    /// A safety net: the edited text would not read back as intended.
    #[error("editing `{key}` in [{section}] would change how the file is read")]
    WouldMisread { section: String, key: String },
}

impl EditError {
    pub fn hint(&self) -> Option<String> {
        match self {
            EditError::InvalidValue { .. } => Some(
                "values must be one line, without surrounding spaces, control characters, \
                 or a `#`/`;` that some AWS SDKs read as a comment"
                    .into(),
            ),
            EditError::WouldMisread { .. } => {
                Some("edit the file by hand; its layout is unusual (e.g. indented headers)".into())
            }
            _ => None,
        }
    }
}

pub(super) fn validate_section(section: &str) -> Result<(), EditError> {
    let reason = if section.trim().is_empty() {
        Some("it is empty")
    } else if section.trim() != section {
        Some("it starts or ends with whitespace")
    } else if section.contains(['[', ']']) {
        Some("it contains a bracket")
    } else if section.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(EditError::InvalidSection {
            section: section.escape_debug().to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

pub(super) fn validate_key(key: &str) -> Result<(), EditError> {
    let reason = if key.is_empty() {
        Some("it is empty")
    } else if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it contains whitespace or a control character")
    } else if key.contains(['=', ':']) {
        Some("it contains `=` or `:`")
    } else if key.starts_with(['[', '#', ';']) {
        Some("it starts with `[`, `#` or `;`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(EditError::InvalidKey {
            key: key.escape_debug().to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

pub(super) fn validate_value(section: &str, key: &str, value: &str) -> Result<(), EditError> {
    let reason = if value.contains(['\n', '\r']) {
        Some("it contains a line break")
    } else if value.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if value.trim() != value {
        Some("it starts or ends with whitespace, which readers strip")
    } else if value.starts_with(['#', ';']) {
        Some("it starts with `#` or `;`, which some AWS SDKs read as a comment")
    } else if value
        .char_indices()
        .any(|(i, c)| c.is_whitespace() && value[i + c.len_utf8()..].starts_with(['#', ';']))
    {
        Some("it contains ` #` or ` ;`, which some AWS SDKs read as a comment")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(EditError::InvalidValue {
            section: section.to_owned(),
            key: key.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}
