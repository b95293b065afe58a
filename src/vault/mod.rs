//! ② What mfa-mint keeps in the keyring, opened lazily: seeds (canonical otpauth URIs keyed by
//! serial ARN), long-term keys moved there by `keys import`, and cached sessions.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::secret::SecretText;
use crate::totp::Seed;
use crate::vault::deadline::Deadlined;
pub use crate::vault::store::Error;
use crate::vault::store::{Backend, SecretStore};

/// Lazily opened access to the stored seeds.
pub struct Seeds {
    store: Option<Box<dyn SecretStore>>,
}

impl Seeds {
    /// Opens nothing yet: the keyring is connected on first use.
    pub fn lazy() -> Seeds {
        Seeds { store: None }
    }

    pub fn store(&mut self) -> Result<&dyn SecretStore, Error> {
        if self.store.is_none() {
            let backend = Backend::from_env()?;
            let limit = deadline::limit(crate::output::interactive());
            crate::output::debug(1, || {
                format!(
                    "opening the {backend} keyring (each call may take up to {} s)",
                    limit.as_secs()
                )
            });
            self.store = Some(Box::new(Deadlined::open(backend, limit, move || {
                store::open(backend)
            })?));
        }
        Ok(self.store.as_deref().expect("store was just set"))
    }

    /// The seed stored for `serial`.
    pub fn load(&mut self, serial: &str) -> Result<Seed, Error> {
        let store = self.store()?;
        let backend = store.backend();
        let stored = store.get(serial)?.ok_or_else(|| Error::NoSeed {
            serial: serial.to_string(),
            backend,
        })?;
        Seed::parse(stored.expose_secret()).map_err(|e| Error::StoredSeedInvalid {
            serial: serial.to_string(),
            reason: e.to_string(),
        })
    }

    /// Whether a seed is stored for `serial`, and whether it equals `seed`.
    pub fn existing(&mut self, serial: &str, seed: &Seed) -> Result<Option<bool>, Error> {
        let stored: Option<SecretText> = self.store()?.get(serial)?;
        Ok(stored.map(|s| s.expose_secret() == seed.to_storage().expose_secret()))
    }

    pub fn save(&mut self, serial: &str, seed: &Seed) -> Result<(), Error> {
        let label = format!("mfa-mint MFA seed for {serial}");
        self.store()?.set(serial, &label, &seed.to_storage())?;
        Ok(())
    }

    pub fn backend(&mut self) -> Result<Backend, Error> {
        Ok(self.store()?.backend())
    }
}

/// Keyring account names besides seeds (which use the serial ARN, always `arn:…`).
fn keys_account(source: &str) -> String {
    format!("long-term-keys/{source}")
}

