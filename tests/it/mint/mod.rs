//! `mfa-mint [mint] PROFILE…` with the real binary, a real (private) Secret Service and the
//! in-repo fake STS: a mint writes a working session and keeps every other byte, a fresh session
//! is skipped, errors get one line and a hint with nothing written, the AWS CLI reads the
//! profile; what it prints is pinned. Submodules: `profiles` (role profiles, `source_profile`,
//! `-p`, `default`, aws-mfa's layout), `unattended` (cron's environment, `--all`, the log file,
//! clock skew), `waiting` (waits for a fresh code, Ctrl-C), `single_flight` (runs that meet,
//! `credential-process` callers included) and `concurrency` (many writers, killed writers).

use crate::support::{self, fake_aws};

use support::{ACCOUNT, Pin, TestEnv, User, World};

mod concurrency;
pub(crate) mod profiles;
mod single_flight;
mod unattended;
mod waiting;

/// An AWS-style 64-character base32 seed (40 bytes).
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A user `alice` with an enabled device, long-term keys in [dev-long-term] between a comment and
/// a section that isn't ours, nothing imported.
pub(crate) fn setup() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.write_credentials(&format!(
        "# my keys\n{}\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret ; not a comment\n",
        alice.long_term("dev")
    ));
    (w, alice)
}

