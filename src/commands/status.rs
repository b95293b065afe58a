//! `mfa-mint status`: each profile's device, whether its seed is in the keyring, session expiry
//! and the last run's outcome.

use crate::config::Context;
use serde_json::json;

use crate::arn::mask_serial;
use crate::clock::{format_local, format_rfc3339, human_duration, now_secs};
use crate::error::Error;
use crate::profiles::status::{ProfileStatus, SessionPlace};
use crate::vault::Seeds;

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
                    "waiting": s.waiting.as_ref().map(|w| json!({
                        "since": format_rfc3339(w.since),
                        "until": format_rfc3339(w.until),
                        "reason": w.why,
                    })),
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
    crate::output::data(&crate::output::table(
        &["PROFILE", "MFA DEVICE", "SEED", "SESSION", "LAST RUN"],
        &rows,
    ));
    // A wait its caller may hide (the AWS CLI swallows credential-process's stderr).
    for s in statuses {
        if let Some(w) = &s.waiting {
            crate::output::outln!(
                "{}: a run has been waiting for a fresh MFA code since {} (until {}): {}",
                s.profile,
                crate::clock::format_local_time(w.since),
                crate::clock::format_local_time(w.until),
                w.why
            );
        }
    }
}

pub(crate) fn run(
    ctx: &mut Context,
    args: &crate::cli::StatusArgs,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    let statuses = crate::profiles::status::collect(
        ctx,
        &[&args.profiles[..], &args.profile_flags[..]].concat(),
        seeds,
    )?;
    print(&statuses, args.json);
    Ok(crate::exit::OK)
}
