//! `mfa-mint env PROFILE`: print the session (and region) as shell lines, `KEY=value` lines,
//! JSON or a credentials-file section.

use super::session_options;
use crate::cli::{EnvArgs, EnvFormat};
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::minter::session::{
    environment, obtain, render_dotenv, render_env, render_ini, render_json,
};
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &EnvArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    let (session, _) = obtain(ctx, &profile, &opts, seeds)?;
    let vars = environment(ctx, &profile, opts.source.as_deref(), &session)?;
    let text = match args.format {
        EnvFormat::Shell => render_env(&vars, args.shell),
        EnvFormat::Env => render_dotenv(&vars),
        EnvFormat::Json => render_json(&vars),
        EnvFormat::Ini => render_ini(&profile, &vars),
    };
    output::data(text.expose_secret());
    Ok(exit::OK)
}
