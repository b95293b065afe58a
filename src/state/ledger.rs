//! The per-serial record of the last TOTP time step submitted to AWS.
//!
//! AWS rejects a code whose time step it already accepted for the device, so before using a step
//! a process *claims* it here, under the state file's lock: two processes (two cron jobs, two
//! profiles sharing one device) never submit the same step for one serial. The file is tiny text,
//! `<step> <serial>` per line.

use crate::state::{Error, StateFile};

/// Entries older than this many steps (one day at 30 s) are dropped when the file is rewritten.
const KEEP_STEPS: u64 = 2880;
/// At most this many recent steps are kept per serial.
const KEEP_PER_SERIAL: usize = 16;

pub struct Ledger {
    file: StateFile,
}

impl Ledger {
    pub fn open_default() -> Result<Ledger, Error> {
        Ok(Ledger {
            file: StateFile::named("used-steps")?,
        })
    }

    #[cfg(test)]
    pub fn at(dir: std::path::PathBuf) -> Ledger {
        Ledger {
            file: StateFile::in_dir(dir, "used-steps"),
        }
    }

    /// Reserves the first step `>= current` not yet used for `serial`, records it, and returns it.
    pub fn claim(&self, serial: &str, current: u64) -> Result<u64, Error> {
        self.file.update(|text| {
            let mut entries = parse(text);
            let last = entries
                .iter()
                .filter(|(_, s)| s == serial)
                .map(|(step, _)| *step)
                .max();
            let step = match last {
                Some(last) if last >= current => last + 1,
                _ => current,
            };
            entries.retain(|(st, _)| st + KEEP_STEPS >= current);
            entries.push((step, serial.to_string()));
            let mine = entries.iter().filter(|(_, s)| s == serial).count();
            if mine > KEEP_PER_SERIAL {
                let mut drop = mine - KEEP_PER_SERIAL;
                entries.retain(|(_, s)| {
                    let keep = s != serial || drop == 0;
                    if !keep {
                        drop -= 1;
                    }
                    keep
                });
            }
            (render(&entries), step)
        })
    }

    /// Gives back a claimed step that AWS certainly did not accept (the request failed before
    /// the code was checked), so the next run need not wait for a new one.
    pub fn release(&self, serial: &str, step: u64) -> Result<(), Error> {
        self.file.update(|text| {
            let mut entries = parse(text);
            entries.retain(|(st, s)| !(s == serial && *st == step));
            (render(&entries), ())
        })
    }

    /// The last step claimed for `serial`, if any.
    #[cfg(test)]
    pub fn last_used(&self, serial: &str) -> Option<u64> {
        parse(&self.file.read())
            .into_iter()
            .filter(|(_, s)| s == serial)
            .map(|(step, _)| step)
            .max()
    }
}

fn render(entries: &[(u64, String)]) -> String {
    entries
        .iter()
        .map(|(step, serial)| format!("{step} {serial}\n"))
        .collect()
}

/// Damaged lines are skipped: at worst a run waits one step more than needed.
fn parse(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .filter_map(|line| {
            let (step, serial) = line.split_once(' ')?;
            Some((step.parse().ok()?, serial.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_never_repeat_a_step_for_a_serial() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::at(dir.path().join("state"));
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 100);
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 101);
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 102);
        assert_eq!(ledger.claim("arn:b", 100).unwrap(), 100);
        assert_eq!(ledger.claim("arn:a", 200).unwrap(), 200);
        assert_eq!(ledger.last_used("arn:a"), Some(200));
        assert_eq!(ledger.last_used("arn:c"), None);
    }

    #[test]
    fn concurrent_claims_are_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let state = state.clone();
                std::thread::spawn(move || {
                    let ledger = Ledger::at(state);
                    (0..10)
                        .map(|_| ledger.claim("arn:x", 5).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort();
        assert_eq!(all, (5..85).collect::<Vec<_>>());
    }

    #[test]
    fn released_steps_can_be_claimed_again() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::at(dir.path().join("state"));
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 100);
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 101);
        ledger.release("arn:a", 101).unwrap();
        assert_eq!(ledger.claim("arn:a", 100).unwrap(), 101);
        for _ in 0..40 {
            ledger.claim("arn:a", 100).unwrap();
        }
        assert_eq!(ledger.last_used("arn:a"), Some(141));
        assert!(parse(&ledger.file.read()).len() <= KEEP_PER_SERIAL);
    }

    #[test]
    fn damaged_lines_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("used-steps"), "garbage\n7 arn:a\nx y\n").unwrap();
        let ledger = Ledger::at(dir.path().to_path_buf());
        assert_eq!(ledger.claim("arn:a", 7).unwrap(), 8);
    }
}
