//! Every edit of the AWS files goes through [`config_file`] or [`credentials_file`] here (the
//! minter's session writer too): the file is re-read under its lock, changed in place keeping
//! every other byte, and replaced atomically with mode 0600 for a new file (`aws_files::edit`);
//! `tests/it/architecture.rs` refuses `aws_files::edit` anywhere else. Also here: the edits
//! several commands make: recording a profile's device (and which standard keys mfa-mint wrote,
//! so `remove` and `rename` touch nothing else), remembering `--source`, and aws-mfa's `--setup`
//! move of long-term keys out of the session profile.

use crate::aws_files::{self, Document};
use crate::config::{self, Files, keys};
use crate::error::Error;

/// Edits the config file (see the module docs); returns whether it changed.
pub fn config_file<E>(
    files: &Files,
    f: impl FnOnce(&mut Document) -> Result<(), E>,
) -> Result<bool, E>
where
    E: From<aws_files::Error>,
{
    aws_files::edit(&files.config_path, 0o600, f)
}

/// Edits the credentials file (see the module docs); returns whether it changed.
pub fn credentials_file<E>(
    files: &Files,
    f: impl FnOnce(&mut Document) -> Result<(), E>,
) -> Result<bool, E>
where
    E: From<aws_files::Error>,
{
    aws_files::edit(&files.credentials_path, 0o600, f)
}

/// Whether a config key is mfa-mint's own (`mfa_mint_*`): moved by `rename`, removed by
/// `remove`. AWS-standard keys such as `mfa_serial` are touched only when mfa-mint wrote them
/// (listed in `mfa_mint_wrote`): a role profile's `mfa_serial` is the AWS CLI's, not ours.
fn is_ours(key: &str) -> bool {
    key.starts_with("mfa_mint_")
}

/// The AWS-standard keys mfa-mint wrote into `section` (from `mfa_mint_wrote`).
fn wrote(doc: &Document, section: &str) -> Vec<String> {
    doc.get(section, keys::WROTE)
        .map(|v| {
            v.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The keys `remove` deletes from (and `rename` moves out of) `section`: mfa-mint's own keys
/// and the standard keys it wrote, nothing else.
pub(crate) fn owned_keys(doc: &Document, section: &str) -> Vec<String> {
    let wrote = wrote(doc, section);
    doc.keys(section)
        .into_iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| is_ours(k) || wrote.contains(k))
        .collect()
}

/// Records `mfa_serial` (and the source profile) for `profile`, the way import, enroll and link
/// do. The serial counts as written by mfa-mint unless the section already held this very value
/// (the user's or another tool's, e.g. a role profile's): only then may `remove` delete it.
pub fn record_device(
    doc: &mut Document,
    profile: &str,
    serial: &str,
    source: Option<&str>,
) -> Result<(), crate::aws_files::EditError> {
    let section = doc.config_section_for(profile);
    let before = doc.get(&section, keys::MFA_SERIAL);
    if before.as_deref() != Some(serial) {
        doc.set(&section, keys::MFA_SERIAL, serial)?;
        let mut wrote = wrote(doc, &section);
        if !wrote.iter().any(|k| k == keys::MFA_SERIAL) {
            wrote.push(keys::MFA_SERIAL.to_string());
            doc.set(&section, keys::WROTE, &wrote.join(","))?;
        }
    }
    if let Some(source) = source {
        doc.set(&section, keys::SOURCE, source)?;
    }
    Ok(())
}

/// Keys that make a section a long-term key profile (moved together by `--setup`).
const LONG_TERM_KEYS: &[&str] = &[
    keys::ACCESS_KEY_ID,
    keys::SECRET_ACCESS_KEY,
    keys::AWS_MFA_DEVICE,
];

/// Whether `[profile]` holds long-term keys where a session should go (aws-mfa's `--setup`
/// case): an access key and no session token, in the credentials file or its config section.
pub fn holds_long_term_keys(files: &Files, profile: &str) -> bool {
    let holds = |get: &dyn Fn(&str) -> Option<String>| {
        get(keys::ACCESS_KEY_ID).is_some_and(|v| !v.is_empty())
            && get(keys::SESSION_TOKEN).is_none_or(|v| v.is_empty())
    };
    holds(&|k| files.credentials_value(profile, k)) || holds(&|k| files.config_value(profile, k))
}

/// Moves the long-term keys of `[profile]` to `[profile-long-term]`, in the credentials file and
/// in the config file, as aws-mfa's `--setup` does. Both files or neither: when the second write
/// fails the first is undone. Refuses when `[profile-long-term]` already holds keys.
pub fn move_long_term_keys(files: &Files, profile: &str) -> Result<String, Error> {
    config::check_name(profile)?;
    let target = format!("{profile}-long-term");
    let occupied = files
        .credentials_value(&target, keys::ACCESS_KEY_ID)
        .is_some()
        || files.config_value(&target, keys::ACCESS_KEY_ID).is_some();
    if occupied {
        return Err(Error::LongTermTargetTaken {
            profile: profile.to_string(),
            target,
        });
    }
    let moves = |doc: &mut Document, from: &str, to: &str| -> Result<(), Error> {
        for key in LONG_TERM_KEYS {
            if let Some(value) = doc.get(from, key) {
                doc.set(to, key, &value)?;
                doc.remove_key(from, key);
            }
        }
        Ok(())
    };
    let credentials_changed =
        credentials_file(files, |doc: &mut Document| moves(doc, profile, &target))?;
    let config = config_file(files, |doc: &mut Document| {
        let (from, to) = (
            doc.config_section_for(profile),
            doc.config_section_for(&target),
        );
        if doc.has_section(&from) {
            moves(doc, &from, &to)?;
        }
        Ok::<(), Error>(())
    });
    if let Err(e) = config {
        if credentials_changed {
            credentials_file(files, |doc: &mut Document| moves(doc, &target, profile))?;
        }
        return Err(e);
    }
    Ok(target)
}

/// Records `mfa_mint_source_profile = source` for `profile` unless it is already what the
/// profile resolves to without the flag.
pub fn remember_source(files: &Files, profile: &str, source: &str) -> Result<(), Error> {
    if config::resolve_source(files, profile, None).ok().as_deref() == Some(source) {
        return Ok(());
    }
    config_file(files, |doc: &mut Document| {
        doc.set(&doc.config_section_for(profile), keys::SOURCE, source)?;
        Ok::<(), Error>(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

    #[test]
    fn a_serial_that_was_there_already_is_not_ours() {
        let mut doc = Document::parse(&format!(
            "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nmfa_serial = {SERIAL}\n"
        ))
        .unwrap();
        record_device(&mut doc, "admin", SERIAL, Some("dev-long-term")).unwrap();
        let owned = owned_keys(&doc, "profile admin");
        assert_eq!(owned, ["mfa_mint_source_profile"]);
    }

    #[test]
    fn a_serial_mfa_mint_wrote_is_ours() {
        let mut doc = Document::parse("[profile dev]\nregion = eu-west-1\n").unwrap();
        record_device(&mut doc, "dev", SERIAL, None).unwrap();
        record_device(&mut doc, "dev", SERIAL, None).unwrap();
        assert_eq!(
            doc.get("profile dev", keys::WROTE).as_deref(),
            Some("mfa_serial")
        );
        let owned = owned_keys(&doc, "profile dev");
        assert_eq!(owned, ["mfa_serial", "mfa_mint_wrote"]);
    }
}
