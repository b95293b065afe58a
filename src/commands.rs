//! Glue between parsed arguments and the library: runs a command and prints its result.

use serde_json::json;

use crate::cli::{
    CodeArgs, EnrollArgs, EnvArgs, ExecArgs, ExportArgs, ImportArgs, KeysCommand, MintArgs,
    MintingArgs, ScheduleCommand, SessionArgs, SetupArgs,
};
use crate::clock::{format_rfc3339, human_duration, now_secs};
use crate::error::{Error, exit};
use crate::mint::{self, Outcome};
use crate::runlog;
use crate::seeds::Seeds;
use crate::ui;

/// The profile named on the command line, else `$AWS_PROFILE`.
fn profiles_or_env(given: &[String]) -> Result<Vec<String>, Error> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    match std::env::var("AWS_PROFILE") {
        Ok(p) if !p.trim().is_empty() => Ok(vec![p]),
        _ => Err(Error::NoProfile),
    }
}

pub fn mint(args: &MintArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profiles = if args.all {
        let all = crate::profile::mfa_profiles(&crate::profile::Files::load()?);
        if all.is_empty() {
            return Err(Error::NoMfaProfiles);
        }
        all
    } else {
        profiles_or_env(&args.profiles)?
    };
    let opts = minting_options(&args.minting)?;
    let mut first_error: Option<Error> = None;
    for profile in &profiles {
        let result = mint::mint(profile, &opts, seeds);
        let entry = runlog::Entry {
            profile: profile.clone(),
            at: now_secs() as i64,
            outcome: match &result {
                Ok(o) => o.name().to_string(),
                Err(_) => "error".to_string(),
            },
            expiration: result.as_ref().ok().map(Outcome::expiration),
            exit_code: result.as_ref().map_or_else(Error::exit_code, |_| exit::OK),
            message: result.as_ref().err().map(ToString::to_string),
        };
        runlog::record(&entry);
        if let Some(path) = &args.log_file
            && let Err(e) = runlog::append(path, &entry)
        {
            ui::warn(&format!("cannot append to {}: {e}", path.display()));
        }
        match result {
            Ok(outcome) => report(profile, &outcome, args.json),
            Err(e) if profiles.len() == 1 => return Err(e),
            Err(e) => {
                eprint!("{profile}: {}", e.render());
                if args.json {
                    println!(
                        "{}",
                        json!({"profile": profile, "outcome": "error", "exit_code": e.exit_code(), "error": e.to_string()})
                    );
                }
                first_error.get_or_insert(e);
            }
        }
    }
    Ok(first_error.map_or(exit::OK, |e| e.exit_code()))
}

fn report(profile: &str, outcome: &Outcome, json: bool) {
    let expiration = outcome.expiration();
    let left = expiration - now_secs() as i64;
    if json {
        println!(
            "{}",
            json!({
                "profile": profile,
                "outcome": outcome.name(),
                "expiration": format_rfc3339(expiration),
                "seconds_remaining": left.max(0),
            })
        );
    }
    let when = format_rfc3339(expiration);
    let left = human_duration(left);
    ui::status(&match outcome {
        Outcome::Minted { .. } => {
            format!("{profile}: minted a session valid until {when} ({left})")
        }
        Outcome::Fresh { .. } => format!(
            "{profile}: session still fresh until {when} ({left} left); nothing to do (--force mints anyway)"
        ),
    });
}

pub fn import(args: &ImportArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let done = crate::import::import(args, seeds)?;
    if args.json {
        println!(
            "{}",
            json!({
                "profile": args.profile,
                "serial": done.serial,
                "keyring": done.backend.to_string(),
                "replaced": done.replaced,
                "unchanged": done.unchanged,
            })
        );
    }
    let what = if done.unchanged {
        "already held this seed"
    } else if done.replaced {
        "replaced the seed"
    } else {
        "stored the seed"
    };
    ui::status(&format!(
        "The {} keyring {what} for {}; profile {} uses it.\nNext: `mfa-mint code {}` prints the current code, `mfa-mint {}` mints a session.",
        done.backend, done.serial, args.profile, args.profile, args.profile
    ));
    Ok(exit::OK)
}

