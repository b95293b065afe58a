//! Role profiles (`role_arn` + `source_profile`) served natively by `exec`, `env` and
//! `credential-process`: one MFA code mints the IAM user's base session (an mfa-mint profile,
//! cached as every session is), and each role is assumed from it with STS AssumeRole and cached
//! in the keyring per role until near expiry, so one code serves every role with no prompt.
//!
//! A session from GetSessionToken with MFA carries the MFA context into AssumeRole:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html>

use crate::aws::sts;
use crate::config::{self, Context, Files, RoleConfig, keys};
use crate::credentials::Session;
use crate::error::Error;
use crate::minter;
use crate::vault::Seeds;

/// The role's session cached in the keyring, while it has more than its refresh window left.
pub fn cached(role: &RoleConfig, seeds: &mut Seeds) -> Result<Option<Session>, Error> {
    Ok(seeds
        .load_session(&role.profile)?
        .filter(|cached| minter::is_fresh(&role.profile, cached.expiration, role.refresh)))
}

/// AssumeRole from the session `base` it is given (never minting one itself: the caller,
/// `session::obtain`, decides where the base session comes from). The role profile's network
/// settings first, then its base profile's, as for a mint; the role's partition is its ARN's.
pub fn assume(
    ctx: &Context,
    role: &RoleConfig,
    base: &Session,
    opts: &minter::Options,
) -> Result<Session, Error> {
    let target = crate::config::network::resolve(
        ctx.files()?,
        crate::config::network::Scope {
            profile: &role.profile,
            source: Some(&role.base),
            region: role.region.clone(),
            endpoint_url: role.sts_endpoint.clone(),
            partition: role.role_arn.split(':').nth(1).map(str::to_string),
            service: crate::aws::client::Service::Sts,
        },
        opts.timeout,
        &ctx.env,
    )?;
    let request = sts::RoleRequest {
        role_arn: role.role_arn.clone(),
        session_name: role.session_name.clone(),
        duration_secs: role.duration as u32,
        external_id: role.external_id.clone(),
    };
    sts::assume_role(&target, base, &request, &sts::DateProbe::default()).map_err(|source| {
        Error::AssumeRole {
            profile: role.profile.clone(),
            role_arn: role.role_arn.clone(),
            source: Box::new(source),
        }
    })
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
        source_profile: source,
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
                "in [profile {profile}] {}delete mfa_serial (the session of {base} carries MFA); or use `mfa-mint exec {profile} -- CMD`",
                if source.as_deref() == Some(base.as_str()) {
                    String::new()
                } else {
                    format!("set source_profile = {base} and ")
                }
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
