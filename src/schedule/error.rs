//! What can go wrong with a schedule, each with its exit code and a hint.

use super::interval::human;
use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "--every {every} cannot be scheduled exactly: a schedule runs every 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 minutes, or every 1, 2, 3, 4, 6, 8, 12 or 24 hours"
    )]
    Interval {
        every: String,
        shorter: Option<u64>,
        longer: Option<u64>,
    },
    #[error(
        "the job would run every {}, but a session of profile {profile:?} lasts {}: it would expire before the next run refreshes it",
        human(*every_secs),
        human(*session_secs)
    )]
    LongerThanSession {
        profile: String,
        every_secs: u64,
        session_secs: u64,
        /// The longest interval that fits the session.
        longest: Option<u64>,
    },
    #[error(
        "{} not scheduled (scheduled: {})",
        names(profiles),
        scheduled_list(scheduled)
    )]
    NotScheduled {
        profiles: Vec<String>,
        scheduled: Vec<String>,
    },
    #[error("cannot run {program}: {source}")]
    ToolMissing {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed: {detail}")]
    ToolFailed { command: String, detail: String },
    #[error("`{command}` printed nothing and exited 0: cannot tell whether the job is installed")]
    NoAnswer { command: String },
    #[error("`{command}` did not finish within {secs} s and was stopped")]
    TimedOut { command: String, secs: u64 },
    #[error("the mfa-mint job in {location} is not in a form mfa-mint wrote (edited by hand?)")]
    Unreadable { location: String },
    #[error("cannot {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error("HOME is not set, so there is no place for the job's files")]
    NoHome,
    #[error("systemd cannot run a program whose path holds a quote or a backslash: {path}")]
    SystemdPath { path: String },
}

fn names(profiles: &[String]) -> String {
    let quoted: Vec<String> = profiles.iter().map(|p| format!("{p:?}")).collect();
    match quoted.as_slice() {
        [one] => format!("profile {one} is"),
        _ => format!("profiles {} are", quoted.join(", ")),
    }
}

fn scheduled_list(profiles: &[String]) -> String {
    if profiles.is_empty() {
        "none".into()
    } else {
        profiles.join(", ")
    }
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interval { .. }
            | Error::LongerThanSession { .. }
            | Error::NotScheduled { .. }
            | Error::SystemdPath { .. } => exit::INPUT,
            Error::ToolMissing { .. }
            | Error::ToolFailed { .. }
            | Error::NoAnswer { .. }
            | Error::TimedOut { .. }
            | Error::Unreadable { .. }
            | Error::Io { .. }
            | Error::NoHome => exit::IO,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Interval {
                shorter, longer, ..
            } => match (shorter, longer) {
                (Some(s), Some(l)) => format!("use --every {} or --every {}", human(*s), human(*l)),
                (Some(s), None) => format!("use --every {} or less", human(*s)),
                (None, Some(l)) => format!("use --every {} or more", human(*l)),
                (None, None) => "use --every 1h".into(),
            },
            Error::LongerThanSession {
                longest: Some(l),
                profile,
                ..
            } => format!(
                "use --every {} or less, or a longer session for {profile} (mfa_mint_duration in its config section)",
                human(*l)
            ),
            Error::LongerThanSession { profile, .. } => format!(
                "give {profile} a longer session (mfa_mint_duration in its config section)"
            ),
            Error::NotScheduled { .. } => {
                "`mfa-mint schedule show` lists the scheduled profiles".into()
            }
            Error::ToolMissing { program, .. } => format!(
                "install {program}, or choose another scheduler with --platform (or --print the job and install it by hand)"
            ),
            Error::ToolFailed { .. } => "check that the scheduler works for your user (`crontab -l`, `systemctl --user status`, `launchctl print gui/$UID`, `schtasks /Query`), or use --print and install the job by hand".into(),
            Error::NoAnswer { .. } => "this scheduler cannot be queried here (wine's schtasks answers nothing); check it with the system's own tools".into(),
            Error::TimedOut { .. } => "the scheduler did not answer (is its service running?); check it with the system's own tools, or use --print and install the job by hand".into(),
            Error::Unreadable { .. } => "remove it with `mfa-mint schedule remove` (or by hand) and install again".into(),
            Error::Io { .. } => "check the permissions of the folder named above".into(),
            Error::NoHome => "set HOME (USERPROFILE on Windows)".into(),
            Error::SystemdPath { .. } => "install mfa-mint in a folder whose path has no quote or backslash, or use --platform cron".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_profiles() {
        let e = Error::NotScheduled {
            profiles: vec!["qa".into()],
            scheduled: vec!["dev".into(), "prod".into()],
        };
        assert_eq!(
            e.to_string(),
            "profile \"qa\" is not scheduled (scheduled: dev, prod)"
        );
        let e = Error::NotScheduled {
            profiles: vec!["a".into(), "b".into()],
            scheduled: vec![],
        };
        assert_eq!(
            e.to_string(),
            "profiles \"a\", \"b\" are not scheduled (scheduled: none)"
        );
        assert_eq!(e.exit_code(), exit::INPUT);
    }
}
