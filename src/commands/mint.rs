//! `mfa-mint [mint] PROFILE…`: mint sessions into the credentials file.

use serde_json::json;

use super::{minting_options, profiles_or_env};
use crate::cli::MintArgs;
use crate::clock::{format_rfc3339, human_duration, now_secs};
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::minter::{self, Outcome};
use crate::output;
use crate::state::runlog;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &MintArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profiles = if args.all {
        // A profile set up for credential_process gets its sessions on demand, not in the file.
        let files = ctx.files()?;
        let all = crate::config::mfa_profiles(files);
        if all.is_empty() {
            return Err(Error::NoMfaProfiles);
        }
        let (all, on_demand): (Vec<String>, Vec<String>) = all
            .into_iter()
            .partition(|p| crate::config::check_no_credential_process(files, p).is_ok());
        for p in &on_demand {
            output::status(&format!(
                "{p}: set up for credential_process, which mints on demand; skipped"
            ));
        }
        if all.is_empty() {
            return Ok(exit::OK);
        }
        all
    } else {
        profiles_or_env(&args.profiles, &args.profile_flags)
    };
    // At the door: a name no AWS tool can address is refused before anything runs or is logged.
    for profile in &profiles {
        crate::config::check_name(profile)?;
    }
    let opts = minting_options(&args.minting)?;
    let mut code = exit::OK;
    let mut only_error: Option<Error> = None;
    // Moving long-term keys out of a target may ask: all before any mint starts. A failure is
    // that profile's outcome; the others go on.
    let mut moved = false;
    let refused: Vec<Option<Error>> = profiles
        .iter()
        .map(|profile| match setup_if_asked(ctx, profile, args.setup) {
            Ok(did) => {
                moved |= did;
                None
            }
            Err(e) => Some(e),
        })
        .collect();
    if moved {
        // This run changed both files: the mints read them as they are now.
        ctx.reload()?;
    }
    let ctx: &Context = ctx;
    minter::batch::mint_all(ctx, &profiles, refused, &opts, seeds, |profile, result| {
        let entry = minter::run_entry(profile, result.as_ref().map(Clone::clone));
        if let Some(path) = &args.log_file
            && let Err(e) = runlog::append(path, &entry)
        {
            output::warn(&format!("cannot append to {}: {e}", path.display()));
        }
        match result {
            Ok(outcome) => report(profile, &outcome, args.json),
            Err(e) => {
                if args.json {
                    crate::output::outln!(
                        "{}",
                        json!({"profile": profile, "outcome": "error", "exit_code": e.exit_code(), "error": e.with_causes()})
                    );
                }
                code = exit::most_severe(code, e.exit_code());
                if profiles.len() == 1 {
                    // Rendered once, with its hint, by the caller.
                    only_error = Some(e);
                } else {
                    crate::output::err!("{profile}: {}", e.render());
                }
            }
        }
    });
    match only_error {
        Some(e) => Err(e),
        None => Ok(code),
    }
}

fn report(profile: &str, outcome: &Outcome, json: bool) {
    let expiration = outcome.expiration();
    let left = expiration - now_secs() as i64;
    if json {
        crate::output::outln!(
            "{}",
            json!({
                "profile": profile,
                "outcome": outcome.name(),
                "expiration": format_rfc3339(expiration),
                "seconds_remaining": left.max(0),
            })
        );
    }
    if output::quiet() {
        // Nothing to say: the time zone is not even looked up.
        return;
    }
    let when = crate::clock::format_local(expiration);
    let left = human_duration(left);
    output::status(&match outcome {
        Outcome::Minted { .. } => {
            format!("{profile}: minted a session valid until {when} ({left})")
        }
        Outcome::Fresh { .. } => format!(
            "{profile}: session still fresh until {when} ({left} left); nothing to do (--force mints anyway)"
        ),
    });
}

/// aws-mfa's `--setup`: `[PROFILE]` holds long-term keys where the session should go. With
/// `--setup`, or when the user agrees, they move to `[PROFILE-long-term]` first; otherwise the
/// mint refuses (and its hint names `--setup`). Returns whether keys were moved.
fn setup_if_asked(ctx: &Context, profile: &str, setup: bool) -> Result<bool, Error> {
    let files = ctx.files()?;
    if !crate::config::edit::holds_long_term_keys(files, profile) {
        return Ok(false);
    }
    // `--setup` never moves keys another profile uses: they would leave that profile keyless.
    crate::config::check_not_keys_of_another(files, profile)?;
    let asked = !setup
        && output::interactive()
        && output::confirm(&format!(
            "[{profile}] holds long-term keys. Move them to [{profile}-long-term] so mfa-mint can mint sessions into [{profile}]?"
        ));
    if setup || asked {
        let target = crate::config::edit::move_long_term_keys(files, profile)?;
        output::status(&format!(
            "{profile}: moved the long-term keys to [{target}] (credentials and config files)"
        ));
        return Ok(true);
    }
    Ok(false)
}
