//! The per-serial record of the last TOTP time step submitted to AWS.
//!
//! AWS rejects a code whose time step was already accepted for the device, so before using a step
//! a process *claims* it here, under an exclusive lock: two processes (two cron jobs, two profiles
//! sharing one device) never submit the same step for one serial. The file is tiny text,
//! `<step> <serial>` per line, replaced atomically.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Entries older than this many steps (one day at 30 s) are dropped when the file is rewritten.
const KEEP_STEPS: u64 = 2880;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot find a state directory (set HOME or MFA_MINT_STATE_DIR)")]
    NoStateDir,
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub struct Ledger {
    dir: PathBuf,
}

impl Ledger {
    pub fn open_default() -> Result<Ledger, Error> {
        crate::dirs::state_dir()
            .map(Ledger::at)
            .ok_or(Error::NoStateDir)
    }

    pub fn at(dir: PathBuf) -> Ledger {
        Ledger { dir }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("used-steps")
    }

    /// Reserves the first step `>= current` not yet used for `serial`, records it, and returns it.
    pub fn claim(&self, serial: &str, current: u64) -> Result<u64, Error> {
        let _lock = self.lock()?;
        let mut entries = self.read()?;
        let last = entries
            .iter()
            .filter(|(_, s)| s == serial)
            .map(|(step, _)| *step)
            .max();
        let step = match last {
            Some(last) if last >= current => last + 1,
            _ => current,
        };
        entries.retain(|(st, s)| s != serial && st + KEEP_STEPS >= current);
        entries.push((step, serial.to_string()));
        self.write(&entries)?;
        Ok(step)
    }

    /// The last step claimed for `serial`, if any.
    pub fn last_used(&self, serial: &str) -> Result<Option<u64>, Error> {
        Ok(self
            .read()?
            .into_iter()
            .filter(|(_, s)| s == serial)
            .map(|(step, _)| step)
            .max())
    }

    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }

    fn lock(&self) -> Result<File, Error> {
        crate::dirs::create_private_dir(&self.dir).map_err(Self::io("create", &self.dir))?;
        let path = self.dir.join("used-steps.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Self::io("open", &path))?;
        file.lock().map_err(Self::io("lock", &path))?;
        Ok(file)
    }

    fn read(&self) -> Result<Vec<(u64, String)>, Error> {
        let path = self.file();
        let mut text = String::new();
        match File::open(&path) {
            Ok(mut f) => {
                // A damaged file only costs a possible wait; never fail a mint over it.
                if f.read_to_string(&mut text).is_err() {
                    text.clear();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Self::io("read", &path)(e)),
        }
        Ok(text
            .lines()
            .filter_map(|line| {
                let (step, serial) = line.split_once(' ')?;
                Some((step.parse().ok()?, serial.to_string()))
            })
            .collect())
    }

    fn write(&self, entries: &[(u64, String)]) -> Result<(), Error> {
        let path = self.file();
        let mut text = String::new();
        for (step, serial) in entries {
            text.push_str(&format!("{step} {serial}\n"));
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".used-steps.")
            .tempfile_in(&self.dir)
            .map_err(Self::io("create a temporary file in", &self.dir))?;
        tmp.write_all(text.as_bytes())
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(Self::io("write", tmp.path()))?;
        tmp.persist(&path)
            .map_err(|e| Self::io("replace", &path)(e.error))?;
        Ok(())
    }
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
        assert_eq!(ledger.last_used("arn:a").unwrap(), Some(200));
        assert_eq!(ledger.last_used("arn:c").unwrap(), None);
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
    fn damaged_lines_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("used-steps"), "garbage\n7 arn:a\nx y\n").unwrap();
        let ledger = Ledger::at(dir.path().to_path_buf());
        assert_eq!(ledger.claim("arn:a", 7).unwrap(), 8);
    }
}
