//! A format-preserving model of an AWS shared config/credentials file: parse, query, edit, render.
//!
//! The reading rules follow botocore, which reads these files with Python's
//! `configparser.RawConfigParser` in its default (strict) mode:
//! <https://docs.python.org/3/library/configparser.html#supported-ini-file-structure>.
//! - A line whose stripped text starts with `#` or `;` is a comment, wherever it is indented.
//!   There are no inline comments: `key = v # c` has the value `v # c`.
//! - `[name]` starts a section (text after the last `]` is ignored, as configparser does).
//!   Whitespace inside the brackets is part of the name, as configparser reads it: `[ dev ]`
//!   is the section ` dev `, which botocore never takes for the profile `dev`.
//! - `key = value` or `key: value` split at the first `=` or `:`; keys compare
//!   case-insensitively, values are trimmed.
//! - A line indented deeper than the current key line continues that key's value, even after
//!   blank or comment lines; blank lines inside a value count as empty lines of the value.
//! - Duplicate sections and duplicate keys within a section are errors.
//!
//! `render(parse(x)) == x` byte for byte. Edits touch as few lines as possible, and every edit is
//! checked by re-reading the result, so an edit never changes how any other entry is read.

use std::fmt;

mod rules;

pub use rules::{EditError, ParseError, ParseErrorKind};
use rules::{validate_key, validate_section, validate_value};

/// One physical line: its text without the line ending, and the line ending.
#[derive(Clone, PartialEq, Eq)]
struct Line {
    text: String,
    eol: Eol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Eol {
    None,
    Lf,
    CrLf,
}

impl Eol {
    fn as_str(self) -> &'static str {
        match self {
            Eol::None => "",
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
        }
    }
}

/// Where a section lives in `lines`; rebuilt from the lines after every edit.
#[derive(Clone, PartialEq, Eq)]
struct Section {
    name: String,
    header: usize,
    /// Index of the next section's header, or the number of lines.
    end: usize,
    keys: Vec<Key>,
}

#[derive(Clone, PartialEq, Eq)]
struct Key {
    /// As written in the file.
    name: String,
    line: usize,
    /// Byte offset of the `=` or `:` in the line's text.
    delim: usize,
    /// Byte offset where the first line's value starts.
    value_start: usize,
    continuations: Vec<usize>,
    /// The value as configparser reads it.
    value: String,
}

impl Key {
    fn last_line(&self) -> usize {
        self.continuations.last().copied().unwrap_or(self.line)
    }
}

/// A parsed file that renders back to exactly the text it came from.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Document {
    bom: bool,
    lines: Vec<Line>,
    sections: Vec<Section>,
}

/// Values may be secrets: show the shape only.
impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for s in &self.sections {
            let keys: Vec<&str> = s.keys.iter().map(|k| k.name.as_str()).collect();
            map.entry(&s.name, &keys);
        }
        map.finish()
    }
}

fn is_comment(stripped: &str) -> bool {
    stripped.starts_with('#') || stripped.starts_with(';')
}

/// Leading whitespace in characters, as configparser measures indentation.
fn indent_of(text: &str) -> usize {
    text.chars().take_while(|c| c.is_whitespace()).count()
}

fn leading_ws(text: &str) -> &str {
    &text[..text.len() - text.trim_start().len()]
}

