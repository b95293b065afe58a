//! `mfa-mint env PROFILE`: print shell lines that export the session.

use super::session_options;
use crate::cli::EnvArgs;
use crate::error::Error;
use crate::vault::Seeds;

pub(crate) fn run(args: &EnvArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    crate::minter::session::env(&profile, &opts, args.shell, seeds)
}
