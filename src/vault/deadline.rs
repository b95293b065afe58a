//! A deadline on every keyring call: a keyring that takes a request and never answers (a hung
//! gnome-keyring, a half-dead D-Bus after a suspend) must not hang a scheduled run (issue 22).
//!
//! keyring-core's calls block and take no timeout (zbus waits for a reply forever), so each call
//! runs on a helper thread and the caller waits for its answer up to the deadline. A call past
//! its deadline is abandoned: its thread stays blocked until the process exits, and every later
//! call of this store fails at once with the same error, so a run waits for the keyring once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use super::store::{Backend, Error, SecretStore};
use crate::secret::SecretText;

/// The deadline of one call when nobody is there to answer a prompt (cron, credential-process,
/// `--non-interactive`): long enough for a keyring daemon started on demand (D-Bus activation
/// of gnome-keyring takes well under a second), short enough that a run fails within 30 s.
pub const UNATTENDED: Duration = Duration::from_secs(8);
/// The deadline when the keyring may show an unlock or access prompt to a person at the
/// terminal (the Secret Service's unlock dialog, the Keychain's "allow access" prompt).
pub const INTERACTIVE: Duration = Duration::from_secs(120);

/// The deadline for this run.
pub fn limit(interactive: bool) -> Duration {
    if interactive { INTERACTIVE } else { UNATTENDED }
}

/// A store whose every call has a deadline.
pub struct Deadlined {
    inner: Arc<dyn SecretStore>,
    backend: Backend,
    limit: Duration,
    /// Set once a call missed its deadline: the keyring is not answering this process.
    stuck: Arc<AtomicBool>,
}

impl Deadlined {
    /// Opens the store with `open` (connecting may hang too) under the same deadline.
    pub fn open(
        backend: Backend,
        limit: Duration,
        open: impl FnOnce() -> Result<Box<dyn SecretStore>, Error> + Send + 'static,
    ) -> Result<Deadlined, Error> {
        let inner: Arc<dyn SecretStore> = Arc::from(within(backend, limit, open)??);
        Ok(Deadlined {
            inner,
            backend,
            limit,
            stuck: Arc::new(AtomicBool::new(false)),
        })
    }

    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        if self.stuck.load(Ordering::Relaxed) {
            return Err(no_answer(self.backend, self.limit));
        }
        let inner = Arc::clone(&self.inner);
        let result = within(self.backend, self.limit, move || f(inner.as_ref()));
        if matches!(result, Err(Error::NoAnswer { .. })) {
            self.stuck.store(true, Ordering::Relaxed);
        }
        result?
    }
}

/// Runs `f` on a helper thread; its result, or [`Error::NoAnswer`] after `limit`.
pub fn within<T: Send + 'static>(
    backend: Backend,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| Error::Failed {
            backend,
            detail: format!("cannot start a thread for the keyring call: {e}"),
        })?;
    match rx.recv_timeout(limit) {
        Ok(value) => Ok(value),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(no_answer(backend, limit)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Error::Failed {
            backend,
            detail: "the keyring call ended without an answer".into(),
        }),
    }
}

fn no_answer(backend: Backend, limit: Duration) -> Error {
    Error::NoAnswer {
        backend,
        seconds: limit.as_secs(),
    }
}

impl SecretStore for Deadlined {
    fn get(&self, account: &str) -> Result<Option<SecretText>, Error> {
        let account = account.to_string();
        self.call(move |s| s.get(&account))
    }

    fn set(&self, account: &str, label: &str, value: &SecretText) -> Result<(), Error> {
        let (account, label) = (account.to_string(), label.to_string());
        let value = SecretText::new(value.expose_secret());
        self.call(move |s| s.set(&account, &label, &value))
    }

    fn delete(&self, account: &str) -> Result<bool, Error> {
        let account = account.to_string();
        self.call(move |s| s.delete(&account))
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::store::MemoryStore;

    /// A store whose every call blocks until the process ends, as a hung keyring daemon's.
    struct Hung;

    impl SecretStore for Hung {
        fn get(&self, _: &str) -> Result<Option<SecretText>, Error> {
            loop {
                std::thread::park();
            }
        }
        fn set(&self, _: &str, _: &str, _: &SecretText) -> Result<(), Error> {
            loop {
                std::thread::park();
            }
        }
        fn delete(&self, _: &str) -> Result<bool, Error> {
            loop {
                std::thread::park();
            }
        }
        fn backend(&self) -> Backend {
            Backend::platform_default()
        }
    }

    #[test]
    fn a_call_that_never_answers_ends_at_the_deadline_and_the_store_stays_failed() {
        let limit = Duration::from_millis(50);
        let store = Deadlined::open(Backend::platform_default(), limit, || {
            Ok(Box::new(Hung) as Box<dyn SecretStore>)
        })
        .unwrap();
        let started = std::time::Instant::now();
        let e = store.get("a").unwrap_err();
        assert!(matches!(e, Error::NoAnswer { .. }), "{e}");
        assert!(e.to_string().contains("did not answer"), "{e}");
        // The next call does not wait again.
        let e = store.set("a", "l", &SecretText::new("x")).unwrap_err();
        assert!(matches!(e, Error::NoAnswer { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn an_open_that_never_answers_ends_at_the_deadline() {
        let e = Deadlined::open(
            Backend::platform_default(),
            Duration::from_millis(50),
            || {
                loop {
                    std::thread::park();
                }
            },
        )
        .err()
        .unwrap();
        assert!(matches!(e, Error::NoAnswer { .. }), "{e}");
    }

    #[test]
    fn answers_pass_through() {
        let store = Deadlined::open(Backend::platform_default(), UNATTENDED, || {
            Ok(Box::new(MemoryStore::default()) as Box<dyn SecretStore>)
        })
        .unwrap();
        store.set("a", "l", &SecretText::new("s3cret")).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose_secret(), "s3cret");
        assert!(store.delete("a").unwrap());
    }
}
