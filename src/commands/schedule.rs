//! `mfa-mint schedule install|show|remove`: the periodic refresh job, which profiles are added
//! to and removed from (see `crate::schedule::plan` for the rules).

use crate::cli::ScheduleCommand;
use crate::config::Context;
use crate::config::{self, Overrides, ProfileConfig};
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::schedule::interval::{self, human};
use crate::schedule::plan::{self, IntervalChange, Removal};
use crate::schedule::{self, Installed, Job, Platform};

pub(crate) fn run(ctx: &mut Context, cmd: ScheduleCommand) -> Result<u8, Error> {
    match cmd {
        ScheduleCommand::Install {
            profiles,
            profile_flags,
            every,
            platform,
            print,
        } => install(
            ctx,
            &[profiles, profile_flags].concat(),
            every.as_deref(),
            platform.unwrap_or_else(Platform::default_for_os),
            print,
        ),
        ScheduleCommand::Show { platform } => {
            show(platform.unwrap_or_else(Platform::default_for_os))
        }
        ScheduleCommand::Remove {
            profiles,
            profile_flags,
            platform,
        } => remove(
            &[profiles, profile_flags].concat(),
            platform.unwrap_or_else(Platform::default_for_os),
        ),
    }
}

/// The names given, each once, in order.
fn distinct(profiles: &[String]) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for p in profiles {
        config::check_name(p)?;
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The session length of a profile, resolved as a run of the job resolves it, so a job that
/// could only fail is never installed: a profile mfa-mint does not know is refused with the
/// closest name it knows, one without an MFA device or long-term keys with what is missing.
fn session_of(ctx: &Context, profile: &str) -> Result<u64, Error> {
    let files = ctx.files()?;
    config::check_known(files, profile)?;
    if files
        .config_value(profile, config::keys::ROLE_ARN)
        .is_some()
    {
        // The job mints into the credentials file; a role is served from its base's session.
        let source = files.config_value(profile, config::keys::SOURCE_PROFILE);
        return Err(Error::ScheduleRole {
            profile: profile.to_string(),
            base: config::role_base(files, profile, source.as_deref()).map_err(Box::new),
        });
    }
    // The job would mint into the file, where a session shadows credential_process.
    config::check_no_credential_process(files, profile)?;
    let cfg = ProfileConfig::resolve(ctx.files()?, profile, &Overrides::default(), &ctx.env)?;
    Ok(cfg.timing.duration)
}

fn install(
    ctx: &Context,
    profiles: &[String],
    every: Option<&str>,
    platform: Platform,
    print: bool,
) -> Result<u8, Error> {
    // Everything the user typed is checked before anything is read or written.
    let named = distinct(profiles)?;
    let every = every
        .map(|text| {
            let secs = crate::duration::parse(text).map_err(|source| Error::Duration {
                flag: "--every",
                source,
            })?;
            Ok::<_, Error>(interval::check(secs, text)?.secs())
        })
        .transpose()?;
    let sessions = named
        .iter()
        .map(|p| session_of(ctx, p).map(|s| (p.as_str(), s)))
        .collect::<Result<Vec<_>, _>>()?;
    let exe = std::env::current_exe().map_err(|e| Error::Io {
        action: "find the path of mfa-mint".into(),
        source: e,
    })?;
    let log_file = crate::state::dirs::state_dir()
        .ok_or(crate::state::Error::NoStateDir)?
        .join("schedule.log");

    if print {
        let current = match schedule::read(platform) {
            Ok(current) => current,
            // Printing for a scheduler this machine does not have (a task XML on Linux): there
            // is no job to add to.
            Err(schedule::Error::ToolMissing { .. }) => None,
            Err(e) => {
                output::status(&format!(
                    "(the installed job could not be read, so this shows the named profiles only: {e})"
                ));
                None
            }
        };
        let merged = merge(current.as_ref(), &named, every);
        check_sessions(&sessions, merged.every_secs)?;
        let job = Job {
            exe,
            profiles: merged.profiles,
            every_secs: merged.every_secs,
            log_file,
        };
        output::out!("{}", schedule::render(platform, &job));
        return Ok(exit::OK);
    }

    let _lock = schedule::lock()?;
    let current = schedule::read(platform)?;
    let merged = merge(current.as_ref(), &named, every);
    check_sessions(&sessions, merged.every_secs)?;
    let job = Job {
        exe,
        profiles: merged.profiles.clone(),
        every_secs: merged.every_secs,
        log_file,
    };
    let location = schedule::install(platform, &job)?;
    if let Some(dir) = job.log_file.parent() {
        // The job's runs append to the log but do not create its folder.
        let _ = crate::state::dirs::create_private_dir(dir);
    }
    let every_text = human(job.every_secs);
    let scheduled = job.profiles.join(", ");
    output::status(&match (merged.added.as_slice(), current.is_some()) {
        (_, false) => format!("scheduled {scheduled} every {every_text} ({platform}: {location})"),
        ([], true) => format!(
            "already scheduled; the job refreshes {scheduled} every {every_text} ({platform}: {location})"
        ),
        (added, true) => format!(
            "added {} to the schedule; the job refreshes {scheduled} every {every_text} ({platform}: {location})",
            added.join(", ")
        ),
    });
    match merged.interval {
        IntervalChange::Shortened { from } | IntervalChange::Lengthened { from } => {
            output::status(&format!(
                "the job now runs every {every_text} (was every {})",
                human(from)
            ))
        }
        IntervalChange::KeptShorter { asked } => output::status(&format!(
            "the job keeps running every {every_text}, more often than --every {} asks: the shortest interval asked for wins (name every scheduled profile to run less often)",
            human(asked)
        )),
        IntervalChange::New | IntervalChange::Unchanged => {}
    }
    output::status(&format!(
        "Each run logs one line to {}; `mfa-mint status` shows the last outcome.",
        job.log_file.display()
    ));
    Ok(exit::OK)
}

fn merge(current: Option<&Installed>, named: &[String], every: Option<u64>) -> plan::Merged {
    plan::install(
        current.map(|c| (c.job.profiles.as_slice(), c.job.every_secs)),
        named,
        every,
    )
}

fn check_sessions(sessions: &[(&str, u64)], every_secs: u64) -> Result<(), Error> {
    for (profile, session) in sessions {
        interval::check_session(every_secs, profile, *session)?;
    }
    Ok(())
}

/// An argument as a person would type it (quoted when it holds a space or a quote).
fn shown(arg: &str) -> String {
    if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        format!("\"{}\"", arg.replace('"', "\\\""))
    } else {
        arg.to_string()
    }
}

