//! `mfa-mint credential-process` (the SDKs' credential_process protocol: the JSON, the cache, the
//! real AWS CLI as the caller) and `setup-credential-process`. Concurrent callers are in
//! `mint::single_flight`, the wait note in `mint::waiting`.

use crate::support::{self, Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The credential_process JSON (minted, then served again while fresh) and what
/// `setup-credential-process` says and writes, pinned.
#[test]
fn credential_process_json_and_setup_text_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let pin = Pin::of(&w, "credential_process").user(&alice);
    w.pinned(&pin, "minted", &["credential-process", "dev"], None)
        .success();
    w.pinned(&pin, "fresh", &["credential-process", "dev"], None)
        .success();
    w.pinned(&pin, "setup", &["setup-credential-process", "dev"], None)
        .success();
    pin.text("setup-config", &pin.scrub(&w.config().unwrap()));
}

#[test]
fn credential_process_json_and_cache() {
    require!(Keyring);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let ep = s.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
        ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
    ];
    let r = s.env.run_env(&["credential-process", "dev"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stderr, "", "stderr stays empty for SDKs");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(v[k].is_string(), "{k}: {v}");
    }
    assert!(s.fake.is_valid_session(
        v["AccessKeyId"].as_str().unwrap(),
        v["SecretAccessKey"].as_str().unwrap(),
        v["SessionToken"].as_str().unwrap()
    ));
    // Cached in the keyring: the second call makes no request and writes no file.
    let r2 = s.env.run_env(&["credential-process", "dev"], None, &at);
    assert_eq!(r2.stdout, r.stdout);
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
    let creds = s.env.read_file(".aws/credentials").unwrap();
    assert!(
        !creds.contains("[dev]"),
        "nothing written to the file: {creds}"
    );
}

#[test]
fn the_aws_cli_uses_credential_process_and_a_second_call_is_free() {
    require!(Keyring, Venv);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let r = s.env.run(&["setup-credential-process", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let config = s.env.read_file(".aws/config").unwrap();
    assert!(config.contains("credential_process = /"), "{config}");
    assert!(config.contains(" credential-process dev\n"), "{config}");
    let ep = s.endpoint();
    // The AWS CLI runs mfa-mint itself, with its own environment: pass the endpoint through.
    let at = [
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
        ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
    ];
    for _ in 0..2 {
        let r = support::aws_cli(
            &s.env,
            &["sts", "get-caller-identity", "--profile", "dev"],
            &at,
        );
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("123456789012"), "{r:?}");
    }
    assert_eq!(
        s.fake.action_count("GetSessionToken"),
        1,
        "second call within the window is free"
    );
}
