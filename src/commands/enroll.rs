//! `mfa-mint enroll`: create and enable a virtual MFA device straight into the keyring.

use crate::config::Context;
use serde_json::json;

use super::show_secret;
use super::timeout;
use crate::arn::mask_serial;
use crate::cli::EnrollArgs;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &EnrollArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile);
    let req = crate::enrollment::Request {
        profile: &profile,
        device_name: &args.device_name,
        user: args.user.as_deref(),
        source: args.source.as_deref(),
        timeout: timeout(&args.timeout)?,
    };
    let (done, replaced) = if args.replace {
        let r = crate::profiles::devices::replace(ctx, &req, seeds)?;
        (r.enrolled, Some((r.old_serial, r.old_seed_removed)))
    } else {
        (crate::enrollment::enroll(ctx, &req, seeds)?, None)
    };
    if args.json {
        let mut v = json!({"profile": profile, "serial": mask_serial(&done.serial), "user": done.user, "enabled": true});
        if let Some((old, seed_removed)) = &replaced {
            v["replaced"] =
                json!({"serial": mask_serial(old), "deleted": true, "seed_removed": seed_removed});
        }
        crate::output::outln!("{v}");
    }
    let replaced_line = match &replaced {
        Some((old, seed_removed)) => format!(
            "\nA mint with the new device worked, so the old device {} was deactivated and deleted{}.",
            mask_serial(old),
            if *seed_removed {
                " and its seed removed from the keyring"
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    output::status(&format!(
        "Enabled {} for IAM user {}; its seed is in the {} keyring and profile {} uses it.{replaced_line}\nNext: `mfa-mint {}` mints a session.",
        mask_serial(&done.serial),
        done.user,
        seeds.backend()?,
        profile,
        profile
    ));
    show_secret(&done.key_uri(), args.show_qr, args.qr_png.as_deref(), false)?;
    Ok(exit::OK)
}
