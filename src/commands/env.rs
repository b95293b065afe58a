//! `mfa-mint env PROFILE`: print shell lines that export the session.

use super::session_options;
use crate::cli::EnvArgs;
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::minter::session::{obtain, render_env, variables};
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &EnvArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    let (session, _) = obtain(ctx, &profile, &opts, seeds)?;
    output::data(render_env(&variables(&session), args.shell).expose_secret());
    Ok(exit::OK)
}
