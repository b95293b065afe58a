//! Secret hygiene: with known test secrets, every command at maximum verbosity, the seed and the
//! long-term secret key never appear in stdout, stderr or any file but the keyring; session
//! secrets appear only where they are the output (credentials file, credential-process, env).

use crate::support::{self, fake_aws};

use support::{TestEnv, World};

const SEED: &str = "KRUGS4ZANFZSAYJAORSXG5BAONSWKZBAMZXXEIDMMVQWW4ZAMFXGIIDOMV3GK4RAOVZWKZBB";

fn files_containing(dir: &std::path::Path, needle: &str, skip: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                // The keyring's own (encrypted) database is where the seed belongs.
                if !p.ends_with("keyrings") {
                    stack.push(p);
                }
            } else if !skip.iter().any(|s| p.ends_with(s)) {
                let bytes = std::fs::read(&p).unwrap_or_default();
                if String::from_utf8_lossy(&bytes).contains(needle) {
                    hits.push(p.display().to_string());
                }
            }
        }
    }
    hits
}

#[test]
fn no_secret_reaches_output_logs_or_files() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let (env, fake, serial) = (&w.env, &w.fake, alice.serial.clone());
    let log = env.home().join("mint.log").display().to_string();
    let extra = [("RUST_LOG", "trace")];
    let never = [SEED, alice.keys.secret_access_key.as_str()];
    let mut outputs = Vec::new();
    // A step ledger per command, so no command waits for a fresh code step; all are searched.
    let states = tempfile::tempdir().unwrap();
    let mut run = |args: &[&str], stdin: Option<&str>| {
        let state = states.path().join(outputs.len().to_string());
        let state = state.display().to_string();
        let mut vars = extra.to_vec();
        vars.push(("MFA_MINT_STATE_DIR", state.as_str()));
        let r = w.run_env(args, stdin, &vars);
        outputs.push((args.join(" "), r.clone()));
        r
    };
    assert_eq!(
        run(&["-vv", "import", "dev", "--serial", &serial], Some(SEED)).code,
        0
    );
    run(
        &["-vv", "import", "dev", "--serial", &serial],
        Some("not a seed"),
    );
    run(&["-vv", "code", "dev"], None);
    assert_eq!(run(&["-vv", "dev", "--log-file", &log], None).code, 0);
    run(&["-vv", "dev", "--force", "--duration", "1h"], None);
    run(&["-vv", "status"], None);
    run(&["-vv", "status", "--json"], None);
    run(&["-vv", "doctor", "--clock"], None);
    run(&["-vv", "list"], None);
    run(&["-vv", "credential-process", "dev"], None);
    run(&["-vv", "exec", "dev", "--", "true"], None);
    run(&["-vv", "env", "dev"], None);
    run(&["-vv", "schedule", "install", "dev", "--print"], None);
    run(
        &[
            "-vv",
            "enroll",
            "dev2",
            "--device-name",
            "second",
            "--source",
            "dev-long-term",
        ],
        None,
    );
    run(&["-vv", "keys", "import", "dev-long-term"], None);
    run(&["-vv", "dev", "--force"], None);
    run(&["-vv", "keys", "export", "dev-long-term"], None);
    assert_eq!(run(&["-vv", "rotate", "dev"], None).code, 0);
    let rotated = fake.access_keys("alice");
    let new_secret = fake.secret_of(&rotated[0]).expect("the new key");
    fake.fail_next(1, fake_aws::Failure::MalformedXml);
    run(&["-vv", "dev", "--force"], None);

    for (cmd, r) in &outputs {
        for secret in never.iter().copied().chain([new_secret.as_str()]) {
            assert!(!r.stdout.contains(secret), "{cmd}: secret on stdout");
            assert!(!r.stderr.contains(secret), "{cmd}: secret on stderr");
        }
        assert!(!r.stderr.contains("panicked"), "{cmd}: {r:?}");
    }
    // The session's own secrets: only in the credentials file and the outputs made for them.
    let creds = env.read_file(".aws/credentials").unwrap();
    let session_secret = creds
        .lines()
        .skip_while(|l| *l != "[dev]")
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    for (cmd, r) in &outputs {
        if !(cmd.contains("credential-process") || cmd.contains(" env ")) {
            assert!(
                !r.stdout.contains(&session_secret),
                "{cmd}: session secret on stdout"
            );
        }
        assert!(
            !r.stderr.contains(&session_secret),
            "{cmd}: session secret on stderr"
        );
    }
    for secret in never.iter().copied().chain([new_secret.as_str()]) {
        let hits = files_containing(env.home(), secret, &[".aws/credentials"]);
        assert!(hits.is_empty(), "secret in {hits:?}");
        let hits = files_containing(states.path(), secret, &[]);
        assert!(hits.is_empty(), "secret in {hits:?}");
    }
    assert!(files_containing(env.home(), &session_secret, &[".aws/credentials"]).is_empty());
}

#[test]
fn no_flag_takes_a_secret() {
    require!(Keyring);
    let env = TestEnv::new();
    for cmd in [
        "import",
        "mint",
        "code",
        "enroll",
        "export",
        "credential-process",
        "exec",
        "env",
        "keys",
        "rotate",
    ] {
        let r = env.run(&[cmd, "--help"], None);
        let help = r.stdout.to_lowercase();
        for word in ["--secret", "--seed", "--password", "--token", "--key "] {
            assert!(!help.contains(word), "{cmd} has a flag like {word}: {help}");
        }
    }
}
