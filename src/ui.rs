//! Talking to the person at the terminal: status lines on stderr, diagnostics at `-v`, prompts,
//! the wait countdown. Stdout is left to command output.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static QUIET: AtomicBool = AtomicBool::new(false);
static INTERACTIVE: AtomicBool = AtomicBool::new(false);

/// Sets output levels once from the global flags.
pub fn init(verbose: u8, quiet: bool, non_interactive: bool) {
    VERBOSITY.store(verbose, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
    let interactive = !non_interactive
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    INTERACTIVE.store(interactive, Ordering::Relaxed);
}

/// True when a person can answer prompts (stdin and stderr are terminals, no --non-interactive).
pub fn interactive() -> bool {
    INTERACTIVE.load(Ordering::Relaxed)
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A status line on stderr, unless --quiet.
pub fn status(message: &str) {
    if !quiet() {
        eprintln!("{message}");
    }
}

/// A warning on stderr (shown even with --quiet? no: cron mail wants silence on success).
pub fn warn(message: &str) {
    if !quiet() {
        eprintln!("warning: {message}");
    }
}

/// A diagnostic at `-v` (level 1) or `-vv` (level 2). Never pass secrets.
pub fn debug(level: u8, message: impl FnOnce() -> String) {
    if VERBOSITY.load(Ordering::Relaxed) >= level {
        eprintln!("debug: {}", message());
    }
}

/// Asks a yes/no question on the terminal; false unless the answer starts with y.
pub fn confirm(question: &str) -> bool {
    if !interactive() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    answer.trim().to_ascii_lowercase().starts_with('y')
}

/// Sleeps until `unix`, showing a countdown on a terminal and nothing otherwise.
pub fn wait_until(unix: f64, reason: &str) {
    let show = interactive() && !quiet();
    loop {
        let left = unix - crate::clock::now();
        if left <= 0.0 {
            break;
        }
        if show {
            eprint!("\r{reason}: {:>2} s ", left.ceil() as u64);
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(left.min(0.25)));
    }
    if show {
        eprint!("\r\x1b[2K");
        let _ = std::io::stderr().flush();
    }
}
