//! `mfa-mint status`: each profile's device, whether its seed is in the keyring, session expiry
//! and the last run's outcome.

use serde_json::json;

use crate::clock::{format_rfc3339, human_duration, now_secs};
use crate::config::{self, Files};
use crate::error::Error;
use crate::vault::Seeds;

/// One profile's state.
pub struct ProfileStatus {
    pub profile: String,
    pub serial: Option<String>,
    /// `Some(true)` stored, `Some(false)` missing, `None` keyring unreachable.
    pub seed: Option<bool>,
    pub expiration: Option<i64>,
    pub last: Option<crate::state::runlog::Entry>,
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
        config::mfa_profiles(&files)
    } else {
        profiles.to_vec()
    };
    let mut out = Vec::new();
    for p in profiles {
        let source = config::resolve_source(&files, &p, None).ok();
        let serial = config::resolve_serial(&files, &p, source.as_deref()).ok();
        let seed = serial.as_ref().and_then(|s| {
            seeds
                .store()
                .ok()
                .and_then(|store| store.get(s).ok())
                .map(|v| v.is_some())
        });
        out.push(ProfileStatus {
            expiration: config::session_expiry(&files, &p),
            last: crate::state::runlog::last(&p),
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
                    "serial": s.serial.as_deref().map(mask_serial),
                    "seed_in_keyring": s.seed,
                    "expiration": s.expiration.map(format_rfc3339),
                    "seconds_remaining": s.expiration.map(|e| (e - now).max(0)),
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
    for s in statuses {
        let serial = s
            .serial
            .as_deref()
            .map_or("no mfa_serial".to_string(), mask_serial);
        let seed = match s.seed {
            Some(true) => "seed in keyring",
            Some(false) => "NO seed in keyring",
            None if s.serial.is_none() => "-",
            None => "keyring unavailable",
        };
        let session = match s.expiration {
            Some(e) if e > now => format!(
                "session until {} ({} left)",
                format_rfc3339(e),
                human_duration(e - now)
            ),
            Some(e) => format!("session expired at {}", format_rfc3339(e)),
            None => "no session".to_string(),
        };
        let last = s.last.as_ref().map_or("never run".to_string(), |l| {
            format!("last run {} {}", format_rfc3339(l.at), l.outcome)
        });
        crate::output::outln!("{}\t{serial}\t{seed}\t{session}\t{last}", s.profile);
    }
}

pub(crate) fn run(args: &crate::cli::StatusArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let statuses = collect(
        &[&args.profiles[..], &args.profile_flags[..]].concat(),
        seeds,
    )?;
    print(&statuses, args.json);
    Ok(crate::error::exit::OK)
}
