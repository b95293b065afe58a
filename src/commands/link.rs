//! `mfa-mint link PROFILE --serial ARN`: point a profile at a device whose seed is stored.

use crate::error::{Error, exit};
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(profile: &str, serial: &str, seeds: &mut Seeds) -> Result<u8, Error> {
    let serial = crate::commands::manage::link(profile, serial, seeds)?;
    output::status(&format!("profile {profile} now uses {serial}"));
    Ok(exit::OK)
}
