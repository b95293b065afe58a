//! Reading what a profile needs out of the AWS config and credentials files: the MFA serial,
//! the source profile and its long-term keys, mfa-mint's own settings, the current session.

use std::path::PathBuf;

use crate::aws_files::{self, Document};
use crate::credentials::LongTermKeys;
use crate::error::Error;
use crate::secret::SecretText;

/// Config keys mfa-mint reads and writes (unknown keys are ignored by the AWS CLI and SDKs).
pub mod keys {
    pub const MFA_SERIAL: &str = "mfa_serial";
    pub const SOURCE: &str = "mfa_mint_source_profile";
    pub const DURATION: &str = "mfa_mint_duration";
    pub const MIN_REMAINING: &str = "mfa_mint_min_remaining";
    pub const REGION: &str = "region";
    /// aws-mfa's name for the serial, in the long-term section of the credentials file.
    pub const AWS_MFA_DEVICE: &str = "aws_mfa_device";
    pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
    pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
    pub const SESSION_TOKEN: &str = "aws_session_token";
    pub const EXPIRATION: &str = "expiration";
    /// `keyring` when `mfa-mint keys import` moved the long-term keys into the keyring.
    pub const KEYS_IN: &str = "mfa_mint_keys";
    /// The AWS-standard keys of a section that mfa-mint wrote (comma-separated), so `remove` and
    /// `rename` touch only those and never a key the user or another tool put there.
    pub const WROTE: &str = "mfa_mint_wrote";
    /// AWS-standard: names the profile whose credentials are used (the long-term keys when the
    /// profile has no `role_arn`; the credentials to assume the role from when it has one).
    pub const SOURCE_PROFILE: &str = "source_profile";
    pub const ROLE_ARN: &str = "role_arn";
    /// AWS-standard: a program the AWS CLI and SDKs run for credentials (`mfa-mint
    /// setup-credential-process` writes it); keys in the credentials file win over it.
    pub const CREDENTIAL_PROCESS: &str = "credential_process";
    /// aws-mfa (and old boto) write these next to a session; stale once mfa-mint mints.
    pub const AWS_SECURITY_TOKEN: &str = "aws_security_token";
    pub const ASSUMED_ROLE: &str = "assumed_role";
}

/// Both AWS files as read now (each `None` when absent).
pub struct Files {
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    pub config: Option<Document>,
    pub credentials: Option<Document>,
    /// The credentials file's length and modification time when it was read (`None`: absent
    /// or not known), to tell whether another process has written it since.
    pub credentials_stamp: Option<(u64, std::time::SystemTime)>,
}

impl Files {
    /// Reads both files. Only [`Context`] calls this (once per run, plus its named re-reads).
    pub(super) fn load() -> Result<Files, Error> {
        let config_path = aws_files::config_path()?;
        let credentials_path = aws_files::credentials_path()?;
        // Stamped before reading: a write that lands during the read shows as a change later.
        let credentials_stamp = stamp(&credentials_path);
        Ok(Files {
            config: aws_files::load(&config_path)?,
            credentials: aws_files::load(&credentials_path)?,
            config_path,
            credentials_path,
            credentials_stamp,
        })
    }

    /// Whether the credentials file is as this value read it (same length and modification
    /// time; an atomic replace by another writer changes both or at least the time).
    pub fn credentials_unchanged(&self) -> bool {
        self.credentials_stamp.is_some() && stamp(&self.credentials_path) == self.credentials_stamp
    }

    /// A key of `[profile NAME]` (or `[default]`) in the config file.
    pub fn config_value(&self, profile: &str, key: &str) -> Option<String> {
        self.config
            .as_ref()
            .and_then(|doc| aws_files::config_get(doc, profile, key))
    }

    /// A key of `[NAME]` in the credentials file.
    pub fn credentials_value(&self, profile: &str, key: &str) -> Option<String> {
        self.credentials
            .as_ref()
            .and_then(|doc| doc.get(profile, key).map(|v| v.to_string()))
            .filter(|v| !v.is_empty())
    }

    fn has_credentials_section(&self, profile: &str) -> bool {
        self.credentials
            .as_ref()
            .is_some_and(|doc| doc.has_section(profile))
    }

