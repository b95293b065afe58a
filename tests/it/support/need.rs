//! What a test needs from outside the repository, and skipping when it isn't there.
//!
//! A test that needs an external tool says so first thing with [`require!`]:
//!
//! ```ignore
//! #[test]
//! fn the_aws_cli_reads_the_profile() {
//!     require!(Keyring, Venv);
//!     …
//! }
//! ```
//!
//! Where the tool is missing, a plain `cargo test` (a contributor's first command) skips the
//! test with one line on stderr that names `scripts/test`. Under `scripts/test` (which exports
//! `MFA_MINT_TEST_VENV`) or in CI (`CI=true`) nothing is skipped: a missing tool fails the test,
//! since those runs must prove everything.
//!
//! The harness checks the declarations: [`super::require_tool`] and [`super::venv_bin`] fail a
//! test that uses a tool it did not declare, so a forgotten `require!` shows up on any machine
//! with the tools, not first on a contributor's machine without them.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Set by `scripts/test` to the absolute path of its venv (moto, awscli).
pub const VENV_VAR: &str = "MFA_MINT_TEST_VENV";

/// Something outside the repository a test needs (installed by `scripts/setup`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// A private D-Bus session bus (Debian package dbus).
    Bus,
    /// A private bus with gnome-keyring's Secret Service on it, and secret-tool
    /// (gnome-keyring, dbus, libsecret-tools). Implies [`Need::Bus`].
    Keyring,
    /// moto and the AWS CLI in the test venv (`target/test-venv`).
    Venv,
    /// `keyctl` (keyutils), for the kernel keyring backend.
    Keyctl,
    /// `oathtool`, an independent TOTP implementation.
    Oathtool,
    /// `crontab` (Debian package cron), for the opt-in test with the real crontab.
    Crontab,
    /// `systemd-analyze` (Debian package systemd), to check the schedule's calendar timers.
    SystemdAnalyze,
    /// `python3`, whose plist and XML parsers read what the schedule writes.
    Python,
    /// bash and zsh, for the shell completion tests.
    Shells,
    /// `tinyproxy`, a real HTTP proxy.
    Tinyproxy,
}

impl Need {
    /// The programs on PATH this need stands for.
    fn tools(self) -> &'static [&'static str] {
        match self {
            Need::Bus => &["dbus-daemon", "dbus-send"],
            Need::Keyring => &[
                "dbus-daemon",
                "dbus-send",
                "gnome-keyring-daemon",
                "secret-tool",
            ],
            Need::Venv => &[],
            Need::Keyctl => &["keyctl"],
            Need::Oathtool => &["oathtool"],
            Need::Crontab => &["crontab"],
            Need::SystemdAnalyze => &["systemd-analyze"],
            Need::Python => &["python3"],
            Need::Shells => &["bash", "zsh"],
            Need::Tinyproxy => &["tinyproxy"],
        }
    }

    /// Whether declaring `self` covers using `other`.
    fn covers(self, other: Need) -> bool {
        self == other || (self == Need::Keyring && other == Need::Bus)
    }

    /// What is missing for this need, `None` when everything is there.
    fn missing(self) -> Option<String> {
        // Under wine the keyring is the wine prefix's Credential Manager, which scripts/cross
        // set up: nothing of the Secret Service is needed.
        if self == Need::Keyring && super::target().is_windows() {
            return None;
        }
        if self == Need::Venv {
            return match venv_dir() {
                Some(_) => None,
                None => Some(format!(
                    "moto and the AWS CLI (the test venv: {VENV_VAR} unset and no {})",
                    default_venv().display()
                )),
            };
        }
        let missing: Vec<&str> = self
            .tools()
            .iter()
            .copied()
            .filter(|tool| find_on_path(tool).is_none())
            .collect();
        (!missing.is_empty()).then(|| format!("{} (not on PATH)", missing.join(", ")))
    }

    /// The need a program on PATH belongs to, for checking declarations.
    fn of_tool(tool: &str) -> Option<Need> {
        [
            Need::Bus,
            Need::Keyring,
            Need::Keyctl,
            Need::Oathtool,
            Need::Crontab,
            Need::SystemdAnalyze,
            Need::Python,
            Need::Shells,
            Need::Tinyproxy,
        ]
        .into_iter()
        .find(|need| need.tools().contains(&tool))
    }
}

