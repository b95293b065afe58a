//! The Linux kernel keyring (`MFA_MINT_KEYRING=keyutils`): entries in the user keyring, linked
//! into the persistent keyring, found again by any later process of the same user.
//!
//! Why not `linux-keyutils-keyring-store`: it adds keys to the *session* keyring. A process with
//! no session keyring (cron, some ssh logins) gets a fresh anonymous one from the kernel when it
//! adds a key there, which dies with the process: `import` said "stored" and the seed was gone
//! (issue 22). Here keys go to the user keyring (`@u`, one per uid, shared by all its processes,
//! see `user-keyring(7)`) and are also linked into the persistent keyring (`persistent-keyring(7)`,
//! which keeps them after logout until it expires, 3 days idle by default). Both are linked into
//! the calling thread's keyring first, which makes them (and so our keys) *possessed*: a key's
//! default permissions give a non-possessor only `view`, not `read`.

use linux_keyutils::{Key, KeyError, KeyRing, KeyRingIdentifier};

use super::store::{Backend, Error, SERVICE, SecretStore};
use crate::secret::SecretText;

/// The kernel keyring, reached anew by every call through the calling thread's keyring.
pub struct KernelKeyring;

const BACKEND: Backend = Backend::Keyutils;

/// The keyrings one call works with.
struct Reach {
    /// The calling thread's keyring, with `@u` (and, where the kernel allows it, the persistent
    /// keyring) linked in: searches from it find keys in both, as possessed keys. Per thread
    /// because the kernel keeps thread *and* process keyrings in a thread's credentials, and
    /// each keyring call runs on its own thread (`deadline.rs`).
    thread: KeyRing,
    user: KeyRing,
    /// The persistent keyring when the kernel gives it to us (not in every container).
    persistent: Option<KeyRing>,
}

impl Reach {
    fn new() -> Result<Reach, Error> {
        let unavailable = |what: &str, e: KeyError| Error::Unavailable {
            backend: BACKEND,
            detail: format!("{what}: {e}"),
        };
        let thread = KeyRing::from_special_id(KeyRingIdentifier::Thread, true)
            .map_err(|e| unavailable("no thread keyring", e))?;
        let user = KeyRing::from_special_id(KeyRingIdentifier::User, true)
            .map_err(|e| unavailable("no user keyring", e))?;
        thread
            .link_keyring(user)
            .map_err(|e| unavailable("cannot reach the user keyring", e))?;
        // get_persistent links it into the thread keyring: possessed, so we may link into it.
        let persistent = KeyRing::get_persistent(KeyRingIdentifier::Thread).ok();
        Ok(Reach {
            thread,
            user,
            persistent,
        })
    }

    /// Where a key of ours may be: the thread keyring (so `@u` and the persistent keyring),
    /// then the session keyring (where mfa-mint ≤ 0.1 put keys: reading them still works).
    fn find(&self, account: &str) -> Result<Option<Key>, Error> {
        let description = description(account);
        let mut places = vec![self.thread];
        if let Ok(session) = KeyRing::from_special_id(KeyRingIdentifier::Session, false) {
            places.push(session);
        }
        for keyring in places {
            match keyring.search(&description) {
                Ok(key) => return Ok(Some(key)),
                // Absent, or going away (invalidated, not yet collected).
                Err(
                    KeyError::KeyDoesNotExist
                    | KeyError::KeyringDoesNotExist
                    | KeyError::KeyRevoked
                    | KeyError::KeyExpired,
                ) => {}
                // A keyring we may not search holds nothing of ours.
                Err(KeyError::AccessDenied | KeyError::PermissionDenied) => {}
                Err(e) => return Err(failed("searching", e)),
            }
        }
        Ok(None)
    }
}

impl KernelKeyring {
    /// Checks that the user keyring can be reached.
    pub fn open() -> Result<KernelKeyring, Error> {
        Reach::new()?;
        Ok(KernelKeyring)
    }
}

/// The key description keyring-core's keyutils store used (`keyring:ACCOUNT@mfa-mint`), so
/// entries stored by earlier versions are found.
fn description(account: &str) -> String {
    format!("keyring:{account}@{SERVICE}")
}

fn failed(action: &str, e: KeyError) -> Error {
    match e {
        KeyError::AccessDenied | KeyError::PermissionDenied => Error::Unavailable {
            backend: BACKEND,
            detail: format!("{action}: {e}"),
        },
        other => Error::Failed {
            backend: BACKEND,
            detail: format!("{action}: {other}"),
        },
    }
}

impl SecretStore for KernelKeyring {
    fn get(&self, account: &str) -> Result<Option<SecretText>, Error> {
        let Some(key) = Reach::new()?.find(account)? else {
            return Ok(None);
        };
        let bytes = zeroize::Zeroizing::new(key.read_to_vec().map_err(|e| failed("reading", e))?);
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(Some(SecretText::new(text))),
            Err(_) => Err(Error::Failed {
                backend: BACKEND,
                detail: "the stored entry is not valid text".into(),
            }),
        }
    }

    fn set(&self, account: &str, _label: &str, value: &SecretText) -> Result<(), Error> {
        let reach = Reach::new()?;
        let description = description(account);
        // add_key replaces a key of the same description in that keyring.
        let key = reach
            .user
            .add_key(&description, value.expose_secret().as_bytes())
            .map_err(|e| failed("adding the key to the user keyring", e))?;
        if let Some(persistent) = reach.persistent {
            // Without it the key lives as long as the user keyring (until the last process of
            // the user ends); refused in some containers, where that is all there is.
            let _ = persistent.link_key(key);
        }
        // A copy an older version left in the session keyring would otherwise shadow this one
        // for processes of that session.
        if let Ok(session) = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            && let Ok(old) = session.search(&description)
            && old != key
        {
            let _ = old.invalidate();
        }
        // Read back by a fresh search from this process's keyring, the way a later process finds
        // it: only then is the value stored where the next command looks.
        match self.get(account)? {
            Some(back) if back.expose_secret() == value.expose_secret() => Ok(()),
            _ => Err(Error::Unavailable {
                backend: BACKEND,
                detail: "the key was added but a fresh lookup does not find it".into(),
            }),
        }
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        let reach = Reach::new()?;
        let mut deleted = false;
        // One key per place it can be in (user, persistent, an old session copy).
        for _ in 0..4 {
            let Some(key) = reach.find(account)? else {
                break;
            };
            key.invalidate().map_err(|e| failed("deleting", e))?;
            deleted = true;
        }
        Ok(deleted)
    }

    fn backend(&self) -> Backend {
        BACKEND
    }
}
