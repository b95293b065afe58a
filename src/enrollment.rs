//! `mfa-mint enroll`: create a virtual MFA device, keep its seed in the keyring, enable it with
//! two consecutive codes, link the profile. `mfa-mint export` shows an existing seed for a phone.

use std::path::Path;

use crate::aws::iam::Iam;
use crate::aws::sts;
use crate::aws_files::Document;
use crate::config::{self, Context};
use crate::error::Error;
use crate::output;
use crate::totp::Seed;
use crate::vault::Seeds;

/// The issuer authenticator apps show for AWS devices.
pub const ISSUER: &str = "Amazon Web Services";

pub struct Request<'a> {
    pub profile: &'a str,
    pub device_name: &'a str,
    pub user: Option<&'a str>,
    pub source: Option<&'a str>,
    pub timeout: std::time::Duration,
}

pub struct Enrolled {
    pub serial: String,
    pub user: String,
    pub account: String,
    pub seed: Seed,
}

impl Enrolled {
    /// The Key Uri Format URI an authenticator app imports (label `user@account`).
    pub fn key_uri(&self) -> crate::secret::SecretText {
        self.seed
            .key_uri(ISSUER, &format!("{}@{}", self.user, self.account))
    }
}

/// IAM's rule for VirtualMFADeviceName: 1–226 of `[\w+=,.@-]`.
pub fn check_device_name(name: &str) -> Result<(), Error> {
    let ok = (1..=226).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::DeviceName {
            name: name.to_string(),
        })
    }
}

fn translate(e: sts::Error, name: &str, user: &str) -> Error {
    match &e {
        sts::Error::Other { code, message } if code == "EntityAlreadyExists" => {
            if message.to_ascii_lowercase().contains("mfadevice") {
                Error::DeviceNameTaken {
                    name: name.to_string(),
                }
            } else {
                Error::Sts(e)
            }
        }
        sts::Error::Other { code, .. } if code == "LimitExceeded" => Error::TooManyDevices {
            user: user.to_string(),
        },
        sts::Error::AccessDenied { message } => Error::MissingPermission {
            message: message.clone(),
        },
        _ => Error::Sts(e),
    }
}

/// A device created and enabled for `user`, its seed in the keyring, no profile linked yet.
pub(crate) struct Enabled {
    pub iam: Iam,
    /// Where IAM requests go (for a client signed with a session later).
    pub target: crate::aws::sts::Target,
    pub serial: String,
    pub user: String,
    pub source: String,
    pub seed: Seed,
}

pub fn enroll(ctx: &Context, req: &Request, seeds: &mut Seeds) -> Result<Enrolled, Error> {
    let Enabled {
        serial, user, seed, ..
    } = create_and_enable(ctx, req, seeds)?;
    link(ctx, req, &serial)?;
    let account = crate::arn::parse(&serial)
        .map(|s| s.account)
        .unwrap_or_default();
    Ok(Enrolled {
        serial,
        user,
        account,
        seed,
    })
}

/// Points the profile at the device (its `mfa_serial`): the switch to it.
pub(crate) fn link(ctx: &Context, req: &Request, serial: &str) -> Result<(), Error> {
    let files = ctx.files()?;
    crate::config::edit::config_file(files, |doc: &mut Document| {
        crate::config::edit::record_device(doc, req.profile, serial, req.source)?;
        Ok::<(), Error>(())
    })
    .map_err(|e| Error::EnrolledButNotLinked {
        serial: serial.to_string(),
        profile: req.profile.to_string(),
        cause: e.to_string(),
    })?;
    Ok(())
}

