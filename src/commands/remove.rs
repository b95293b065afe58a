//! `mfa-mint remove PROFILE`: forget a profile's mfa-mint settings and its seed.

use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(
    ctx: &mut Context,
    profile: &str,
    yes: bool,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    let (serial, shared_with) = crate::profiles::removal(ctx, profile)?;
    if !yes {
        if !output::interactive() {
            return Err(Error::ConfirmRemove);
        }
        let question = match (serial, shared_with.is_empty()) {
            (Some(_), true) => format!(
                "Remove mfa-mint's settings of profile {profile} and delete its MFA seed from the keyring? The seed cannot be recovered."
            ),
            (Some(_), false) => format!(
                "Remove mfa-mint's settings of profile {profile}? Its MFA seed stays in the keyring for {}.",
                shared_with.join(", ")
            ),
            (None, _) => format!("Remove mfa-mint's settings of profile {profile}?"),
        };
        if !output::confirm(&question) {
            return Err(Error::Declined);
        }
    }
    let done = crate::profiles::remove(ctx, profile, seeds)?;
    let seed = match (&done.serial, done.seed_deleted, done.shared_with.is_empty()) {
        (None, _, _) => "it had no device".to_string(),
        (Some(_), _, false) => format!(
            "its seed stays in the keyring for {}",
            done.shared_with.join(", ")
        ),
        (Some(_), true, true) => "its seed was deleted from the keyring".to_string(),
        (Some(_), false, true) => "no seed was stored".to_string(),
    };
    output::status(&format!("removed mfa-mint's settings of {profile}; {seed}"));
    Ok(exit::OK)
}
