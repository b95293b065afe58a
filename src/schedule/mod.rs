//! `mfa-mint schedule install|show|remove`: one periodic `mfa-mint PROFILE…` job per user and
//! scheduler, which profiles are added to and removed from (issue 12).
//!
//! Rendering and reading back are pure and tested for every platform on every platform:
//! [`cron`] (a crontab line), [`systemd`] (a user timer), [`launchd`] (a LaunchAgent plist),
//! [`task`] (a Windows Task Scheduler task XML). [`plan`] merges an install or a removal into the
//! job already installed; [`host`] reads, writes and removes the job with the platform's own tool
//! (`crontab`, `systemctl --user`, `launchctl`, `schtasks`) and undoes a failed install.

pub mod cron;
mod error;
mod host;
pub mod interval;
pub mod launchd;
pub mod plan;
pub mod systemd;
pub mod task;
#[cfg(test)]
mod task_schema;
mod xml;

use std::path::PathBuf;

pub use error::Error;
pub use host::{install, lock, read, remove};

/// Marks our crontab line, so `remove` finds it and nothing else.
pub const CRON_MARKER: &str = "# mfa-mint-schedule";
pub const SYSTEMD_UNIT: &str = "mfa-mint-refresh";
pub const LAUNCHD_LABEL: &str = "io.mfa-mint.refresh";
pub const TASK_NAME: &str = "mfa-mint refresh";
/// Overrides the `crontab` program (tests, unusual systems).
pub const CRONTAB_ENV: &str = crate::env_vars::MFA_MINT_CRONTAB;

/// `schedule install --help`: the exact job it writes (issue 17). The example line is checked
/// against [`cron::render`] by a test, so it cannot drift from what is installed.
pub const INSTALL_HELP: &str = "\
Add profiles to the periodic refresh job, creating it if needed: one job refreshes every \
scheduled profile. Every DURATION (--every) the job runs

  mfa-mint mint --min-remaining DURATION+10m --quiet --non-interactive --log-file STATE_DIR/schedule.log -- PROFILE...

which refreshes each session that has less than the interval plus 10 minutes left, so a run \
always comes before a session expires (`mint --` before the profiles keeps a profile named \
like a command, e.g. `code`, a profile). For example `mfa-mint schedule install dev --every 1h` \
with cron adds this line to your crontab:

  7 * * * * /home/me/.cargo/bin/mfa-mint mint --min-remaining 70m --quiet --non-interactive --log-file /home/me/.local/state/mfa-mint/schedule.log -- dev # mfa-mint-schedule

With systemd it writes ~/.config/systemd/user/mfa-mint-refresh.service and .timer (a calendar \
timer with Persistent=true, so runs missed while the machine was off happen at once); with \
launchd ~/Library/LaunchAgents/io.mfa-mint.refresh.plist, loaded with `launchctl bootstrap \
gui/UID`; on Windows the task \"mfa-mint refresh\", registered from its XML with `schtasks \
/Create /XML` and run through `conhost.exe --headless` so no window opens. --print shows the \
exact line, files or task XML for your profiles without installing anything.

Profiles add up: installing prod after dev refreshes both. A shorter --every becomes the job's \
interval; a longer one is kept only when the install names every scheduled profile (otherwise \
the job keeps its shorter interval). The interval plus 10 minutes must fit in each profile's \
session (12h unless mfa_mint_duration says otherwise). Each run appends one line to the log \
file; `mfa-mint status` shows the last outcome.";

/// A scheduler; `--platform` also takes the OS names people type (linux, macos, windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    /// The user's crontab (Linux default)
    #[value(alias = "linux")]
    Cron,
    /// A systemd user timer that catches up missed runs
    Systemd,
    /// A LaunchAgent (macOS default)
    #[value(alias = "macos")]
    Launchd,
    /// A Task Scheduler task (Windows default)
    #[value(alias = "windows")]
    Schtasks,
}

impl Platform {
    pub fn default_for_os() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::Launchd
        } else if cfg!(windows) {
            Platform::Schtasks
        } else {
            Platform::Cron
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Platform::Cron => "cron",
            Platform::Systemd => "systemd",
            Platform::Launchd => "launchd",
            Platform::Schtasks => "schtasks",
        })
    }
}

/// What the job runs and how often: `EXE mint --min-remaining M --quiet --non-interactive
/// --log-file LOG -- PROFILE…` every `every_secs`. `mint --` spells out the command and ends the
/// options, so a profile named like a command (`code`, `mint`) is minted, not run as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub exe: PathBuf,
    pub profiles: Vec<String>,
    pub every_secs: u64,
    pub log_file: PathBuf,
}