/// Creates the device, keeps its seed, enables it with two consecutive codes; rolls back (the
/// device deleted, its seed removed) when a step fails.
pub(crate) fn create_and_enable(
    ctx: &Context,
    req: &Request,
    seeds: &mut Seeds,
) -> Result<Enabled, Error> {
    config::check_name(req.profile)?;
    check_device_name(req.device_name)?;
    let files = ctx.files()?;
    let source = config::resolve_source(files, req.profile, req.source)?;
    let keys = crate::minter::long_term_keys(seeds, config::keys_of(files, &source)?, &source)?;
    // Never create a device whose seed could not be kept.
    seeds.store()?;

    let target = crate::config::network::resolve(
        files,
        crate::config::network::Scope::iam(files, req.profile, &source, &ctx.env),
        req.timeout,
        &ctx.env,
    )?;
    let iam = Iam::new(&target, &keys)?;
    // The user defaults to the owner of the keys (GetUser); naming one saves that request.
    let user = match req.user {
        Some(user) => user.to_string(),
        None => {
            iam.caller()
                .map_err(|e| translate(e, req.device_name, "(caller)"))?
                .name
        }
    };
    let device = iam
        .create_device(req.device_name)
        .map_err(|e| translate(e, req.device_name, &user))?;
    let serial = device.serial.clone();
    output::debug(1, || format!("created {serial}"));

    let seed = match Seed::parse(&device.seed_base32) {
        Ok(seed) => seed,
        Err(e) => {
            return Err(rollback(
                &iam,
                seeds,
                &serial,
                &source,
                false,
                Error::Seed(e),
            ));
        }
    };
    drop(device);
    if let Err(e) = seeds.save(&serial, &seed) {
        return Err(rollback(&iam, seeds, &serial, &source, false, e.into()));
    }

    // Two consecutive codes, the second the current one: what a person typing them would send.
    let offset = crate::state::skew::load();
    let period = seed.period() as f64;
    let now = crate::clock::now() + offset;
    if period - now % period < 3.0 {
        let waited = ctx.reporter.wait_until(
            now - now % period + period - offset + 0.05,
            "the current code ends in under 3 s and enabling needs two codes in a row",
        );
        if waited.is_err() {
            return Err(rollback(
                &iam,
                seeds,
                &serial,
                &source,
                true,
                Error::Interrupted,
            ));
        }
    }
    let ledger = crate::state::ledger::Ledger::open_default()?;
    let claim = ledger.claim(&serial, seed.step_at((crate::clock::now() + offset) as u64))?;
    if let Some(warning) = claim.clock_jump_warning() {
        ctx.reporter.warn(&warning);
    }
    let step = claim.step;
    let (code1, code2) = (
        seed.code_for_step(step.saturating_sub(1)),
        seed.code_for_step(step),
    );
    if let Err(e) = iam.enable_device(&user, &serial, &code1, &code2) {
        let cause = translate(e, req.device_name, &user);
        return Err(rollback(&iam, seeds, &serial, &source, true, cause));
    }
    Ok(Enabled {
        iam,
        target,
        serial,
        user,
        source,
        seed,
    })
}

/// Undoes an enabled enrollment (`enroll --replace` when the check or the switch failed):
/// deactivates and deletes the new device, then removes its seed.
pub(crate) fn roll_back_enabled(enabled: &Enabled, seeds: &mut Seeds, cause: Error) -> Error {
    output::debug(1, || {
        format!("IAM DeactivateMFADevice {} (rollback)", enabled.serial)
    });
    if let Err(e) = enabled
        .iam
        .deactivate_device(&enabled.user, &enabled.serial)
    {
        return Error::ReplaceRollbackFailed {
            cause: Box::new(cause),
            serial: enabled.serial.clone(),
            user: enabled.user.clone(),
            source_profile: enabled.source.clone(),
            error: e.to_string(),
        };
    }
    rollback(
        &enabled.iam,
        seeds,
        &enabled.serial,
        &enabled.source,
        true,
        cause,
    )
}

/// Undoes a half-made enrollment: deletes the device, then (only if that worked) the keyring
/// entry. If the device cannot be deleted its seed stays in the keyring, never only in memory.
fn rollback(
    iam: &Iam,
    seeds: &mut Seeds,
    serial: &str,
    source: &str,
    stored: bool,
    cause: Error,
) -> Error {
    match iam.delete_device(serial) {
        Ok(()) => {
            let keyring = if stored {
                match seeds.store().and_then(|s| s.delete(serial)) {
                    Ok(_) => "its seed was removed from the keyring".to_string(),
                    Err(e) => format!("removing its seed from the keyring failed ({e})"),
                }
            } else {
                "no seed was kept".to_string()
            };
            Error::EnrollRolledBack {
                cause: Box::new(cause),
                state: format!("the new device {serial} was deleted again and {keyring}"),
            }
        }
        Err(e) => Error::EnrollIncomplete {
            cause: Box::new(cause),
            serial: serial.to_string(),
            source_profile: source.to_string(),
            delete_error: e.to_string(),
            seed_kept: stored,
        },
    }
}

/// Writes a QR code PNG with mode 0600 (it is the secret); refuses to overwrite.
pub fn write_png(path: &Path, png: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let io = |e| Error::Io {
        action: format!("write {}", path.display()),
        source: e,
    };
    let mut file = options.open(path).map_err(io)?;
    file.write_all(png)
        .and_then(|_| file.sync_all())
        .map_err(io)
}

/// The QR warning printed with every QR output.
pub const QR_WARNING: &str = "This QR code IS your MFA secret: anyone who scans it can generate your codes. Scan it only into a device you trust, then delete any image of it.";

/// Seed of `profile`'s device for `mfa-mint export`, with its Key Uri.
pub fn exported_uri(
    ctx: &Context,
    profile: &str,
    seeds: &mut Seeds,
) -> Result<crate::secret::SecretText, Error> {
    config::check_name(profile)?;
    let files = ctx.files()?;
    config::check_known(files, profile)?;
    let source = config::resolve_source(files, profile, None).ok();
    let serial = config::resolve_serial(files, profile, source.as_deref())?;
    let parsed = crate::arn::parse(&serial)?;
    let seed = seeds.load(&parsed.arn)?;
    let user = parsed.name.rsplit('/').next().unwrap_or(&parsed.name);
    Ok(seed.key_uri(ISSUER, &format!("{user}@{}", parsed.account)))
}
