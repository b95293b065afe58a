//! What the last run did for each profile (for `status` and `doctor`), and the optional
//! `--log-file` with one line per profile per run. Never holds a secret.

use std::io::Write;
use std::path::Path;

use crate::clock::format_rfc3339;
use crate::state::StateFile;

/// One profile's result of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub profile: String,
    /// Unix seconds.
    pub at: i64,
    /// `minted`, `fresh` or `error`.
    pub outcome: String,
    pub expiration: Option<i64>,
    pub exit_code: u8,
    /// The error line, for failures.
    pub message: Option<String>,
}

impl Entry {
    /// `2026-11-24T11:02:53Z profile=dev outcome=minted expiration=… exit=0 [error="…"]`: one
    /// line whatever the profile name or message hold (a name that needs it is quoted and
    /// escaped like the message), so no input can forge or split a line.
    pub fn log_line(&self) -> String {
        let mut line = format!(
            "{} profile={} outcome={}",
            format_rfc3339(self.at),
            log_word(&self.profile),
            log_word(&self.outcome)
        );
        if let Some(exp) = self.expiration {
            line.push_str(&format!(" expiration={}", format_rfc3339(exp)));
        }
        line.push_str(&format!(" exit={}", self.exit_code));
        if let Some(msg) = &self.message {
            line.push_str(&format!(" error={}", quoted(msg)));
        }
        line
    }

    fn to_record(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            one_field(&self.profile),
            self.at,
            self.outcome,
            self.expiration.map(|e| e.to_string()).unwrap_or_default(),
            self.exit_code,
            one_field(self.message.as_deref().unwrap_or(""))
        )
    }

    fn from_record(line: &str) -> Option<Entry> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 6 {
            return None;
        }
        Some(Entry {
            profile: f[0].to_string(),
            at: f[1].parse().ok()?,
            outcome: f[2].to_string(),
            expiration: f[3].parse().ok(),
            exit_code: f[4].parse().ok()?,
            message: Some(f[5].to_string()).filter(|m| !m.is_empty()),
        })
    }
}

/// A value of the log line: bare when it is a plain word, else quoted.
fn log_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || crate::aws_files::NAME_PUNCTUATION.contains(c))
    {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// `"…"` with `"`, `\`, line breaks, control and invisible format characters escaped (Rust's
/// `escape_debug`), so what a terminal shows is what the line holds.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if is_format(c) || c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.extend(c.escape_debug());
        }
    }
    out.push('"');
    out
}

/// Unicode format characters that change how text is shown (bidi overrides, zero-width).
fn is_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A field of the tab-separated record: tabs, line breaks and control characters become spaces.
fn one_field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn file() -> Option<StateFile> {
    StateFile::named("last-runs").ok().map(StateFile::advisory)
}

/// Remembers `entry` as the profile's last run (best effort). A run that found the session
/// fresh writes nothing while the profile's last recorded run succeeded: cron's hourly skip
/// leaves the state directory alone (issue 26), and `status` shows the mint. After a failure, or
/// with nothing recorded yet, it is recorded, so a problem since fixed stops showing.
pub fn record(entry: &Entry) {
    if let Some(file) = file() {
        record_in(&file, entry);
    }
}

fn record_in(file: &StateFile, entry: &Entry) {
    if entry.outcome == "fresh"
        && last_in(&file.read(), &entry.profile).is_some_and(|last| last.outcome != "error")
    {
        return;
    }
    let _ = file.update(|text| {
        let mut out: String = text
            .lines()
            .filter(|l| Entry::from_record(l).is_some_and(|e| e.profile != entry.profile))
            .map(|l| format!("{l}\n"))
            .collect();
        out.push_str(&entry.to_record());
        (out, ())
    });
}

/// The last recorded run of `profile`.
pub fn last(profile: &str) -> Option<Entry> {
    last_in(&file()?.read(), profile)
}

fn last_in(text: &str, profile: &str) -> Option<Entry> {
    text.lines()
        .filter_map(Entry::from_record)
        .find(|e| e.profile == profile)
}

