//! `mfa-mint rotate`: replace the long-term access key a profile mints from (see `rotation`).

use serde_json::json;

use super::timeout;
use crate::cli::RotateArgs;
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &RotateArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile);
    let done = crate::profiles::rotation::rotate(
        ctx,
        &crate::profiles::rotation::Request {
            profile: &profile,
            finish: args.finish,
            timeout: timeout(&args.timeout)?,
        },
        seeds,
    )?;
    if args.json {
        output::outln!(
            "{}",
            json!({
                "profile": profile,
                "source_profile": done.source,
                "user": done.user,
                "old_key": done.old_key,
                "new_key": done.new_key,
                "stored_in": done.place.name(),
                "old_key_deleted": done.deleted_old,
                "mfa_session": match done.session {
                    crate::minter::Origin::Minted => "minted",
                    _ => "stored",
                },
            })
        );
    }
    let message = match (&done.old_key, done.deleted_old) {
        (Some(old), true) if args.finish => format!(
            "Finished the rotation of [{}]: {} works and the old key {old} of IAM user {} was deleted.",
            done.source, done.new_key, done.user
        ),
        (Some(old), _) => format!(
            "Rotated the access key of [{}] (IAM user {}): {} is in the {} and the old key {old} was deleted.\nSessions minted from the old key keep working until they expire.",
            done.source,
            done.user,
            done.new_key,
            done.place.name()
        ),
        (None, _) => format!(
            "Nothing to finish: {} of [{}] is IAM user {}'s only access key.",
            done.new_key, done.source, done.user
        ),
    };
    output::status(&message);
    Ok(exit::OK)
}
