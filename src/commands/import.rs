//! `mfa-mint import`: read a seed, validate it, keep it in the keyring, link the profile to it.

use crate::config::Context;
use std::io::{IsTerminal, Read};

use serde_json::json;
use zeroize::Zeroizing;

use crate::aws_files;
use crate::cli::ImportArgs;
use crate::config;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::totp::formats::{self, Claim};
use crate::vault::Seeds;

/// Seeds are short and screenshots small; anything bigger is refused before it is read.
const MAX_INPUT: u64 = 8 * 1024 * 1024;

pub struct Imported {
    pub serial: String,
    pub replaced: bool,
    pub unchanged: bool,
    pub backend: crate::vault::store::Backend,
    /// The entry taken from an export holding several: its label and how many it held.
    pub picked: Option<(String, usize)>,
}

pub fn import(
    ctx: &Context,
    profile: &str,
    args: &ImportArgs,
    seeds: &mut Seeds,
) -> Result<Imported, Error> {
    config::check_name(profile)?;
    if let Some(source) = &args.source {
        config::check_name(source)?;
        if source == profile {
            return Err(Error::SourceIsTarget {
                profile: profile.to_string(),
            });
        }
    }
    // Fail on a broken config file before touching the keyring.
    let files = ctx.files()?;
    let config_path = files.config_path.clone();
    // Without --serial, the device the profile already names (a role profile's or aws-vault's
    // `mfa_serial`, aws-mfa's `aws_mfa_device`).
    let serial = match &args.serial {
        Some(serial) => serial.clone(),
        None => {
            let source = args
                .source
                .clone()
                .or_else(|| config::resolve_source(files, profile, None).ok());
            config::resolve_serial(files, profile, source.as_deref()).map_err(|_| {
                Error::NoSerialToImport {
                    profile: profile.to_string(),
                }
            })?
        }
    };
    let parsed = crate::arn::parse(&serial)?;
    let serial = parsed.arn.clone();

    let input = read_input(args)?;
    let claim = if args.qr.is_some() {
        Claim::QrImage
    } else {
        Claim::Anything
    };
    // Every format refuses seeds AWS cannot use (issue 16): nothing else to check here.
    let to_error = |e: formats::Error| match e {
        formats::Error::Seed(e) => Error::Seed(e),
        other => Error::Source(other),
    };
    let found = formats::read(&input, claim).map_err(to_error)?;
    drop(input);
    let count = found.len();
    let seed = formats::pick(found, args.account.as_deref()).map_err(to_error)?;
    let picked = (count > 1).then(|| {
        let label = [seed.issuer(), seed.account()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(":");
        (label, count)
    });
    // A bare secret gets the label an authenticator app would show for an AWS device.
    let seed = if seed.issuer().is_none() && seed.account().is_none() {
        let user = parsed.name.rsplit('/').next().unwrap_or(&parsed.name);
        seed.with_label(
            Some(crate::enrollment::ISSUER),
            Some(&format!("{user}@{}", parsed.account)),
        )
    } else {
        seed
    };

    let existing = seeds.existing(&serial, &seed)?;
    let unchanged = existing == Some(true);
    let replaced = existing == Some(false);
    if replaced && !args.force {
        let question = format!(
            "A different seed for {} is already stored. Replace it?",
            mask_serial(&serial)
        );
        if !output::interactive() {
            return Err(Error::SeedExists { serial });
        }
        if !output::confirm(&question) {
            return Err(Error::Declined);
        }
    }
    if !unchanged {
        seeds.save(&serial, &seed)?;
    }

    aws_files::edit(&config_path, 0o600, |doc: &mut aws_files::Document| {
        config::edit::record_device(doc, profile, &serial, args.source.as_deref())?;
        Ok::<(), Error>(())
    })?;
    Ok(Imported {
        backend: seeds.backend()?,
        picked,
        serial,
        replaced,
        unchanged,
    })
}

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

use crate::arn::mask_serial;

pub(crate) fn run(ctx: &mut Context, args: &ImportArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile);
    let done = import(ctx, &profile, args, seeds)?;
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
    output::status(&format!(
        "The {} keyring {what} for {}; profile {} uses it.\nNext: `mfa-mint code {}` prints the current code, `mfa-mint {}` mints a session.",
        done.backend,
        mask_serial(&done.serial),
        profile,
        profile,
        profile
    ));
    Ok(exit::OK)
}
