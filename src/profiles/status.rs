//! `status`: what mfa-mint knows about each profile (device, seed, session and where it is,
//! the last run), collected as data for the command to print.

use crate::config::{self, Context};
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
    /// A run waiting for a fresh code of the profile's device right now.
    pub waiting: Option<crate::state::waits::Wait>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPlace {
    CredentialsFile,
    Keyring,
}

impl SessionPlace {
    pub fn name(self) -> &'static str {
        match self {
            SessionPlace::CredentialsFile => "credentials_file",
            SessionPlace::Keyring => "keyring",
        }
    }
}

pub fn collect(
    ctx: &Context,
    profiles: &[String],
    seeds: &mut Seeds,
) -> Result<Vec<ProfileStatus>, Error> {
    let files = ctx.files()?;
    // A name the AWS CLI cannot address is refused as such (exit 4) before it is looked up.
    for p in profiles {
        config::check_name(p)?;
        config::check_known(files, p)?;
    }
    let profiles = config::named_or_all(files, profiles);
    let env = &ctx.env;
    let mut out = Vec::new();
    for p in profiles {
        // A role profile shows its base's device and seed, and the role's cached session.
        let role = config::RoleConfig::resolve(files, &p, &config::Overrides::default(), env)
            .ok()
            .flatten();
        let device_profile = role.as_ref().map_or(p.as_str(), |r| r.base.as_str());
        let source = config::resolve_source(files, device_profile, None).ok();
        let serial = config::resolve_serial(files, device_profile, source.as_deref()).ok();
        let seed = serial.as_ref().and_then(|s| {
            seeds
                .store()
                .ok()
                .and_then(|store| store.get(s).ok())
                .map(|v| v.is_some())
        });
        let in_file = match role {
            Some(_) => None,
            None => config::session_expiry(files, &p),
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
            waiting: serial.as_deref().and_then(crate::state::waits::current),
            role: role.map(|r| (r.role_arn, r.base)),
            profile: p,
            serial,
            seed,
        });
    }
    Ok(out)
}