/// Appends the entry's line to a log file (created 0600 on unix, owned like its directory).
pub fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file =
        crate::owner::open_or_create(path, dir, 0o600, std::fs::OpenOptions::new().append(true))?;
    // One write per line, so concurrent runs' lines don't interleave.
    file.write_all(format!("{}\n", entry.log_line()).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(profile: &str, at: i64, outcome: &str) -> Entry {
        Entry {
            profile: profile.into(),
            at,
            outcome: outcome.into(),
            expiration: Some(at + 3600),
            exit_code: if outcome == "error" { 7 } else { 0 },
            message: None,
        }
    }

    #[test]
    fn a_fresh_skip_writes_only_over_a_failure_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::in_dir(dir.path().join("s"), "last-runs").advisory();
        // Nothing recorded yet: the skip is.
        record_in(&file, &entry("dev", 10, "fresh"));
        assert_eq!(
            last_in(&file.read(), "dev"),
            Some(entry("dev", 10, "fresh"))
        );
        // After a success, the hourly skip leaves the file alone (not even rewritten).
        record_in(&file, &entry("dev", 20, "minted"));
        let stamp = std::fs::metadata(file.path()).unwrap().modified().unwrap();
        record_in(&file, &entry("dev", 30, "fresh"));
        record_in(&file, &entry("dev", 40, "fresh"));
        assert_eq!(
            last_in(&file.read(), "dev"),
            Some(entry("dev", 20, "minted"))
        );
        assert_eq!(
            std::fs::metadata(file.path()).unwrap().modified().unwrap(),
            stamp
        );
        // After a failure, a skip is recorded: the problem is gone.
        record_in(&file, &entry("dev", 50, "error"));
        record_in(&file, &entry("dev", 60, "fresh"));
        assert_eq!(
            last_in(&file.read(), "dev"),
            Some(entry("dev", 60, "fresh"))
        );
        // Other profiles are kept.
        record_in(&file, &entry("prod", 70, "minted"));
        assert_eq!(
            last_in(&file.read(), "dev"),
            Some(entry("dev", 60, "fresh"))
        );
    }

    #[test]
    fn records_round_trip_and_log_lines_read_well() {
        let e = Entry {
            profile: "dev".into(),
            at: 1_795_993_373,
            outcome: "error".into(),
            expiration: None,
            exit_code: 7,
            message: Some("AWS is throttling requests: Rate exceeded".into()),
        };
        assert_eq!(
            Entry::from_record(e.to_record().trim_end()),
            Some(e.clone())
        );
        assert_eq!(
            e.log_line(),
            "2026-11-29T23:02:53Z profile=dev outcome=error exit=7 error=\"AWS is throttling requests: Rate exceeded\""
        );
    }

    #[test]
    fn log_lines_cannot_be_forged_or_split() {
        let forged = "dev outcome=minted exit=0\n2026-11-29T23:02:53Z profile=prod";
        let e = Entry {
            profile: forged.into(),
            at: 1_795_993_373,
            outcome: "error".into(),
            expiration: None,
            exit_code: 4,
            message: Some(format!(
                "invalid profile name {forged:?}\r\u{1b}[2J\u{202e}x"
            )),
        };
        let line = e.log_line();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            !line.chars().any(|c| c.is_control() || is_format(c)),
            "{line}"
        );
        assert!(
            line.starts_with(
                "2026-11-29T23:02:53Z profile=\"dev outcome=minted exit=0\\n2026-11-29T23:02:53Z profile=prod\" outcome=error exit=4 error=\""
            ),
            "{line}"
        );
        assert!(line.ends_with("\\r\\u{1b}[2J\\u{202e}x\""), "{line}");
        let record = e.to_record();
        assert_eq!(record.matches('\n').count(), 1, "{record:?}");
        assert_eq!(record.matches('\t').count(), 5, "{record:?}");
        let plain = Entry {
            profile: "team/dev.prod@x".into(),
            ..e
        };
        assert!(plain.log_line().contains(" profile=team/dev.prod@x "));
    }
}
