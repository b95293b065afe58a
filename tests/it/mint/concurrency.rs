//! Many writers and killed writers: no profile is lost, sections we don't own stay
//! byte-identical, the file stays readable by botocore, no temporary files are left behind,
//! and no two processes ever submit the same code step for one device.

use crate::support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::World;

const PROFILES: usize = 8;
const WORKERS: usize = 16;
const HEADER: &str = "# curated by hand for years\n[default]\nregion = eu-west-1\n\n; keep this\n[unrelated]\naws_access_key_id = AKIAUNRELATED0000000\naws_secret_access_key = not-ours\n";

fn seed(i: usize) -> String {
    let raw: Vec<u8> = (0..20)
        .map(|b| (b as u8).wrapping_mul(31).wrapping_add(i as u8 * 7 + 1))
        .collect();
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &raw)
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn sixteen_writers_and_sigkills_lose_nothing() {
    require!(Keyring, Venv);
    let mints_per_worker: usize = std::env::var("MFA_MINT_STRESS_MINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let world = World::new();
    let (env, fake) = (&world.env, &world.fake);
    let base = (now() / 30.0).floor() * 30.0 + 5.0;
    let total = WORKERS * mints_per_worker + 200;
    fake.set_accept_any_step_within(Some(base as u64 - 60..base as u64 + total as u64 * 30 + 60));

    let mut creds = String::from(HEADER);
    for p in 0..PROFILES {
        let user = world.user(&format!("user{p}"), Some(&seed(p)));
        creds.push('\n');
        creds.push_str(&user.long_term(&format!("p{p}")));
        world.import(&format!("p{p}"), &user.serial, &seed(p));
    }
    env.write_file(".aws/credentials", &creds);
    let config_before = env.read_file(".aws/config").unwrap();
    let endpoint = fake.endpoint();
    let ca = fake.ca_bundle();
    let started = std::time::Instant::now();

    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let env = &env;
            let endpoint = endpoint.as_str();
            scope.spawn(move || {
                let state = env.home().join(format!("state-{w}"));
                for j in 0..mints_per_worker {
                    let k = w * mints_per_worker + j;
                    let profile = format!("p{}", k % PROFILES);
                    // Each run lives at its own time step, so no run waits for another's code.
                    let at = format!("{}", base + (k * 30) as f64);
                    let out = env
                        .cmd()
                        .args([profile.as_str(), "--force", "--quiet"])
                        .env("AWS_ENDPOINT_URL_STS", endpoint)
                        .env("AWS_CA_BUNDLE", ca)
                        .env("MFA_MINT_TEST_NOW", &at)
                        .env("MFA_MINT_STATE_DIR", &state)
                        .stdin(std::process::Stdio::null())
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{profile}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            });
        }
        // Writers killed at random moments.
        let env = &env;
        let endpoint = endpoint.as_str();
        scope.spawn(move || {
            let state = env.home().join("state-killed");
            for k in 0..40u64 {
                let at = format!(
                    "{}",
                    base + ((WORKERS * mints_per_worker) as u64 + k) as f64 * 30.0
                );
                let mut child = env
                    .cmd()
                    .args([
                        format!("p{}", k as usize % PROFILES).as_str(),
                        "--force",
                        "--quiet",
                    ])
                    .env("AWS_ENDPOINT_URL_STS", endpoint)
                    .env("AWS_CA_BUNDLE", ca)
                    .env("MFA_MINT_TEST_NOW", &at)
                    .env("MFA_MINT_STATE_DIR", &state)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(Duration::from_millis((k * 7919) % 60));
                let _ = child.kill();
                let _ = child.wait();
            }
        });
    });
    eprintln!(
        "{} mints and 40 kills in {:?}",
        WORKERS * mints_per_worker,
        started.elapsed()
    );

    let after = env.read_file(".aws/credentials").unwrap();
    assert!(
        after.starts_with(&creds),
        "sections we don't own are byte-identical"
    );
    for p in 0..PROFILES {
        let section = format!("[p{p}]\n");
        let start = after
            .find(&section)
            .unwrap_or_else(|| panic!("p{p} lost:\n{after}"));
        let body: Vec<&str> = after[start + section.len()..]
            .lines()
            .take_while(|l| !l.starts_with('['))
            .filter(|l| !l.is_empty())
            .collect();
        let get = |k: &str| {
            body.iter()
                .find_map(|l| l.strip_prefix(&format!("{k} = ")))
                .unwrap_or_else(|| panic!("p{p} lacks {k}: {body:?}"))
        };
        assert!(
            fake.is_valid_session(
                get("aws_access_key_id"),
                get("aws_secret_access_key"),
                get("aws_session_token")
            ),
            "p{p} holds a complete set from one mint"
        );
        assert_eq!(body.len(), 4, "p{p}: {body:?}");
    }
    assert_eq!(env.read_file(".aws/config").unwrap(), config_before);

    // botocore (the AWS CLI's parser) reads the result: every profile, with our values.
    let mut python = env.command(support::venv_bin("python"));
    python.args([
        "-c",
        "import botocore.session as b\ns = b.Session()\nfor p in sorted(s.full_config['profiles']):\n    c = s.full_config['profiles'][p]\n    print(p, c.get('aws_access_key_id', '-'), 'token' if c.get('aws_session_token') else '-')",
    ]);
    let r = support::run_command(python, None, support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 0, "{r:?}");
    for p in 0..PROFILES {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with(&format!("p{p} ASIA")) && l.ends_with(" token")),
            "botocore reads p{p}: {r:?}"
        );
    }

    // Temporary files of killed writers are cleaned up by the next write.
    let r = env.run_env(
        &["p0", "--force"],
        None,
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", fake.ca_bundle()),
            (
                "MFA_MINT_TEST_NOW",
                &format!("{}", base + (total as f64 - 10.0) * 30.0),
            ),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let leftovers: Vec<String> = std::fs::read_dir(env.home().join(".aws"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "credentials" && n != "config" && !n.ends_with(".lock"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    let mut steps = std::collections::HashSet::new();
    for p in 0..PROFILES {
        let serial = format!("arn:aws:iam::123456789012:mfa/user{p}");
        for step in fake.accepted_steps_for(&serial) {
            assert!(steps.insert((p, step)), "step {step} reused for {serial}");
        }
    }
}

#[test]
fn two_processes_never_submit_the_same_step() {
    require!(Keyring);
    let world = World::new();
    let (env, fake) = (&world.env, &world.fake);
    let alice = world.user("alice", Some(&seed(1)));
    let serial = alice.serial.clone();
    // One user's keys as the source of two profiles.
    world.write_credentials(&format!("{}{}", alice.long_term("a"), alice.long_term("b")));
    for p in ["a", "b"] {
        world.import(p, &serial, &seed(1));
    }
    // Both start half a second before a step boundary, sharing one device and one ledger.
    let t = now();
    let start = ((t / 30.0).floor() + 1.0) * 30.0 - 0.5;
    fake.set_clock_offset((start - t).round() as i64);
    let endpoint = fake.endpoint();
    let at = format!("{start}");
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|p| {
            env.cmd()
                .args([*p, "--quiet"])
                .env("AWS_ENDPOINT_URL_STS", &endpoint)
                .env("AWS_CA_BUNDLE", fake.ca_bundle())
                .env("MFA_MINT_TEST_NOW", &at)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let steps = fake.accepted_steps_for(&serial);
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_ne!(steps[0], steps[1]);
}
