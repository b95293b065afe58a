//! The per-serial record of the last TOTP time step submitted to AWS.
//!
//! AWS rejects a code whose time step it already accepted for the device, so before using a step
//! a process *claims* it here, under the state file's lock: two processes (two cron jobs, two
//! profiles sharing one device) never submit the same step for one serial. Each claim also notes
//! when and by which command it was made, so a run that must wait can say why ("already used by
//! `mfa-mint code` at 16:25:15"). The file is tiny text, `<step> <serial> <unix time> <command>`
//! per line (lines of older versions, `<step> <serial>`, are still read).

use crate::state::{Error, StateFile};

/// Entries older than this many steps (one day at 30 s) are dropped when the file is rewritten.
const KEEP_STEPS: u64 = 2880;
/// At most this many recent steps are kept per serial.
const KEEP_PER_SERIAL: usize = 16;
/// A claim more than this many steps ahead of the current one is left over from a clock that was
/// ahead (NTP correction, VM resume, a test) when it was made in the future or at no known time:
/// AWS never accepted such a code (it takes t-1..=t+1), so it is dropped, never waited for.
const JUMP_STEPS: u64 = 4;
/// A claim whose time is this far past the clock was made in the future.
const JUMP_TOLERANCE_SECS: i64 = 60;

pub struct Ledger {
    file: StateFile,
}

/// One claimed step: which, when (unix seconds) and by which command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub step: u64,
    pub serial: String,
    pub at: Option<i64>,
    pub by: Option<String>,
}

/// The step a claim got, and the latest earlier use that kept it from getting the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub step: u64,
    pub blocked_by: Option<Use>,
    /// Claims of the serial dropped as left over from a clock jump (see [`JUMP_STEPS`]).
    pub discarded: Vec<Use>,
}

impl Claim {
    /// The one warning about claims dropped after a clock jump, if any were.
    pub fn clock_jump_warning(&self) -> Option<String> {
        let furthest = self.discarded.iter().max_by_key(|u| u.step)?;
        let ahead = furthest.step.saturating_sub(self.step) * 30;
        let made = match furthest.at {
            Some(at) => format!(" (made at {})", crate::clock::format_local(at)),
            None => String::new(),
        };
        Some(format!(
            "ignoring {} record{} of codes used up to {} ahead of the current one{made}: the clock was ahead when {} made, so nothing waits for {}",
            self.discarded.len(),
            if self.discarded.len() == 1 { "" } else { "s" },
            approx(ahead),
            if self.discarded.len() == 1 {
                "it was"
            } else {
                "they were"
            },
            if self.discarded.len() == 1 {
                "it"
            } else {
                "them"
            },
        ))
    }
}

