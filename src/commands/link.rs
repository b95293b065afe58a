//! `mfa-mint link PROFILE --serial ARN`: point a profile at a device whose seed is stored.

use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(
    ctx: &mut Context,
    profile: &str,
    serial: &str,
    source: Option<&str>,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    let serial = crate::profiles::link(ctx, profile, serial, source, seeds)?;
    let keys = source.map_or_else(String::new, |s| {
        format!(" with the long-term keys of [{s}]")
    });
    output::status(&format!(
        "profile {profile} now uses {}{keys}",
        crate::arn::mask_serial(&serial)
    ));
    Ok(exit::OK)
}
