//! Replacing a file that another program holds open: Windows refuses the rename while a reader
//! that did not allow deletion (the AWS CLI, an editor, a sync client) has the target open, with
//! a sharing violation or "access denied". Such a hold is usually gone within a moment, so the
//! replace is retried for a short, bounded time before giving up with nothing changed.

use std::io;
use std::time::Duration;

/// How long a replace keeps trying while the target is in use.
pub const PATIENCE: Duration = Duration::from_secs(3);
/// The pause between two attempts.
const PAUSE: Duration = Duration::from_millis(50);

/// What ended [`retry_while_busy`] without success.
#[derive(Debug)]
pub enum Failure {
    /// Still in use when the attempts ran out: the last attempt's error.
    StillBusy(io::Error),
    /// An error that waiting does not fix; returned at once.
    Other(io::Error),
}

/// Whether `e` says another process has the file open: Windows' ERROR_ACCESS_DENIED (5),
/// ERROR_SHARING_VIOLATION (32) or ERROR_LOCK_VIOLATION (33). Never on unix, where a rename
/// over an open file succeeds.
pub fn is_in_use(e: &io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// The replace as mfa-mint does it: [`PATIENCE`], [`PAUSE`], [`is_in_use`], a real sleep.
pub fn replace<T>(attempt: impl FnMut() -> io::Result<T>) -> Result<T, Failure> {
    retry_while_busy(
        attempt,
        is_in_use,
        (PATIENCE.as_millis() / PAUSE.as_millis()) as u32 + 1,
        || std::thread::sleep(PAUSE),
    )
}

/// Calls `attempt` until it succeeds, fails with an error `busy` does not accept, or has been
/// called `max_attempts` times, calling `pause` between two attempts.
pub fn retry_while_busy<T>(
    mut attempt: impl FnMut() -> io::Result<T>,
    busy: impl Fn(&io::Error) -> bool,
    max_attempts: u32,
    mut pause: impl FnMut(),
) -> Result<T, Failure> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match attempt() {
            Ok(value) => return Ok(value),
            Err(e) if !busy(&e) => return Err(Failure::Other(e)),
            Err(last) if attempts >= max_attempts => {
                return Err(Failure::StillBusy(last));
            }
            Err(_) => pause(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A sharing violation as Windows reports it (raw code 32).
    fn sharing_violation() -> io::Error {
        io::Error::from_raw_os_error(32)
    }

    fn busy_code(e: &io::Error) -> bool {
        e.raw_os_error() == Some(32)
    }

    #[test]
    fn a_hold_that_goes_away_is_waited_for() {
        let calls = Cell::new(0);
        let pauses = Cell::new(0);
        let result = retry_while_busy(
            || {
                calls.set(calls.get() + 1);
                if calls.get() <= 3 {
                    Err(sharing_violation())
                } else {
                    Ok("replaced")
                }
            },
            busy_code,
            10,
            || pauses.set(pauses.get() + 1),
        );
        assert_eq!(result.unwrap(), "replaced");
        assert_eq!((calls.get(), pauses.get()), (4, 3));
    }

    #[test]
    fn a_hold_that_stays_gives_up_after_the_bound() {
        let calls = Cell::new(0);
        let pauses = Cell::new(0);
        let result: Result<(), _> = retry_while_busy(
            || {
                calls.set(calls.get() + 1);
                Err(sharing_violation())
            },
            busy_code,
            5,
            || pauses.set(pauses.get() + 1),
        );
        match result {
            Err(Failure::StillBusy(last)) => assert_eq!(last.raw_os_error(), Some(32)),
            other => panic!("expected StillBusy, got {other:?}"),
        }
        assert_eq!(
            (calls.get(), pauses.get()),
            (5, 4),
            "no pause after the last try"
        );
    }

    #[test]
    fn other_errors_are_not_retried() {
        let calls = Cell::new(0);
        let result: Result<(), _> = retry_while_busy(
            || {
                calls.set(calls.get() + 1);
                Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
            },
            busy_code,
            10,
            || panic!("no pause for an error waiting cannot fix"),
        );
        assert!(matches!(result, Err(Failure::Other(e)) if e.kind() == io::ErrorKind::StorageFull));
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn the_bound_is_a_few_seconds() {
        let attempts = (PATIENCE.as_millis() / PAUSE.as_millis()) as u32 + 1;
        let waited = PAUSE * (attempts - 1);
        assert!(waited >= Duration::from_secs(1) && waited <= Duration::from_secs(5));
    }

    #[cfg(windows)]
    #[test]
    fn windows_in_use_codes_are_recognised() {
        for code in [5, 32, 33] {
            assert!(is_in_use(&io::Error::from_raw_os_error(code)), "{code}");
        }
        assert!(
            !is_in_use(&io::Error::from_raw_os_error(2)),
            "not found is not busy"
        );
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_busy_on_unix() {
        assert!(!is_in_use(&io::Error::from_raw_os_error(32)));
    }
}
