//! Seeds in the keyring: opened lazily, stored as canonical otpauth URIs keyed by serial ARN.

use crate::error::Error;
use crate::secret::SecretText;
use crate::store::{Backend, Keyring, SecretStore};
use crate::totp::Seed;

/// Lazily opened access to the stored seeds.
pub struct Seeds {
    store: Option<Box<dyn SecretStore>>,
}

impl Seeds {
    /// Opens nothing yet: the keyring is connected on first use.
    pub fn lazy() -> Seeds {
        Seeds { store: None }
    }

    /// Uses the given store (unit tests pass a `MemoryStore`).
    pub fn with_store(store: Box<dyn SecretStore>) -> Seeds {
        Seeds { store: Some(store) }
    }

    pub fn store(&mut self) -> Result<&dyn SecretStore, Error> {
        if self.store.is_none() {
            let backend = Backend::from_env()?;
            crate::ui::debug(1, || format!("opening the {backend} keyring"));
            self.store = Some(Box::new(Keyring::open(backend)?));
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
        Seed::parse(stored.expose()).map_err(|e| Error::StoredSeedInvalid {
            serial: serial.to_string(),
            reason: e.to_string(),
        })
    }

    /// Whether a seed is stored for `serial`, and whether it equals `seed`.
    pub fn existing(&mut self, serial: &str, seed: &Seed) -> Result<Option<bool>, Error> {
        let stored: Option<SecretText> = self.store()?.get(serial)?;
        Ok(stored.map(|s| s.expose() == seed.to_storage().expose()))
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