pub fn code(args: &CodeArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = profiles_or_env(args.profile.as_slice())?.remove(0);
    let code = crate::code::code(&profile, seeds)?;
    if args.json {
        println!(
            "{}",
            json!({
                "profile": profile,
                "code": code.code,
                "seconds_remaining": code.seconds_remaining,
                "period": code.period,
            })
        );
    } else {
        println!("{}", code.code);
    }
    Ok(exit::OK)
}

/// A `--timeout` value, clamped to 1 s .. 10 min.
fn timeout(value: &str) -> Result<std::time::Duration, Error> {
    let secs = crate::duration::parse(value).map_err(|source| Error::Duration {
        flag: "--timeout",
        source,
    })?;
    Ok(std::time::Duration::from_secs(secs.clamp(1, 600)))
}

fn minting_options(args: &MintingArgs) -> Result<mint::Options, Error> {
    Ok(mint::Options {
        source: args.source.clone(),
        duration: args.duration.clone(),
        min_remaining: args.min_remaining.clone(),
        force: args.force,
        timeout: timeout(&args.timeout)?,
    })
}

fn session_options(args: &SessionArgs) -> Result<(String, mint::Options), Error> {
    let profile = profiles_or_env(args.profile.as_slice())?.remove(0);
    Ok((profile, minting_options(&args.minting)?))
}

pub fn credential_process(args: &SessionArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(args)?;
    crate::session::credential_process(&profile, &opts, seeds)
}

pub fn exec(args: &ExecArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    crate::session::exec(&profile, &opts, &args.command, seeds)
}

pub fn env(args: &EnvArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    crate::session::env(&profile, &opts, args.shell, seeds)
}

pub fn setup_credential_process(args: &SetupArgs) -> Result<u8, Error> {
    let line = crate::session::setup_credential_process(&args.profile)?;
    ui::status(&format!(
        "[profile {}] now has credential_process = {line}\nTry it: aws sts get-caller-identity --profile {}",
        args.profile, args.profile
    ));
    Ok(exit::OK)
}

pub fn keys(cmd: KeysCommand, seeds: &mut Seeds) -> Result<u8, Error> {
    match cmd {
        KeysCommand::Import { source } => {
            let key = crate::keys::import(&source, seeds)?;
            ui::status(&format!(
                "Moved the long-term keys of [{source}] ({key}) into the {} keyring and removed them from the credentials file.",
                seeds.backend()?
            ));
        }
        KeysCommand::Export { source } => {
            let key = crate::keys::export(&source, seeds)?;
            ui::status(&format!(
                "Put the long-term keys of [{source}] ({key}) back into the credentials file and removed them from the keyring."
            ));
        }
    }
    Ok(exit::OK)
}

pub fn schedule(cmd: ScheduleCommand) -> Result<u8, Error> {
    use crate::schedule::{self, Platform};
    match cmd {
        ScheduleCommand::Install {
            profiles,
            every,
            platform,
            print,
        } => {
            for p in &profiles {
                crate::profile::check_name(p)?;
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
            let log_file = crate::dirs::state_dir()
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
                print!("{}", schedule::render(platform, &job));
            } else {
                let done = schedule::install(platform, &job)?;
                ui::status(&format!(
                    "{done}\nEach run logs one line to {}; `mfa-mint status` shows the last outcome.",
                    job.log_file.display()
                ));
            }
        }
        ScheduleCommand::Show { platform } => {
            match schedule::show(platform.unwrap_or_else(Platform::default_for_os))? {
                Some(text) => println!("{}", text.trim_end()),
                None => {
                    ui::status("no mfa-mint schedule is installed");
                    return Ok(exit::CONFIG);
                }
            }
        }
        ScheduleCommand::Remove { platform } => {
            if schedule::remove(platform.unwrap_or_else(Platform::default_for_os))? {
                ui::status("removed the mfa-mint schedule");
            } else {
                ui::status("no mfa-mint schedule was installed");
            }
        }
    }
    Ok(exit::OK)
}

