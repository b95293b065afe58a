//! `mfa-mint import`: read a seed, validate it, keep it in the keyring, link the profile to it.

use std::io::{IsTerminal, Read};

use serde_json::json;
use zeroize::Zeroizing;

use crate::arn::mask_serial;
use crate::cli::ImportArgs;
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::totp::formats::Claim;
use crate::vault::Seeds;

/// Seeds are short and screenshots small; anything bigger is refused before it is read.
const MAX_INPUT: u64 = 8 * 1024 * 1024;

fn read_input(args: &ImportArgs) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut text = Zeroizing::new(Vec::new());
    if let Some(path) = args.from.as_ref().or(args.qr.as_ref()) {
        let file = std::fs::File::open(path).map_err(|e| Error::Io {
            action: format!("read {}", path.display()),
            source: e,
        })?;
        read_limited(file, &mut text, &path.display().to_string())?;
    } else if std::io::stdin().is_terminal() {
        if !output::interactive() {
            return Err(Error::SeedInput(
                "no seed on stdin and prompting is disabled".into(),
            ));
        }
        let answer = Zeroizing::new(
            rpassword::prompt_password("MFA secret (base32 or otpauth:// URI; input is hidden): ")
                .map_err(|e| Error::Io {
                    action: "read the seed from the terminal".into(),
                    source: e,
                })?,
        );
        text.extend_from_slice(answer.as_bytes());
    } else {
        read_limited(std::io::stdin().lock(), &mut text, "stdin")?;
    }
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::SeedInput("no seed given: the input is empty".into()));
    }
    Ok(text)
}

fn read_limited(reader: impl Read, out: &mut Zeroizing<Vec<u8>>, what: &str) -> Result<(), Error> {
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(out)
        .map_err(|e| Error::Io {
            action: format!("read the seed from {what}"),
            source: e,
        })?;
    if out.len() as u64 > MAX_INPUT {
        return Err(Error::SeedInput(format!(
            "the input from {what} is larger than {} MiB; that is not a seed, QR image or export",
            MAX_INPUT / 1024 / 1024
        )));
    }
    Ok(())
}

pub(crate) fn run(ctx: &mut Context, args: &ImportArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile);
    let serial = crate::profiles::import::device(
        ctx,
        &profile,
        args.serial.as_deref(),
        args.source.as_deref(),
    )?;
    let input = read_input(args)?;
    let mut req = crate::profiles::import::Request {
        profile: &profile,
        serial: &serial,
        source: args.source.as_deref(),
        input: &input,
        claim: if args.qr.is_some() {
            Claim::QrImage
        } else {
            Claim::Anything
        },
        account: args.account.as_deref(),
        replace: args.force,
    };
    let done = match crate::profiles::import::import(ctx, &req, seeds) {
        Err(Error::SeedExists { serial }) if output::interactive() => {
            let question = format!(
                "A different seed for {} is already stored. Replace it?",
                mask_serial(&serial)
            );
            if !output::confirm(&question) {
                return Err(Error::Declined);
            }
            req.replace = true;
            crate::profiles::import::import(ctx, &req, seeds)?
        }
        result => result?,
    };
    drop(input);
    if args.json {
        crate::output::outln!(
            "{}",
            json!({
                "profile": profile,
                "serial": mask_serial(&done.serial),
                "keyring": done.backend.to_string(),
                "replaced": done.replaced,
                "unchanged": done.unchanged,
            })
        );
    }
    if let Some((label, count)) = &done.picked {
        output::status(&format!(
            "Took {label:?}, one of the {count} entries of the input."
        ));
    }
    let what = if done.unchanged {
        "already held this seed"
    } else if done.replaced {
        "replaced the seed"
    } else {
        "stored the seed"
    };
    // The import may have written the config file: what comes next is read from it as it is.
    ctx.reload()?;
    let next = crate::profiles::import::next_steps(ctx, &profile)?;
    output::status(&format!(
        "The {} keyring {what} for {}; profile {} uses it.\nNext: {next}",
        done.backend,
        mask_serial(&done.serial),
        profile,
    ));
    Ok(exit::OK)
}
