//! Runs waiting for a fresh MFA code right now, per device (issue 23 row 15). A caller that hides
//! stderr (the AWS CLI running `credential-process`) would leave a 30-second wait unexplained:
//! while it lasts it is recorded here for `status`, and each wait adds one line to `waits.log`
//! in the state directory. Never holds a secret; best effort (state only informs).

use std::io::Write;

use crate::clock::format_rfc3339;
use crate::state::StateFile;

/// One run waiting for a code of a device.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// Unix seconds the wait began.
    pub since: i64,
    /// Unix seconds it ends (the start of the code it waits for).
    pub until: i64,
    /// Why it waits (who used the current code).
    pub why: String,
}

fn file() -> Option<StateFile> {
    StateFile::named("waits").ok().map(StateFile::advisory)
}

/// `serial \t since \t until \t pid \t why`, one line whatever `why` holds.
fn record(serial: &str, wait: &Wait) -> String {
    let one = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    format!(
        "{}\t{}\t{}\t{}\t{}\n",
        one(serial),
        wait.since,
        wait.until,
        std::process::id(),
        one(&wait.why)
    )
}

fn parse(line: &str) -> Option<(String, u32, Wait)> {
    let f: Vec<&str> = line.splitn(5, '\t').collect();
    let [serial, since, until, pid, why] = f[..] else {
        return None;
    };
    Some((
        serial.to_string(),
        pid.parse().ok()?,
        Wait {
            since: since.parse().ok()?,
            until: until.parse().ok()?,
            why: why.to_string(),
        },
    ))
}

/// Removes this process's record of `serial` when dropped (the wait ended, or was interrupted).
pub struct Waiting {
    serial: String,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(file) = file() {
            let me = std::process::id();
            let _ = file.update(|text| {
                let keep: String = text
                    .lines()
                    .filter(|l| parse(l).is_none_or(|(s, pid, _)| s != self.serial || pid != me))
                    .map(|l| format!("{l}\n"))
                    .collect();
                (keep, ())
            });
        }
    }
}

/// Records that this run waits for a code of `serial` until `until` (unix seconds) because of
/// `why`, and logs one line; the record goes when the returned guard drops.
pub fn begin(serial: &str, until: f64, why: &str) -> Waiting {
    let now = crate::clock::now();
    let wait = Wait {
        since: now as i64,
        until: until.ceil() as i64,
        why: why.to_string(),
    };
    if let Some(file) = file() {
        let _ = file.update(|text| {
            let mut out: String = text
                .lines()
                // Records of waits long over (a run killed while waiting) go.
                .filter(|l| parse(l).is_some_and(|(_, _, w)| w.until + 60 > now as i64))
                .map(|l| format!("{l}\n"))
                .collect();
            out.push_str(&record(serial, &wait));
            (out, ())
        });
        log(&file, serial, &wait);
    }
    Waiting {
        serial: serial.to_string(),
    }
}

/// `2026-12-08T04:52:10Z waiting for a fresh code of arn:… until 2026-12-08T04:52:30Z: why`.
fn log(file: &StateFile, serial: &str, wait: &Wait) {
    let Some(dir) = file.path().parent().map(std::path::Path::to_path_buf) else {
        return;
    };
    let path = dir.join("waits.log");
    let mut options = std::fs::OpenOptions::new();
    options.append(true);
    if let Ok(mut f) = crate::owner::open_or_create(&path, &dir, 0o600, &options) {
        let _ = writeln!(
            f,
            "{} waiting for a fresh code of {} until {}: {}",
            format_rfc3339(wait.since),
            serial.replace(['\n', '\r'], " "),
            format_rfc3339(wait.until),
            wait.why.replace(['\n', '\r'], " ")
        );
    }
}

/// The wait for a code of `serial` going on now, if any.
pub fn current(serial: &str) -> Option<Wait> {
    let now = crate::clock::now() as i64;
    file()?
        .read()
        .lines()
        .filter_map(parse)
        .filter(|(s, _, w)| s == serial && w.until + 2 >= now)
        .map(|(_, _, w)| w)
        .min_by_key(|w| w.since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_one_line_and_reads_back() {
        let wait = Wait {
            since: 1_795_000_000,
            until: 1_795_000_030,
            why: "used by `mfa-mint code`\tat 04:52\nnext".into(),
        };
        let line = record("arn:aws:iam::123456789012:mfa/alice", &wait);
        assert_eq!(line.matches('\n').count(), 1);
        let (serial, pid, back) = parse(line.trim_end_matches('\n')).unwrap();
        assert_eq!(serial, "arn:aws:iam::123456789012:mfa/alice");
        assert_eq!(pid, std::process::id());
        assert_eq!((back.since, back.until), (wait.since, wait.until));
        assert_eq!(back.why, "used by `mfa-mint code` at 04:52 next");
        assert!(parse("garbage").is_none());
    }
}
