//! Behaviour tests of the core flow with the real binary, a real (private) Secret Service and the
//! in-repo fake STS: import → code → mint → fresh-skip → the AWS CLI reads the profile.

use crate::support::{self, fake_aws};

use support::{ACCOUNT, Pin, TestEnv, User, World};

mod concurrency;
mod profiles;
mod single_flight;
mod unattended;
mod waiting;

/// An AWS-style 64-character base32 seed (40 bytes).
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A user `alice` with an enabled device, long-term keys in [dev-long-term] between a comment and
/// a section that isn't ours, nothing imported.
fn setup() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.write_credentials(&format!(
        "# my keys\n{}\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret ; not a comment\n",
        alice.long_term("dev")
    ));
    (w, alice)
}

/// Imports alice's seed as `dev`, typed the way people copy it (lower case, in groups).
fn import(s: &World, alice: &User) {
    let lower_spaced =
        "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp\n";
    let r = s.run(
        &["import", "dev", "--serial", &alice.serial],
        Some(lower_spaced),
    );
    assert_eq!(r.code, 0, "import failed: {r:?}");
}

/// What `mint` prints, pinned: a mint, a fresh skip, several profiles at once, each as text and
/// as `--json` (one object per profile, in the order given).
#[test]
fn mint_text_and_json_are_pinned() {
    require!(Keyring);
    let w = World::new();
    let mut credentials = String::new();
    let mut pin = Pin::of(&w, "mint");
    for (profile, user) in [
        ("dev", "alice"),
        ("ops", "bob"),
        ("qa", "carol"),
        ("ci", "dave"),
    ] {
        let seed = fake_aws::random_seed_base32();
        let u = w.user(user, Some(&seed));
        credentials.push_str(&u.long_term(profile));
        w.write_credentials(&credentials);
        w.import(profile, &u.serial, &seed);
        pin = pin.user(&u);
    }
    w.pinned(&pin, "minted", &["dev"], None).success();
    w.pinned(&pin, "fresh", &["dev"], None).success();
    w.pinned(&pin, "fresh-json", &["mint", "dev", "--json"], None)
        .success();
    w.pinned(&pin, "minted-json", &["ops", "--json"], None)
        .success();
    w.pinned(&pin, "several-minted", &["qa", "ci"], None)
        .success();
    w.pinned(&pin, "several-fresh", &["--all"], None).success();
    w.pinned(&pin, "several-json", &["--all", "--json"], None)
        .success();
}

#[test]
fn import_stores_the_seed_in_the_keyring_and_links_the_profile() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    let stored = s
        .env
        .stored_secret(&alice.serial)
        .expect("seed in the OS keyring");
    assert!(
        stored.starts_with("otpauth://totp/"),
        "stored form is a URI"
    );
    assert!(stored.contains(&format!("secret={SEED}")));
    let config = s.env.read_file(".aws/config").unwrap();
    assert_eq!(
        config,
        format!(
            "[profile dev]\nmfa_serial = {}\nmfa_mint_wrote = mfa_serial\n",
            alice.serial
        )
    );
    // The seed is on no output.
    let r = s.run(
        &["import", "dev", "--serial", &alice.serial, "-vv"],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains(SEED) && !r.stderr.contains(SEED));
    assert_eq!(s.fake.request_count(), 0, "import makes no AWS request");
}

