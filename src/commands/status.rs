//! `mfa-mint status`: each profile's device, whether its seed is in the keyring, session expiry
//! and the last run's outcome.

use serde_json::json;

use crate::clock::{format_local, format_rfc3339, human_duration, now_secs};
use crate::config::{self, Files};
use crate::error::Error;
use crate::vault::Seeds;

/// One profile's state.
pub struct ProfileStatus {
    pub profile: String,
    /// For a role profile (`role_arn`): the role, and the mfa-mint profile it is assumed from.
    pub role: Option<(String, String)>,
    pub serial: Option<String>,
    /// `Some(true)` stored, `Some(false)` missing, `None` keyring unreachable.
    pub seed: Option<bool>,
    pub expiration: Option<i64>,
    /// Where the session is: the credentials file, or the keyring cache of `credential-process`,
    /// `exec`, `env` and role profiles.
    pub session_in: Option<SessionPlace>,
    pub last: Option<crate::state::runlog::Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPlace {
    CredentialsFile,
    Keyring,
}

impl SessionPlace {
    fn name(self) -> &'static str {
        match self {
            SessionPlace::CredentialsFile => "credentials_file",
            SessionPlace::Keyring => "keyring",
        }
    }
}

/// Shows the account id masked to its last 4 digits: `arn:aws:iam::********9012:mfa/alice`.
pub fn mask_serial(serial: &str) -> String {
    match crate::aws::serial::parse(serial) {
        Ok(s) => format!(
            "arn:{}:iam::{}:mfa/{}",
            s.partition,
            crate::secret::mask(&s.account),
            s.name
        ),
        Err(_) => crate::secret::mask(serial),
    }
}

pub fn collect(profiles: &[String], seeds: &mut Seeds) -> Result<Vec<ProfileStatus>, Error> {
    let files = Files::load()?;
    let profiles = if profiles.is_empty() {
        let mut all = config::mfa_profiles(&files);
        all.extend(config::role_profiles(&files));
        all
    } else {
        for p in profiles {
            config::check_name(p)?;
        }
        profiles.to_vec()
    };
    let env = config::Env::from_process();
    let mut out = Vec::new();
    for p in profiles {
        // A role profile shows its base's device and seed, and the role's cached session.
        let role = config::RoleConfig::resolve(&files, &p, &config::Overrides::default(), &env)
            .ok()
            .flatten();
        let device_profile = role.as_ref().map_or(p.as_str(), |r| r.base.as_str());
        let source = config::resolve_source(&files, device_profile, None).ok();
        let serial = config::resolve_serial(&files, device_profile, source.as_deref()).ok();
        let seed = serial.as_ref().and_then(|s| {
            seeds
                .store()
                .ok()
                .and_then(|store| store.get(s).ok())
                .map(|v| v.is_some())
        });
        let in_file = match role {
            Some(_) => None,
            None => config::session_expiry(&files, &p),
        };
        let (expiration, session_in) = match in_file {
            Some(e) => (Some(e), Some(SessionPlace::CredentialsFile)),
            // Only a profile whose seed is reachable can have a cached session worth a look
            // (and a keyring that is not there is not asked twice).
            None if seed.is_some() => match seeds.load_session(&p) {
                Ok(Some(cached)) => (Some(cached.expiration), Some(SessionPlace::Keyring)),
                _ => (None, None),
            },
            None => (None, None),
        };
        out.push(ProfileStatus {
            expiration,
            session_in,
            last: crate::state::runlog::last(&p),
            role: role.map(|r| (r.role_arn, r.base)),
            profile: p,
            serial,
            seed,
        });
    }
    Ok(out)
}

pub fn print(statuses: &[ProfileStatus], as_json: bool) {
    let now = now_secs() as i64;
    if as_json {
        let list: Vec<_> = statuses
            .iter()
            .map(|s| {
                json!({
                    "profile": s.profile,
                    "role_arn": s.role.as_ref().map(|r| &r.0),
                    "assumed_from": s.role.as_ref().map(|r| &r.1),
                    "serial": s.serial.as_deref().map(mask_serial),
                    "seed_in_keyring": s.seed,
                    "expiration": s.expiration.map(format_rfc3339),
                    "seconds_remaining": s.expiration.map(|e| (e - now).max(0)),
                    "session_in": s.session_in.map(SessionPlace::name),
                    "last_run": s.last.as_ref().map(|l| json!({
                        "at": format_rfc3339(l.at),
                        "outcome": l.outcome,
                        "exit_code": l.exit_code,
                        "error": l.message,
                    })),
                })
            })
            .collect();
        crate::output::outln!("{}", json!({ "profiles": list }));
        return;
    }
    if statuses.is_empty() {
        crate::output::outln!(
            "No profile is set up yet: mfa-mint import PROFILE --serial ARN < seed.txt"
        );
        return;
    }
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|s| {
            let serial = s.serial.as_deref().map_or("-".to_string(), mask_serial);
            let seed = match s.seed {
                Some(true) => "stored",
                Some(false) => "MISSING",
                None if s.serial.is_none() => "-",
                None => "keyring unavailable",
            };
            let cached = s.session_in == Some(SessionPlace::Keyring);
            let session = match s.expiration {
                Some(e) if e > now && cached => format!(
                    "until {} ({} left, keyring cache)",
                    format_local(e),
                    human_duration(e - now)
                ),
                Some(e) if e > now => format!(
                    "until {} ({} left)",
                    format_local(e),
                    human_duration(e - now)
                ),
                Some(e) if cached => format!("expired {} (keyring cache)", format_local(e)),
                Some(e) => format!("expired {}", format_local(e)),
                None => "none".to_string(),
            };
            let last = s.last.as_ref().map_or("never".to_string(), |l| {
                format!("{} {}", format_local(l.at), l.outcome)
            });
            let profile = match &s.role {
                Some((_, base)) => format!("{} (role, from {base})", s.profile),
                None => s.profile.clone(),
            };
            vec![profile, serial, seed.to_string(), session, last]
        })
        .collect();
    crate::output::data(&table(
        &["PROFILE", "MFA DEVICE", "SEED", "SESSION", "LAST RUN"],
        &rows,
    ));
}

/// Rows under a header, each column as wide as its widest cell, two spaces apart.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        text.push('\n');
        text
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

pub(crate) fn run(args: &crate::cli::StatusArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let statuses = collect(
        &[&args.profiles[..], &args.profile_flags[..]].concat(),
        seeds,
    )?;
    print(&statuses, args.json);
    Ok(crate::error::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up_under_the_header() {
        let text = table(
            &["PROFILE", "SEED"],
            &[
                vec!["dev".into(), "stored".into()],
                vec!["production".into(), "MISSING".into()],
            ],
        );
        assert_eq!(
            text,
            "PROFILE     SEED\ndev         stored\nproduction  MISSING\n"
        );
    }

    #[test]
    fn serials_show_only_the_last_four_digits_of_the_account() {
        assert_eq!(
            mask_serial("arn:aws:iam::123456789012:mfa/alice"),
            "arn:aws:iam::****9012:mfa/alice"
        );
    }
}
