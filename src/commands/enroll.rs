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
    let done = crate::enrollment::enroll(
        ctx,
        &crate::enrollment::Request {
            profile: &profile,
            device_name: &args.device_name,
            user: args.user.as_deref(),
            source: args.source.as_deref(),
            timeout: timeout(&args.timeout)?,
        },
        seeds,
    )?;
    if args.json {
        crate::output::outln!(
            "{}",
            json!({"profile": profile, "serial": mask_serial(&done.serial), "user": done.user, "enabled": true})
        );
    }
    output::status(&format!(
        "Enabled {} for IAM user {}; its seed is in the {} keyring and profile {} uses it.\nNext: `mfa-mint {}` mints a session.",
        mask_serial(&done.serial),
        done.user,
        seeds.backend()?,
        profile,
        profile
    ));
    show_secret(&done.key_uri(), args.show_qr, args.qr_png.as_deref(), false)?;
    Ok(exit::OK)
}
