//! Managing stored devices and the profiles that use them: what `list`, `remove`, `rename`,
//! `link`, `keys`, `import` and `status` do, as core functions that return data (the commands
//! parse, call these and print).

use crate::aws_files::Document;
use crate::config::Context;
use crate::config::edit::{owned_keys, record_device};
use crate::config::{self, keys};
use crate::error::Error;
use crate::vault::Seeds;

/// One row of `mfa-mint list`.
pub struct Device {
    pub profile: String,
    pub serial: String,
    /// `Some(true)` stored, `Some(false)` missing, `None` keyring unreachable.
    pub seed: Option<bool>,
    /// `issuer:account` from the stored seed, when it has one.
    pub label: Option<String>,
}

pub fn list(ctx: &Context, seeds: &mut Seeds) -> Result<Vec<Device>, Error> {
    let files = ctx.files()?;
    let mut out = Vec::new();
    for p in config::mfa_profiles(files) {
        let Some(serial) = files.config_value(&p, keys::MFA_SERIAL) else {
            continue;
        };
        let stored = seeds.store().ok().and_then(|s| s.get(&serial).ok());
        let seed = stored.as_ref().map(|v| v.is_some());
        let label = stored
            .flatten()
            .and_then(|text| crate::totp::Seed::parse(text.expose_secret()).ok())
            .and_then(|s| match (s.issuer(), s.account()) {
                (Some(i), Some(a)) => Some(format!("{i}:{a}")),
                (None, Some(x)) | (Some(x), None) => Some(x.to_string()),
                (None, None) => None,
            });
        out.push(Device {
            profile: p,
            serial,
            seed,
            label,
        });
    }
    Ok(out)
}

/// What `remove` did.
pub struct Removed {
    pub serial: Option<String>,
    pub seed_deleted: bool,
    /// Other profiles still using the same device (its seed is then kept).
    pub shared_with: Vec<String>,
}

/// What `remove` would do, without doing it: the device and the other profiles using it (so
/// the question asked first says whether the seed goes).
pub fn removal(ctx: &Context, profile_name: &str) -> Result<(Option<String>, Vec<String>), Error> {
    config::check_name(profile_name)?;
    let files = ctx.files()?;
    config::check_known(files, profile_name)?;
    let serial = files.config_value(profile_name, keys::MFA_SERIAL);
    let shared_with: Vec<String> = config::mfa_profiles(files)
        .into_iter()
        .filter(|p| p != profile_name && files.config_value(p, keys::MFA_SERIAL) == serial)
        .collect();
    Ok((serial, shared_with))
}

pub fn remove(ctx: &Context, profile_name: &str, seeds: &mut Seeds) -> Result<Removed, Error> {
    let (serial, shared_with) = removal(ctx, profile_name)?;
    let files = ctx.files()?;
    let mut seed_deleted = false;
    if let Some(serial) = &serial
        && shared_with.is_empty()
    {
        seed_deleted = seeds.store()?.delete(serial)?;
    }
    if seeds.store().is_ok() {
        let _ = seeds.store()?.delete(&format!("session/{profile_name}"));
    }
    crate::config::edit::config_file(files, |doc: &mut Document| {
        let section = doc.config_section_for(profile_name);
        for key in owned_keys(doc, &section) {
            doc.remove_key(&section, &key);
        }
        Ok::<(), Error>(())
    })?;
    Ok(Removed {
        serial,
        seed_deleted,
        shared_with,
    })
}

/// What `clear` removed for one profile.
pub struct Cleared {
    pub profile: String,
    /// A session was cached in the keyring.
    pub keyring: bool,
    /// A session was removed from the credentials file.
    pub file: bool,
}

/// Forgets the cached sessions of `profiles` (none: every mfa-mint and role profile): the
/// keyring cache, and with `credentials_file` a complete session in `[PROFILE]` of the
/// credentials file (long-term keys are never touched: a section without a session token is
/// left alone).
pub fn clear(
    ctx: &Context,
    profiles: &[String],
    credentials_file: bool,
    seeds: &mut Seeds,
) -> Result<Vec<Cleared>, Error> {
    let files = ctx.files()?;
    for p in profiles {
        config::check_name(p)?;
        config::check_known(files, p)?;
    }
    let profiles = config::named_or_all(files, profiles);
    let in_file: Vec<String> = profiles
        .iter()
        .filter(|p| credentials_file && config::session_expiry(files, p).is_some())
        .cloned()
        .collect();
    if !in_file.is_empty() {
        crate::config::edit::credentials_file(files, |doc: &mut Document| {
            for p in &in_file {
                for key in [
                    keys::ACCESS_KEY_ID,
                    keys::SECRET_ACCESS_KEY,
                    keys::SESSION_TOKEN,
                    keys::EXPIRATION,
                ] {
                    doc.remove_key(p, key);
                }
                if doc.keys(p).is_empty() {
                    doc.remove_section(p);
                }
            }
            Ok::<(), Error>(())
        })?;
    }
    let mut out = Vec::new();
    for p in profiles {
        out.push(Cleared {
            keyring: seeds.delete_session(&p)?,
            file: in_file.contains(&p),
            profile: p,
        });
    }
    Ok(out)
}

