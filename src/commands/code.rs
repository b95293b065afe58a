//! `mfa-mint code`: print the current TOTP code.

use crate::config::Context;
use serde_json::json;

use super::one_profile;
use crate::cli::CodeArgs;
use crate::error::Error;
use crate::exit;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &CodeArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = one_profile(&args.profile);
    let code = crate::minter::code::code(ctx, &profile, seeds)?;
    if args.json {
        crate::output::outln!(
            "{}",
            json!({
                "profile": profile,
                "code": code.code,
                "seconds_remaining": code.seconds_remaining,
                "period": code.period,
                "serial": crate::arn::mask_serial(&code.serial),
            })
        );
    } else {
        crate::output::outln!("{}", code.code);
    }
    Ok(exit::OK)
}