fn session_account(profile: &str) -> String {
    format!("session/{profile}")
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredKeys {
    access_key_id: String,
    secret_access_key: String,
}

impl Seeds {
    /// Long-term keys that `mfa-mint keys import` moved into the keyring.
    pub fn load_keys(&mut self, source: &str) -> Result<crate::credentials::LongTermKeys, Error> {
        let account = keys_account(source);
        let store = self.store()?;
        let backend = store.backend();
        let text = store.get(&account)?.ok_or_else(|| Error::NoKeysInKeyring {
            source_profile: source.to_string(),
            backend,
        })?;
        let stored: StoredKeys =
            serde_json::from_str(text.expose_secret()).map_err(|_| Error::StoredKeysInvalid {
                source_profile: source.to_string(),
            })?;
        Ok(crate::credentials::LongTermKeys {
            access_key_id: stored.access_key_id,
            secret_access_key: SecretText::from_string(stored.secret_access_key),
        })
    }

    pub fn save_keys(
        &mut self,
        source: &str,
        keys: &crate::credentials::LongTermKeys,
    ) -> Result<(), Error> {
        let text = SecretText::from_string(
            serde_json::to_string(&StoredKeys {
                access_key_id: keys.access_key_id.clone(),
                secret_access_key: keys.secret_access_key.expose_secret().to_string(),
            })
            .unwrap_or_default(),
        );
        let label = format!("mfa-mint long-term AWS keys of profile {source}");
        self.store()?.set(&keys_account(source), &label, &text)?;
        Ok(())
    }

    pub fn delete_keys(&mut self, source: &str) -> Result<bool, Error> {
        self.store()?.delete(&keys_account(source))
    }

    /// The cached session of `profile` (credential_process / exec mode), if any and readable.
    pub fn load_session(
        &mut self,
        profile: &str,
    ) -> Result<Option<crate::credentials::Session>, Error> {
        let Some(text) = parts::get(self.store()?, &session_account(profile))? else {
            return Ok(None);
        };
        Ok(crate::credentials::from_json(text.expose_secret()))
    }

    /// Forgets the cached session of `profile` (every part of it); whether there was one.
    pub fn delete_session(&mut self, profile: &str) -> Result<bool, Error> {
        parts::delete(self.store()?, &session_account(profile))
    }

    pub fn save_session(
        &mut self,
        profile: &str,
        session: &crate::credentials::Session,
    ) -> Result<(), Error> {
        let label = format!("mfa-mint AWS session of profile {profile}");
        let text = crate::credentials::to_json(session);
        parts::set(self.store()?, &session_account(profile), &label, &text)?;
        Ok(())
    }

    /// Caches the session just obtained; a failure only costs the cache (the next run mints
    /// again), never the session: it is warned about once per run, even with --quiet (a cache
    /// that never works makes every SDK call spend a code).
    pub fn cache_session(
        &mut self,
        profile: &str,
        session: &crate::credentials::Session,
        reporter: &dyn crate::report::Reporter,
    ) {
        static WARNED: AtomicBool = AtomicBool::new(false);
        if let Err(e) = self.save_session(profile, session)
            && !WARNED.swap(true, Ordering::Relaxed)
        {
            reporter.warn_always(&format!(
                "the session of {profile} is used but could not be cached: {e}; the next run mints a new one"
            ));
        }
    }
}

pub(crate) mod deadline;
#[cfg(target_os = "linux")]
pub(crate) mod keyutils;
pub(crate) mod parts;
pub(crate) mod store;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::store::MemoryStore;

    fn vault() -> Seeds {
        Seeds {
            store: Some(Box::new(MemoryStore::default())),
        }
    }

    #[test]
    fn a_session_in_parts_is_deleted_whole() {
        let mut v = vault();
        let session = crate::credentials::Session {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretText::new("s3cr3t"),
            session_token: SecretText::new(&"t".repeat(2500)),
            expiration: 1_795_993_373,
        };
        v.save_session("admin", &session).unwrap();
        assert!(
            v.store()
                .unwrap()
                .get("session/admin#part1")
                .unwrap()
                .is_some()
        );
        assert!(v.delete_session("admin").unwrap());
        assert!(v.load_session("admin").unwrap().is_none());
        for account in [
            "session/admin",
            "session/admin#part1",
            "session/admin#part3",
        ] {
            assert!(
                v.store().unwrap().get(account).unwrap().is_none(),
                "{account}"
            );
        }
        assert!(
            !v.delete_session("admin").unwrap(),
            "nothing left to delete"
        );
    }

    #[test]
    fn long_term_keys_round_trip_through_the_store() {
        let mut v = vault();
        let keys = crate::credentials::LongTermKeys {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: SecretText::new("s3cr3t"),
        };
        v.save_keys("dev-long-term", &keys).unwrap();
        let back = v.load_keys("dev-long-term").unwrap();
        assert_eq!(back.access_key_id, "AKIAEXAMPLE");
        assert_eq!(back.secret_access_key.expose_secret(), "s3cr3t");
        assert!(v.delete_keys("dev-long-term").unwrap());
        assert!(matches!(
            v.load_keys("dev-long-term"),
            Err(Error::NoKeysInKeyring { .. })
        ));
    }

    #[test]
    fn corrupt_stored_keys_are_reported_as_keys_not_as_a_seed() {
        // Regression: this used to say the stored *seed* was invalid and to re-import it.
        let mut v = vault();
        v.store()
            .unwrap()
            .set(
                &keys_account("dev-long-term"),
                "x",
                &SecretText::new("not json"),
            )
            .unwrap();
        let e = v.load_keys("dev-long-term").err().unwrap();
        assert!(matches!(e, Error::StoredKeysInvalid { .. }), "{e}");
        assert!(e.hint().contains("keys import dev-long-term"));
    }

    #[test]
    fn a_missing_seed_names_the_serial() {
        let mut v = vault();
        let e = v.load("arn:aws:iam::123456789012:mfa/alice").err().unwrap();
        assert!(matches!(e, Error::NoSeed { .. }), "{e}");
    }

    fn session(token_len: usize) -> crate::credentials::Session {
        crate::credentials::Session {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretText::new("s3cr3t"),
            session_token: SecretText::new(&"T".repeat(token_len)),
            expiration: 4_000_000_000,
        }
    }

    #[test]
    fn a_4096_character_session_round_trips_under_windows_entry_limit() {
        let mut v = Seeds {
            store: Some(Box::new(MemoryStore::with_limit(1280))),
        };
        v.save_session("dev", &session(4096)).unwrap();
        let back = v.load_session("dev").unwrap().expect("the cached session");
        assert_eq!(back.session_token.expose_secret(), "T".repeat(4096));
    }

    #[test]
    fn a_cache_write_that_fails_does_not_fail_the_caller() {
        let mut v = Seeds {
            store: Some(Box::new(MemoryStore::read_only())),
        };
        assert!(v.save_session("dev", &session(100)).is_err());
        // Returns nothing to fail on: the session just obtained is the caller's to use.
        v.cache_session("dev", &session(100), &crate::report::Silent);
        assert!(v.load_session("dev").unwrap().is_none());
    }
}
