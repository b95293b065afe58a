//! The OS keyring, behind a small trait: where seeds (and, later, cached secrets) live.
//!
//! Entries use the service name `mfa-mint` and the MFA serial ARN as the account. The store is
//! opened lazily, only by commands that need it, so a fresh-skip never touches the keyring.

use std::collections::HashMap;
#[cfg(test)]
use std::sync::Mutex;

use crate::secret::SecretText;

/// The keyring service name of every entry mfa-mint writes.
pub const SERVICE: &str = "mfa-mint";
/// Selects the keyring backend (`secret-service` or `keyutils` on Linux).
pub const BACKEND_ENV: &str = crate::env_vars::MFA_MINT_KEYRING;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the {backend} keyring is not available: {detail}")]
    Unavailable { backend: Backend, detail: String },
    #[error("the {backend} keyring is locked")]
    Locked { backend: Backend },
    #[error("the {backend} keyring refused the operation: {detail}")]
    Failed { backend: Backend, detail: String },
    #[error("the {backend} keyring did not answer within {seconds} s")]
    NoAnswer { backend: Backend, seconds: u64 },
    #[error("unknown keyring backend {0:?} in MFA_MINT_KEYRING")]
    UnknownBackend(String),
    #[error("no MFA seed for {serial} in the {backend} keyring")]
    NoSeed { serial: String, backend: Backend },
    #[error("no long-term keys for profile {source_profile:?} in the {backend} keyring")]
    NoKeysInKeyring {
        source_profile: String,
        backend: Backend,
    },
    #[error("the keyring entry for {serial} does not hold a valid seed: {reason}")]
    StoredSeedInvalid { serial: String, reason: String },
    #[error(
        "the keyring entry with the long-term keys of profile {source_profile:?} is not in mfa-mint's format"
    )]
    StoredKeysInvalid { source_profile: String },
}

impl Error {
    pub fn hint(&self) -> String {
        match self {
            Error::Unavailable {
                backend: Backend::SecretService,
                ..
            } => "start a Secret Service (log in to the desktop once, or run `loginctl enable-linger` so your user session and its keyring survive without a login), check DBUS_SESSION_BUS_ADDRESS, or choose the kernel keyring with MFA_MINT_KEYRING=keyutils".into(),
            Error::Unavailable {
                backend: Backend::Keyutils,
                ..
            } => "check that the kernel lets you use your user keyring (`keyctl show @u`; some containers forbid it), or use MFA_MINT_KEYRING=secret-service".into(),
            Error::Unavailable { .. } => "check that your user's keychain / credential manager is reachable from this session".into(),
            Error::NoAnswer {
                backend: Backend::SecretService,
                ..
            } => "the keyring daemon is hung or the session bus is not answering: restart it (`systemctl --user restart gnome-keyring-daemon`, or log out and in), check DBUS_SESSION_BUS_ADDRESS, or choose the kernel keyring with MFA_MINT_KEYRING=keyutils".into(),
            Error::NoAnswer { .. } => "the keyring is not answering: unlock or restart it (log out and in), then run the command again".into(),
            Error::Locked { .. } => "unlock your keyring (log in to the desktop once, or unlock the login collection with your keyring tool) and run the command again".into(),
            Error::Failed { .. } => "check your keyring with its own tool (e.g. `secret-tool search service mfa-mint`)".into(),
            Error::UnknownBackend(_) => format!("set MFA_MINT_KEYRING to one of: {}", Backend::NAMES),
            Error::NoSeed { .. } => "import it: mfa-mint import PROFILE --serial ARN < seed.txt".into(),
            Error::NoKeysInKeyring { source_profile, .. } => format!(
                "put them back with `mfa-mint keys import {source_profile}` after adding them to the credentials file, or remove mfa_mint_keys from [profile {source_profile}]"
            ),
            Error::StoredSeedInvalid { .. } => "re-import the seed with mfa-mint import PROFILE --serial ARN --force".into(),
            Error::StoredKeysInvalid { source_profile } => format!(
                "put the keys back into [{source_profile}] of the credentials file and run `mfa-mint keys import {source_profile}` again"
            ),
        }
    }
}