/// Whether this run must not skip: under `scripts/test` or in CI.
pub fn strict() -> bool {
    let set = |name: &str| {
        std::env::var(name)
            .ok()
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
    };
    set(VENV_VAR) || set("CI")
}

thread_local! {
    /// (test name, needs it declared): libtest runs each test on a thread named after it.
    static DECLARED: RefCell<(Option<String>, Vec<Need>)> = const { RefCell::new((None, Vec::new())) };
}

fn test_name() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

/// Backs [`require!`]: records the declaration, then `true` when everything in `needs` is
/// there. Otherwise: in a strict run a failure; else one line on stderr and `false`.
#[track_caller]
pub fn available(needs: &[Need]) -> bool {
    let name = test_name();
    DECLARED.with(|d| {
        let mut d = d.borrow_mut();
        if d.0 != name {
            *d = (name.clone(), Vec::new());
        }
        d.1.extend_from_slice(needs);
    });
    let missing: Vec<String> = needs.iter().filter_map(|n| n.missing()).collect();
    if missing.is_empty() {
        return true;
    }
    let what = missing.join("; ");
    if strict() {
        panic!(
            "this test needs {what}: under scripts/test and in CI nothing is skipped; \
             scripts/setup installs it"
        );
    }
    skip(&format!(
        "needs {what}; run `scripts/test` to install it and run every test"
    ));
    false
}

/// Says on stderr, in one line, that the calling test is skipped and why (the caller then
/// returns). Straight to the process's stderr: libtest would swallow `eprintln!` of a test that
/// passes.
pub fn skip(why: &str) {
    let line = format!(
        "skipped {}: {why}\n",
        test_name().as_deref().unwrap_or("a test")
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Fails the calling test unless it declared `need` with [`require!`] (on the test's thread;
/// helper threads of a test are not checked).
#[track_caller]
pub fn check_declared(need: Need, what: &str) {
    let name = test_name();
    let declared = DECLARED.with(|d| {
        let d = d.borrow();
        d.0 == name && d.1.iter().any(|n| n.covers(need))
    });
    let on_test_thread = name.as_deref().is_some_and(|n| n != "main");
    if on_test_thread && !declared {
        panic!(
            "this test uses {what} without declaring it: start it with `require!({need:?});` \
             so that it skips, instead of failing, where {what} is not installed"
        );
    }
}

/// [`check_declared`] for a program on PATH; programs that belong to no [`Need`] (sh, env…)
/// are taken for granted.
#[track_caller]
pub fn check_tool_declared(tool: &str) {
    if let Some(need) = Need::of_tool(tool) {
        check_declared(need, &format!("`{tool}`"));
    }
}

/// `name` on PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Where `scripts/setup` puts the venv.
fn default_venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv")
}

/// The test venv: `$MFA_MINT_TEST_VENV`, else the one a past `scripts/test` left in
/// `target/test-venv`; `None` when neither has moto and the AWS CLI.
pub fn venv_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["moto_server", "aws"]
            .iter()
            .all(|tool| dir.join("bin").join(tool).is_file())
    };
    match std::env::var_os(VENV_VAR).filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)).filter(|d| complete(d)),
        None => Some(default_venv()).filter(|d| complete(d)),
    }
}

/// Skips (outside `scripts/test` and CI) or fails the calling test unless every named
/// [`Need`] is there; see the module docs. Use it as the test's first statement.
macro_rules! require {
    ($($need:ident),+ $(,)?) => {
        if !$crate::support::need::available(&[$($crate::support::need::Need::$need),+]) {
            return;
        }
    };
}
