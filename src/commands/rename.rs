//! `mfa-mint rename OLD NEW`: move a profile's mfa-mint settings to another profile name.

use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;

pub(crate) fn run(ctx: &mut Context, from: &str, to: &str) -> Result<u8, Error> {
    let done = crate::profiles::rename(ctx, from, to)?;
    let keys = done.source.map_or_else(String::new, |s| {
        format!(" (its long-term keys stay in [{s}], now named by mfa_mint_source_profile)")
    });
    output::status(&format!(
        "profile {to} now has {from}'s mfa-mint settings{keys}"
    ));
    if !done.roles.is_empty() {
        output::warn(&format!(
            "{} still name{} {from} as source_profile: to assume {} from {to}'s session, set `source_profile = {to}` in {}",
            done.roles.join(", "),
            if done.roles.len() == 1 { "s" } else { "" },
            if done.roles.len() == 1 { "it" } else { "them" },
            if done.roles.len() == 1 {
                "its section"
            } else {
                "their sections"
            },
        ));
    }
    Ok(exit::OK)
}