/// `[name]...` → the name as written, inner spaces kept, as configparser's
/// `\[(?P<header>.+)\]` (greedy: up to the last `]`).
fn header_name(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

fn split_lines(text: &str) -> Vec<Line> {
    text.split_inclusive('\n')
        .map(|raw| match raw.strip_suffix('\n') {
            Some(body) => match body.strip_suffix('\r') {
                Some(body) => Line {
                    text: body.to_owned(),
                    eol: Eol::CrLf,
                },
                None => Line {
                    text: body.to_owned(),
                    eol: Eol::Lf,
                },
            },
            None => Line {
                text: raw.to_owned(),
                eol: Eol::None,
            },
        })
        .collect()
}

/// Classify every line and build the section index, following configparser's `_read`.
fn index(lines: &[Line]) -> Result<Vec<Section>, ParseError> {
    let mut sections: Vec<Section> = Vec::new();
    // (value parts) of the key that indented lines would continue.
    let mut parts: Vec<String> = Vec::new();
    let mut open_key = false;
    let mut indent_level = usize::MAX;
    let err = |i: usize, kind| ParseError { line: i + 1, kind };

    let finish = |sections: &mut Vec<Section>, parts: &mut Vec<String>, open: &mut bool| {
        if *open {
            if let Some(k) = sections.last_mut().and_then(|s| s.keys.last_mut()) {
                k.value = parts.join("\n").trim_end().to_owned();
            }
            parts.clear();
            *open = false;
        }
    };

    for (i, line) in lines.iter().enumerate() {
        if line.text.contains('\r') {
            return Err(err(i, ParseErrorKind::BareCarriageReturn));
        }
        let stripped = line.text.trim();
        if is_comment(stripped) {
            continue;
        }
        if stripped.is_empty() {
            if open_key {
                parts.push(String::new());
            }
            continue;
        }
        let indent = indent_of(&line.text);
        if open_key && indent > indent_level {
            parts.push(stripped.to_owned());
            if let Some(k) = sections.last_mut().and_then(|s| s.keys.last_mut()) {
                k.continuations.push(i);
            }
            continue;
        }
        finish(&mut sections, &mut parts, &mut open_key);
        indent_level = indent;
        if let Some(name) = header_name(stripped) {
            if name.trim().is_empty() {
                return Err(err(i, ParseErrorKind::EmptySectionName));
            }
            if sections.iter().any(|s| s.name == name) {
                let section = name.to_owned();
                return Err(err(i, ParseErrorKind::DuplicateSection { section }));
            }
            if let Some(prev) = sections.last_mut() {
                prev.end = i;
            }
            sections.push(Section {
                name: name.to_owned(),
                header: i,
                end: lines.len(),
                keys: Vec::new(),
            });
            continue;
        }
        let delim = stripped.find(['=', ':']);
        let Some(section) = sections.last_mut() else {
            let kind = match delim {
                Some(_) => ParseErrorKind::KeyOutsideSection,
                None => ParseErrorKind::InvalidLine,
            };
            return Err(err(i, kind));
        };
        let Some(d) = delim else {
            return Err(err(i, ParseErrorKind::InvalidLine));
        };
        let name = stripped[..d].trim_end();
        if name.is_empty() {
            return Err(err(i, ParseErrorKind::EmptyKey));
        }
        let folded = name.to_lowercase();
        if section.keys.iter().any(|k| k.name.to_lowercase() == folded) {
            let kind = ParseErrorKind::DuplicateKey {
                section: section.name.clone(),
                key: name.to_owned(),
            };
            return Err(err(i, kind));
        }
        let lead = leading_ws(&line.text).len();
        let after = &stripped[d + 1..];
        let value_start = lead + d + 1 + leading_ws(after).len();
        section.keys.push(Key {
            name: name.to_owned(),
            line: i,
            delim: lead + d,
            value_start,
            continuations: Vec::new(),
            value: String::new(),
        });
        parts.push(after.trim().to_owned());
        open_key = true;
    }
    finish(&mut sections, &mut parts, &mut open_key);
    Ok(sections)
}

type Snapshot = Vec<(String, Vec<(String, String)>)>;

impl Document {
    /// An empty document (a file that does not exist yet).
    pub fn new() -> Document {
        Document::default()
    }

    /// Parse the whole text of a file. A leading UTF-8 BOM is kept aside and rendered back.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let (bom, body) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let lines = split_lines(body);
        let sections = index(&lines)?;
        Ok(Document {
            bom,
            lines,
            sections,
        })
    }

    /// The file's text; equal to the parsed input until an edit changes something.
    pub fn render(&self) -> String {
        let len: usize = self.lines.iter().map(|l| l.text.len() + 2).sum();
        let mut out = String::with_capacity(len + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.eol.as_str());
        }
        out
    }

    /// Section names in file order.
    pub fn sections(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.name.as_str()).collect()
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.find_section(section).is_some()
    }

    /// The value as botocore reads it: trimmed; continuation lines joined with `\n` (a nested
    /// block such as `s3 =` followed by indented lines starts with `\n`). Keys ignore case.
    pub fn get(&self, section: &str, key: &str) -> Option<String> {
        let s = &self.sections[self.find_section(section)?];
        let k = find_key(s, key)?;
        Some(s.keys[k].value.clone())
    }

    /// Keys (as written) and values of a section in file order; empty when it does not exist.
    pub fn keys(&self, section: &str) -> Vec<(&str, String)> {
        match self.find_section(section) {
            Some(i) => self.sections[i]
                .keys
                .iter()
                .map(|k| (k.name.as_str(), k.value.clone()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Set a one-line value. An existing key keeps its line, spelling and `key = ` spacing and
    /// loses its continuation lines; a new key goes after the section's last key; a new section
    /// goes at the end of the file, after a blank line.
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), EditError> {
        // A section already there is edited whatever its name (`[profile  dev ]`); a new one
        // must have a name that reads back as written.
        if !self.has_section(section) {
            validate_section(section)?;
        }
        validate_key(key)?;
        validate_value(section, key, value)?;
        let before = self.clone();
        let mut expected = self.snapshot();
        match self.find_section(section) {
            Some(si) => match find_key(&self.sections[si], key) {
                Some(ki) => self.replace_value(si, ki, value),
                None => self.insert_key(si, key, value),
            },
            None => self.append_section(section, key, value),
        }
        match expected.iter_mut().find(|(s, _)| s == section) {
            Some((_, keys)) => match keys.iter_mut().find(|(k, _)| *k == key.to_lowercase()) {
                Some(entry) => entry.1 = value.to_owned(),
                None => keys.push((key.to_lowercase(), value.to_owned())),
            },
            None => expected.push((
                section.to_owned(),
                vec![(key.to_lowercase(), value.to_owned())],
            )),
        }
        self.reindex_checked(before, expected, section, key)
    }

    /// Remove a key and its continuation lines; comments and blank lines stay.
    pub fn remove_key(&mut self, section: &str, key: &str) -> bool {
        let Some(si) = self.find_section(section) else {
            return false;
        };
        let Some(ki) = find_key(&self.sections[si], key) else {
            return false;
        };
        let before = self.clone();
        let mut expected = self.snapshot();
        expected[si].1.remove(ki);
        let k = &self.sections[si].keys[ki];
        let mut doomed = k.continuations.clone();
        doomed.push(k.line);
        self.remove_lines(&doomed);
        self.reindex_checked(before, expected, section, key).is_ok()
    }

    /// Remove a section: its header through its last key (with the comments between), and the
    /// blank lines right after it. Comments after its last key stay: they usually introduce the
    /// next section. When nothing follows, the blank lines before the header go too.
    pub fn remove_section(&mut self, section: &str) -> bool {
        let Some(si) = self.find_section(section) else {
            return false;
        };
        let before = self.clone();
        let mut expected = self.snapshot();
        expected.remove(si);
        let s = &self.sections[si];
        let start = s.header;
        let mut end = s.keys.last().map_or(s.header, Key::last_line) + 1;
        while end < s.end && self.lines[end].text.trim().is_empty() {
            end += 1;
        }
        let mut start_blank = start;
        if end == self.lines.len() {
            while start_blank > 0 && self.lines[start_blank - 1].text.trim().is_empty() {
                start_blank -= 1;
            }
        }
        let doomed: Vec<usize> = (start_blank..end).collect();
        self.remove_lines(&doomed);
        self.reindex_checked(before, expected, section, "").is_ok()
    }

    /// Exactly as botocore looks a section up: `dev` is not `[ dev ]`.
    fn find_section(&self, section: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == section)
    }

    /// The line ending most used in the file (LF when there is none).
    fn eol(&self) -> Eol {
        let crlf = self.lines.iter().filter(|l| l.eol == Eol::CrLf).count();
        let lf = self.lines.iter().filter(|l| l.eol == Eol::Lf).count();
        if crlf > lf { Eol::CrLf } else { Eol::Lf }
    }

    fn snapshot(&self) -> Snapshot {
        self.sections
            .iter()
            .map(|s| {
                let keys = s
                    .keys
                    .iter()
                    .map(|k| (k.name.to_lowercase(), k.value.clone()))
                    .collect();
                (s.name.clone(), keys)
            })
            .collect()
    }

    /// Rebuild the index and check the result reads as `expected`; otherwise restore `before`.
    fn reindex_checked(
        &mut self,
        before: Document,
        expected: Snapshot,
        section: &str,
        key: &str,
    ) -> Result<(), EditError> {
        if let Ok(sections) = index(&self.lines) {
            self.sections = sections;
            if self.snapshot() == expected {
                return Ok(());
            }
        }
        *self = before;
        Err(EditError::WouldMisread {
            section: section.to_owned(),
            key: key.to_owned(),
        })
    }

    fn replace_value(&mut self, si: usize, ki: usize, value: &str) {
        let k = self.sections[si].keys[ki].clone();
        if k.continuations.is_empty() && k.value == value {
            return;
        }
        let text = &self.lines[k.line].text;
        let new_text = if value.is_empty() {
            text[..=k.delim].to_owned()
        } else if text[k.value_start..].trim().is_empty() {
            // `key =` with no value: add a space only if the file spaces its `=`.
            let spaced = text[..k.delim].ends_with(char::is_whitespace);
            format!(
                "{}{}{value}",
                &text[..=k.delim],
                if spaced { " " } else { "" }
            )
        } else {
            format!("{}{value}", &text[..k.value_start])
        };
        self.lines[k.line].text = new_text;
        self.remove_lines(&k.continuations);
    }

    fn insert_key(&mut self, si: usize, key: &str, value: &str) {
        let s = &self.sections[si];
        let (at, indent) = match s.keys.last() {
            Some(last) => (
                last.last_line() + 1,
                leading_ws(&self.lines[last.line].text).to_owned(),
            ),
            // After the header; indent like the next header so it cannot become a continuation.
            None => (
                s.header + 1,
                self.lines
                    .get(s.end)
                    .map_or(String::new(), |l| leading_ws(&l.text).to_owned()),
            ),
        };
        let eol = self.eol();
        self.insert_line(at, format!("{indent}{key} = {value}"), eol);
    }

    fn append_section(&mut self, section: &str, key: &str, value: &str) {
        let eol = self.eol();
        if let Some(last) = self.lines.last_mut() {
            if last.eol == Eol::None {
                last.eol = eol;
            }
            if !last.text.trim().is_empty() {
                self.lines.push(Line {
                    text: String::new(),
                    eol,
                });
            }
        }
        let at = self.lines.len();
        self.insert_line(at, format!("[{section}]"), eol);
        self.insert_line(at + 1, format!("{key} = {value}"), eol);
    }

    fn insert_line(&mut self, at: usize, text: String, eol: Eol) {
        if at == self.lines.len()
            && let Some(last) = self.lines.last_mut()
            && last.eol == Eol::None
        {
            last.eol = eol;
        }
        self.lines.insert(at, Line { text, eol });
    }

    fn remove_lines(&mut self, doomed: &[usize]) {
        let mut doomed = doomed.to_vec();
        doomed.sort_unstable();
        let mut i = 0;
        self.lines.retain(|_| {
            let keep = doomed.binary_search(&i).is_err();
            i += 1;
            keep
        });
    }
}

fn find_key(s: &Section, key: &str) -> Option<usize> {
    let folded = key.to_lowercase();
    s.keys.iter().position(|k| k.name.to_lowercase() == folded)
}

#[cfg(test)]
mod tests;
