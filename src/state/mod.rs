//! mfa-mint's own small state files (in [`crate::state::dirs::state_dir`]), read and replaced
//! atomically under an exclusive lock so concurrent runs never lose an update.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

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

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

/// One named state file.
#[derive(Debug, Clone)]
pub struct StateFile {
    dir: PathBuf,
    name: &'static str,
    /// Whether a replacement is on disk (fsync) before [`StateFile::update`] returns.
    durable: bool,
}

impl StateFile {
    /// `name` in the default state directory.
    pub fn named(name: &'static str) -> Result<StateFile, Error> {
        let dir = crate::state::dirs::state_dir().ok_or(Error::NoStateDir)?;
        Ok(StateFile::in_dir(dir, name))
    }

    pub fn in_dir(dir: PathBuf, name: &'static str) -> StateFile {
        StateFile {
            dir,
            name,
            durable: true,
        }
    }

    /// Replaced without waiting for the disk (no fsync): for what only informs (the last runs,
    /// the measured clock offset), so a fresh skip from cron does not wait on a busy disk. The
    /// replacement is still atomic (a reader sees the old text or the new); a crash right after
    /// may lose the update, which the next run writes again. The step ledger stays durable: a
    /// lost entry there could send a used code again.
    pub fn advisory(mut self) -> StateFile {
        self.durable = false;
        self
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(self.name)
    }

    /// The file's text ("" when missing or unreadable: state is advisory).
    pub fn read(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(self.path())
            && f.read_to_string(&mut text).is_err()
        {
            text.clear();
        }
        text
    }

    /// Replaces the text with `update(old)`, under the file's lock; returns what `update` returned.
    pub fn update<T>(&self, update: impl FnOnce(&str) -> (String, T)) -> Result<T, Error> {
        crate::state::dirs::create_private_dir(&self.dir).map_err(io("create", &self.dir))?;
        let lock_path = self.dir.join(format!("{}.lock", self.name));
        let lock = crate::owner::open_or_create(
            &lock_path,
            &self.dir,
            0o600,
            OpenOptions::new().write(true),
        )
        .map_err(io("open", &lock_path))?;
        lock.lock().map_err(io("lock", &lock_path))?;
        let (text, result) = update(&self.read());
        let path = self.path();
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", self.name))
            .tempfile_in(&self.dir)
            .map_err(io("create a temporary file in", &self.dir))?;
        // A root run keeps the file usable by the user whose state directory this is.
        match crate::owner::Owner::of(&path) {
            Some(old) => {
                crate::owner::keep(tmp.as_file(), old).map_err(io("keep the owner of", &path))?
            }
            None => crate::owner::adopt(tmp.as_file(), &self.dir),
        }
        tmp.write_all(text.as_bytes())
            .and_then(|_| {
                if self.durable {
                    tmp.as_file().sync_all()
                } else {
                    Ok(())
                }
            })
            .map_err(io("write", &path))?;
        tmp.persist(&path)
            .map_err(|e| io("replace", &path)(e.error))?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_updates_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            StateFile::in_dir(dir.path().join("s"), "counter"),
            StateFile::in_dir(dir.path().join("s"), "advisory").advisory(),
        ] {
            count_to_160(&file);
        }
    }

    fn count_to_160(file: &StateFile) {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let file = file.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        file.update(|old| {
                            let n: u32 = old.trim().parse().unwrap_or(0);
                            ((n + 1).to_string(), ())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(file.read(), "160");
    }
}

pub(crate) mod dirs;
pub(crate) mod ledger;
pub(crate) mod runlog;
pub(crate) mod skew;
pub(crate) mod waits;