/// Which credential store holds the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// freedesktop Secret Service over D-Bus (gnome-keyring, KWallet, KeePassXC).
    SecretService,
    /// The Linux kernel's persistent keyring (keyutils): survives logout, not reboots.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Keyutils,
    /// macOS Keychain.
    Keychain,
    /// Windows Credential Manager.
    CredentialManager,
}

impl Backend {
    const NAMES: &'static str = "secret-service, keyutils";

    /// The backend chosen by `MFA_MINT_KEYRING`, else the platform default.
    pub fn from_env() -> Result<Backend, Error> {
        match crate::env_vars::var(BACKEND_ENV) {
            Some(v) if !v.is_empty() => Backend::parse(&v),
            _ => Ok(Backend::platform_default()),
        }
    }

    pub fn parse(name: &str) -> Result<Backend, Error> {
        match name {
            #[cfg(target_os = "linux")]
            "secret-service" => Ok(Backend::SecretService),
            #[cfg(target_os = "linux")]
            "keyutils" => Ok(Backend::Keyutils),
            #[cfg(target_os = "macos")]
            "keychain" => Ok(Backend::Keychain),
            #[cfg(windows)]
            "credential-manager" => Ok(Backend::CredentialManager),
            other => Err(Error::UnknownBackend(other.to_string())),
        }
    }

    pub fn platform_default() -> Backend {
        if cfg!(target_os = "macos") {
            Backend::Keychain
        } else if cfg!(windows) {
            Backend::CredentialManager
        } else {
            Backend::SecretService
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::SecretService => "Secret Service",
            Backend::Keyutils => "kernel (keyutils)",
            Backend::Keychain => "macOS Keychain",
            Backend::CredentialManager => "Windows Credential Manager",
        })
    }
}

/// A place to keep secrets by account name. `Send + Sync`: calls run on a helper thread under a
/// deadline (see `deadline.rs`).
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<SecretText>, Error>;
    /// Stores `value`, replacing any previous one, with a human label where the store has one.
    fn set(&self, account: &str, label: &str, value: &SecretText) -> Result<(), Error>;
    /// Deletes the entry; `false` when there was none.
    fn delete(&self, account: &str) -> Result<bool, Error>;
    fn backend(&self) -> Backend;
}

/// Connects to `backend`: the kernel keyring directly, the others through keyring-core.
pub fn open(backend: Backend) -> Result<Box<dyn SecretStore>, Error> {
    #[cfg(target_os = "linux")]
    if backend == Backend::Keyutils {
        return Ok(Box::new(super::keyutils::KernelKeyring::open()?));
    }
    Ok(Box::new(Keyring::open(backend)?))
}

/// The OS keyring through keyring-core.
pub struct Keyring {
    backend: Backend,
}

impl Keyring {
    /// Connects to the chosen backend and makes it keyring-core's default store.
    pub fn open(backend: Backend) -> Result<Keyring, Error> {
        let unavailable = |e: keyring_core::Error| Error::Unavailable {
            backend,
            detail: describe(&e),
        };
        match backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => keyring_core::set_default_store(
                // zbus finds the bus from DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus,
                // else /run/user/$UID/bus: what a cron job needs.
                zbus_secret_service_keyring_store::Store::new().map_err(unavailable)?,
            ),
            #[cfg(target_os = "macos")]
            Backend::Keychain => keyring_core::set_default_store(
                apple_native_keyring_store::keychain::Store::new().map_err(unavailable)?,
            ),
            #[cfg(windows)]
            Backend::CredentialManager => keyring_core::set_default_store(
                windows_native_keyring_store::Store::new().map_err(unavailable)?,
            ),
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::Unavailable {
                    backend: other,
                    detail: "not supported on this platform".into(),
                });
            }
        }
        Ok(Keyring { backend })
    }

    fn entry(&self, account: &str, label: Option<&str>) -> Result<keyring_core::Entry, Error> {
        let result = match label {
            Some(label) if self.backend == Backend::SecretService => {
                let mods = HashMap::from([("label", label)]);
                keyring_core::Entry::new_with_modifiers(SERVICE, account, &mods)
            }
            _ => keyring_core::Entry::new(SERVICE, account),
        };
        result.map_err(|e| self.map_err(e))
    }

    fn map_err(&self, e: keyring_core::Error) -> Error {
        let backend = self.backend;
        match e {
            keyring_core::Error::NoStorageAccess(_) => Error::Locked { backend },
            keyring_core::Error::NoDefaultStore => Error::Unavailable {
                backend,
                detail: describe(&e),
            },
            other => {
                let detail = describe(&other);
                if is_connection_failure(&detail) {
                    Error::Unavailable { backend, detail }
                } else {
                    Error::Failed { backend, detail }
                }
            }
        }
    }
}

