//! `mfa-mint rotate`: replace the long-term access key a profile mints from, wherever it lives
//! (the credentials file section, the source's config section, or the keyring after
//! `keys import`), signing the IAM calls with an MFA session so no code is typed or sent twice
//! (issue 25; aws-vault's rotate sends one code twice: 99designs/aws-vault#1110).
//!
//! The order makes every failure recoverable: (1) an MFA session from the current key (the stored
//! one while fresh, else one mint through [`session::obtain`]); (2) `ListAccessKeys`, refusing
//! before anything changes when the user already has two keys (AWS's limit), then
//! `CreateAccessKey`; (3) the new key stored in place of the old, atomically; (4)
//! `GetCallerIdentity` with the new key, retried while IAM propagates it; (5) `DeleteAccessKey`
//! for the old one. A failure before (3) deletes the new key again; a failure after it leaves
//! both keys and names `rotate --finish`, which redoes (4) and (5).

use std::time::{Duration, Instant};

use crate::aws::iam::{Iam, ROTATE_ACTIONS};
use crate::aws::sts;
use crate::aws_files::Document;
use crate::config::{self, Context, Keys, Overrides, ProfileConfig, keys};
use crate::credentials::LongTermKeys;
use crate::error::Error;
use crate::minter::{Options, Origin, session};
use crate::output;
use crate::report::Reporter;
use crate::secret::mask;
use crate::vault::Seeds;

/// How long a new key may take to be accepted (IAM is eventually consistent: usually seconds).
pub const PROPAGATION_WAIT: Duration = Duration::from_secs(20);
/// Pause between two checks of the new key.
const RETRY_EVERY: Duration = Duration::from_secs(2);

pub struct Request<'a> {
    pub profile: &'a str,
    /// `--finish`: only check the stored key and delete the older one left by a rotation.
    pub finish: bool,
    pub timeout: Duration,
}

/// Where the long-term keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    CredentialsFile,
    ConfigFile,
    Keyring,
}

impl Place {
    pub fn name(self) -> &'static str {
        match self {
            Place::CredentialsFile => "credentials file",
            Place::ConfigFile => "config file",
            Place::Keyring => "keyring",
        }
    }
}

pub struct Rotated {
    pub source: String,
    pub user: String,
    /// Masked, as every key mfa-mint shows.
    pub old_key: Option<String>,
    pub new_key: String,
    pub place: Place,
    /// Where the MFA session for the IAM calls came from.
    pub session: Origin,
    /// False for a `--finish` with nothing left to delete.
    pub deleted_old: bool,
}

