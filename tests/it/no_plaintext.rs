//! No plaintext secrets: credential_process with the real AWS CLI, exec, env, and long-term
//! keys moved into the keyring.

use crate::support;

use support::World;

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

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

#[test]
fn exec_passes_the_session_and_the_exit_code() {
    require!(Keyring);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let ep = s.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
        ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ("AWS_PROFILE", "dev"),
    ];
    if s.env.is_windows() {
        // cmd prints an unset %VAR% as it is: the token is set, AWS_PROFILE is not.
        let r = s.env.run_env(
            &[
                "exec",
                "dev",
                "--",
                "cmd",
                "/c",
                "echo",
                "%AWS_ACCESS_KEY_ID%",
                "%AWS_PROFILE%",
                "%AWS_SESSION_TOKEN%",
                "%AWS_CREDENTIAL_EXPIRATION%",
                "&",
                "exit",
                "42",
            ],
            None,
            &at,
        );
        assert_eq!(r.code, 42, "{r:?}");
        let words: Vec<&str> = r.stdout.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{r:?}");
        assert!(words[0].starts_with("ASIA"), "{r:?}");
        assert_eq!(words[1], "%AWS_PROFILE%", "{r:?}");
        assert!(!words[2].starts_with('%'), "{r:?}");
        assert!(words[3].ends_with('Z'), "{r:?}");
    } else {
        let r = s.env.run_env(
            &["exec", "dev", "--", "sh", "-c", "test -n \"$AWS_SESSION_TOKEN\" && test -z \"$AWS_PROFILE\" && echo $AWS_ACCESS_KEY_ID $AWS_CREDENTIAL_EXPIRATION; exit 42"],
            None,
            &at,
        );
        assert_eq!(r.code, 42, "{r:?}");
        assert!(r.stdout.starts_with("ASIA"), "{r:?}");
        assert!(r.stdout.trim_end().ends_with('Z'), "{r:?}");
    }

    // The default is the shell of the platform: PowerShell on Windows, sh elsewhere.
    let r = s.env.run_env(&["env", "dev"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    let default_line = if s.env.is_windows() {
        "$Env:AWS_SESSION_TOKEN = '"
    } else {
        "export AWS_SESSION_TOKEN='"
    };
    assert!(r.stdout.contains(default_line), "{r:?}");
    let r = s
        .env
        .run_env(&["env", "dev", "--shell", "powershell"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n"),
        "{r:?}"
    );
    assert!(r.stdout.contains("$Env:AWS_ACCESS_KEY_ID = 'ASIA"), "{r:?}");
    let r = s.env.run_env(&["env", "dev", "--shell", "fish"], None, &at);
    assert!(
        r.stdout.contains("set -gx AWS_ACCESS_KEY_ID 'ASIA"),
        "{r:?}"
    );
    assert_eq!(
        s.fake.action_count("GetSessionToken"),
        1,
        "exec and env reuse the cache"
    );
}

#[test]
fn long_term_keys_move_into_the_keyring_and_back() {
    require!(Keyring);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let before = s.env.read_file(".aws/credentials").unwrap();
    let r = s.env.run(&["keys", "import", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = s.env.read_file(".aws/credentials").unwrap();
    assert!(
        !creds.contains(&alice.keys.secret_access_key),
        "secret gone from the file: {creds}"
    );
    assert!(!creds.contains("aws_access_key_id"), "{creds}");
    // Minting still works, from the keyring.
    let ep = s.endpoint();
    let r = s.env.run_env(
        &["credential-process", "dev"],
        None,
        &[
            ("AWS_ENDPOINT_URL_STS", ep.as_str()),
            ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = s.env.run(&["keys", "export", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = s.env.read_file(".aws/credentials").unwrap();
    assert!(creds.contains(&alice.keys.secret_access_key), "{creds}");
    assert_eq!(creds, before, "the file is back as it was");
}
