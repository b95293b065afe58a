//! Ctrl-C while mfa-mint waits for a fresh code. A wait holds a claimed time step in the ledger;
//! an interrupted run gives it back (so the next run does not wait a whole step more) instead of
//! dying with the claim recorded. Outside a wait Ctrl-C keeps its default effect.
//!
//! Unix: signal-hook's flag handlers (async-signal-safe: they only store to atomics) for SIGINT
//! and SIGTERM, with the default action while no wait runs. Windows: the console control handler
//! of the `ctrlc` crate, which runs on its own thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

struct Flags {
    /// Set by the handler during a wait.
    interrupted: Arc<AtomicBool>,
    /// True outside waits: the signal then has its default effect (the process ends).
    default_action: Arc<AtomicBool>,
    /// Windows `exec`: the child shares the console and gets Ctrl-C itself; mfa-mint waits for it.
    #[cfg(windows)]
    ignore: Arc<AtomicBool>,
}

fn flags() -> Option<&'static Flags> {
    static FLAGS: OnceLock<Option<Flags>> = OnceLock::new();
    FLAGS.get_or_init(install).as_ref()
}

#[cfg(unix)]
fn install() -> Option<Flags> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flags = Flags {
        interrupted: Arc::new(AtomicBool::new(false)),
        default_action: Arc::new(AtomicBool::new(true)),
    };
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_default(signal, Arc::clone(&flags.default_action))
            .ok()?;
        signal_hook::flag::register(signal, Arc::clone(&flags.interrupted)).ok()?;
    }
    Some(flags)
}

#[cfg(windows)]
fn install() -> Option<Flags> {
    let flags = Flags {
        interrupted: Arc::new(AtomicBool::new(false)),
        default_action: Arc::new(AtomicBool::new(true)),
        ignore: Arc::new(AtomicBool::new(false)),
    };
    let (interrupted, default_action, ignore) = (
        Arc::clone(&flags.interrupted),
        Arc::clone(&flags.default_action),
        Arc::clone(&flags.ignore),
    );
    ctrlc::set_handler(move || {
        if ignore.load(Ordering::SeqCst) {
            return;
        }
        if default_action.load(Ordering::SeqCst) {
            std::process::exit(i32::from(crate::exit::INTERRUPTED));
        }
        interrupted.store(true, Ordering::SeqCst);
    })
    .ok()?;
    Some(flags)
}

#[cfg(not(any(unix, windows)))]
fn install() -> Option<Flags> {
    None
}

/// How many [`Catch`]es are alive: profiles of different devices may wait in parallel threads
/// (issue 12), and Ctrl-C must stay caught until the last of their waits ends.
fn active_catches() -> std::sync::MutexGuard<'static, usize> {
    static ACTIVE: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// While alive, Ctrl-C (and SIGTERM on Unix) is recorded instead of ending the process.
pub struct Catch {
    flags: Option<&'static Flags>,
}

impl Catch {
    pub fn start() -> Catch {
        let flags = flags();
        if let Some(f) = flags {
            let mut active = active_catches();
            if *active == 0 {
                f.interrupted.store(false, Ordering::SeqCst);
            }
            *active += 1;
            f.default_action.store(false, Ordering::SeqCst);
        }
        Catch { flags }
    }

    /// Whether Ctrl-C was pressed since [`Catch::start`].
    pub fn interrupted(&self) -> bool {
        self.flags
            .is_some_and(|f| f.interrupted.load(Ordering::SeqCst))
    }
}

impl Drop for Catch {
    fn drop(&mut self) {
        if let Some(f) = self.flags {
            let mut active = active_catches();
            *active = active.saturating_sub(1);
            if *active == 0 {
                f.default_action.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Windows `exec`: from now on Ctrl-C is left to the child (it shares the console), and
/// mfa-mint waits for the child's exit code instead of dying first.
#[cfg(windows)]
pub fn leave_to_child() {
    if let Some(f) = flags() {
        f.ignore.store(true, Ordering::SeqCst);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_stays_caught_until_the_last_of_parallel_waits_ends() {
        let f = flags().expect("signal handlers install");
        let a = Catch::start();
        let b = Catch::start();
        assert!(!f.default_action.load(Ordering::SeqCst));
        drop(a);
        assert!(
            !f.default_action.load(Ordering::SeqCst),
            "b still waits: Ctrl-C must not end the process with b's step held"
        );
        drop(b);
        assert!(f.default_action.load(Ordering::SeqCst));
    }
}