pub fn rotate(ctx: &Context, req: &Request, seeds: &mut Seeds) -> Result<Rotated, Error> {
    let profile = req.profile;
    config::check_name(profile)?;
    let files = ctx.files()?;
    if files.config_value(profile, keys::ROLE_ARN).is_some() {
        let base = config::role_base(
            files,
            profile,
            files.config_value(profile, keys::SOURCE_PROFILE).as_deref(),
        )?;
        return Err(Error::RotateRole {
            profile: profile.to_string(),
            base,
        });
    }
    let cfg = ProfileConfig::resolve(files, profile, &Overrides::default(), &ctx.env)?;
    let place = match &cfg.keys {
        Keys::Keyring => Place::Keyring,
        Keys::File(_)
            if files
                .credentials_value(&cfg.source, keys::ACCESS_KEY_ID)
                .is_some() =>
        {
            Place::CredentialsFile
        }
        Keys::File(_) => Place::ConfigFile,
    };
    let sts_target = config::network::resolve(
        files,
        config::network::Scope::sts(&cfg),
        req.timeout,
        &ctx.env,
    )?;
    let iam_target = config::network::resolve(
        files,
        config::network::Scope::iam(files, profile, &cfg.source, &ctx.env),
        req.timeout,
        &ctx.env,
    )?;
    let source = cfg.source.clone();
    let current = crate::minter::long_term_keys(seeds, cfg.keys, &source)?;
    // Whose key it is (the IAM calls name the user: the MFA session's own identity is not
    // always resolvable, e.g. in moto); it also checks that the current key works.
    output::debug(1, || {
        format!(
            "STS GetCallerIdentity with {}",
            mask(&current.access_key_id)
        )
    });
    let arn = sts::caller_arn(&sts_target, &current)?;
    let user = arn.rsplit('/').next().unwrap_or_default().to_string();

    // (1) The MFA session: most MFA policies deny key changes without one. Never a second code.
    let opts = Options {
        timeout: req.timeout,
        ..Options::default()
    };
    let (mfa, origin) = session::obtain(ctx, profile, &opts, seeds)?;
    output::debug(1, || {
        format!(
            "{profile}: MFA session {} ({origin:?})",
            mask(&mfa.access_key_id)
        )
    });
    let iam = Iam::with_session(&iam_target, &mfa)?;

    output::debug(1, || format!("IAM ListAccessKeys {user}"));
    let listed = iam.access_keys(Some(&user)).map_err(denied)?;
    let Some(mine) = listed.iter().find(|k| k.id == current.access_key_id) else {
        return Err(Error::KeyNotOfUser {
            profile: profile.to_string(),
            source_profile: source.clone(),
            key: mask(&current.access_key_id),
            user,
        });
    };
    let others: Vec<_> = listed
        .iter()
        .filter(|k| k.id != current.access_key_id)
        .collect();

    if req.finish {
        // What a rotation leaves: the stored key and one older key. A newer other key was made
        // for something else, and is never mfa-mint's to delete.
        let Some(old) = others.first() else {
            return Ok(Rotated {
                source,
                user,
                old_key: None,
                new_key: mask(&current.access_key_id),
                place,
                session: origin,
                deleted_old: false,
            });
        };
        if others.len() > 1 || old.created.zip(mine.created).is_some_and(|(o, m)| o > m) {
            return Err(Error::TwoAccessKeys {
                user,
                source_profile: source,
                profile: profile.to_string(),
                other: format!(
                    "{} (newer than the stored key: not left by a rotation)",
                    mask(&old.id)
                ),
            });
        }
        verify(ctx.reporter, &sts_target, &current).map_err(Error::Sts)?;
        output::debug(1, || format!("IAM DeleteAccessKey {}", mask(&old.id)));
        iam.delete_access_key(Some(&user), &old.id)
            .map_err(denied)?;
        return Ok(Rotated {
            source,
            user,
            old_key: Some(mask(&old.id)),
            new_key: mask(&current.access_key_id),
            place,
            session: origin,
            deleted_old: true,
        });
    }

    // (2) Refuse before anything changes when AWS would.
    if let Some(other) = others.first() {
        return Err(Error::TwoAccessKeys {
            user,
            source_profile: source,
            profile: profile.to_string(),
            other: mask(&other.id),
        });
    }
    output::debug(1, || "IAM CreateAccessKey".to_string());
    let new = match iam.create_access_key(Some(&user)) {
        Ok(new) => new,
        // The request left and its answer was lost or unreadable: AWS may have made a key that
        // never reached us. Whatever the listing did not hold before goes again.
        Err(e) if e.code_may_be_used() => {
            let listed_before: Vec<String> = listed.iter().map(|k| k.id.clone()).collect();
            return Err(delete_unseen(
                &iam,
                &user,
                profile,
                &listed_before,
                denied(e),
            ));
        }
        Err(e) => return Err(denied(e)),
    };
    let new_key = mask(&new.access_key_id);
    output::debug(1, || format!("created access key {new_key}"));

    // (3) Stored in place of the old one; on failure the new key goes again.
    if let Err(cause) = store(ctx, seeds, place, &source, &current, &new) {
        output::debug(1, || format!("IAM DeleteAccessKey {new_key} (rollback)"));
        return Err(
            match iam.delete_access_key(Some(&user), &new.access_key_id) {
                Ok(()) => Error::RotateRolledBack {
                    cause: Box::new(cause),
                    state: format!(
                        "the new key {new_key} was deleted again and [{source}] keeps its key {}",
                        mask(&current.access_key_id)
                    ),
                },
                Err(e) => Error::RotateRollbackFailed {
                    cause: Box::new(cause),
                    user,
                    new_key,
                    delete_error: e.to_string(),
                },
            },
        );
    }
    output::debug(1, || {
        format!("stored {new_key} for [{source}] in the {}", place.name())
    });
    let unfinished = |cause: Error| Error::RotateUnfinished {
        cause: Box::new(cause),
        profile: profile.to_string(),
        source_profile: source.clone(),
        new_key: new_key.clone(),
        old_key: mask(&current.access_key_id),
    };

    // (4) The new key works before the old one goes.
    verify(ctx.reporter, &sts_target, &new).map_err(|e| unfinished(Error::Sts(e)))?;
    // (5)
    output::debug(1, || {
        format!("IAM DeleteAccessKey {}", mask(&current.access_key_id))
    });
    iam.delete_access_key(Some(&user), &current.access_key_id)
        .map_err(|e| unfinished(denied(e)))?;
    Ok(Rotated {
        source: source.clone(),
        user,
        old_key: Some(mask(&current.access_key_id)),
        new_key,
        place,
        session: origin,
        deleted_old: true,
    })
}

