//! A user's MFA devices beyond the first enrollment (issue 25): `enroll --replace` puts a new
//! virtual device in place of the profile's old one, and `list --devices` shows every device of
//! each user (ListMFADevices), marking those whose seed mfa-mint holds.
//!
//! Replacing keeps the old device until the new one has proven itself: (1) the new device is
//! created and enabled (see [`enrollment`]); (2) one mint with it checks that AWS takes its
//! codes; (3) the profile is switched to it; (4) the old device is deactivated and deleted with
//! that mint's MFA session (MFA policies deny DeactivateMFADevice without one). A failure before
//! (3) deactivates and deletes the new device again; after it, the profile works with the new
//! device and the error says how to remove the old one.

use crate::aws::iam::{Iam, REPLACE_ACTIONS};
use crate::aws::sts;
use crate::config::{self, Context, keys};
use crate::enrollment::{self, Enrolled, Request};
use crate::error::Error;
use crate::minter::{self, Options};
use crate::output;
use crate::vault::Seeds;

pub struct Replaced {
    pub enrolled: Enrolled,
    pub old_serial: String,
    /// The old device's seed was in the keyring and no other profile uses it: removed.
    pub old_seed_removed: bool,
}

pub fn replace(ctx: &Context, req: &Request, seeds: &mut Seeds) -> Result<Replaced, Error> {
    config::check_name(req.profile)?;
    let files = ctx.files()?;
    // The source first: a profile without keys fails before anything is created.
    config::resolve_source(files, req.profile, req.source)?;
    let old = files
        .config_value(req.profile, keys::MFA_SERIAL)
        .ok_or_else(|| Error::NothingToReplace {
            profile: req.profile.to_string(),
        })?;
    let old_arn = crate::arn::parse(&old)?.arn;

    // (1)
    let enabled = enrollment::create_and_enable(ctx, req, seeds)?;
    output::debug(1, || format!("created and enabled {}", enabled.serial));

    // The old device must be the same user's (else deactivating it would fail after the switch).
    output::debug(1, || format!("IAM ListMFADevices {}", enabled.user));
    let listed = match enabled.iam.mfa_devices(Some(&enabled.user)) {
        Ok(listed) => listed,
        Err(e) => return Err(enrollment::roll_back_enabled(&enabled, seeds, denied(e))),
    };
    if !listed.iter().any(|d| d.serial == old_arn) {
        let cause = Error::NothingToReplace {
            profile: req.profile.to_string(),
        };
        return Err(enrollment::roll_back_enabled(&enabled, seeds, cause));
    }

    // (2) One mint with the new device (never the old one's codes).
    let opts = Options {
        source: req.source.map(str::to_string),
        timeout: req.timeout,
        ..Options::default()
    };
    let checked = minter::plan(ctx, req.profile, &opts, seeds).and_then(|mut plan| {
        plan.serial = enabled.serial.clone();
        output::debug(1, || format!("STS GetSessionToken with {}", enabled.serial));
        minter::fetch_with(&plan, &enabled.seed, ctx.reporter)
    });
    let session = match checked {
        Ok(session) => session,
        Err(e) => return Err(enrollment::roll_back_enabled(&enabled, seeds, e)),
    };

    // (3) The switch.
    if let Err(e) = enrollment::link(ctx, req, &enabled.serial) {
        return Err(enrollment::roll_back_enabled(&enabled, seeds, e));
    }

    // (4)
    let unfinished = |cause: Error| Error::ReplaceUnfinished {
        cause: Box::new(cause),
        profile: req.profile.to_string(),
        user: enabled.user.clone(),
        new_serial: enabled.serial.clone(),
        old_serial: old_arn.clone(),
    };
    let iam = Iam::with_session(&enabled.target, &session).map_err(|e| unfinished(e.into()))?;
    output::debug(1, || format!("IAM DeactivateMFADevice {old_arn}"));
    iam.deactivate_device(&enabled.user, &old_arn)
        .map_err(|e| unfinished(denied(e)))?;
    // Only virtual devices are deleted; a hardware key or passkey is only deactivated.
    if old_arn.contains(":mfa/") {
        output::debug(1, || format!("IAM DeleteVirtualMFADevice {old_arn}"));
        iam.delete_device(&old_arn)
            .map_err(|e| unfinished(denied(e)))?;
    }

    // The old seed goes unless another profile still names the device.
    let used_elsewhere = config::mfa_profiles(files).iter().any(|p| {
        p != req.profile && files.config_value(p, keys::MFA_SERIAL).as_deref() == Some(&old)
    });
    let old_seed_removed = !used_elsewhere
        && seeds
            .store()
            .and_then(|s| s.delete(&old_arn))
            .unwrap_or(false);
    let account = crate::arn::parse(&enabled.serial)
        .map(|s| s.account)
        .unwrap_or_default();
    Ok(Replaced {
        enrolled: Enrolled {
            serial: enabled.serial,
            user: enabled.user,
            account,
            seed: enabled.seed,
        },
        old_serial: old_arn,
        old_seed_removed,
    })
}

fn denied(e: sts::Error) -> Error {
    match e {
        sts::Error::AccessDenied { message } => Error::IamDenied {
            message,
            actions: REPLACE_ACTIONS,
        },
        e => Error::Sts(e),
    }
}

/// One device of a user, as `list --devices` shows it.
pub struct UserDevice {
    pub user: String,
    pub serial: String,
    /// Unix seconds.
    pub enabled: i64,
    /// Whether mfa-mint's keyring holds its seed (`None`: the keyring could not be read).
    pub held: Option<bool>,
    /// The profiles whose `mfa_serial` it is.
    pub profiles: Vec<String>,
}

/// Every MFA device of the users behind the profiles set up for mfa-mint: one ListMFADevices
/// per source profile, signed with its long-term keys (allowed without MFA by AWS's sample MFA
/// policy).
pub fn of_users(
    ctx: &Context,
    timeout: std::time::Duration,
    seeds: &mut Seeds,
) -> Result<Vec<UserDevice>, Error> {
    let files = ctx.files()?;
    let profiles = config::mfa_profiles(files);
    let mut sources: Vec<(String, String)> = Vec::new();
    for p in &profiles {
        if let Ok(source) = config::resolve_source(files, p, None)
            && !sources.iter().any(|(s, _)| *s == source)
        {
            sources.push((source, p.clone()));
        }
    }
    let mut out: Vec<UserDevice> = Vec::new();
    for (source, profile) in sources {
        let keys = minter::long_term_keys(seeds, config::keys_of(files, &source)?, &source)?;
        let target = config::network::resolve(
            files,
            config::network::Scope::iam(files, &profile, &source, &ctx.env),
            timeout,
            &ctx.env,
        )?;
        output::debug(1, || {
            format!("IAM ListMFADevices with the keys of [{source}]")
        });
        let listed = Iam::new(&target, &keys)?
            .mfa_devices(None)
            .map_err(denied)?;
        for d in listed {
            if out.iter().any(|o| o.serial == d.serial) {
                continue;
            }
            let held = seeds
                .store()
                .ok()
                .and_then(|s| s.get(&d.serial).ok())
                .map(|v| v.is_some());
            let using = profiles
                .iter()
                .filter(|p| {
                    files.config_value(p, keys::MFA_SERIAL).as_deref() == Some(d.serial.as_str())
                })
                .cloned()
                .collect();
            out.push(UserDevice {
                user: d.user,
                serial: d.serial,
                enabled: d.enabled,
                held,
                profiles: using,
            });
        }
    }
    Ok(out)
}
