//! `mfa-mint clear [PROFILE…] [--credentials-file]`: forget cached sessions (aws-vault's
//! `clear`), so the next use mints anew.

use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(
    ctx: &mut Context,
    profiles: &[String],
    credentials_file: bool,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    let cleared = crate::profiles::clear(ctx, profiles, credentials_file, seeds)?;
    let path = ctx.files()?.display_credentials();
    for c in &cleared {
        let mut what = Vec::new();
        if c.keyring {
            what.push("the keyring cache".to_string());
        }
        if c.file {
            what.push(format!("the session in [{}] of {path}", c.profile));
        }
        output::status(&if what.is_empty() {
            format!("{}: no cached session", c.profile)
        } else {
            format!("{}: cleared {}", c.profile, what.join(" and "))
        });
    }
    Ok(exit::OK)
}