/// After a CreateAccessKey whose answer was lost: lists the user's keys again and deletes any
/// that was not there before (the key AWS made without its secret reaching us, useless to
/// anyone). When that cannot be done, the error says how to look.
fn delete_unseen(iam: &Iam, user: &str, profile: &str, before: &[String], cause: Error) -> Error {
    output::debug(1, || {
        format!("IAM ListAccessKeys {user} (after a lost answer)")
    });
    let unseen: Vec<String> = match iam.access_keys(Some(user)) {
        Ok(now) => now
            .into_iter()
            .map(|k| k.id)
            .filter(|id| !before.contains(id))
            .collect(),
        Err(_) => {
            return Error::RotateKeyMayExist {
                cause: Box::new(cause),
                user: user.to_string(),
                profile: profile.to_string(),
            };
        }
    };
    let mut deleted = Vec::new();
    for id in &unseen {
        output::debug(1, || format!("IAM DeleteAccessKey {} (rollback)", mask(id)));
        if iam.delete_access_key(Some(user), id).is_err() {
            return Error::RotateKeyMayExist {
                cause: Box::new(cause),
                user: user.to_string(),
                profile: profile.to_string(),
            };
        }
        deleted.push(mask(id));
    }
    let state = if deleted.is_empty() {
        "AWS made no new key; nothing changed".to_string()
    } else {
        format!(
            "the new key {} AWS made meanwhile was deleted again; nothing else changed",
            deleted.join(", ")
        )
    };
    Error::RotateRolledBack {
        cause: Box::new(cause),
        state,
    }
}

/// IAM's AccessDenied names the actions rotate needs; other errors stay as they are.
fn denied(e: sts::Error) -> Error {
    match e {
        sts::Error::AccessDenied { message } => Error::IamDenied {
            message,
            actions: ROTATE_ACTIONS,
        },
        e => Error::Sts(e),
    }
}

/// Writes `new` where `old` was: under the file's lock, re-checking that the section still holds
/// `old` (another run may have rotated meanwhile), keeping every other byte; or in the keyring,
/// read back.
fn store(
    ctx: &Context,
    seeds: &mut Seeds,
    place: Place,
    source: &str,
    old: &LongTermKeys,
    new: &LongTermKeys,
) -> Result<(), Error> {
    let files = ctx.files()?;
    let shown = match place {
        Place::Keyring => {
            seeds.save_keys(source, new)?;
            let back = seeds.load_keys(source)?;
            if back.access_key_id == new.access_key_id
                && back.secret_access_key.expose_secret() == new.secret_access_key.expose_secret()
            {
                return Ok(());
            }
            // Put the old key back (best effort) so the profile keeps working.
            let _ = seeds.save_keys(source, old);
            return Err(Error::Keyring(crate::vault::Error::Failed {
                backend: seeds.backend()?,
                detail: "the keys read back differ from what was written".into(),
            }));
        }
        Place::CredentialsFile => files.display_credentials(),
        Place::ConfigFile => files.display_config(),
    };
    let edit = |doc: &mut Document| {
        let section = match place {
            Place::ConfigFile => doc.config_section_for(source),
            _ => source.to_string(),
        };
        if doc.get(&section, keys::ACCESS_KEY_ID).as_deref() != Some(old.access_key_id.as_str()) {
            return Err(Error::Io {
                action: format!("store the new key in [{section}] of {shown}"),
                source: std::io::Error::other(
                    "its access key changed while rotating (another run of rotate?)",
                ),
            });
        }
        doc.set(&section, keys::ACCESS_KEY_ID, &new.access_key_id)?;
        doc.set(
            &section,
            keys::SECRET_ACCESS_KEY,
            new.secret_access_key.expose_secret(),
        )?;
        Ok(())
    };
    match place {
        Place::ConfigFile => config::edit::config_file(files, edit)?,
        _ => config::edit::credentials_file(files, edit)?,
    };
    Ok(())
}

