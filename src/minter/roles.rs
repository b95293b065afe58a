//! Role profiles (`role_arn` + `source_profile`) served natively by `exec`, `env` and
//! `credential-process`: one MFA code mints the IAM user's base session (an mfa-mint profile,
//! cached as every session is), and each role is assumed from it with STS AssumeRole and cached
//! in the keyring per role until near expiry, so one code serves every role with no prompt.
//!
//! A session from GetSessionToken with MFA carries the MFA context into AssumeRole:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html>

use crate::aws::sts::{self, Session};
use crate::config::{self, Env, Files, RoleConfig, keys};
use crate::error::Error;
use crate::minter::session::{self, Origin};
use crate::minter::single_flight::DeviceLock;
use crate::minter::{self, Options, Outcome};
use crate::output;
use crate::vault::Seeds;

/// The role `profile` assumes, resolved; `None` for a profile without `role_arn`.
pub fn role_of(files: &Files, profile: &str, opts: &Options) -> Result<Option<RoleConfig>, Error> {
    RoleConfig::resolve(files, profile, &opts.overrides(), &Env::from_process())
}

/// A session of the role: the keyring cache while fresh, else AssumeRole from the base
/// profile's session (itself from the credentials file, the keyring cache or a new mint).
pub fn obtain(
    role: &RoleConfig,
    opts: &Options,
    seeds: &mut Seeds,
) -> Result<(Session, Origin), Error> {
    let cached_fresh = |seeds: &mut Seeds| -> Result<Option<Session>, Error> {
        Ok(seeds
            .load_session(&role.profile)?
            .filter(|cached| minter::is_fresh(&role.profile, cached.expiration, role.refresh)))
    };
    if !opts.force
        && let Some(cached) = cached_fresh(seeds)?
    {
        return Ok((cached, Origin::KeyringCache));
    }
    // One AssumeRole per role at a time, as one GetSessionToken per device: whoever gets the
    // lock second finds the role's session the first one cached (ten SDK processes asking for a
    // role right after expiry make one request). The keyring was read above, so nothing under
    // the lock asks to unlock it.
    let _lock = DeviceLock::acquire(&format!("role {}", role.profile), &role.profile)?;
    if !opts.force
        && let Some(cached) = cached_fresh(seeds)?
    {
        output::debug(1, || {
            format!(
                "{}: another run just assumed the role; using its session",
                role.profile
            )
        });
        return Ok((cached, Origin::KeyringCache));
    }
    // The base keeps its own settings; --force renews the role, never spends another code.
    let base_opts = Options {
        timeout: opts.timeout,
        ..Options::default()
    };
    let (base, origin) = session::obtain(&role.base, &base_opts, seeds)?;
    output::debug(1, || {
        format!(
            "{}: assuming {} from the session of {} ({origin:?}), {} s",
            role.profile, role.role_arn, role.base, role.duration
        )
    });
    // The role profile's network settings first, then its base profile's, as for a mint; the
    // role's partition is its ARN's.
    let target = crate::aws::client::resolve(
        &crate::config::Files::load()?,
        crate::aws::client::Scope {
            profile: &role.profile,
            source: Some(&role.base),
            region: role.region.clone(),
            endpoint_url: role.sts_endpoint.clone(),
            partition: role.role_arn.split(':').nth(1).map(str::to_string),
            service: crate::aws::client::Service::Sts,
        },
        opts.timeout,
        &crate::config::Env::from_process(),
    )?;
    let request = sts::RoleRequest {
        role_arn: role.role_arn.clone(),
        session_name: role.session_name.clone(),
        duration_secs: role.duration as u32,
        external_id: role.external_id.clone(),
    };
    let assumed =
        sts::assume_role(&target, &base, &request, &sts::DateProbe::default()).map_err(|source| {
            Error::AssumeRole {
                profile: role.profile.clone(),
                role_arn: role.role_arn.clone(),
                source: Box::new(source),
            }
        });
    minter::record(
        &role.profile,
        assumed.as_ref().map(|s| Outcome::Minted {
            expiration: s.expiration,
        }),
    );
    let assumed = assumed?;
    seeds.cache_session(&role.profile, &assumed);
    Ok((assumed, Origin::Minted))
}

/// `mfa-mint PROFILE` writes sessions into the credentials file, which the AWS CLI ignores for
/// a profile with `role_arn`: refuse with the pattern that works instead.
pub fn refuse_mint(files: &Files, profile: &str) -> Result<(), Error> {
    let Some(role_arn) = files.config_value(profile, keys::ROLE_ARN) else {
        return Ok(());
    };
    let source = files.config_value(profile, keys::SOURCE_PROFILE);
    Err(Error::RoleProfile {
        profile: profile.to_string(),
        role_arn,
        base: config::role_base(files, profile, source.as_deref()).ok(),
        prompts: files.config_value(profile, keys::MFA_SERIAL).is_some(),
    })
}

/// What `doctor` says about one role profile: whether the AWS CLI would still ask for a code,
/// and what to change so it does not: `(ok, what, fix)`.
pub fn diagnose(files: &Files, profile: &str) -> (bool, String, Option<String>) {
    let source = files.config_value(profile, keys::SOURCE_PROFILE);
    let base = config::role_base(files, profile, source.as_deref());
    let prompts = files.config_value(profile, keys::MFA_SERIAL).is_some();
    match (base, prompts) {
        (Ok(base), false) => (
            true,
            format!("{profile}: role profile assumed from the session of {base}; no code is asked"),
            None,
        ),
        (Ok(base), true) => (
            false,
            format!("{profile}: role profile with mfa_serial: the AWS CLI asks for an MFA code"),
            Some(format!(
                "in [profile {profile}] set source_profile = {base} and delete mfa_serial (the session of {base} carries MFA); or use `mfa-mint exec {profile} -- CMD`"
            )),
        ),
        (Err(e), _) => (
            false,
            format!(
                "{profile}: role profile{}: {e}",
                if prompts {
                    " that asks for an MFA code"
                } else {
                    ""
                }
            ),
            e.hint(),
        ),
    }
}