/// What `rename` did besides moving the settings.
pub struct Renamed {
    /// The long-term keys profile written to the new profile as `mfa_mint_source_profile`,
    /// because the new name would not find it by itself (`OLD-long-term`, `source_profile`).
    pub source: Option<String>,
    /// Role profiles whose `source_profile` still names the old profile.
    pub roles: Vec<String>,
}

/// Moves mfa-mint's settings from one profile to another in the config file. A device the old
/// profile had from elsewhere (an `mfa_serial` mfa-mint did not write) is copied, not moved.
/// The profile keeps working under the new name: where its long-term keys were found by the
/// old name (`OLD-long-term`, or a `source_profile` that stays behind), they are named
/// explicitly; a source named explicitly that the new name finds by itself is dropped, and a
/// section left empty is removed, so renaming back restores the file.
pub fn rename(ctx: &Context, from: &str, to: &str) -> Result<Renamed, Error> {
    config::check_name(from)?;
    config::check_name(to)?;
    let files = ctx.files()?;
    config::check_known(files, from)?;
    if files.config_value(from, keys::MFA_SERIAL).is_none() {
        return Err(Error::NoSerial {
            profile: from.to_string(),
            config: files.display_config(),
        });
    }
    let source = config::resolve_source(files, from, None)
        .ok()
        .filter(|s| s != to);
    // Where the new name finds long-term keys without being told.
    let found_by_name = config::implicit_source(files, to);
    let roles = config::role_profiles(files)
        .into_iter()
        .filter(|r| files.config_value(r, keys::SOURCE_PROFILE).as_deref() == Some(from))
        .collect();
    let mut carried = None;
    crate::config::edit::config_file(files, |doc: &mut Document| {
        let (old, new) = (doc.config_section_for(from), doc.config_section_for(to));
        let owned = owned_keys(doc, &old);
        let serial_owned = owned.iter().any(|k| k == keys::MFA_SERIAL);
        for key in owned {
            if let Some(value) = doc.get(&old, &key) {
                doc.set(&new, &key, &value)?;
                doc.remove_key(&old, &key);
            }
        }
        if !serial_owned && let Some(serial) = doc.get(&old, keys::MFA_SERIAL) {
            record_device(doc, to, &serial, None)?;
        }
        match (&source, doc.get(&new, keys::SOURCE)) {
            (Some(s), Some(_)) if found_by_name.as_ref() == Some(s) => {
                doc.remove_key(&new, keys::SOURCE);
            }
            (Some(s), None) if found_by_name.as_ref() != Some(s) => {
                doc.set(&new, keys::SOURCE, s)?;
                carried = Some(s.clone());
            }
            _ => {}
        }
        if doc.keys(&old).is_empty() {
            doc.remove_section(&old);
        }
        Ok::<(), Error>(())
    })?;
    Ok(Renamed {
        source: carried,
        roles,
    })
}

/// Points `profile` at another device whose seed is already in the keyring, and records
/// `--source` when given (as `import --source` does).
pub fn link(
    ctx: &Context,
    profile_name: &str,
    serial: &str,
    source: Option<&str>,
    seeds: &mut Seeds,
) -> Result<String, Error> {
    config::check_name(profile_name)?;
    if let Some(source) = source {
        config::check_name(source)?;
        if source == profile_name {
            return Err(Error::SourceIsTarget {
                profile: profile_name.to_string(),
            });
        }
    }
    let serial = crate::arn::parse(serial)?.arn;
    let files = ctx.files()?;
    if source.is_none() {
        // With --source the user says where the keys are; a new profile is fine then.
        config::check_known(files, profile_name)?;
    }
    seeds.load(&serial)?;
    crate::config::edit::config_file(files, |doc: &mut Document| {
        record_device(doc, profile_name, &serial, source)?;
        Ok::<(), Error>(())
    })?;
    Ok(serial)
}

pub(crate) mod devices;
pub(crate) mod import;
pub(crate) mod long_term_keys;
pub(crate) mod rotation;
pub(crate) mod status;