/// GetCallerIdentity with `keys` until AWS accepts them, for up to [`PROPAGATION_WAIT`]: a new
/// key is refused as unknown for a few seconds after CreateAccessKey. Each retry says how long is
/// left; Ctrl-C stops waiting.
fn verify(
    reporter: &dyn Reporter,
    target: &sts::Target,
    keys: &LongTermKeys,
) -> Result<String, sts::Error> {
    let start = Instant::now();
    let catch = crate::interrupt::Catch::start();
    loop {
        output::debug(1, || {
            format!("STS GetCallerIdentity with {}", mask(&keys.access_key_id))
        });
        let error = match sts::caller_arn(target, keys) {
            Ok(arn) => return Ok(arn),
            Err(e) => e,
        };
        let retry = matches!(
            error,
            sts::Error::InvalidKeys { .. } | sts::Error::BadSignature { .. }
        ) || error.is_transient();
        let left = PROPAGATION_WAIT.saturating_sub(start.elapsed());
        if !retry || left < RETRY_EVERY {
            return Err(error);
        }
        reporter.progress(&format!(
            "AWS does not accept the new key yet (IAM takes a few seconds to spread a new key); checking again, {} s left",
            left.as_secs()
        ));
        let until = Instant::now() + RETRY_EVERY;
        while Instant::now() < until {
            if catch.interrupted() {
                return Err(error);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(e: &Error) -> String {
        anstream::adapter::strip_str(&e.render()).to_string()
    }

    #[test]
    fn an_unfinished_rotation_names_the_command_that_finishes_it() {
        let e = Error::RotateUnfinished {
            cause: Box::new(Error::Sts(sts::Error::Throttled {
                message: "Rate exceeded".into(),
            })),
            profile: "dev".into(),
            source_profile: "dev-long-term".into(),
            new_key: "****ABCD".into(),
            old_key: "****WXYZ".into(),
        };
        let text = rendered(&e);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.contains("****ABCD is stored for [dev-long-term]"),
            "{text}"
        );
        assert!(
            text.contains("hint: run `mfa-mint rotate dev --finish`"),
            "{text}"
        );
        assert_eq!(e.exit_code(), crate::exit::TRANSIENT, "the cause's code");
    }

    #[test]
    fn two_keys_name_the_other_key_and_how_to_delete_it() {
        let e = Error::TwoAccessKeys {
            user: "alice".into(),
            source_profile: "dev-long-term".into(),
            profile: "dev".into(),
            other: mask("AKIAEXAMPLEOTHER1234"),
        };
        let text = rendered(&e);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("****1234"), "{text}");
        assert!(!text.contains("AKIAEXAMPLE"), "masked: {text}");
        assert!(
            text.contains("aws iam delete-access-key --user-name alice"),
            "{text}"
        );
        assert!(text.contains("mfa-mint rotate dev"), "{text}");
        assert_eq!(e.exit_code(), crate::exit::AWS_REFUSED);
    }

    #[test]
    fn a_key_that_may_exist_says_how_to_find_and_delete_it() {
        let e = Error::RotateKeyMayExist {
            cause: Box::new(Error::Sts(sts::Error::Timeout {
                endpoint: "https://iam.amazonaws.com".into(),
            })),
            user: "alice".into(),
            profile: "dev".into(),
        };
        let text = rendered(&e);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.contains("mfa-mint exec dev -- aws iam list-access-keys --user-name alice"),
            "{text}"
        );
        assert!(text.contains("mfa-mint rotate dev"), "{text}");
        assert_eq!(e.exit_code(), crate::exit::TRANSIENT, "the cause's code");
    }

    #[test]
    fn a_rolled_back_rotation_keeps_its_cause_code_and_hint() {
        let cause = Error::Sts(sts::Error::Server {
            status: 500,
            message: "x".into(),
        });
        let hint = cause.hint();
        let e = Error::RotateRolledBack {
            cause: Box::new(cause),
            state: "the new key ****ABCD was deleted again".into(),
        };
        assert_eq!(e.exit_code(), crate::exit::TRANSIENT);
        assert_eq!(e.hint(), hint);
        assert_eq!(Place::Keyring.name(), "keyring");
    }
}
