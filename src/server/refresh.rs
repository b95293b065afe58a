//! When the served session is renewed: once it has no more than the refresh window left (the
//! moment a mint would renew it anyway), through the same session source every other command
//! uses. A failed renewal leaves the current session in place while it is valid and is retried
//! with a doubling back-off (1 s up to 1 min); the server answers 503 only once the session has
//! expired with no new one.

use std::sync::{Arc, Mutex};

use super::Served;
use crate::credentials::Session;

/// The longest wait between two attempts after failures.
pub const MAX_BACKOFF: f64 = 60.0;

/// Renews `shared`'s session with `source`.
pub struct Refresher<S> {
    pub shared: Arc<Mutex<Served>>,
    /// Seconds before expiry at which a session is renewed (the profile's refresh window).
    pub window: u64,
    pub source: S,
    /// Failed attempts in a row.
    pub failures: u32,
    /// Who the session is for, in warnings (`profile dev`).
    pub who: String,
}

impl<S: FnMut() -> Result<Session, String>> Refresher<S> {
    /// When the session expiring at `expiration` is to be renewed: one second into the refresh
    /// window, but never sooner than half its remaining life (a session shorter than the window
    /// would otherwise be renewed in a loop) nor within a second.
    pub fn due(&self, expiration: i64, now: f64) -> f64 {
        let into_window = (expiration - self.window as i64 + 1) as f64;
        let half = now + (expiration as f64 - now) / 2.0;
        into_window.max(half).max(now + 1.0)
    }

    /// When the current session is to be renewed.
    pub fn first(&self, now: f64) -> f64 {
        let expiration = lock(&self.shared)
            .session
            .as_ref()
            .map_or(0, |s| s.expiration);
        self.due(expiration, now)
    }

    /// One attempt at `now`; returns the time of the next one.
    pub fn attempt(&mut self, now: f64) -> f64 {
        match (self.source)() {
            Ok(session) if session.expiration as f64 > now => {
                let expiration = session.expiration;
                let mut served = lock(&self.shared);
                if self.failures > 0 {
                    crate::output::status(&format!(
                        "mfa-mint: the session of {} is renewed; serving it until {}",
                        self.who,
                        crate::clock::format_rfc3339(expiration)
                    ));
                }
                crate::output::debug(1, || {
                    format!(
                        "{}: serving a session until {}",
                        self.who,
                        crate::clock::format_rfc3339(expiration)
                    )
                });
                served.session = Some(session);
                served.failure = None;
                self.failures = 0;
                drop(served);
                self.due(expiration, now)
            }
            Ok(_) => self.failed(now, "the session obtained has expired already".to_string()),
            Err(message) => self.failed(now, message),
        }
    }

    fn failed(&mut self, now: f64, message: String) -> f64 {
        self.failures += 1;
        let wait = backoff(self.failures);
        let mut served = lock(&self.shared);
        let valid_until = served
            .session
            .as_ref()
            .map(|s| s.expiration)
            .filter(|&e| e as f64 > now);
        // One warning per run of failures, not one per retry.
        if self.failures == 1 {
            let still = match valid_until {
                Some(e) => format!(
                    "still serving the current session until {}",
                    crate::clock::format_rfc3339(e)
                ),
                None => "answering 503 until it works".to_string(),
            };
            crate::output::warn(&format!(
                "mfa-mint could not renew the session of {}: {message}; {still}, retrying with back-off",
                self.who
            ));
        }
        served.failure = Some(message);
        now + wait
    }
}

/// 1, 2, 4, … seconds, at most [`MAX_BACKOFF`].
pub fn backoff(failures: u32) -> f64 {
    2f64.powi(failures.saturating_sub(1).min(16) as i32)
        .min(MAX_BACKOFF)
}

/// Renews forever on this thread.
pub fn run<S: FnMut() -> Result<Session, String>>(mut refresher: Refresher<S>) {
    let mut at = refresher.first(crate::clock::now());
    loop {
        crate::clock::sleep_until(at);
        at = refresher.attempt(crate::clock::now());
    }
}

fn lock(shared: &Mutex<Served>) -> std::sync::MutexGuard<'_, Served> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretText;

    fn session(key: &str, expiration: i64) -> Session {
        Session {
            access_key_id: key.into(),
            secret_access_key: SecretText::new("s"),
            session_token: SecretText::new("t"),
            expiration,
        }
    }

    fn refresher(
        results: Vec<Result<Session, String>>,
    ) -> Refresher<impl FnMut() -> Result<Session, String>> {
        let mut results = results.into_iter();
        Refresher {
            shared: Arc::new(Mutex::new(Served {
                session: Some(session("ASIAOLD", 1_000)),
                failure: None,
            })),
            window: 100,
            source: move || results.next().expect("no more attempts planned"),
            failures: 0,
            who: "profile dev".into(),
        }
    }

    #[test]
    fn renewal_is_due_one_second_into_the_refresh_window() {
        let r = refresher(vec![]);
        assert_eq!(r.first(0.0), 901.0);
        // A session shorter than the window: half its remaining life, at least a second.
        assert_eq!(r.due(1_050, 1_000.0), 1_025.0);
        assert_eq!(r.due(1_001, 1_000.5), 1_001.5);
    }

    #[test]
    fn a_failure_keeps_the_valid_session_backs_off_and_recovers() {
        let mut r = refresher(vec![
            Err("interrupted".to_string()),
            Err("interrupted".to_string()),
            Ok(session("ASIANEW", 2_000)),
        ]);
        assert_eq!(r.attempt(901.0), 902.0);
        assert_eq!(r.attempt(902.0), 904.0);
        {
            let served = r.shared.lock().unwrap();
            assert_eq!(served.session.as_ref().unwrap().access_key_id, "ASIAOLD");
            assert!(served.failure.is_some());
        }
        assert_eq!(r.attempt(904.0), 1_901.0);
        let served = r.shared.lock().unwrap();
        assert_eq!(served.session.as_ref().unwrap().access_key_id, "ASIANEW");
        assert!(served.failure.is_none());
    }

    #[test]
    fn back_off_doubles_up_to_a_minute() {
        let waits: Vec<f64> = (1..=9).map(backoff).collect();
        assert_eq!(waits, [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]);
        assert_eq!(backoff(u32::MAX), 60.0);
    }
}
