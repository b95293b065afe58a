//! A keyring that misbehaves (issue 22): one that takes requests and never answers, and session
//! tokens of real size in the keyring cache.

use crate::support::World;

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The longest entry mfa-mint may write: Windows' Credential Manager holds 2,560 bytes, which its
/// keyring store fills with UTF-16, so 1,280 characters (FACTS.md).
const PORTABLE_ENTRY_LIMIT: usize = 1280;

#[test]
fn a_4096_character_session_token_is_cached_in_entries_every_platform_can_hold() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.fake.set_session_token_len(4096, 4096);
    let first = w.run(&["credential-process", "dev"], None);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stderr.is_empty(), "{first:?}");
    let json: serde_json::Value = serde_json::from_str(&first.stdout).expect("JSON on stdout");
    let token = json["SessionToken"].as_str().expect("a SessionToken");
    assert_eq!(token.len(), 4096);
    // The second run is served from the keyring cache: the whole token back, no new mint.
    let second = w.run(&["credential-process", "dev"], None);
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    if w.env.is_windows() {
        // Under wine the Credential Manager's own limit was the check.
        return;
    }
    let head = w.env.stored_secret("session/dev").expect("the cache entry");
    assert!(
        head.len() <= PORTABLE_ENTRY_LIMIT,
        "{} characters",
        head.len()
    );
    let mut parts = 0;
    while let Some(part) = w
        .env
        .stored_secret(&format!("session/dev#part{}", parts + 1))
    {
        assert!(
            part.len() <= PORTABLE_ENTRY_LIMIT,
            "{} characters",
            part.len()
        );
        assert!(!part.is_empty());
        parts += 1;
    }
    assert!(parts >= 4, "a 4,096-character token in {parts} parts");
}

/// A Secret Service that takes requests and never answers: D-Bus, so Unix only.
#[cfg(unix)]
mod hung {
    use super::SEED;
    use std::time::{Duration, Instant};

    use crate::support::{TestEnv, World};

    const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
    const LONG_TERM: &str = "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    /// What the issue asks of an unattended run against a keyring that never answers.
    const BOUND: Duration = Duration::from_secs(30);

    /// Every file under HOME with its bytes.
    fn files(env: &TestEnv) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![env.home().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
                }
            }
        }
        out.sort();
        out
    }

    /// Runs each of `cases` (args, stdin) at once against the hung keyring of `env`; each must end
    /// within [`BOUND`] with exit 5 and one error line (plus its hint) saying the keyring did not
    /// answer, naming the backend, with nothing under HOME changed.
    fn each_fails_fast(env: &TestEnv, cases: &[(&[&str], Option<&str>)]) {
        env.write_file(".aws/credentials", LONG_TERM);
        env.write_file(
            ".aws/config",
            &format!("[profile dev]\nmfa_serial = {SERIAL}\nsource_profile = dev-long-term\n"),
        );
        let before = files(env);
        std::thread::scope(|scope| {
            let runs: Vec<_> = cases
                .iter()
                .map(|&(args, stdin)| {
                    scope.spawn(move || {
                        let started = Instant::now();
                        let r = env.run(args, stdin);
                        (args, r, started.elapsed())
                    })
                })
                .collect();
            for run in runs {
                let (args, r, took) = run.join().expect("a run thread panicked");
                assert!(took < BOUND, "{args:?} took {took:?}: {r:?}");
                assert_eq!(r.code, 5, "{args:?}: {r:?}");
                let lines: Vec<&str> = r.stderr.lines().collect();
                assert!(
                    lines.len() == 2
                        && lines[0].starts_with("error: ")
                        && lines[1].starts_with("hint: "),
                    "{args:?}: want one error line and its hint: {r:?}"
                );
                assert!(
                    lines[0].contains("Secret Service keyring did not answer within"),
                    "{args:?}: {r:?}"
                );
                assert!(r.stdout.is_empty(), "{args:?}: {r:?}");
                assert!(!r.stderr.contains(SEED), "{args:?}: {r:?}");
            }
        });
        assert!(files(env) == before, "something under HOME changed");
    }

    #[test]
    fn a_hung_secret_service_fails_unattended_runs_with_exit_5_within_30_s() {
        require!(Keyring);
        // gnome-keyring owns org.freedesktop.secrets and is stopped: the bus passes every call on
        // and no answer ever comes back, as from a hung daemon.
        let env = TestEnv::new_hung(false);
        each_fails_fast(
            &env,
            &[
                (&["code", "dev"], None),
                (&["credential-process", "dev"], None),
                (&["dev", "--non-interactive"], None),
                (&["import", "other", "--serial", SERIAL], Some(SEED)),
            ],
        );
    }

    #[test]
    fn a_bus_that_accepts_and_never_answers_fails_unattended_runs_with_exit_5() {
        require!(Keyring);
        // The bus itself is stopped: connecting works (the kernel queues the connection), its
        // authentication handshake never gets an answer.
        let env = TestEnv::new_hung(true);
        each_fails_fast(
            &env,
            &[
                (&["credential-process", "dev"], None),
                (&["import", "other", "--serial", SERIAL], Some(SEED)),
            ],
        );
    }

    #[test]
    fn enroll_against_a_hung_keyring_fails_fast_and_leaves_no_device() {
        require!(Keyring);
        let w = World::from_env(TestEnv::new_hung(false));
        let alice = w.user("alice", None);
        w.write_credentials(&alice.long_term("dev"));
        let before = files(&w.env);
        let started = Instant::now();
        let r = w.run(&["enroll", "dev", "--device-name", "alice-laptop"], None);
        let took = started.elapsed();
        assert!(took < BOUND, "took {took:?}: {r:?}");
        assert_eq!(r.code, 5, "{r:?}");
        assert!(r.stderr.contains("did not answer"), "{r:?}");
        assert!(r.stdout.is_empty(), "{r:?}");
        // Rolled back (or never created): no device left that holds a seed nobody stored.
        assert!(w.fake.mfa_devices("alice").is_empty(), "{r:?}");
        assert_eq!(w.fake.action_count("EnableMFADevice"), 0);
        assert!(
            files(&w.env) == before,
            "something under HOME changed: {r:?}"
        );
    }
}
