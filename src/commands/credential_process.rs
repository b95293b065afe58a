//! `mfa-mint credential-process` and `setup-credential-process`: the SDKs' credential_process
//! protocol (the JSON on stdout and nothing else).

use super::session_options;
use crate::cli::{SessionArgs, SetupArgs};
use crate::config::Context;
use crate::credentials::to_json;
use crate::error::Error;
use crate::exit;
use crate::minter::session::obtain;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &SessionArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(args)?;
    let (session, origin) = obtain(ctx, &profile, &opts, seeds)?;
    output::debug(1, || format!("{profile}: session from {origin:?}"));
    output::outln!("{}", to_json(&session).expose_secret());
    Ok(exit::OK)
}

pub(crate) fn setup(ctx: &mut Context, args: &SetupArgs) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile);
    let line = crate::minter::session::setup_credential_process(ctx, &profile)?;
    output::status(&format!(
        "[profile {profile}] now has credential_process = {line}\nTry it: aws sts get-caller-identity --profile {profile}"
    ));
    Ok(exit::OK)
}