/// Imports alice's seed as `dev`, typed the way people copy it (lower case, in groups).
pub(crate) fn import(s: &World, alice: &User) {
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

/// Issue 23, row 6: a mint with `--source` and a wrong secret used to record
/// `mfa_mint_source_profile` anyway, and every later run failed with a signature error that
/// never named the profile. Now `--source` is remembered only after a success, and the error
/// names the profile whose keys AWS refused.
#[test]
fn a_failed_mint_with_source_records_nothing_and_names_the_keys_profile() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.write_credentials(&format!(
        "[old-keys]\naws_access_key_id = {}\naws_secret_access_key = not-the-secret\n",
        alice.keys.access_key_id
    ));
    w.import("stage", &alice.serial, SEED);
    let config_before = w.config().unwrap();
    let r = w.run(&["stage", "--force", "--source", "old-keys"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("[old-keys]"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("error:").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("hint:") && r.stderr.contains("--source"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not-the-secret"), "{}", r.stderr);
    assert_eq!(w.config().unwrap(), config_before, "nothing remembered");

    // With the right keys the same command works, and only then is --source remembered.
    w.write_credentials(&alice.long_term("good"));
    let r = w.run(&["stage", "--source", "good-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.config()
            .unwrap()
            .contains("mfa_mint_source_profile = good-long-term"),
        "{}",
        w.config().unwrap()
    );
}

#[test]
fn an_empty_region_does_not_shadow_aws_default_region() {
    require!(Keyring);
    let (w, _alice) = profiles::dev();
    let mut config = w.config().unwrap();
    config.push_str("region =\n");
    w.write_config(&config);
    let r = w.run_env(
        &["-v", "dev"],
        None,
        &[("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "eu-west-1")],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("region eu-west-1"), "{r:?}");
}

#[test]
fn an_aws_folder_that_is_a_file_gets_the_cause_and_a_hint() {
    require!(Keyring);
    let env = TestEnv::new();
    env.write_file(".aws", "not a folder\n");
    let r = env.run(&["dev"], None);
    assert_eq!(r.code, 8, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one error line and one hint: {r:?}");
    assert!(lines[0].starts_with("error: cannot read"), "{r:?}");
    assert!(lines[0].contains("directory"), "the cause is shown: {r:?}");
    assert!(lines[1].starts_with("hint: "), "{r:?}");
}

#[test]
fn json_reports_an_error_for_a_single_profile_too() {
    require!(Keyring);
    let env = TestEnv::new();
    let r = env.run(&["dev", "--json"], None);
    assert_ne!(r.code, 0, "{r:?}");
    let line = r.stdout.lines().next().expect("one JSON line on stdout");
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["profile"], "dev");
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["exit_code"], r.code);
    assert!(v["error"].as_str().unwrap().contains("dev"), "{v}");
}

#[test]
fn a_duration_typo_fails_even_while_the_session_is_fresh() {
    require!(Keyring);
    let (w, _alice) = profiles::dev();
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    for bad in ["abc", "12hr", "10m", "40h"] {
        let r = w.run(&["dev", "--duration", bad], None);
        assert_eq!(r.code, 4, "--duration {bad}: {r:?}");
        assert!(r.stderr.contains("--duration"), "{r:?}");
    }
    assert_eq!(w.fake.request_count(), 1);
}

/// Issue 23 row 14: `--duration 15m` with the default `--min-remaining 15m` counted as never
/// fresh, so every run minted again and spent a code. The default window shrinks to half a
/// shorter duration; a window the user set that is not below the duration is refused.
#[test]
fn a_short_duration_still_counts_as_fresh() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    s.run(&["dev", "--duration", "15m"], None).success();
    let r = s.run(&["dev", "--duration", "15m", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"outcome\":\"fresh\""), "{r:?}");
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
    // The same through the config file.
    let config = s.config().unwrap();
    s.write_config(&format!("{config}mfa_mint_duration = 15m\n"));
    let r = s.run(&["dev", "--json"], None);
    assert!(r.stdout.contains("\"outcome\":\"fresh\""), "{r:?}");
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
    for args in [
        &["dev", "--duration", "15m", "--min-remaining", "15m"][..],
        &["dev", "--min-remaining", "20m"],
    ] {
        let r = s.run(args, None);
        assert_eq!(r.code, 4, "{args:?}: {r:?}");
        assert!(r.stderr.contains("never count as fresh"), "{r:?}");
        assert!(
            r.stderr.contains("hint: pass a shorter --min-remaining"),
            "{r:?}"
        );
    }
    // The hint's way works.
    let r = s.run(&["dev", "--min-remaining", "450s", "--json"], None);
    assert!(r.stdout.contains("\"outcome\":\"fresh\""), "{r:?}");
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
}

/// Issue 23 row 16: mfa-mint's lock files live in its own folder
/// (`~/.local/state/mfa-mint/locks`), not in `~/.aws`.
#[test]
fn the_aws_folder_holds_only_the_user_s_files() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    s.run(&["dev"], None).success();
    s.run(&["rename", "dev", "work"], None).success();
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let home = s.env.home();
    assert_eq!(names(&home.join(".aws")), ["config", "credentials"]);
    let locks = names(&home.join(".local/state/mfa-mint/locks"));
    assert_eq!(locks.len(), 2, "one lock per file: {locks:?}");
    assert!(
        locks[0].starts_with("config-") && locks[1].starts_with("credentials-"),
        "{locks:?}"
    );
}

/// Issue 23 row 7: the slip `mfa-mint dev-long-term` (the keys profile of `dev`) used to hint
/// `--setup`, which moved the keys to `[dev-long-term-long-term]` and broke `dev`. It is
/// recognised as dev's keys ("did you mean dev?"), and `--setup` never moves them.
#[test]
fn the_keys_profile_of_another_is_a_slip_and_setup_leaves_it_alone() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let (config, credentials) = (w.config(), w.credentials());
    for args in [
        &["dev-long-term"][..],
        &["dev-long-term", "--setup"],
        &["mint", "--setup", "--", "dev-long-term"],
    ] {
        let r = w.run(args, None);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(
            r.stderr
                .contains("[dev-long-term] holds the long-term keys of dev; did you mean dev?"),
            "{args:?}: {r:?}"
        );
        assert!(
            r.stderr.contains("hint: `mfa-mint dev` uses these keys"),
            "{r:?}"
        );
        assert!(!r.stderr.contains("--setup`"), "{r:?}");
        assert_eq!(
            (w.config(), w.credentials()),
            (config.clone(), credentials.clone())
        );
    }
    assert_eq!(w.fake.request_count(), 0);
    // The hint's command works.
    w.run(&["dev"], None).success();
    // Keys only a role uses: the hint names an exec of the role.
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    w.write_credentials(&format!(
        "{}{}",
        w.credentials().unwrap(),
        alice.long_term("ops")
    ));
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile admin]\nrole_arn = {admin}\nsource_profile = ops-long-term\n"
    ));
    let r = w.run(&["ops-long-term", "--setup"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("`mfa-mint exec admin -- CMD` uses these keys"),
        "{r:?}"
    );
}
