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

/// Issue 23 row 8: after `setup-credential-process dev`, a scheduled or manual `mfa-mint dev`
/// minted again into `[dev]` of the credentials file, which shadows credential_process, and
/// `doctor` said nothing. Now the mint says so and writes nothing, `--all` skips the profile,
/// and `doctor` flags a session in the file that shadows credential_process.
#[test]
fn a_profile_set_up_for_credential_process_is_not_minted_into_the_file() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.run(&["setup-credential-process", "dev"], None).success();
    let (config, credentials) = (w.config(), w.credentials());
    for args in [&["dev"][..], &["dev", "--force"], &["mint", "-p", "dev"]] {
        let r = w.run(args, None);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(
            r.stderr
                .starts_with("error: profile dev is set up for credential_process"),
            "{r:?}"
        );
        assert!(
            r.stderr.contains("hint: ") && r.stderr.contains("`mfa-mint credential-process dev`"),
            "{r:?}"
        );
        assert_eq!(
            (w.config(), w.credentials()),
            (config.clone(), credentials.clone())
        );
    }
    // Nor is a job installed that would do it every hour.
    let r = w.run(&["schedule", "install", "dev", "--print"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("set up for credential_process"), "{r:?}");
    let r = w.run(&["--all"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("dev: set up for credential_process"),
        "{r:?}"
    );
    assert_eq!(w.credentials(), credentials);
    assert_eq!(w.fake.request_count(), 0);
    // Nothing shadows it: doctor has no complaint about that.
    let r = w.run(&["doctor", "dev"], None);
    assert!(!r.stdout.contains("holds keys that shadow"), "{r:?}");
    // A session in [dev] (as an older version's scheduled mint left it): doctor flags it.
    w.write_credentials(&format!(
        "{}\n[dev]\naws_access_key_id = ASIAEXAMPLEEXAMPLE\naws_secret_access_key = x\naws_session_token = y\nexpiration = 2099-01-01T00:00:00Z\n",
        w.credentials().unwrap()
    ));
    let r = w.run(&["doctor", "dev"], None);
    assert_ne!(r.code, 0, "{r:?}");
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("[dev] of the credentials file holds keys that shadow its credential_process"),
        "{r:?}"
    );
    assert!(
        all.contains("`mfa-mint setup-credential-process dev` again"),
        "{r:?}"
    );
    // The fix it names works, and doctor is content.
    w.run(&["setup-credential-process", "dev"], None).success();
    let r = w.run(&["doctor", "dev"], None);
    assert!(!r.stdout.contains("holds keys that shadow"), "{r:?}");
}