/// Prints the QR forms asked for, each with the warning that it is the secret.
fn show_secret(
    uri: &crate::secret::SecretText,
    show_qr: bool,
    qr_png: Option<&std::path::Path>,
    print_uri: bool,
) -> Result<(), Error> {
    let qr_err = |e: crate::qr::Error| Error::Io {
        action: "render the QR code".into(),
        source: std::io::Error::other(e.to_string()),
    };
    if show_qr || qr_png.is_some() || print_uri {
        eprintln!("warning: {}", crate::enroll::QR_WARNING);
    }
    if show_qr {
        println!(
            "{}",
            crate::qr::terminal(uri.expose_secret()).map_err(qr_err)?
        );
    }
    if let Some(path) = qr_png {
        let png = zeroize::Zeroizing::new(crate::qr::png(uri.expose_secret()).map_err(qr_err)?);
        crate::enroll::write_png(path, &png)?;
        ui::status(&format!(
            "wrote the QR code to {} (mode 0600)",
            path.display()
        ));
    }
    if print_uri {
        println!("{}", uri.expose_secret());
    }
    Ok(())
}

pub fn enroll(args: &EnrollArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let done = crate::enroll::enroll(
        &crate::enroll::Request {
            profile: &args.profile,
            device_name: &args.device_name,
            user: args.user.as_deref(),
            source: args.source.as_deref(),
            timeout: timeout(&args.timeout)?,
        },
        seeds,
    )?;
    if args.json {
        println!(
            "{}",
            json!({"profile": args.profile, "serial": done.serial, "user": done.user, "enabled": true})
        );
    }
    ui::status(&format!(
        "Enabled {} for IAM user {}; its seed is in the {} keyring and profile {} uses it.\nNext: `mfa-mint {}` mints a session.",
        done.serial,
        done.user,
        seeds.backend()?,
        args.profile,
        args.profile
    ));
    show_secret(&done.key_uri(), args.show_qr, args.qr_png.as_deref(), false)?;
    Ok(exit::OK)
}

pub fn export(args: &ExportArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let uri = crate::enroll::exported_uri(&args.profile, seeds)?;
    if !args.yes {
        if !ui::interactive() {
            return Err(Error::ConfirmExport);
        }
        if !ui::confirm("This shows your MFA secret. Continue?") {
            return Err(Error::Declined);
        }
    }
    show_secret(&uri, args.show_qr, args.qr_png.as_deref(), args.uri)?;
    Ok(exit::OK)
}

pub fn list(seeds: &mut Seeds) -> Result<u8, Error> {
    let devices = crate::manage::list(seeds)?;
    if devices.is_empty() {
        ui::status("no profile is set up yet: mfa-mint import PROFILE --serial ARN < seed.txt");
    }
    for d in devices {
        let seed = match d.seed {
            Some(true) => "seed stored",
            Some(false) => "NO seed",
            None => "keyring unavailable",
        };
        println!(
            "{}\t{}\t{seed}\t{}",
            d.profile,
            crate::status::mask_serial(&d.serial),
            d.label.as_deref().unwrap_or("-")
        );
    }
    Ok(exit::OK)
}

pub fn remove(profile: &str, yes: bool, seeds: &mut Seeds) -> Result<u8, Error> {
    if !yes {
        if !ui::interactive() {
            return Err(Error::ConfirmRemove);
        }
        if !ui::confirm(&format!(
            "Delete the MFA seed of profile {profile} from the keyring? It cannot be recovered."
        )) {
            return Err(Error::Declined);
        }
    }
    let done = crate::manage::remove(profile, seeds)?;
    let seed = match (&done.serial, done.seed_deleted, done.shared_with.is_empty()) {
        (None, _, _) => "it had no device".to_string(),
        (Some(_), _, false) => format!(
            "its seed stays in the keyring for {}",
            done.shared_with.join(", ")
        ),
        (Some(_), true, true) => "its seed was deleted from the keyring".to_string(),
        (Some(_), false, true) => "no seed was stored".to_string(),
    };
    ui::status(&format!("removed mfa-mint's settings of {profile}; {seed}"));
    Ok(exit::OK)
}