#[test]
fn code_prints_the_same_code_as_an_independent_totp() {
    require!(Keyring, Oathtool);
    let (s, alice) = setup();
    import(&s, &alice);
    let r = s.run(&["code", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let code = r.stdout.trim();
    assert_eq!(code.len(), 6, "{r:?}");
    // oathtool is an independent (C) TOTP implementation: the code must be one of its codes for
    // the previous, current or next step (the step may roll over between the two runs).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = format!("@{}", now - 30);
    let out = std::process::Command::new(support::require_tool("oathtool"))
        .args(["--totp", "-b", "-w", "2", "-N", &start, SEED])
        .output()
        .expect("oathtool (installed by scripts/test)");
    let candidates = String::from_utf8(out.stdout).unwrap();
    assert!(
        candidates.lines().any(|l| l == code),
        "{code} not in {candidates:?}"
    );

    let r = s.run(&["code", "dev", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["seconds_remaining"].as_u64().unwrap() <= 30);
    assert_eq!(v["code"].as_str().unwrap().len(), 6);
}

#[test]
fn mint_writes_a_working_session_and_keeps_every_other_byte() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    let before = s.env.read_file(".aws/credentials").unwrap();
    let r = s.run(&["dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["outcome"], "minted");
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
    assert_eq!(s.fake.request_count(), 1, "exactly one request per mint");

    let after = s.env.read_file(".aws/credentials").unwrap();
    assert!(after.starts_with(&before), "existing bytes kept:\n{after}");
    let added = &after[before.len()..];
    let lines: Vec<&str> = added.lines().collect();
    assert_eq!(lines[0], "");
    assert_eq!(lines[1], "[dev]");
    let value = |k: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&format!("{k} = ")))
            .unwrap_or_else(|| panic!("{k} missing in {added}"))
            .to_string()
    };
    let (akid, secret, token) = (
        value("aws_access_key_id"),
        value("aws_secret_access_key"),
        value("aws_session_token"),
    );
    assert!(akid.starts_with("ASIA"));
    assert!(s.fake.is_valid_session(&akid, &secret, &token));
    assert!(value("expiration").ends_with('Z'));
    // Keys are not leaked to the terminal.
    assert!(!r.stderr.contains(&secret) && !r.stdout.contains(&secret));
    assert!(!r.stderr.contains(&token) && !r.stdout.contains(&token));
    assert!(!r.stderr.contains(&alice.keys.access_key_id));
    #[cfg(unix)]
    if s.env.checks_unix_modes() {
        let mode = s
            .env
            .file_mode(".aws/credentials")
            .expect("the file exists");
        assert_eq!(mode, 0o644, "an existing file keeps its mode: {mode:o}");
    }
}

#[test]
fn fresh_session_is_skipped_without_network_or_keyring() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    assert_eq!(s.run(&["dev"], None).code, 0);
    let file = s.env.read_file(".aws/credentials").unwrap();
    let requests = s.fake.request_count();
    // Point the keyring at nothing: the skip path must not need it.
    let r = s.env.run_env(
        &["dev", "--json"],
        None,
        &[
            ("AWS_ENDPOINT_URL_STS", s.fake.endpoint().as_str()),
            ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["outcome"], "fresh");
    assert!(r.stderr.contains("still fresh"), "{r:?}");
    assert_eq!(
        s.fake.request_count(),
        requests,
        "no request on the fresh path"
    );
    assert_eq!(s.env.read_file(".aws/credentials").unwrap(), file);
}

#[test]
fn forced_second_mint_in_the_same_step_waits_for_a_new_code() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    // Start 1.5 s before a step boundary so the wait is short but certain.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let start = ((now / 30.0).floor() + 1.0) * 30.0 - 1.5;
    let offset = start - now;
    s.fake.set_clock_offset(offset.round() as i64);
    let test_now = format!("{start}");
    let endpoint = s.fake.endpoint();
    let env = [
        ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
        ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ("MFA_MINT_TEST_NOW", test_now.as_str()),
    ];
    let a = s.env.run_env(&["dev"], None, &env);
    assert_eq!(a.code, 0, "{a:?}");
    let b = s.env.run_env(&["dev", "--force"], None, &env);
    assert_eq!(b.code, 0, "second mint must wait, not fail: {b:?}");
    let steps = s.fake.accepted_steps_for(&alice.serial);
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_ne!(steps[0], steps[1]);
}