fn show(platform: Platform) -> Result<u8, Error> {
    match schedule::read(platform)? {
        None => output::status(&format!(
            "no mfa-mint schedule is installed ({platform}); `mfa-mint schedule install PROFILE` adds one"
        )),
        Some(Installed { job, location }) => {
            let command: Vec<String> = job.argv().iter().map(|a| shown(a)).collect();
            output::outln!(
                "profiles: {}\nevery: {}\nscheduler: {platform} ({location})\ncommand: {}",
                job.profiles.join(" "),
                human(job.every_secs),
                command.join(" ")
            );
        }
    }
    Ok(exit::OK)
}

fn remove(profiles: &[String], platform: Platform) -> Result<u8, Error> {
    let named = distinct(profiles)?;
    let _lock = schedule::lock()?;
    if named.is_empty() {
        // Removing everything needs no reading of the job, so a job edited by hand (which install
        // refuses to overwrite) can still be removed.
        let what = match schedule::read(platform) {
            Ok(Some(installed)) => installed.job.profiles.join(", "),
            Ok(None) | Err(schedule::Error::Unreadable { .. }) => "every profile".into(),
            Err(e) => return Err(e.into()),
        };
        if schedule::remove(platform)? {
            output::status(&format!(
                "removed the mfa-mint schedule for {what} ({platform})"
            ));
        } else {
            output::status(&format!("no mfa-mint schedule was installed ({platform})"));
        }
        return Ok(exit::OK);
    }
    let Some(Installed { job, location }) = schedule::read(platform)? else {
        return Err(schedule::Error::NotScheduled {
            profiles: named,
            scheduled: Vec::new(),
        }
        .into());
    };
    match plan::remove(&job.profiles, &named)? {
        Removal::All => {
            schedule::remove(platform)?;
            output::status(&format!(
                "removed the mfa-mint schedule for {} ({platform})",
                job.profiles.join(", ")
            ));
        }
        Removal::Keep(rest) => {
            let kept = Job {
                profiles: rest,
                ..job
            };
            schedule::install(platform, &kept)?;
            output::status(&format!(
                "removed {} from the schedule; the job refreshes {} every {} ({platform}: {location})",
                named.join(", "),
                kept.profiles.join(", "),
                human(kept.every_secs)
            ));
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_shown_as_typed() {
        assert_eq!(shown("dev"), "dev");
        assert_eq!(shown("/a b/mfa-mint"), "\"/a b/mfa-mint\"");
        assert_eq!(shown(""), "\"\"");
    }
}
