//! `mfa-mint list`: the profiles set up for mfa-mint and their devices.

use crate::config::Context;
use serde_json::json;

use crate::arn::mask_serial;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(
    ctx: &mut Context,
    args: &crate::cli::ListArgs,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    if args.devices {
        return user_devices(ctx, args, seeds);
    }
    let devices = crate::profiles::list(ctx, seeds)?;
    if args.json {
        // One shape whatever the number of profiles: an object with a list, maybe empty.
        let list: Vec<_> = devices
            .iter()
            .map(|d| {
                json!({
                    "profile": d.profile,
                    "serial": mask_serial(&d.serial),
                    "seed_in_keyring": d.seed,
                    "label": d.label,
                })
            })
            .collect();
        output::outln!("{}", json!({ "profiles": list }));
        return Ok(exit::OK);
    }
    if devices.is_empty() {
        output::status("no profile is set up yet: mfa-mint import PROFILE --serial ARN < seed.txt");
        return Ok(exit::OK);
    }
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            let seed = match d.seed {
                Some(true) => "stored",
                Some(false) => "MISSING",
                None => "keyring unavailable",
            };
            vec![
                d.profile.clone(),
                mask_serial(&d.serial),
                seed.to_string(),
                d.label.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    output::data(&crate::output::table(
        &["PROFILE", "MFA DEVICE", "SEED", "LABEL"],
        &rows,
    ));
    Ok(exit::OK)
}

/// `list --devices`: every MFA device of the profiles' IAM users, from AWS.
fn user_devices(
    ctx: &mut Context,
    args: &crate::cli::ListArgs,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    let devices = crate::profiles::devices::of_users(ctx, super::timeout(&args.timeout)?, seeds)?;
    let held = |h: Option<bool>| match h {
        Some(true) => "stored",
        Some(false) => "-",
        None => "keyring unavailable",
    };
    if args.json {
        let list: Vec<_> = devices
            .iter()
            .map(|d| {
                json!({
                    "user": d.user,
                    "serial": mask_serial(&d.serial),
                    "enabled": crate::clock::format_rfc3339(d.enabled),
                    "seed_in_keyring": d.held,
                    "profiles": d.profiles,
                })
            })
            .collect();
        output::outln!("{}", json!({ "devices": list }));
        return Ok(exit::OK);
    }
    if devices.is_empty() {
        output::status("no MFA device is enabled for the users of your mfa-mint profiles");
        return Ok(exit::OK);
    }
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            vec![
                d.user.clone(),
                mask_serial(&d.serial),
                crate::clock::format_rfc3339(d.enabled),
                held(d.held).to_string(),
                if d.profiles.is_empty() {
                    "-".to_string()
                } else {
                    d.profiles.join(",")
                },
            ]
        })
        .collect();
    output::data(&crate::output::table(
        &["IAM USER", "MFA DEVICE", "ENABLED", "SEED", "PROFILES"],
        &rows,
    ));
    Ok(exit::OK)
}
