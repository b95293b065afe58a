//! `mfa-mint import`: read a seed, validate it, keep it in the keyring, link the profile to it.

use std::io::{IsTerminal, Read};

use zeroize::Zeroizing;

use crate::aws_files;
use crate::cli::ImportArgs;
use crate::error::Error;
use crate::profile::{self, keys};
use crate::seeds::Seeds;
use crate::totp::Seed;
use crate::ui;

/// Seeds are short; anything bigger is not a seed (and not read into memory).
const MAX_INPUT: u64 = 64 * 1024;

pub struct Imported {
    pub serial: String,
    pub replaced: bool,
    pub unchanged: bool,
    pub backend: crate::store::Backend,
}

pub fn import(args: &ImportArgs, seeds: &mut Seeds) -> Result<Imported, Error> {
    profile::check_name(&args.profile)?;
    if let Some(source) = &args.source {
        profile::check_name(source)?;
        if source == &args.profile {
            return Err(Error::SourceIsTarget {
                profile: args.profile.clone(),
            });
        }
    }
    let serial = crate::serial::parse(&args.serial)?.arn;
    // Fail on a broken config file before touching the keyring.
    let config_path = aws_files::config_path()?;
    aws_files::load(&config_path)?;

    let text = read_seed_text(args)?;
    let seed = Seed::parse(&text).map_err(Error::Seed)?;
    drop(text);
    if !seed.is_aws_compatible() {
        ui::warn(
            "AWS virtual MFA devices use SHA1, 6 digits and 30 s; this seed uses other parameters, so AWS will reject its codes",
        );
    }

    let existing = seeds.existing(&serial, &seed)?;
    let unchanged = existing == Some(true);
    let replaced = existing == Some(false);
    if replaced && !args.force {
        let question = format!("A different seed for {serial} is already stored. Replace it?");
        if !ui::interactive() {
            return Err(Error::SeedExists { serial });
        }
        if !ui::confirm(&question) {
            return Err(Error::Declined);
        }
    }
    if !unchanged {
        seeds.save(&serial, &seed)?;
    }

    aws_files::edit(&config_path, |doc: &mut aws_files::Document| {
        let section = aws_files::config_section(&args.profile);
        doc.set(&section, keys::MFA_SERIAL, &serial)?;
        if let Some(source) = &args.source {
            doc.set(&section, keys::SOURCE, source)?;
        }
        Ok::<(), Error>(())
    })?;
    Ok(Imported {
        backend: seeds.backend()?,
        serial,
        replaced,
        unchanged,
    })
}

fn read_seed_text(args: &ImportArgs) -> Result<Zeroizing<String>, Error> {
    let mut text = Zeroizing::new(String::new());
    if let Some(path) = &args.from {
        let file = std::fs::File::open(path).map_err(|e| Error::Io {
            action: format!("read {}", path.display()),
            source: e,
        })?;
        read_limited(file, &mut text, &path.display().to_string())?;
    } else if std::io::stdin().is_terminal() {
        if !ui::interactive() {
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
        text.push_str(&answer);
    } else {
        read_limited(std::io::stdin().lock(), &mut text, "stdin")?;
    }
    if text.trim().is_empty() {
        return Err(Error::SeedInput("no seed given: the input is empty".into()));
    }
    Ok(text)
}

fn read_limited(reader: impl Read, out: &mut Zeroizing<String>, what: &str) -> Result<(), Error> {
    let mut bytes = Zeroizing::new(Vec::new());
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Io {
            action: format!("read the seed from {what}"),
            source: e,
        })?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Error::SeedInput(format!(
            "the input from {what} is larger than 64 KiB; a seed is a short line"
        )));
    }
    match std::str::from_utf8(&bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => {
            return Err(Error::SeedInput(format!(
                "the input from {what} is not text (not UTF-8)"
            )));
        }
    }
    Ok(())
}
