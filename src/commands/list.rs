//! `mfa-mint list`: the profiles set up for mfa-mint and their devices.

use crate::error::{Error, exit};
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(seeds: &mut Seeds) -> Result<u8, Error> {
    let devices = crate::commands::manage::list(seeds)?;
    if devices.is_empty() {
        output::status("no profile is set up yet: mfa-mint import PROFILE --serial ARN < seed.txt");
    }
    for d in devices {
        let seed = match d.seed {
            Some(true) => "seed stored",
            Some(false) => "NO seed",
            None => "keyring unavailable",
        };
        crate::output::outln!(
            "{}\t{}\t{seed}\t{}",
            d.profile,
            crate::commands::status::mask_serial(&d.serial),
            d.label.as_deref().unwrap_or("-")
        );
    }
    Ok(exit::OK)
}
