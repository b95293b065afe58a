//! `mfa-mint rotate`: the long-term key replaced with one MFA session (issue 25), against the fake
//! IAM under AWS's sample MFA policy (key changes need an MFA session), and moto end to end.

use std::time::Duration;

use crate::support;

use support::fake_aws::Failure;
use support::{Moto, Pin, TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OTHER: &str = "# keys of another tool\n[other]\naws_access_key_id = AKIAOTHEREXAMPLE12\naws_secret_access_key = other/secret\n\n";

/// Alice with a device whose seed is imported for `dev`, her keys in `[dev-long-term]` after a
/// section of someone else's, under the MFA policy.
fn world() -> (World, support::User) {
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&format!("{OTHER}{}", alice.long_term("dev")));
    w.import("dev", &alice.serial, SEED);
    w.fake.set_iam_mfa_required("alice");
    (w, alice)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn last4(id: &str) -> String {
    format!("****{}", &id[id.len() - 4..])
}

/// What `rotate` says on success, with `--json`, when AWS would refuse a third key, when it
/// stops after the store, after `--finish` and with nothing to finish, pinned. The old key shows
/// as `****[AKID]`, any other masked key as `****[KEY]`.
#[test]
fn rotate_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = world();
    let pin = Pin::of(&w, "rotate")
        .user(&alice)
        .filter(r"\*\*\*\*[A-Z0-9]{4}\b", "****[KEY]");
    w.pinned(&pin, "rotated", &["rotate", "dev"], None)
        .success();
    w.pinned(&pin, "rotated-json", &["rotate", "dev", "--json"], None)
        .success();

    let (w, alice) = world();
    let pin = Pin::of(&w, "rotate")
        .user(&alice)
        .filter(r"\*\*\*\*[A-Z0-9]{4}\b", "****[KEY]");
    w.fake.add_access_key("alice");
    let r = w.pinned(&pin, "two-keys", &["rotate", "dev"], None);
    assert_eq!(r.code, 6, "{r:?}");

    let (w, alice) = world();
    let pin = Pin::of(&w, "rotate")
        .user(&alice)
        .filter(r"\*\*\*\*[A-Z0-9]{4}\b", "****[KEY]");
    w.fake
        .fail_next_of("DeleteAccessKey", 1, Failure::Status(500));
    let r = w.pinned(&pin, "unfinished", &["rotate", "dev"], None);
    assert_eq!(r.code, 7, "{r:?}");
    w.pinned(&pin, "finished", &["rotate", "dev", "--finish"], None)
        .success();
    w.pinned(
        &pin,
        "nothing-to-finish",
        &["rotate", "dev", "--finish", "--json"],
        None,
    )
    .success();
}