    fn has_config_profile(&self, profile: &str) -> bool {
        self.config
            .as_ref()
            .is_some_and(|doc| aws_files::config_has_profile(doc, profile))
    }

    /// A key from the credentials file, else the profile's config section (botocore's order).
    fn key_value(&self, profile: &str, key: &str) -> Option<String> {
        self.credentials_value(profile, key)
            .or_else(|| self.config_value(profile, key).filter(|v| !v.is_empty()))
    }

    /// The config file's path for messages (`~/.aws/config`, `%USERPROFILE%\.aws\config`).
    pub fn display_config(&self) -> String {
        crate::aws_files::paths::display(&self.config_path)
    }

    /// The credentials file's path for messages.
    pub fn display_credentials(&self) -> String {
        crate::aws_files::paths::display(&self.credentials_path)
    }
}

fn stamp(path: &std::path::Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Refuses a profile name the AWS CLI cannot address or that some writer would have to quote
/// (see [`aws_files::name_problem`]): called where a name enters (arguments, `$AWS_PROFILE`).
/// A profile the user's files already hold, as botocore reads them (`[profile "my dev"]`), keeps
/// working whatever its characters, unless no file could ever hold it (a control character,
/// a bracket, a leading `-`, `DEFAULT`).
pub fn check_name(name: &str) -> Result<(), Error> {
    match aws_files::name_problem(name) {
        Some(_) if aws_files::names::could_exist(name) && already_in_files(name) => Ok(()),
        Some(problem) => Err(Error::ProfileName {
            name: name.to_string(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Whether the AWS files already hold `name`. A deliberate read of the files, made only for a
/// name outside the rule (so never for the names people normally use).
fn already_in_files(name: &str) -> bool {
    Files::load()
        .is_ok_and(|files| files.has_config_profile(name) || files.has_credentials_section(name))
}

/// The looser check for a profile named inside the user's files (`source_profile = …`), which
/// mfa-mint only reads: anything botocore reads as a section name is kept working.
fn check_readable_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.chars().any(|c| c.is_control() || c == '[' || c == ']') {
        return Err(Error::ProfileName {
            name: name.to_string(),
            problem: "it is empty or holds a bracket or control character".into(),
        });
    }
    Ok(())
}

/// Refuses a profile neither AWS file mentions (nor its `-long-term` keys), suggesting the
/// closest name the config file knows: "profile dve is not set up for mfa-mint; did you mean dev?"
pub fn check_known(files: &Files, profile: &str) -> Result<(), Error> {
    let long_term = format!("{profile}-long-term");
    if files.has_config_profile(profile)
        || files.has_credentials_section(profile)
        || files.has_credentials_section(&long_term)
    {
        return Ok(());
    }
    let mut known = files
        .config
        .as_ref()
        .map(aws_files::config_profiles)
        .unwrap_or_default();
    if let Some(credentials) = &files.credentials {
        known.extend(credentials.sections().into_iter().map(str::to_string));
    }
    Err(Error::UnknownProfile {
        profile: profile.to_string(),
        suggestion: closest(profile, &known),
    })
}

/// The name nearest to `name` (at most 2 edits, a swap of neighbours counting as one), if any.
fn closest(name: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|(d, _)| *d <= 2.min(name.chars().count().max(1) - 1).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.clone())
}

/// The profile holding the long-term keys: `--source`, else `mfa_mint_source_profile`, else
/// `source_profile` when the profile assumes no role (what users of the AWS CLI expect), else
/// `PROFILE-long-term` (the aws-mfa convention) when it exists.
pub fn resolve_source(files: &Files, profile: &str, flag: Option<&str>) -> Result<String, Error> {
    let is_role = files.config_value(profile, keys::ROLE_ARN).is_some();
    let configured = flag
        .map(str::to_string)
        .or_else(|| files.config_value(profile, keys::SOURCE))
        .or_else(|| {
            (!is_role)
                .then(|| files.config_value(profile, keys::SOURCE_PROFILE))
                .flatten()
        });
    let source = match configured {
        Some(s) => s,
        None => {
            let conventional = format!("{profile}-long-term");
            if files.has_credentials_section(&conventional)
                || files.has_config_profile(&conventional)
            {
                conventional
            } else {
                return Err(Error::NoSource {
                    profile: profile.to_string(),
                    tried: format!(
                        "--source, {} and {} in [profile {profile}] of {}, and [{conventional}] in {}",
                        keys::SOURCE,
                        keys::SOURCE_PROFILE,
                        files.display_config(),
                        files.display_credentials()
                    ),
                });
            }
        }
    };
    if flag.is_some() {
        check_name(&source)?;
    } else {
        check_readable_name(&source)?;
    }
    if source == profile {
        return Err(Error::SourceIsTarget {
            profile: profile.to_string(),
        });
    }
    Ok(source)
}

/// The long-term keys profile `profile` finds without `--source` or `mfa_mint_source_profile`:
/// its `source_profile` when it assumes no role, else `PROFILE-long-term` when that exists.
pub fn implicit_source(files: &Files, profile: &str) -> Option<String> {
    (files.config_value(profile, keys::ROLE_ARN).is_none())
        .then(|| files.config_value(profile, keys::SOURCE_PROFILE))
        .flatten()
        .or_else(|| {
            let conventional = format!("{profile}-long-term");
            (files.has_credentials_section(&conventional)
                || files.has_config_profile(&conventional))
            .then_some(conventional)
        })
}

/// The MFA device of `profile`: its `mfa_serial`, else the source profile's `mfa_serial`, else
/// aws-mfa's `aws_mfa_device` in the source's credentials section.
pub fn resolve_serial(files: &Files, profile: &str, source: Option<&str>) -> Result<String, Error> {
    files
        .config_value(profile, keys::MFA_SERIAL)
        .or_else(|| source.and_then(|s| files.config_value(s, keys::MFA_SERIAL)))
        .or_else(|| source.and_then(|s| files.credentials_value(s, keys::AWS_MFA_DEVICE)))
        .ok_or_else(|| Error::NoSerial {
            profile: profile.to_string(),
            config: files.display_config(),
        })
}

/// The long-term keys of `source`; refuses session credentials.
pub fn source_keys(files: &Files, source: &str) -> Result<LongTermKeys, Error> {
    let missing = |what| Error::SourceWithoutKeys {
        source_profile: source.to_string(),
        missing: what,
        looked: format!(
            "[{source}] in {} and [{}] in {}",
            files.display_credentials(),
            aws_files::config_section(source),
            files.display_config()
        ),
    };
    let access_key_id = files
        .key_value(source, keys::ACCESS_KEY_ID)
        .ok_or_else(|| missing(keys::ACCESS_KEY_ID))?;
    let secret = files
        .key_value(source, keys::SECRET_ACCESS_KEY)
        .ok_or_else(|| missing(keys::SECRET_ACCESS_KEY))?;
    if access_key_id.starts_with("ASIA") || files.key_value(source, keys::SESSION_TOKEN).is_some() {
        return Err(Error::SourceHasSession {
            source_profile: source.to_string(),
        });
    }
    Ok(LongTermKeys {
        access_key_id,
        secret_access_key: SecretText::from_string(secret),
    })
}

/// Refuses to overwrite a credentials section that holds long-term keys.
pub fn check_target(doc: Option<&Document>, profile: &str, path: &str) -> Result<(), Error> {
    let Some(doc) = doc else { return Ok(()) };
    let has = |k: &str| doc.get(profile, k).is_some_and(|v| !v.is_empty());
    if has(keys::ACCESS_KEY_ID) && !has(keys::SESSION_TOKEN) {
        return Err(Error::TargetHoldsLongTermKeys {
            profile: profile.to_string(),
            path: path.to_string(),
        });
    }
    Ok(())
}

/// The expiry (unix seconds) of the session in `[profile]`, when it holds a complete one.
pub fn session_expiry(files: &Files, profile: &str) -> Option<i64> {
    for key in [
        keys::ACCESS_KEY_ID,
        keys::SECRET_ACCESS_KEY,
        keys::SESSION_TOKEN,
    ] {
        files.credentials_value(profile, key)?;
    }
    crate::clock::parse_timestamp(&files.credentials_value(profile, keys::EXPIRATION)?)
}

/// A duration setting from the flag, else the config key, else the default.
pub fn duration_setting(
    files: &Files,
    profile: &str,
    flag: Option<(&'static str, &str)>,
    key: &'static str,
    parse: fn(&str) -> Result<u64, crate::duration::Error>,
    default: u64,
) -> Result<u64, Error> {
    if let Some((flag, value)) = flag {
        return parse(value).map_err(|source| Error::Duration { flag, source });
    }
    match files.config_value(profile, key) {
        Some(value) => parse(&value).map_err(|e| Error::BadSetting {
            profile: profile.to_string(),
            key,
            value,
            reason: e.to_string(),
        }),
        None => Ok(default),
    }
}

/// Profiles set up for mfa-mint: config sections with `mfa_serial` and no `role_arn` (an
/// assume-role profile uses its serial differently), in file order.
pub fn mfa_profiles(files: &Files) -> Vec<String> {
    let Some(doc) = &files.config else {
        return Vec::new();
    };
    aws_files::config_profiles(doc)
        .into_iter()
        .filter(|p| {
            files.config_value(p, keys::MFA_SERIAL).is_some()
                && files.config_value(p, "role_arn").is_none()
        })
        .collect()
}

/// Profiles that assume a role (`role_arn`), in file order.
pub fn role_profiles(files: &Files) -> Vec<String> {
    let Some(doc) = &files.config else {
        return Vec::new();
    };
    aws_files::config_profiles(doc)
        .into_iter()
        .filter(|p| files.config_value(p, keys::ROLE_ARN).is_some())
        .collect()
}

/// The profiles named, or with none every mfa-mint profile and then every role profile (what
/// `status`, `doctor` and `clear` cover by default).
pub fn named_or_all(files: &Files, named: &[String]) -> Vec<String> {
    if !named.is_empty() {
        return named.to_vec();
    }
    let mut all = mfa_profiles(files);
    all.extend(role_profiles(files));
    all
}

/// Refuses a mint into the credentials file for a profile set up for `credential_process`: the
/// file's keys would win over it (issue 23 row 8).
pub fn check_no_credential_process(files: &Files, profile: &str) -> Result<(), Error> {
    match files.config_value(profile, keys::CREDENTIAL_PROCESS) {
        Some(_) => Err(Error::MintOfCredentialProcess {
            profile: profile.to_string(),
        }),
        None => Ok(()),
    }
}

/// Refuses to treat `[keys_profile]` as a profile of its own when other profiles take their
/// long-term keys from it (an mfa-mint profile whose keys resolve there, a role whose
/// `source_profile` names it): `mfa-mint dev-long-term` is a slip for `dev` (issue 23 row 7),
/// and `--setup` must not move keys another profile uses.
pub fn check_not_keys_of_another(files: &Files, keys_profile: &str) -> Result<(), Error> {
    let minting: Vec<String> = mfa_profiles(files)
        .into_iter()
        .filter(|p| {
            p != keys_profile
                && resolve_source(files, p, None).ok().as_deref() == Some(keys_profile)
        })
        .collect();
    let roles: Vec<String> = role_profiles(files)
        .into_iter()
        .filter(|r| {
            r != keys_profile
                && files.config_value(r, keys::SOURCE_PROFILE).as_deref() == Some(keys_profile)
        })
        .collect();
    let command = match (minting.first(), roles.first()) {
        (Some(p), _) => format!("mfa-mint {p}"),
        (None, Some(r)) => format!("mfa-mint exec {r} -- CMD"),
        (None, None) => return Ok(()),
    };
    Err(Error::KeysOfAnotherProfile {
        profile: keys_profile.to_string(),
        users: minting.into_iter().chain(roles).collect(),
        command,
    })
}

/// Whether `mfa-mint keys import` moved `source`'s long-term keys into the keyring.
pub fn keys_in_keyring(files: &Files, source: &str) -> bool {
    files
        .config_value(source, keys::KEYS_IN)
        .is_some_and(|v| v == "keyring")
}

mod context;
pub(crate) mod edit;
pub(crate) mod known;
pub(crate) mod network;
mod resolve;

pub use context::Context;
pub use resolve::{
    Env, Keys, Overrides, ProfileConfig, RoleConfig, Timing, configured_endpoint, keys_of, region,
    role_base,
};
