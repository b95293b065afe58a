//! `mfa-mint code`: the current code, for the console sign-in or anything else.

use crate::config::{self, Context};
use crate::error::Error;
use crate::vault::Seeds;

pub struct Code {
    pub code: String,
    pub seconds_remaining: u64,
    pub period: u64,
    pub serial: String,
}

/// The code for `profile`'s device. Claims its time step in the ledger, so a mint right after
/// (which AWS would reject with the same code) waits for the next step instead.
pub fn code(ctx: &Context, profile: &str, seeds: &mut Seeds) -> Result<Code, Error> {
    config::check_name(profile)?;
    let files = ctx.files()?;
    config::check_known(files, profile)?;
    // A role profile without its own device uses the device of the profile it is assumed from.
    let base = (files
        .config_value(profile, config::keys::ROLE_ARN)
        .is_some()
        && files
            .config_value(profile, config::keys::MFA_SERIAL)
            .is_none())
    .then(|| {
        let source = files.config_value(profile, config::keys::SOURCE_PROFILE);
        config::role_base(files, profile, source.as_deref()).ok()
    })
    .flatten();
    let profile = base.as_deref().unwrap_or(profile);
    let source = config::resolve_source(files, profile, None).ok();
    let serial = config::resolve_serial(files, profile, source.as_deref())?;
    let serial = crate::arn::parse(&serial)?.arn;
    let seed = seeds.load(&serial)?;
    let offset = crate::state::skew::load();
    let (step, code) = crate::minter::claim_code(&seed, &serial, offset, ctx.reporter)?;
    let end = ((step + 1) * seed.period()) as f64;
    let seconds_remaining = (end - (crate::clock::now() + offset)).max(0.0) as u64;
    Ok(Code {
        code,
        seconds_remaining,
        period: seed.period(),
        serial,
    })
}
