//! No core dumps of a process that holds secrets (issue 22), as ssh-agent and gpg-agent do.
//!
//! mfa-mint holds the seed, long-term secret key and session token in memory for the length of
//! one command. A crash or a SIGQUIT with core dumps enabled would write them to disk (a core
//! file, systemd-coredump's journal, apport's crash reports). At start-up:
//! - Linux: `RLIMIT_CORE` 0 and `PR_SET_DUMPABLE` 0. The second also covers crashes that a
//!   core-dump *pipe* handler (systemd-coredump, apport) would take despite the limit, and keeps
//!   other processes of the same user from attaching with ptrace or reading `/proc/PID/mem`.
//! - macOS and other Unix: `RLIMIT_CORE` 0.
//! - Windows: nothing to set from a program without unsafe code; see SECURITY.md (WER).
//!
//! `exec` gives its command the core-dump limit mfa-mint was started with: a fresh program
//! holds none of our buffers, and execve resets "dumpable" on its own.

#[cfg(unix)]
use std::sync::OnceLock;

/// The soft core-dump limit mfa-mint was started with (`None`: unlimited), for `exec`'s child.
#[cfg(unix)]
static STARTED_WITH: OnceLock<Option<u64>> = OnceLock::new();

/// What was done, for the `-vv` line; a failure is not fatal (a sandbox may refuse it).
#[derive(Debug, Default)]
#[allow(dead_code)] // Read through Debug; never set on Windows.
pub struct Report {
    pub core_limit_zero: bool,
    pub not_dumpable: bool,
}

/// Turns core dumps off for this process. Call first thing.
pub fn no_core_dumps() -> Report {
    #[allow(unused_mut)]
    let mut report = Report::default();
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let before = getrlimit(Resource::Core);
        let _ = STARTED_WITH.set(before.current);
        // Only the soft limit: the hard one stays, so `exec` can hand the old one back.
        report.core_limit_zero = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: before.maximum,
            },
        )
        .is_ok();
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        report.not_dumpable = set_dumpable_behavior(DumpableBehavior::NotDumpable).is_ok();
    }
    report
}

/// Gives a program about to replace this process (`exec`) the core-dump limit we started with.
#[cfg(unix)]
pub fn restore_for_child() {
    if let Some(current) = STARTED_WITH.get() {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let now = getrlimit(Resource::Core);
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: *current,
                maximum: now.maximum,
            },
        );
    }
}
