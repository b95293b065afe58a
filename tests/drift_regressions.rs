//! Regression tests for the defects that came from logic drifting apart in several places
//! (issue 11): each runs the real binary against the fake STS and a private keyring.

#[path = "support/fake_aws.rs"]
mod fake_aws;
mod support;

use fake_aws::FakeAws;
use support::TestEnv;

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn setup() -> (TestEnv, FakeAws) {
    let env = TestEnv::new();
    let fake = FakeAws::start();
    let keys = fake.add_user("alice", "123456789012");
    let serial = fake.add_mfa_device("alice", "alice", SEED);
    env.write_file(
        ".aws/credentials",
        &format!(
            "[dev-long-term]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            keys.access_key_id, keys.secret_access_key
        ),
    );
    let r = env.run(&["import", "dev", "--serial", &serial], Some(SEED));
    assert_eq!(r.code, 0, "{r:?}");
    (env, fake)
}

fn with_sts(fake: &str) -> [(&'static str, &str); 1] {
    [("AWS_ENDPOINT_URL_STS", fake)]
}

#[test]
fn doctor_after_keys_import_finds_the_keys_in_the_keyring() {
    let (env, fake) = setup();
    let r = env.run(&["keys", "import", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let ep = fake.endpoint();
    let r = env.run_env(&["doctor", "dev"], None, &with_sts(&ep));
    assert!(
        !r.stdout.contains("[FAIL] dev"),
        "doctor must resolve keys as mint does: {r:?}"
    );
    assert!(r.stdout.contains("in the keyring"), "{r:?}");
    let r = env.run_env(&["dev"], None, &with_sts(&ep));
    assert_eq!(r.code, 0, "minting works too: {r:?}");
}

#[test]
fn an_empty_region_does_not_shadow_aws_default_region() {
    let (env, fake) = setup();
    let mut config = env.read_file(".aws/config").unwrap();
    config.push_str("region =\n");
    env.write_file(".aws/config", &config);
    let ep = fake.endpoint();
    let r = env.run_env(
        &["-v", "dev"],
        None,
        &[
            ("AWS_ENDPOINT_URL_STS", ep.as_str()),
            ("AWS_REGION", ""),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("region eu-west-1"), "{r:?}");
}

#[test]
fn an_aws_folder_that_is_a_file_gets_the_cause_and_a_hint() {
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
fn exec_without_a_command_is_a_usage_problem_not_a_seed_problem() {
    let (env, fake) = setup();
    let ep = fake.endpoint();
    let r = env.run_env(&["exec", "dev", "--"], None, &with_sts(&ep));
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("no command to run"), "{r:?}");
    assert!(!r.stderr.contains("seed"), "{r:?}");
    assert_eq!(fake.request_count(), 0, "nothing is minted for a typo");
}

#[test]
fn mints_by_credential_process_show_in_status() {
    let (env, fake) = setup();
    let ep = fake.endpoint();
    let r = env.run_env(&["credential-process", "dev"], None, &with_sts(&ep));
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["status", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["profiles"][0]["last_run"]["outcome"], "minted", "{v}");
}

#[test]
fn a_duration_typo_fails_even_while_the_session_is_fresh() {
    let (env, fake) = setup();
    let ep = fake.endpoint();
    let r = env.run_env(&["dev"], None, &with_sts(&ep));
    assert_eq!(r.code, 0, "{r:?}");
    for bad in ["abc", "12hr", "10m", "40h"] {
        let r = env.run_env(&["dev", "--duration", bad], None, &with_sts(&ep));
        assert_eq!(r.code, 4, "--duration {bad}: {r:?}");
        assert!(r.stderr.contains("--duration"), "{r:?}");
    }
    assert_eq!(fake.request_count(), 1);
}