#[test]
fn rotate_from_the_credentials_file_keeps_every_other_byte() {
    require!(Keyring);
    let (w, alice) = world();
    // IAM takes a moment to accept a new key: rotate waits, saying so.
    w.fake.set_key_propagation(Duration::from_secs(3));
    let before = w.credentials().unwrap();
    let r = w.run(&["rotate", "dev", "--json", "-v"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let keys = w.fake.access_keys("alice");
    assert_eq!(keys.len(), 1, "the old key is gone: {keys:?}");
    let new = keys[0].clone();
    assert_ne!(new, alice.keys.access_key_id);
    let secret = w.fake.secret_of(&new).unwrap();
    // The section holds the new key; every other byte is as it was.
    assert_eq!(
        w.credentials().unwrap(),
        before
            .replace(&alice.keys.access_key_id, &new)
            .replace(&alice.keys.secret_access_key, &secret)
    );
    let v = json(&r.stdout);
    assert_eq!(v["new_key"], last4(&new), "{v}");
    assert_eq!(v["old_key"], last4(&alice.keys.access_key_id), "{v}");
    assert_eq!(v["stored_in"], "credentials file");
    assert_eq!(v["old_key_deleted"], true);
    assert_eq!(v["mfa_session"], "minted");
    // -v shows each call; the wait for propagation is visible.
    for call in [
        "STS GetCallerIdentity",
        "IAM ListAccessKeys",
        "IAM CreateAccessKey",
        "IAM DeleteAccessKey",
    ] {
        assert!(r.stderr.contains(call), "{call}: {r:?}");
    }
    assert!(r.stderr.contains("s left"), "countdown: {r:?}");
    assert!(!r.stderr.contains(&secret) && !r.stdout.contains(&secret));
    assert!(!r.stderr.contains(&new), "keys shown masked: {r:?}");
    // The old key is refused from now on.
    assert!(w.fake.identity(&alice.keys.access_key_id).is_none());

    // A second rotation right after uses the session of the first: no code at all.
    let r = w.run(&["rotate", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(json(&r.stdout)["mfa_session"], "stored");
    assert_eq!(w.fake.access_keys("alice").len(), 1);
    assert!(
        w.fake.identity(&new).is_none(),
        "the first new key went too"
    );
    assert_eq!(w.fake.accepted_steps().len(), 1, "one code in all");
    w.fake.assert_no_code_sent_twice();
}

#[test]
fn rotate_keys_kept_in_the_keyring() {
    require!(Keyring);
    let (w, alice) = world();
    assert_eq!(w.run(&["keys", "import", "dev-long-term"], None).code, 0);
    let before = w.credentials().unwrap();
    assert!(!before.contains(&alice.keys.access_key_id));
    let r = w.run(&["rotate", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v = json(&r.stdout);
    assert_eq!(v["stored_in"], "keyring", "{v}");
    let keys = w.fake.access_keys("alice");
    assert_eq!(keys.len(), 1);
    let stored = w
        .env
        .stored_secret("long-term-keys/dev-long-term")
        .expect("keys in the keyring");
    assert!(stored.contains(&keys[0]), "the keyring holds the new key");
    assert_eq!(w.credentials().unwrap(), before, "the file is untouched");
    // The profile mints from the new key (the next code: the rotation used the current one).
    let r = w.run(&["dev", "--force"], None);
    assert_eq!(r.code, 0, "{r:?}");
    w.fake.assert_no_code_sent_twice();
}

#[test]
fn two_keys_are_refused_before_anything_changes() {
    require!(Keyring);
    let (w, _alice) = world();
    let spare = w.fake.add_access_key("alice");
    let before = w.credentials().unwrap();
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("already has two access keys"), "{r:?}");
    assert!(r.stderr.contains(&last4(&spare.access_key_id)), "{r:?}");
    assert!(
        r.stderr
            .contains("aws iam delete-access-key --user-name alice --access-key-id ID"),
        "{r:?}"
    );
    assert!(r.stderr.contains("mfa-mint rotate dev"), "{r:?}");
    assert_eq!(w.fake.action_count("CreateAccessKey"), 0);
    assert_eq!(w.fake.access_keys("alice").len(), 2);
    assert_eq!(w.credentials().unwrap(), before);
}

#[test]
fn a_failed_mint_changes_nothing() {
    require!(Keyring);
    let (w, alice) = world();
    let before = w.credentials().unwrap();
    w.fake
        .fail_next_of("GetSessionToken", 1, Failure::Status(500));
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 7, "{r:?}");
    assert_eq!(w.fake.action_count("CreateAccessKey"), 0);
    assert_eq!(w.fake.access_keys("alice"), [alice.keys.access_key_id]);
    assert_eq!(w.credentials().unwrap(), before);
}

#[test]
fn a_failed_create_changes_nothing() {
    require!(Keyring);
    let (w, alice) = world();
    let before = w.credentials().unwrap();
    w.fake
        .fail_next_of("CreateAccessKey", 1, Failure::Status(500));
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 7, "{r:?}");
    assert_eq!(w.fake.access_keys("alice"), [alice.keys.access_key_id]);
    assert_eq!(w.credentials().unwrap(), before);
}

#[test]
fn a_failed_store_deletes_the_new_key() {
    require!(Keyring);
    let (w, alice) = world();
    // Another writer changes the section while the key is being made: the store refuses.
    let path = w.env.home().join(".aws/credentials");
    let old = alice.keys.access_key_id.clone();
    w.fake.on_request(move |action| {
        if action == "CreateAccessKey" {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace(&old, "AKIACHANGEDMEANWHILE")).unwrap();
        }
    });
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("was deleted again"), "{r:?}");
    assert_eq!(w.fake.action_count("DeleteAccessKey"), 1);
    assert_eq!(w.fake.access_keys("alice"), [alice.keys.access_key_id]);
    assert!(w.credentials().unwrap().contains("AKIACHANGEDMEANWHILE"));
}

#[test]
fn a_failed_check_leaves_both_keys_and_finish_completes() {
    require!(Keyring);
    let (w, alice) = world();
    w.fake
        .fail_after("CreateAccessKey", "GetCallerIdentity", Failure::Status(400));
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("mfa-mint rotate dev --finish"), "{r:?}");
    let keys = w.fake.access_keys("alice");
    assert_eq!(keys.len(), 2, "both keys: {keys:?}");
    let new = keys
        .iter()
        .find(|k| **k != alice.keys.access_key_id)
        .unwrap()
        .clone();
    assert!(
        w.credentials().unwrap().contains(&new),
        "the new key is stored"
    );

    let r = w.run(&["rotate", "dev", "--finish", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(json(&r.stdout)["old_key_deleted"], true);
    assert_eq!(w.fake.access_keys("alice"), vec![new.clone()]);
    // Nothing left to finish.
    let r = w.run(&["rotate", "dev", "--finish"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("Nothing to finish"), "{r:?}");
    assert_eq!(w.fake.accepted_steps().len(), 1, "one code in all");
    w.fake.assert_no_code_sent_twice();
}

#[test]
fn a_failed_delete_of_the_old_key_leaves_both_and_finish_completes() {
    require!(Keyring);
    let (w, alice) = world();
    w.fake
        .fail_next_of("DeleteAccessKey", 1, Failure::Status(500));
    let r = w.run(&["rotate", "dev"], None);
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stderr.contains("--finish"), "{r:?}");
    assert_eq!(w.fake.access_keys("alice").len(), 2);
    let r = w.run(&["rotate", "dev", "--finish"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let keys = w.fake.access_keys("alice");
    assert_eq!(keys.len(), 1);
    assert_ne!(keys[0], alice.keys.access_key_id);
}

#[test]
fn finish_never_deletes_a_newer_key() {
    require!(Keyring);
    let (w, alice) = world();
    // A second key made later, for something else: not left by a rotation.
    let spare = w.fake.add_access_key_created_in("alice", 60);
    let r = w.run(&["rotate", "dev", "--finish"], None);
    assert_ne!(r.code, 0, "{r:?}");
    assert_eq!(
        w.fake.access_keys("alice").len(),
        2,
        "{r:?} {spare:?} {alice:?}",
        alice = alice.keys.access_key_id
    );
}

#[test]
fn the_aws_cli_signs_with_the_new_key_and_the_old_is_refused() {
    require!(Keyring, Venv);
    let (w, alice) = world();
    assert_eq!(w.run(&["rotate", "dev"], None).code, 0);
    let endpoint = w.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
        ("AWS_CA_BUNDLE", w.fake.ca_bundle()),
    ];
    let r = support::aws_cli(
        &w.env,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "dev-long-term",
            "--output",
            "json",
        ],
        &at,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        json(&r.stdout)["Arn"],
        "arn:aws:iam::123456789012:user/alice"
    );
    let mut with_old = at.to_vec();
    with_old.extend([
        ("AWS_ACCESS_KEY_ID", alice.keys.access_key_id.as_str()),
        (
            "AWS_SECRET_ACCESS_KEY",
            alice.keys.secret_access_key.as_str(),
        ),
    ]);
    let r = support::aws_cli(&w.env, &["sts", "get-caller-identity"], &with_old);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("InvalidClientTokenId"), "{r:?}");
}

#[test]
fn rotate_against_moto() {
    require!(Keyring, Venv);
    let env = TestEnv::new();
    let moto = Moto::start();
    let ep = moto.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_IAM", ep.as_str()),
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
    ];
    env.write_file(
        ".aws/credentials",
        "[admin]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let cli = |args: &[&str]| {
        let r = support::aws_cli(&env, args, &at);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        json(&r.stdout)
    };
    cli(&[
        "iam",
        "create-user",
        "--user-name",
        "alice",
        "--profile",
        "admin",
    ]);
    let key = cli(&[
        "iam",
        "create-access-key",
        "--user-name",
        "alice",
        "--profile",
        "admin",
    ]);
    let old = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    env.write_file(
        ".aws/credentials",
        &format!(
            "[admin]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[dev-long-term]\naws_access_key_id = {old}\naws_secret_access_key = {secret}\n"
        ),
    );
    let r = env.run(
        &[
            "import",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:mfa/alice",
        ],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run_env(&["rotate", "dev", "--json"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    let listed = cli(&[
        "iam",
        "list-access-keys",
        "--user-name",
        "alice",
        "--profile",
        "admin",
    ]);
    let ids: Vec<&str> = listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{listed}");
    assert_ne!(ids[0], old);
    let creds = env.read_file(".aws/credentials").unwrap();
    assert!(
        creds.contains(&format!("aws_access_key_id = {}", ids[0])),
        "{creds}"
    );
    // The AWS CLI signs with the stored new key.
    let me = cli(&["sts", "get-caller-identity", "--profile", "dev-long-term"]);
    assert!(me["Arn"].as_str().unwrap().ends_with("user/alice"), "{me}");
}

#[test]
fn rotate_keys_kept_in_the_config_file() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    // Keys in the source's config section (botocore reads them there too).
    let config = format!(
        "[default]\nregion = eu-west-1\n\n[profile dev-long-term]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.keys.access_key_id, alice.keys.secret_access_key
    );
    w.write_config(&config);
    w.import("dev", &alice.serial, SEED);
    let before = w.config().unwrap();
    let r = w.run(&["rotate", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(json(&r.stdout)["stored_in"], "config file");
    let keys = w.fake.access_keys("alice");
    let secret = w.fake.secret_of(&keys[0]).unwrap();
    assert_eq!(
        w.config().unwrap(),
        before
            .replace(&alice.keys.access_key_id, &keys[0])
            .replace(&alice.keys.secret_access_key, &secret)
    );
}
