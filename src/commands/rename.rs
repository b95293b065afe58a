//! `mfa-mint rename OLD NEW`: move a profile's mfa-mint settings to another profile name.

use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;

pub(crate) fn run(ctx: &mut Context, from: &str, to: &str) -> Result<u8, Error> {
    crate::profiles::rename(ctx, from, to)?;
    output::status(&format!("profile {to} now has {from}'s mfa-mint settings"));
    Ok(exit::OK)
}
