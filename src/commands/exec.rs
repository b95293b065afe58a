//! `mfa-mint exec PROFILE -- CMD`: run a command with the session in its environment.

use super::session_options;
use crate::cli::ExecArgs;
use crate::error::Error;
use crate::vault::Seeds;

pub(crate) fn run(args: &ExecArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    crate::minter::session::exec(&profile, &opts, &args.command, seeds)
}