#[test]
fn out_of_range_duration_is_refused_locally() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    let before = s.env.read_file(".aws/credentials");
    for d in ["899", "129601", "37h", "1444000"] {
        let r = s.run(&["dev", "--duration", d], None);
        assert_eq!(r.code, 4, "{d}: {r:?}");
        assert!(r.stderr.contains("900 s (15m) to 129600 s (36h)"), "{r:?}");
        assert_eq!(
            r.stderr.lines().count(),
            2,
            "one error line and one hint: {r:?}"
        );
    }
    let r = s.run(&["dev", "--duration", "twelve"], None);
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(s.fake.request_count(), 0);
    assert_eq!(s.env.read_file(".aws/credentials"), before);
    let r = s.run(&["dev", "--duration", "36h"], None);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn aws_errors_get_one_line_a_hint_and_nothing_written() {
    require!(Keyring);
    let (s, alice) = setup();
    // A seed that does not belong to the device: AWS says the code is invalid.
    let r = s.run(
        &["import", "dev", "--serial", &alice.serial],
        Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let before = s.env.read_file(".aws/credentials");
    let r = s.run(&["dev"], None);
    assert_eq!(r.code, 6, "{r:?}");
    // AWS refused a code that was right for the clock: tried once more with the next code
    // (another tool may have used it, issue 13), then the error and its hint.
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{r:?}");
    assert!(
        lines[0].starts_with("AWS refused the current code"),
        "{r:?}"
    );
    assert!(
        lines[1].starts_with("error: AWS rejected the MFA code"),
        "{r:?}"
    );
    assert!(
        lines[2].starts_with("hint: check the system clock"),
        "{r:?}"
    );
    assert_eq!(s.fake.action_count("GetSessionToken"), 2);
    assert_eq!(s.env.read_file(".aws/credentials"), before);

    // A device of another user: the serial is not valid for these keys.
    let other = s.fake.add_user("bob", ACCOUNT);
    let _ = other;
    let bob_serial = s.fake.add_mfa_device("bob", "bob", SEED);
    let r = s.run(
        &["import", "dev", "--serial", &bob_serial, "--force"],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = s.run(&["dev"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(
        r.stderr.contains("does not accept this MFA device"),
        "{r:?}"
    );
    assert_eq!(s.env.read_file(".aws/credentials"), before);
}

#[test]
fn transient_failures_exit_7() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    s.fake.fail_next(1, fake_aws::Failure::Throttle);
    let r = s.run(&["dev"], None);
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stderr.contains("throttling"), "{r:?}");
    let r = s.env.run_env(
        &["dev"],
        None,
        &[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")],
    );
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stderr.contains("cannot reach"), "{r:?}");
}

#[test]
fn missing_source_profile_is_a_config_error() {
    require!(Keyring);
    let env = TestEnv::new();
    let r = env.run(
        &[
            "import",
            "solo",
            "--serial",
            "arn:aws:iam::123456789012:mfa/solo",
        ],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["solo"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("no source profile"), "{r:?}");
    assert!(r.stderr.contains("solo-long-term"), "{r:?}");
}

#[test]
fn user_arn_gets_a_hint_and_nothing_is_stored() {
    require!(Keyring);
    let env = TestEnv::new();
    let r = env.run(
        &[
            "import",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:user/alice",
        ],
        Some(SEED),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("arn:aws:iam::123456789012:mfa/alice"),
        "{r:?}"
    );
    assert!(env.read_file(".aws/config").is_none());
    assert!(!env.keyring_has_entries());
}

#[test]
fn the_aws_cli_uses_the_minted_profile() {
    require!(Keyring, Venv);
    let (s, alice) = setup();
    import(&s, &alice);
    assert_eq!(s.run(&["dev"], None).code, 0);
    let endpoint = s.fake.endpoint();
    let r = support::aws_cli(
        &s.env,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "dev",
            "--output",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["Account"], ACCOUNT);
    assert!(v["Arn"].as_str().unwrap().ends_with(":user/alice"));
}

#[test]
fn help_is_available_for_every_command() {
    require!(Keyring);
    let env = TestEnv::new();
    for args in [
        vec!["--help"],
        vec!["mint", "--help"],
        vec!["import", "--help"],
        vec!["code", "--help"],
        vec!["completions", "--help"],
    ] {
        let r = env.run(&args, None);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert!(r.stdout.contains("Usage: mfa-mint"), "{args:?}: {r:?}");
    }
    let r = env.run(&["--version"], None);
    assert!(r.stdout.starts_with("mfa-mint "));
    let r = env.run(&["completions", "bash"], None);
    assert_eq!(r.code, 0, "{r:?}");
    // The script really completes a subcommand's flags in bash (command_line:: tests more).
    let script = env.home().join("mfa-mint.bash");
    std::fs::write(&script, &r.stdout).unwrap();
    let out = env
        .command("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(mfa-mint import --se); COMP_CWORD=2; _clap_complete_mfa_mint mfa-mint --se import; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.contains("--serial"), "{words}");
    for shell in ["zsh", "fish", "powershell"] {
        assert_eq!(env.run(&["completions", shell], None).code, 0, "{shell}");
    }
}

#[test]
fn a_new_credentials_file_is_private_and_bom_crlf_files_work() {
    require!(Keyring);
    let w = World::new();
    let env = &w.env;
    let alice = w.user("alice", Some(SEED));
    let (keys, serial) = (&alice.keys, &alice.serial);
    // Keys in the config file (botocore reads them there too), no credentials file yet; the
    // config file has a BOM and CRLF line endings.
    let config = format!(
        "\u{feff}# work laptop\r\n[profile dev-long-term]\r\naws_access_key_id = {}\r\naws_secret_access_key = {}\r\n",
        keys.access_key_id, keys.secret_access_key
    );
    env.write_file(".aws/config", &config);
    w.import("dev", serial, SEED);
    let after = env.read_file(".aws/config").unwrap();
    assert_eq!(
        after,
        format!(
            "{config}\r\n[profile dev]\r\nmfa_serial = {serial}\r\nmfa_mint_wrote = mfa_serial\r\n"
        ),
        "BOM and CRLF kept, our section in the file's line endings"
    );
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    #[cfg(unix)]
    if env.checks_unix_modes() {
        let mode = env.file_mode(".aws/credentials").expect("the file exists");
        assert_eq!(mode, 0o600, "a new credentials file is 0600: {mode:o}");
    }
}

/// Holds `path` open as another program would (an editor, a sync client, a running AWS command)
/// until dropped or `millis` have passed: natively an open `File` of this process; under wine
/// `holdopen.exe`, which opens it sharing read and write but not delete, as Windows programs do.
struct Holder {
    child: Option<std::process::Child>,
    _file: Option<std::fs::File>,
}

impl Holder {
    fn start(path: &std::path::Path, millis: u32) -> Holder {
        use std::io::BufRead;
        match support::target() {
            support::Target::Native => Holder {
                child: None,
                _file: Some(std::fs::File::open(path).expect("open the file to hold")),
            },
            support::Target::Wine(wine) => {
                let mut child = wine
                    .command(&wine.holdopen())
                    .arg(support::windows_path(path))
                    .arg(millis.to_string())
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("start holdopen.exe");
                let mut line = String::new();
                std::io::BufReader::new(child.stdout.take().unwrap())
                    .read_line(&mut line)
                    .unwrap();
                assert_eq!(line.trim(), "held", "holdopen.exe did not open the file");
                Holder {
                    child: Some(child),
                    _file: None,
                }
            }
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Windows refuses to replace a file another program has open without sharing delete: mfa-mint
/// waits up to 3 s for it, then stops with exit 8, the file as it was and nothing temporary left.
/// On Unix a rename over an open file just works (both mints succeed there).
#[test]
fn a_credentials_file_another_program_holds_open_is_waited_for_then_left_alone() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    let bob = w.user("bob", Some(SEED));
    let original = format!(
        "# keys\n{}\n{}",
        alice.long_term("dev"),
        bob.long_term("ops")
    );
    w.write_credentials(&original);
    w.import("dev", &alice.serial, SEED);
    w.import("ops", &bob.serial, SEED);
    let path = w.env.home().join(".aws").join("credentials");
    let aws_dir_entries = || {
        let mut names: Vec<String> = std::fs::read_dir(w.env.home().join(".aws"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            // The lock files stay by design.
            .filter(|name| !name.ends_with(".mfa-mint.lock"))
            .collect();
        names.sort();
        names
    };
    let entries_before = aws_dir_entries();

    // Held longer than mfa-mint waits (bob's device: its own code step).
    let held = Holder::start(&path, 8000);
    let started = std::time::Instant::now();
    let r = w.run(&["ops"], None);
    let waited = started.elapsed();
    drop(held);
    if support::target().is_windows() {
        assert_eq!(r.code, 8, "{r:?}");
        let mut lines = r.stderr.lines();
        let error = lines.next().unwrap_or_default();
        // Windows' own words follow (wine: "Access denied. (os error 5)").
        assert!(
            error.starts_with(
                "error: cannot replace %USERPROFILE%\\.aws\\credentials: another program still had it open after 3 s: "
            ),
            "{r:?}"
        );
        assert!(
            r.stderr.contains(
                "hint: close what has %USERPROFILE%\\.aws\\credentials open (an editor, a sync client, a running AWS command) and run mfa-mint again; the file was left as it was"
            ),
            "{r:?}"
        );
        assert!(waited >= std::time::Duration::from_secs(3), "{waited:?}");
        assert_eq!(w.credentials().as_deref(), Some(original.as_str()));
        assert_eq!(aws_dir_entries(), entries_before, "nothing temporary left");
    } else {
        assert_eq!(r.code, 0, "{r:?}");
        assert!(w.credentials().unwrap().contains("[ops]"), "{r:?}");
    }

    // Held for a moment only (alice's device): waited for, then written.
    let before = w.credentials().unwrap();
    let held = Holder::start(&path, 1000);
    let r = w.run(&["dev"], None);
    drop(held);
    assert_eq!(r.code, 0, "{r:?}");
    let after = w.credentials().unwrap();
    assert!(
        after.starts_with(&before),
        "kept every byte before the new section: {after}"
    );
    assert!(after.contains("[dev]\naws_access_key_id = ASIA"), "{after}");
}
