//! One mint per MFA device at a time, across processes and threads (issue 12).
//!
//! Before a mint claims a code step it takes an exclusive OS file lock on
//! `<state dir>/locks/<device>.lock`. Whoever gets the lock second looks at the session again
//! under the lock (the credentials file, or the keyring cache) and uses it when it is fresh
//! instead of minting again: ten callers right after expiry make one request, not ten that each
//! wait for their own 30 s code.
//!
//! - OS locks (`flock` on unix, `LockFileEx` on Windows) are released when the holder ends, also
//!   by SIGKILL: a crashed holder never blocks the next run, and no PID files need cleaning up.
//! - The lock is never held across a prompt: keyring reads (which may ask to unlock) happen before
//!   it is taken; under it there is only the wait for an unused code step, the STS request and
//!   the write of the session.
//! - The code ledger ([`crate::state::ledger`]) stays the guard against reusing a step; this lock
//!   makes reuse rare instead of waited for.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::aws::sts::Session;
use crate::config::Files;
use crate::error::Error;
use crate::minter::session::Origin;
use crate::minter::{self, Options};
use crate::output;
use crate::state;
use crate::vault::Seeds;

/// Held while one run mints with a device; released on drop or when the process ends.
#[derive(Debug)]
pub struct DeviceLock {
    _file: File,
}

impl DeviceLock {
    /// Takes the lock of `serial` in the default state directory, waiting for its holder (and
    /// saying so at `-v`). `who` names the profile in the diagnostic.
    pub fn acquire(serial: &str, who: &str) -> Result<DeviceLock, state::Error> {
        let dir = state::dirs::state_dir()
            .ok_or(state::Error::NoStateDir)?
            .join("locks");
        DeviceLock::acquire_in(&dir, serial, who)
    }

    fn acquire_in(dir: &Path, serial: &str, who: &str) -> Result<DeviceLock, state::Error> {
        state::dirs::create_private_dir(dir).map_err(|source| io("create", dir, source))?;
        let path = lock_path(dir, serial);
        // Created owned like the directory, so a root run leaves it usable by the user.
        let file = crate::owner::open_or_create(&path, dir, 0o600, OpenOptions::new().write(true))
            .map_err(|source| io("open", &path, source))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                output::debug(1, || {
                    format!(
                        "{who}: another mfa-mint run is minting with {serial}; waiting for it to finish ({}) to use its session",
                        path.display()
                    )
                });
                let started = Instant::now();
                file.lock().map_err(|source| io("lock", &path, source))?;
                output::debug(1, || {
                    format!(
                        "{who}: waited {:.2} s for the other run",
                        started.elapsed().as_secs_f64()
                    )
                });
            }
            Err(TryLockError::Error(source)) => return Err(io("lock", &path, source)),
        }
        Ok(DeviceLock { _file: file })
    }
}

/// One lock file per device, named after the serial ARN with everything but `[A-Za-z0-9._-]`
/// replaced (two serials that map to one name only share a lock, which costs a wait, no more).
fn lock_path(dir: &Path, serial: &str) -> PathBuf {
    let name: String = serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.lock"))
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> state::Error {
    state::Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The session modes' mint (`credential-process`, `exec`, `env`): resolve the profile and read
/// the keyring first, then under the device lock ask `stored` again (another process may just
/// have minted) and otherwise mint and cache the session in the keyring.
pub(crate) fn mint_session(
    files: &Files,
    profile: &str,
    opts: &Options,
    seeds: &mut Seeds,
    stored: impl FnOnce(&mut Seeds) -> Result<Option<(Session, Origin)>, Error>,
) -> Result<(Session, Origin), Error> {
    let plan = minter::plan(files, profile, opts, seeds)?;
    let seed = seeds.load(&plan.serial)?;
    let _lock = DeviceLock::acquire(&plan.serial, profile)?;
    if let Some(found) = stored(seeds)? {
        output::debug(1, || {
            format!("{profile}: another run has just minted; using its session")
        });
        return Ok(found);
    }
    let session = minter::fetch_with(&plan, &seed)?;
    seeds.save_session(profile, &session)?;
    Ok((session, Origin::Minted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn lock_files_are_named_after_the_serial() {
        let path = lock_path(Path::new("/s"), "arn:aws:iam::123456789012:mfa/alice");
        assert_eq!(
            path,
            Path::new("/s/arn_aws_iam__123456789012_mfa_alice.lock")
        );
    }

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DeviceLock::acquire_in(dir.path(), "arn:x", "a").unwrap();
        let (tx, rx) = mpsc::channel();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let _second = DeviceLock::acquire_in(&path, "arn:x", "b").unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "the second must wait while the first holds the lock"
        );
        drop(first);
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the second gets the lock once the first is dropped");
        waiter.join().unwrap();
    }

    #[test]
    fn different_devices_do_not_wait_for_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let _a = DeviceLock::acquire_in(dir.path(), "arn:a", "a").unwrap();
        let (tx, rx) = mpsc::channel();
        let path = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let _b = DeviceLock::acquire_in(&path, "arn:b", "b").unwrap();
            tx.send(()).unwrap();
        });
        rx.recv_timeout(Duration::from_secs(5))
            .expect("another device's lock is free");
    }
}
