//! `mfa-mint export`: show a stored seed for a phone backup.

use crate::cli::ExportArgs;
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &ExportArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let uri = crate::enrollment::exported_uri(ctx, &super::one_profile(&args.profile), seeds)?;
    if !args.yes {
        if !output::interactive() {
            return Err(Error::ConfirmExport);
        }
        if !output::confirm("This shows your MFA secret. Continue?") {
            return Err(Error::Declined);
        }
    }
    super::show_secret(&uri, args.show_qr, args.qr_png.as_deref(), args.uri)?;
    Ok(exit::OK)
}
