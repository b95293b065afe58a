//! Regression tests for the defects that came from logic drifting apart in several places
//! (issue 11): each runs the real binary against the fake STS and a private keyring.

use crate::support::{TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Alice with a device, her keys in `[dev-long-term]`, the seed imported for `dev`.
fn setup() -> World {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w
}

#[test]
fn doctor_after_keys_import_finds_the_keys_in_the_keyring() {
    require!(Keyring);
    let w = setup();
    let r = w.run(&["keys", "import", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["doctor", "dev"], None);
    assert!(
        !r.stdout.contains("[FAIL] dev"),
        "doctor must resolve keys as mint does: {r:?}"
    );
    assert!(r.stdout.contains("in the keyring"), "{r:?}");
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "minting works too: {r:?}");
}

#[test]
fn an_empty_region_does_not_shadow_aws_default_region() {
    require!(Keyring);
    let w = setup();
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
fn exec_without_a_command_starts_the_shell_not_a_seed_error() {
    require!(Keyring);
    let w = setup();
    // Issue 13: as with aws-vault, no command means the user's shell (here one that says so).
    let r = w.run_env(&["exec", "dev", "--"], None, &[("SHELL", "/bin/echo")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "\n", "the shell ran, with no arguments: {r:?}");
    assert!(!r.stderr.contains("seed"), "{r:?}");
}

#[test]
fn mints_by_credential_process_show_in_status() {
    require!(Keyring);
    let w = setup();
    let r = w.run(&["credential-process", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["status", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["profiles"][0]["last_run"]["outcome"], "minted", "{v}");
}

#[test]
fn a_duration_typo_fails_even_while_the_session_is_fresh() {
    require!(Keyring);
    let w = setup();
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    for bad in ["abc", "12hr", "10m", "40h"] {
        let r = w.run(&["dev", "--duration", bad], None);
        assert_eq!(r.code, 4, "--duration {bad}: {r:?}");
        assert!(r.stderr.contains("--duration"), "{r:?}");
    }
    assert_eq!(w.fake.request_count(), 1);
}
