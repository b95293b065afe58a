//! `import`: a seed from any supported input into the keyring, and the profile pointed at its
//! device. The command reads the input and asks before replacing; this decides and writes.

use crate::arn::Serial;
use crate::aws_files;
use crate::config::{self, Context};
use crate::error::Error;
use crate::totp::formats::{self, Claim};
use crate::vault::Seeds;

/// What to import, the input already read.
pub struct Request<'a> {
    pub profile: &'a str,
    /// The device (validated by [`device`]).
    pub serial: &'a Serial,
    /// `--source`: the profile with the long-term keys, recorded in the profile.
    pub source: Option<&'a str>,
    pub input: &'a [u8],
    pub claim: Claim,
    /// `--account`: which entry of an export holding several.
    pub account: Option<&'a str>,
    /// Replace a different seed stored for the device (else [`Error::SeedExists`]).
    pub replace: bool,
}

pub struct Imported {
    pub serial: String,
    pub replaced: bool,
    pub unchanged: bool,
    pub backend: crate::vault::store::Backend,
    /// The entry taken from an export holding several: its label and how many it held.
    pub picked: Option<(String, usize)>,
}

/// The device the seed is for, checked before any input is read: `--serial`, else the device
/// the profile already names (a role profile's or aws-vault's `mfa_serial`, aws-mfa's
/// `aws_mfa_device`). A broken config file fails here, before the keyring is touched.
pub fn device(
    ctx: &Context,
    profile: &str,
    serial: Option<&str>,
    source: Option<&str>,
) -> Result<Serial, Error> {
    config::check_name(profile)?;
    if let Some(source) = source {
        config::check_name(source)?;
        if source == profile {
            return Err(Error::SourceIsTarget {
                profile: profile.to_string(),
            });
        }
    }
    let files = ctx.files()?;
    let serial = match serial {
        Some(serial) => serial.to_string(),
        None => {
            let source = source
                .map(str::to_string)
                .or_else(|| config::resolve_source(files, profile, None).ok());
            config::resolve_serial(files, profile, source.as_deref()).map_err(|_| {
                Error::NoSerialToImport {
                    profile: profile.to_string(),
                }
            })?
        }
    };
    Ok(crate::arn::parse(&serial)?)
}

/// Stores the seed found in the input and records the device in the profile.
pub fn import(ctx: &Context, req: &Request, seeds: &mut Seeds) -> Result<Imported, Error> {
    let serial = req.serial.arn.clone();
    // Every format refuses seeds AWS cannot use (issue 16): nothing else to check here.
    let to_error = |e: formats::Error| match e {
        formats::Error::Seed(e) => Error::Seed(e),
        other => Error::Source(other),
    };
    let found = formats::read(req.input, req.claim).map_err(to_error)?;
    let count = found.len();
    let seed = formats::pick(found, req.account).map_err(to_error)?;
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
        let name = &req.serial.name;
        let user = name.rsplit('/').next().unwrap_or(name);
        seed.with_label(
            Some(crate::enrollment::ISSUER),
            Some(&format!("{user}@{}", req.serial.account)),
        )
    } else {
        seed
    };

    let existing = seeds.existing(&serial, &seed)?;
    let unchanged = existing == Some(true);
    let replaced = existing == Some(false);
    if replaced && !req.replace {
        return Err(Error::SeedExists { serial });
    }
    if !unchanged {
        seeds.save(&serial, &seed)?;
    }

    config::edit::config_file(ctx.files()?, |doc: &mut aws_files::Document| {
        config::edit::record_device(doc, req.profile, &serial, req.source)?;
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

/// What to run after importing a seed for `profile`, each a command that works as the files
/// are now: a role profile is used through `exec` (or needs a profile for its keys first), a
/// profile without long-term keys needs them first.
pub fn next_steps(ctx: &Context, profile: &str) -> Result<String, Error> {
    let files = ctx.files()?;
    let code = format!("`mfa-mint code {profile}` prints the current code");
    if files
        .config_value(profile, config::keys::ROLE_ARN)
        .is_some()
    {
        let source = files.config_value(profile, config::keys::SOURCE_PROFILE);
        return Ok(match config::role_base(files, profile, source.as_deref()) {
            Ok(base) => format!(
                "{code}, `mfa-mint exec {profile} -- CMD` runs CMD with the role's session (assumed from the session of {base})."
            ),
            Err(e) => format!(
                "{code}; to assume the role, {}.",
                e.hint().unwrap_or_default()
            ),
        });
    }
    Ok(match config::resolve_source(files, profile, None) {
        Ok(_) => format!("{code}, `mfa-mint {profile}` mints a session."),
        Err(_) => format!(
            "{code}; put your long-term keys in [{profile}-long-term] of {}, then `mfa-mint {profile}` mints a session (or, with the keys in another profile, `mfa-mint {profile} --source PROFILE`, remembered once it worked).",
            files.display_credentials()
        ),
    })
}
