//! The per-device lock (and per-role lock) that makes concurrent runs mint once: an exclusive
//! OS file lock on `<state dir>/locks/<name>.lock`, released on drop or when the process ends
//! (also by SIGKILL), so a crashed holder never blocks the next run. See
//! [`single_flight`](super::single_flight) for how it is used.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output;
use crate::state;

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
