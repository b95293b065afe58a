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
    show_secret(&uri, args.show_qr, args.qr_png.as_deref(), args.uri)?;
    Ok(exit::OK)
}

/// Prints the QR forms asked for, each with the warning that it is the secret.
pub(super) fn show_secret(
    uri: &crate::secret::SecretText,
    show_qr: bool,
    qr_png: Option<&std::path::Path>,
    print_uri: bool,
) -> Result<(), Error> {
    let qr_err = |e: crate::qr::Error| Error::Io {
        action: "render the QR code".into(),
        source: std::io::Error::other(e.to_string()),
    };
    if show_qr || qr_png.is_some() || print_uri {
        crate::output::errln!("warning: {}", crate::enrollment::QR_WARNING);
    }
    if show_qr {
        crate::output::outln!(
            "{}",
            crate::qr::terminal(uri.expose_secret()).map_err(qr_err)?
        );
    }
    if let Some(path) = qr_png {
        let png = zeroize::Zeroizing::new(crate::qr::png(uri.expose_secret()).map_err(qr_err)?);
        crate::enrollment::write_png(path, &png)?;
        output::status(&format!(
            "wrote the QR code to {} (mode 0600)",
            path.display()
        ));
    }
    if print_uri {
        crate::output::outln!("{}", uri.expose_secret());
    }
    Ok(())
}
