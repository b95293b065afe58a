//! `mfa-mint schedule install|show|remove`: the periodic refresh job.

use crate::cli::ScheduleCommand;
use crate::error::{Error, exit};
use crate::output;

pub(crate) fn run(cmd: ScheduleCommand) -> Result<u8, Error> {
    use crate::schedule::{self, Platform};
    match cmd {
        ScheduleCommand::Install {
            profiles,
            profile_flags,
            every,
            platform,
            print,
        } => {
            let profiles = [profiles, profile_flags].concat();
            for p in &profiles {
                crate::config::check_name(p)?;
            }
            let every_secs = crate::duration::parse(&every).map_err(|source| Error::Duration {
                flag: "--every",
                source,
            })?;
            schedule::check_interval(every_secs).map_err(|reason| Error::Duration {
                flag: "--every",
                source: crate::duration::Error::Unparsable {
                    value: format!("{every} ({reason})"),
                },
            })?;
            let exe = std::env::current_exe().map_err(|e| Error::Io {
                action: "find the path of mfa-mint".into(),
                source: e,
            })?;
            let log_file = crate::state::dirs::state_dir()
                .ok_or(crate::state::Error::NoStateDir)?
                .join("schedule.log");
            let job = schedule::Job {
                exe,
                profiles,
                every_secs,
                log_file,
            };
            let platform = platform.unwrap_or_else(Platform::default_for_os);
            if print {
                crate::output::out!("{}", schedule::render(platform, &job));
            } else {
                let done = schedule::install(platform, &job)?;
                output::status(&format!(
                    "{done}\nEach run logs one line to {}; `mfa-mint status` shows the last outcome.",
                    job.log_file.display()
                ));
            }
        }
        ScheduleCommand::Show { platform } => {
            match schedule::show(platform.unwrap_or_else(Platform::default_for_os))? {
                Some(text) => crate::output::outln!("{}", text.trim_end()),
                None => {
                    output::status("no mfa-mint schedule is installed");
                    return Ok(exit::CONFIG);
                }
            }
        }
        ScheduleCommand::Remove { platform } => {
            if schedule::remove(platform.unwrap_or_else(Platform::default_for_os))? {
                output::status("removed the mfa-mint schedule");
            } else {
                output::status("no mfa-mint schedule was installed");
            }
        }
    }
    Ok(exit::OK)
}
