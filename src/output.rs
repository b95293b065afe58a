//! The only place that prints: command data on stdout, status lines on stderr, diagnostics at
//! `-v`, prompts and the wait countdown. Everything else returns data or calls in here (the crate
//! denies `print!`-style macros outside this module).
#![allow(clippy::print_stdout, clippy::print_stderr)]

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
        && crate::env_vars::var_os(crate::env_vars::CI).is_none();
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
        let yellow = anstyle::AnsiColor::Yellow.on_default().bold();
        error_fmt(format_args!("{yellow}warning:{yellow:#} {message}"), true);
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

/// From now on nothing prompts or draws a countdown: the credentials server renews in the
/// background while a command writes to the same terminal (one line says a wait instead).
pub fn stop_interacting() {
    INTERACTIVE.store(false, Ordering::Relaxed);
}

/// Makes waits announce themselves on stderr even under `--quiet` (`credential-process`, which
/// is otherwise silent: an SDK calling it must not sit 30 s without a word).
pub fn announce_waits() {
    ANNOUNCE_WAITS.store(true, Ordering::Relaxed);
}

static ANNOUNCE_WAITS: AtomicBool = AtomicBool::new(false);

pub use crate::report::Interrupted;

/// Sleeps until `unix`, the time the next code starts, saying `why` once. On a terminal a
/// countdown line follows and is cleared at the end; elsewhere one line says how long the wait
/// is. Ctrl-C ends the wait early with [`Interrupted`] (the caller gives its claim back).
pub fn wait_until(unix: f64, why: &str) -> Result<(), Interrupted> {
    let countdown = interactive() && !quiet();
    let catch = crate::interrupt::Catch::start();
    let first = unix - crate::clock::now();
    if first > 0.0 {
        if countdown {
            error_fmt(format_args!("{why}"), true);
        } else if !quiet() || ANNOUNCE_WAITS.load(Ordering::Relaxed) {
            error_fmt(
                format_args!("{why}; next code in {} s", first.ceil() as u64),
                true,
            );
        }
    }
    // Terminal control, not style: written raw, so NO_COLOR does not strip it.
    let raw = |text: &str| {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr
            .write_all(text.as_bytes())
            .and_then(|()| stderr.flush());
    };
    let clear = || {
        if countdown {
            raw("\r\x1b[2K");
        }
    };
    loop {
        if catch.interrupted() {
            clear();
            return Err(Interrupted);
        }
        let left = unix - crate::clock::now();
        if left <= 0.0 {
            break;
        }
        if countdown {
            raw(&format!("\rnext code in {:>2} s ", left.ceil() as u64));
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(left.min(0.1)));
    }
    clear();
    Ok(())
}

/// Command data on stdout (`out!`/`outln!`). A closed pipe (`mfa-mint list | head`) is not an
/// error worth a panic: the rest of the output is dropped.
pub fn data(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// `format_args!` on stdout, for the `out!` and `outln!` macros.
pub fn data_fmt(args: std::fmt::Arguments<'_>, newline: bool) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_fmt(args);
    if newline {
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
}

/// Text on stderr, whatever the verbosity (errors, warnings that must be seen). Through
/// anstream: ANSI styles stay on a colour terminal (or with CLICOLOR_FORCE) and are stripped
/// elsewhere or with NO_COLOR; Windows consoles get them translated.
pub fn error_fmt(args: std::fmt::Arguments<'_>, newline: bool) {
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_fmt(args);
    if newline {
        let _ = stderr.write_all(b"\n");
    }
    let _ = stderr.flush();
}

/// `print!` for command data, through [`data_fmt`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::data_fmt(format_args!($($arg)*), false) };
}
/// `println!` for command data, through [`data_fmt`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::data_fmt(format_args!($($arg)*), true) };
}
/// `eprint!` through [`error_fmt`].
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::error_fmt(format_args!($($arg)*), false) };
}
/// `eprintln!` through [`error_fmt`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::error_fmt(format_args!($($arg)*), true) };
}
pub(crate) use {err, errln, out, outln};

/// Rows under a header, each column as wide as its widest cell, two spaces apart.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        text.push('\n');
        text
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The reporter that prints: warnings and waits on stderr, as [`warn`] and [`wait_until`] do.
pub struct Terminal;

/// The one terminal reporter a run hands to its `config::Context`.
pub static TERMINAL: Terminal = Terminal;

impl crate::report::Reporter for Terminal {
    fn warn(&self, message: &str) {
        warn(message);
    }

    fn progress(&self, message: &str) {
        status(message);
    }

    fn warn_always(&self, message: &str) {
        let yellow = anstyle::AnsiColor::Yellow.on_default().bold();
        error_fmt(format_args!("{yellow}warning:{yellow:#} {message}"), true);
    }

    fn wait_until(&self, until: f64, why: &str) -> Result<(), Interrupted> {
        wait_until(until, why)
    }
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn table_columns_line_up_under_the_header() {
        let text = table(
            &["PROFILE", "SEED"],
            &[
                vec!["dev".into(), "stored".into()],
                vec!["production".into(), "MISSING".into()],
            ],
        );
        assert_eq!(
            text,
            "PROFILE     SEED\ndev         stored\nproduction  MISSING\n"
        );
    }
}