impl Job {
    /// The arguments after the program: `mint`, the unattended flags, `--`, the profiles.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "mint".to_string(),
            // Refresh while a run is still due before expiry: the window exceeds the interval.
            "--min-remaining".to_string(),
            interval::min_remaining(self.every_secs),
            "--quiet".to_string(),
            "--non-interactive".to_string(),
            "--log-file".to_string(),
            self.log_file.display().to_string(),
            "--".to_string(),
        ];
        args.extend(self.profiles.iter().cloned());
        args
    }

    /// The program, then [`Job::args`].
    pub fn argv(&self) -> Vec<String> {
        let mut argv = vec![self.exe.display().to_string()];
        argv.extend(self.args());
        argv
    }

    /// Reads back what [`Job::argv`] wrote, or what versions before 0.3 wrote (`EXE PROFILE…
    /// --min-remaining …`, rewritten in the new form by the next install); `None` when it is in
    /// neither form.
    pub fn from_argv(argv: &[String], every_secs: u64) -> Option<Job> {
        let (exe, args) = argv.split_first()?;
        let (flags, profiles) = match args.split_first() {
            Some((mint, rest)) if mint == "mint" => {
                let end = rest.iter().position(|a| a == "--")?;
                (&rest[..end], rest[end + 1..].to_vec())
            }
            _ => {
                let flags = args.iter().position(|a| a.starts_with("--"))?;
                (&args[flags..], args[..flags].to_vec())
            }
        };
        let log_file = flags
            .iter()
            .position(|a| a == "--log-file")
            .and_then(|i| flags.get(i + 1))?;
        (!profiles.is_empty() && interval::Step::of(every_secs).is_some()).then(|| Job {
            exe: PathBuf::from(exe),
            profiles,
            every_secs,
            log_file: PathBuf::from(log_file),
        })
    }
}

/// A job found installed, and where it lives (for `show`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub job: Job,
    pub location: String,
}

/// Everything `--print` shows for a platform: the exact files or line `install` writes.
pub fn render(platform: Platform, job: &Job) -> String {
    match platform {
        Platform::Cron => format!(
            "# crontab line (installed with `crontab -l` / `crontab -`):\n{}",
            cron::render(job)
        ),
        Platform::Systemd => systemd::render(job)
            .iter()
            .map(|(name, content)| format!("# ~/.config/systemd/user/{name}\n{content}\n"))
            .collect(),
        Platform::Launchd => format!(
            "# ~/Library/LaunchAgents/{LAUNCHD_LABEL}.plist\n{}",
            launchd::render(job)
        ),
        Platform::Schtasks => format!(
            "{}\n{}",
            task::render(job, task::user_from_env().as_deref()),
            task::PRINT_NOTE
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn job() -> Job {
        Job {
            exe: PathBuf::from("/home/al ice/.cargo/bin/mfa-mint"),
            profiles: vec!["dev".into(), "prod".into()],
            every_secs: 3600,
            log_file: PathBuf::from("/home/al ice/.local/state/mfa-mint/schedule.log"),
        }
    }

    #[test]
    fn argv_round_trips() {
        let j = job();
        assert_eq!(
            j.args(),
            [
                "mint",
                "--min-remaining",
                "70m",
                "--quiet",
                "--non-interactive",
                "--log-file",
                "/home/al ice/.local/state/mfa-mint/schedule.log",
                "--",
                "dev",
                "prod",
            ]
        );
        assert_eq!(Job::from_argv(&j.argv(), 3600), Some(j.clone()));
        // What earlier versions installed still reads back (and is rewritten by an install).
        let mut old = vec![j.exe.display().to_string(), "dev".into(), "prod".into()];
        old.extend(j.args()[1..7].iter().cloned());
        assert_eq!(Job::from_argv(&old, 3600), Some(j.clone()));
        // Profiles named like commands or flags stay profiles after `--`.
        let mut odd = j.clone();
        odd.profiles = vec!["code".into(), "mint".into()];
        assert_eq!(Job::from_argv(&odd.argv(), 3600), Some(odd));
        // Not ours: no profile, no log file, an interval no schedule has.
        let argv = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Job::from_argv(&argv(&["x", "--quiet", "--log-file", "l"]), 3600),
            None
        );
        assert_eq!(Job::from_argv(&argv(&["x", "dev", "--quiet"]), 3600), None);
        assert_eq!(
            Job::from_argv(&argv(&["x", "mint", "--log-file", "l", "--"]), 3600),
            None
        );
        assert_eq!(
            Job::from_argv(&argv(&["x", "mint", "--log-file", "l", "dev"]), 3600),
            None
        );
        assert_eq!(Job::from_argv(&j.argv(), 45 * 60), None);
    }

    #[test]
    fn install_help_shows_the_exact_line() {
        let example = Job {
            exe: PathBuf::from("/home/me/.cargo/bin/mfa-mint"),
            profiles: vec!["dev".into()],
            every_secs: 3600,
            log_file: PathBuf::from("/home/me/.local/state/mfa-mint/schedule.log"),
        };
        let line = cron::render(&example);
        assert!(INSTALL_HELP.contains(&format!("\n  {line}")), "{line}");
        let template = example.args().join(" ");
        assert!(
            INSTALL_HELP.contains(
                &template
                    .replace("dev", "PROFILE...")
                    .replace("70m --quiet", "DURATION+10m --quiet")
                    .replace("/home/me/.local/state/mfa-mint", "STATE_DIR")
            ),
            "{template}"
        );
    }
}