/// Describes a keyring error without ever including entry contents.
fn describe(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            "the stored entry is not valid text".into()
        }
        keyring_core::Error::Ambiguous(v) => format!("{} entries match", v.len()),
        other => other.to_string(),
    }
}

fn is_connection_failure(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "no such file",
        "connection refused",
        "dbus",
        "d-bus",
        "serviceunknown",
        "service unknown",
        "was not provided by any .service",
    ]
    .iter()
    .any(|needle| d.contains(needle))
}

impl SecretStore for Keyring {
    fn get(&self, account: &str) -> Result<Option<SecretText>, Error> {
        match self.entry(account, None)?.get_password() {
            Ok(value) => Ok(Some(SecretText::from_string(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn set(&self, account: &str, label: &str, value: &SecretText) -> Result<(), Error> {
        let entry = self.entry(account, Some(label))?;
        entry
            .set_password(value.expose_secret())
            .map_err(|e| self.map_err(e))?;
        // Read back: a keyring that silently dropped the write must not lose the only copy.
        match entry.get_password() {
            Ok(back) => {
                let back = SecretText::from_string(back);
                if back.expose_secret() == value.expose_secret() {
                    Ok(())
                } else {
                    Err(Error::Failed {
                        backend: self.backend,
                        detail: "the entry read back differs from what was written".into(),
                    })
                }
            }
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        match self.entry(account, None)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

/// An in-memory store for unit tests; `limit` refuses longer values, as Windows' Credential
/// Manager refuses passwords over 1,280 characters.
#[derive(Default)]
#[cfg(test)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, SecretText>>,
    limit: Option<usize>,
    /// Refuses every write (a locked keyring).
    read_only: bool,
}

#[cfg(test)]
impl MemoryStore {
    pub fn with_limit(limit: usize) -> MemoryStore {
        MemoryStore {
            limit: Some(limit),
            ..MemoryStore::default()
        }
    }

    /// A store that refuses every write, as a locked keyring does.
    pub fn read_only() -> MemoryStore {
        MemoryStore {
            read_only: true,
            ..MemoryStore::default()
        }
    }

    /// The number of entries held.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<SecretText>, Error> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries
            .get(account)
            .map(|v| SecretText::new(v.expose_secret())))
    }

    fn set(&self, account: &str, _label: &str, value: &SecretText) -> Result<(), Error> {
        if self.read_only {
            return Err(Error::Locked {
                backend: self.backend(),
            });
        }
        if self
            .limit
            .is_some_and(|n| value.expose_secret().chars().count() > n)
        {
            return Err(Error::Failed {
                backend: self.backend(),
                detail: "the value is longer than the platform limit".into(),
            });
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(account.to_string(), SecretText::new(value.expose_secret()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries.remove(account).is_some())
    }

    fn backend(&self) -> Backend {
        Backend::platform_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips() {
        let store = MemoryStore::default();
        assert!(store.get("a").unwrap().is_none());
        store.set("a", "label", &SecretText::new("s3cret")).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose_secret(), "s3cret");
        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn backend_names_parse() {
        assert_eq!(
            Backend::parse("secret-service").unwrap(),
            Backend::SecretService
        );
        assert_eq!(Backend::parse("keyutils").unwrap(), Backend::Keyutils);
        assert!(matches!(
            Backend::parse("kwallet"),
            Err(Error::UnknownBackend(_))
        ));
    }
}
