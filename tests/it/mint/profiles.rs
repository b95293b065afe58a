//! The profiles a mint reads, as AWS users bring them from the AWS CLI, aws-vault and aws-mfa
//! (issue 13) — role profiles (through mint, exec, env and credential-process),
//! `source_profile`, `-p/--profile`, the `default` profile, aws-mfa's `--setup` layout and its
//! stale lines — against the code-validating fake STS.

use crate::support::{ACCOUNT, User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Alice with a device and her keys in `[dev-long-term]`, the seed imported for `dev`.
pub(crate) fn dev() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    (w, alice)
}

/// `dev` plus two roles needing MFA: `admin` in the recommended pattern (source_profile = the
/// mfa-mint profile, no mfa_serial) and `ops` as most configs have it (source_profile = the
/// long-term keys, mfa_serial), which the AWS CLI would prompt for.
pub(crate) fn with_roles() -> (World, User, String, String) {
    let (w, alice) = dev();
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let ops = w.fake.add_role(ACCOUNT, "ops", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile admin]\nrole_arn = {admin}\nsource_profile = dev\n\n[profile ops]\nrole_arn = {ops}\nsource_profile = dev-long-term\nmfa_serial = {}\n",
        alice.serial
    ));
    (w, alice, admin, ops)
}

pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn one_code_serves_every_role_through_exec_env_and_credential_process() {
    require!(Keyring);
    let (w, _alice, admin, ops) = with_roles();
    let r = w.run(&["credential-process", "admin"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v = json(&r.stdout);
    let key = v["AccessKeyId"].as_str().unwrap();
    let issued = w.fake.issued_sessions();
    let role_session = issued
        .iter()
        .find(|s| s.access_key_id == key)
        .expect("the answer is a session the fake issued");
    assert_eq!(
        role_session.role.as_ref().map(|r| r.0.as_str()),
        Some(admin.as_str())
    );
    assert!(
        role_session.serial.is_some(),
        "the role session carries MFA"
    );

    let r = w.run(
        &["exec", "ops", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let ops_key = r.stdout.trim().to_string();
    let issued = w.fake.issued_sessions();
    let ops_session = issued
        .iter()
        .find(|s| s.access_key_id == ops_key)
        .expect("issued");
    assert_eq!(
        ops_session.role.as_ref().map(|r| r.0.as_str()),
        Some(ops.as_str())
    );

    // Both roles came from one base session and one code; nothing asked for a code.
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    assert_eq!(w.fake.accepted_steps().len(), 1);
    assert_eq!(w.fake.action_count("AssumeRole"), 2);

    // Each role is cached in the keyring until near expiry: no request at all now.
    let before = w.fake.request_count();
    let r = w.run(&["env", "admin"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("export AWS_ACCESS_KEY_ID='{key}'")),
        "{r:?}"
    );
    let r = w.run(&["credential-process", "-p", "ops"], None);
    assert_eq!(json(&r.stdout)["AccessKeyId"], ops_key.as_str(), "{r:?}");
    assert_eq!(w.fake.request_count(), before);
}

#[test]
fn a_role_the_trust_policy_refuses_gets_a_role_hint() {
    require!(Keyring);
    let (w, _alice) = dev();
    let other = w.fake.add_role(ACCOUNT, "other", &["bob"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile other]\nrole_arn = {other}\nsource_profile = dev\n"
    ));
    let r = w.run(&["credential-process", "other"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(
        r.stderr
            .contains("not authorized to perform: sts:AssumeRole"),
        "{r:?}"
    );
    assert!(r.stderr.contains("hint: the role's trust policy"), "{r:?}");
}

#[test]
fn minting_into_a_role_profile_explains_the_pattern_that_works() {
    require!(Keyring);
    let (w, _alice, _admin, _ops) = with_roles();
    let r = w.run(&["ops", "--source", "dev-long-term"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("role_arn wins"), "{r:?}");
    assert!(
        r.stderr
            .contains("asks for an MFA code because of its mfa_serial"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("set source_profile = dev and delete mfa_serial"),
        "{r:?}"
    );
    let r = w.run(&["admin"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("mint its source instead (`mfa-mint dev`)"),
        "{r:?}"
    );
    assert_eq!(w.fake.request_count(), 0);
    assert!(!w.credentials().unwrap().contains("[admin]"));
    // credential_process beside role_arn would never run: refused, config untouched.
    let config = w.config().unwrap();
    let r = w.run(&["setup-credential-process", "admin"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("[profile admin-mfa]"), "{r:?}");
    assert_eq!(w.config().unwrap(), config);
}

#[test]
fn source_profile_names_the_long_term_keys() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&format!(
        "[keys]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.keys.access_key_id, alice.keys.secret_access_key
    ));
    w.write_config(&format!(
        "[profile dev]\nmfa_serial = {}\nsource_profile = keys\n",
        alice.serial
    ));
    w.import("dev", &alice.serial, SEED);
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.credentials()
            .unwrap()
            .contains("[dev]\naws_access_key_id = ASIA")
    );
    // Missing keys: the message names the places looked at, including that profile.
    w.write_config(&format!(
        "[profile prod]\nmfa_serial = {}\nsource_profile = nokeys\n",
        alice.serial
    ));
    w.write_credentials("[nokeys]\nregion = x\n");
    let r = w.run(&["prod"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("source profile \"nokeys\" has no aws_access_key_id (looked at [nokeys] in "),
        "{r:?}"
    );
    assert!(r.stderr.contains("[profile nokeys] in "), "{r:?}");
}

#[test]
fn profile_flag_and_the_default_profile() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&alice.long_term("default"));
    let r = w.run(
        &["import", "--profile", "default", "--serial", &alice.serial],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.config().unwrap().starts_with("[default]\nmfa_serial = "),
        "{:?}",
        w.config()
    );
    // No profile and no AWS_PROFILE: `default`, as the AWS CLI does.
    let r = w.run(&["mint"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.credentials()
            .unwrap()
            .contains("[default]\naws_access_key_id = ASIA")
    );
    let r = w.run(&["code", "-p", "default", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["-p", "default"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("default: session still fresh"), "{r:?}");
    let r = w.run(&["status", "--profile", "default", "--json"], None);
    assert_eq!(
        json(&r.stdout)["profiles"][0]["profile"],
        "default",
        "{r:?}"
    );
}

#[test]
fn an_unknown_profile_gets_the_closest_name() {
    require!(Keyring);
    let (w, _alice) = dev();
    let r = w.run(&["dve"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: profile dve is not set up for mfa-mint; did you mean dev?\n"),
        "{r:?}"
    );
    let r = w.run(&["code", "zzzzzz"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: profile zzzzzz is not set up for mfa-mint\n"),
        "{r:?}"
    );
    assert_eq!(w.fake.request_count(), 0);
}

#[test]
fn setup_moves_long_term_keys_out_of_the_session_profile() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    let keys = format!(
        "# mine\n[work]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.keys.access_key_id, alice.keys.secret_access_key
    );
    w.write_credentials(&keys);
    w.import("work", &alice.serial, SEED);
    let config = w.config().unwrap();
    // Non-interactive: refused, nothing written, and the hint names the command.
    let r = w.run(&["work"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("mfa-mint work --setup"), "{r:?}");
    assert_eq!(w.credentials().unwrap(), keys);
    // exec, env and credential-process say the same.
    let r = w.run(&["exec", "work", "--", "true"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("mfa-mint work --setup"), "{r:?}");
    let r = w.run(&["work", "--setup"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = w.credentials().unwrap();
    assert!(
        creds.contains(&format!(
            "[work-long-term]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            alice.keys.access_key_id, alice.keys.secret_access_key
        )),
        "{creds}"
    );
    assert!(
        creds.starts_with("# mine\n[work]\naws_access_key_id = ASIA"),
        "{creds}"
    );
    assert_eq!(
        w.config().unwrap(),
        config,
        "nothing to move in the config file"
    );
}

#[test]
fn setup_moves_keys_kept_in_the_config_file_too() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_config(&format!(
        "[profile work]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = eu-west-1\n",
        alice.keys.access_key_id, alice.keys.secret_access_key
    ));
    w.import("work", &alice.serial, SEED);
    let r = w.run(&["work", "--setup"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let config = w.config().unwrap();
    assert!(
        config.starts_with("[profile work]\nregion = eu-west-1\nmfa_serial = "),
        "{config}"
    );
    assert!(
        config.contains(&format!(
            "[profile work-long-term]\naws_access_key_id = {}\n",
            alice.keys.access_key_id
        )),
        "{config}"
    );
}

#[test]
fn minting_over_an_aws_mfa_section_removes_its_stale_lines() {
    require!(Keyring);
    let (w, alice) = dev();
    w.write_credentials(&format!(
        "{}\n[dev]\nassumed_role = False\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = oldtoken\naws_security_token = oldtoken\nexpiration = 2020-01-01 00:00:00\n",
        alice.long_term("dev")
    ));
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = w.credentials().unwrap();
    assert!(!creds.contains("aws_security_token"), "{creds}");
    assert!(!creds.contains("assumed_role"), "{creds}");
    assert!(!creds.contains("oldtoken"), "{creds}");
    assert!(creds.contains("[dev]\naws_access_key_id = ASIA"), "{creds}");
}

#[test]
fn the_aws_cli_assumes_a_role_from_the_minted_session_without_asking_for_a_code() {
    require!(Keyring, Venv);
    // The pattern the README recommends, checked with the real AWS CLI (botocore) against the
    // fake: the role's source_profile is the minted [dev], and the role has no mfa_serial.
    let (w, _alice, _admin, _ops) = with_roles();
    assert_eq!(w.run(&["dev"], None).code, 0);
    let endpoint = w.endpoint();
    let r = crate::support::aws_cli(
        &w.env,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "admin",
            "--output",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", w.fake.ca_bundle()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v = json(&r.stdout);
    assert!(
        v["Arn"]
            .as_str()
            .unwrap()
            .starts_with(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/")),
        "{v}"
    );
    assert_eq!(w.fake.accepted_steps().len(), 1, "the one code of the mint");
    // The usual layout (mfa_serial on the role) makes the AWS CLI ask for a code instead.
    let r = crate::support::aws_cli(
        &w.env,
        &["sts", "get-caller-identity", "--profile", "ops"],
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", w.fake.ca_bundle()),
        ],
    );
    assert_ne!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("Enter MFA code") || r.stderr.contains("MFA"),
        "{r:?}"
    );
}