/// `45 s`, `12 min`, `2 h`, `3 days`.
fn approx(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7_200 => format!("{} min", secs / 60),
        7_200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// Whether `u` is a claim left over from a clock that was ahead (see [`JUMP_STEPS`]).
fn from_clock_jump(u: &Use, current: u64, now: i64) -> bool {
    u.step > current + JUMP_STEPS && u.at.is_none_or(|at| at > now + JUMP_TOLERANCE_SECS)
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

    /// Reserves the first step `>= current` not yet used for `serial`, records it (with the time
    /// and [`actor`]), and returns it.
    pub fn claim(&self, serial: &str, current: u64) -> Result<Claim, Error> {
        let now = crate::clock::now_secs() as i64;
        self.file.update(|text| {
            let mut entries = parse(text);
            let (discarded, kept): (Vec<Use>, Vec<Use>) = entries
                .into_iter()
                .partition(|u| u.serial == serial && from_clock_jump(u, current, now));
            entries = kept;
            let last = entries
                .iter()
                .filter(|u| u.serial == serial)
                .max_by_key(|u| u.step)
                .cloned();
            let (step, blocked_by) = match last {
                Some(last) if last.step >= current => (last.step + 1, Some(last)),
                _ => (current, None),
            };
            entries.retain(|u| u.step + KEEP_STEPS >= current);
            entries.push(Use {
                step,
                serial: serial.to_string(),
                at: Some(now),
                by: Some(actor()),
            });
            let mine = entries.iter().filter(|u| u.serial == serial).count();
            if mine > KEEP_PER_SERIAL {
                let mut drop = mine - KEEP_PER_SERIAL;
                entries.retain(|u| {
                    let keep = u.serial != serial || drop == 0;
                    if !keep {
                        drop -= 1;
                    }
                    keep
                });
            }
            (
                render(&entries),
                Claim {
                    step,
                    blocked_by,
                    discarded,
                },
            )
        })
    }

    /// Gives back a claimed step that AWS certainly did not accept (the request failed before
    /// the code was checked, or the run was interrupted before sending it), so the next run need
    /// not wait for a new one.
    pub fn release(&self, serial: &str, step: u64) -> Result<(), Error> {
        self.file.update(|text| {
            let mut entries = parse(text);
            entries.retain(|u| !(u.serial == serial && u.step == step));
            (render(&entries), ())
        })
    }

    /// The last step claimed for `serial`, if any.
    #[cfg(test)]
    pub fn last_used(&self, serial: &str) -> Option<u64> {
        parse(&self.file.read())
            .into_iter()
            .filter(|u| u.serial == serial)
            .map(|u| u.step)
            .max()
    }
}

static ACTOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the command of this process in the claims it makes (`mfa-mint code`); set once.
pub fn set_actor(command: &str) {
    let _ = ACTOR.set(format!("mfa-mint {command}"));
}

fn actor() -> String {
    ACTOR.get().cloned().unwrap_or_else(|| "mfa-mint".into())
}

fn render(entries: &[Use]) -> String {
    entries
        .iter()
        .map(|u| match (&u.at, &u.by) {
            (Some(at), Some(by)) => format!("{} {} {at} {by}\n", u.step, u.serial),
            _ => format!("{} {}\n", u.step, u.serial),
        })
        .collect()
}

/// Damaged lines are skipped: at worst a run waits one step more than needed.
fn parse(text: &str) -> Vec<Use> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, ' ');
            let step = parts.next()?.parse().ok()?;
            let serial = parts.next().filter(|s| !s.is_empty())?.to_string();
            let at = parts.next().and_then(|t| t.parse().ok());
            let by = parts
                .next()
                .map(|b| b.trim().to_string())
                .filter(|b| at.is_some() && !b.is_empty());
            Some(Use {
                step,
                serial,
                at,
                by,
            })
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
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 100);
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 101);
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 102);
        assert_eq!(ledger.claim("arn:b", 100).unwrap().step, 100);
        assert_eq!(ledger.claim("arn:a", 200).unwrap().step, 200);
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
                        .map(|_| ledger.claim("arn:x", 5).unwrap().step)
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
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 100);
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 101);
        ledger.release("arn:a", 101).unwrap();
        assert_eq!(ledger.claim("arn:a", 100).unwrap().step, 101);
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
        assert_eq!(ledger.claim("arn:a", 7).unwrap().step, 8);
    }

    #[test]
    fn claims_made_while_the_clock_was_ahead_are_dropped_not_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::clock::now_secs() as i64;
        let current = now as u64 / 30;
        // Two hours ahead, made two hours ahead (the clock was wrong); an old-format line far
        // ahead; a claim a few steps ahead made just now (runs queued for codes) is kept.
        let text = format!(
            "{} arn:a {} mfa-mint code\n{} arn:a\n{} arn:b {} mfa-mint code\n",
            current + 240,
            now + 7200,
            current + 100,
            current + 240,
            now + 7200,
        );
        std::fs::write(dir.path().join("used-steps"), text).unwrap();
        let ledger = Ledger::at(dir.path().to_path_buf());
        let claim = ledger.claim("arn:a", current).unwrap();
        assert_eq!((claim.step, &claim.blocked_by), (current, &None));
        assert_eq!(claim.discarded.len(), 2);
        let warning = claim.clock_jump_warning().unwrap();
        assert!(
            warning.starts_with("ignoring 2 records of codes used up to 2 h ahead"),
            "{warning}"
        );
        // Gone from the file; another serial's records are its own business.
        let text = std::fs::read_to_string(dir.path().join("used-steps")).unwrap();
        assert!(
            !text.contains(&format!("{} arn:a", current + 240)),
            "{text}"
        );
        assert!(text.contains(&format!("{} arn:b", current + 240)), "{text}");
        let queued = ledger.claim("arn:a", current).unwrap();
        assert_eq!((queued.step, queued.discarded.len()), (current + 1, 0));
        assert_eq!(queued.clock_jump_warning(), None);
        // A queue of runs made now, further ahead than the jump limit, is honoured.
        for k in 2..=8 {
            assert_eq!(ledger.claim("arn:a", current).unwrap().step, current + k);
        }
    }

    #[test]
    fn a_claim_says_who_used_the_step_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::at(dir.path().join("state"));
        set_actor("code");
        let first = ledger.claim("arn:a", 100).unwrap();
        assert_eq!(first.blocked_by, None);
        let second = ledger.claim("arn:a", 100).unwrap();
        let by = second.blocked_by.expect("blocked by the first claim");
        assert_eq!((by.step, by.by.as_deref()), (100, Some("mfa-mint code")));
        let at = by.at.expect("time of the first claim");
        assert!((at - crate::clock::now_secs() as i64).abs() <= 2, "{at}");
        // The line survives a rewrite, and a line of an older version still blocks.
        std::fs::write(dir.path().join("state/used-steps"), "7 arn:b\n").unwrap();
        let old = ledger.claim("arn:b", 7).unwrap();
        assert_eq!(old.step, 8);
        assert_eq!(old.blocked_by.map(|u| (u.at, u.by)), Some((None, None)));
        let text = std::fs::read_to_string(dir.path().join("state/used-steps")).unwrap();
        assert!(text.starts_with("7 arn:b\n8 arn:b "), "{text}");
        assert!(text.trim_end().ends_with(" mfa-mint code"), "{text}");
    }
}
