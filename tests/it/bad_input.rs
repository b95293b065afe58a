//! The bad-input corpus: every case gets exactly one `error:` line and one `hint:` line on
//! stderr, its documented exit code, no panic, and nothing written under HOME.

use crate::support::{self, fake_aws};

use std::collections::BTreeMap;
use std::path::Path;

use fake_aws::Failure;
use support::{TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
const LONG_TERM: &str = "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

/// Runs one case and checks the contract; returns stderr for case-specific checks.
fn check(
    env: &TestEnv,
    args: &[&str],
    stdin: Option<&str>,
    extra: &[(&str, &str)],
    code: i32,
    needle: &str,
) -> String {
    let before = snapshot(env.home());
    let r = env.run_env(args, stdin, extra);
    let after = snapshot(env.home());
    let what = format!("{args:?} stdin={:?}", stdin.map(|s| &s[..s.len().min(40)]));
    assert_eq!(r.code, code, "{what}: wrong exit code: {r:?}");
    assert!(!r.stderr.contains("panicked"), "{what}: panic: {r:?}");
    assert!(
        !r.stderr.contains("RUST_BACKTRACE"),
        "{what}: backtrace: {r:?}"
    );
    if code != 2 {
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert!(
            lines.len() == 2 && lines[0].starts_with("error: ") && lines[1].starts_with("hint: "),
            "{what}: want one error line and one hint line, got {r:?}"
        );
    }
    assert!(
        r.stderr.to_lowercase().contains(&needle.to_lowercase()),
        "{what}: stderr lacks {needle:?}: {r:?}"
    );
    assert_eq!(before, after, "{what}: something was written under HOME");
    assert!(!r.stderr.contains(SEED), "{what}: the seed leaked");
    r.stderr
}

#[test]
fn bad_seeds_are_refused_before_anything_is_stored() {
    require!(Keyring);
    let env = TestEnv::new();
    let import = ["import", "dev", "--serial", SERIAL];
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("   \n\t\n", "empty"),
        ("not base32!!", "base32"),
        ("ABC", "base32"),
        ("GEZDGNBV", "40 bits"),
        ("0189ABCDEFGHIJKLMNOP", "base32"),
        (
            "otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1",
            "HOTP",
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=MD5",
            "algorithm",
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=5",
            "digits",
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=abc",
            "digits",
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=0",
            "period",
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=abc",
            "period",
        ),
        ("otpauth://totp/x?issuer=AWS", "secret"),
        ("otpauth://totp/x?secret=", "secret"),
        ("otpauth-migration://offline?data=%%%", "export"),
        ("otpauth-migration://offline", "export"),
        ("{\"db\": \"encrypted-blob\"}", "encrypted"),
        ("{\"hello\": 1}", "export"),
    ];
    for (stdin, needle) in cases {
        check(&env, &import, Some(stdin), &[], 4, needle);
    }
    assert!(!env.keyring_has_entries());
}

#[test]
fn bad_seed_files_and_images() {
    require!(Keyring);
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary");
    std::fs::write(&binary, [0xffu8, 0xfe, 0x00, 0x12, 0x80, 0x81]).unwrap();
    let huge = dir.path().join("huge");
    std::fs::write(&huge, vec![b'A'; 9 * 1024 * 1024]).unwrap();
    let broken_png = dir.path().join("broken.png");
    std::fs::write(&broken_png, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let blank_png = dir.path().join("blank.png");
    image::GrayImage::from_pixel(64, 64, image::Luma([255u8]))
        .save(&blank_png)
        .unwrap();
    let missing = dir.path().join("missing.txt");
    for (path, code, needle) in [
        (&binary, 4, "neither text nor a PNG or JPEG image"),
        (&huge, 4, "larger than"),
        (&broken_png, 4, "image"),
        (&blank_png, 4, "no readable QR code"),
        (&missing, 8, "missing.txt"),
    ] {
        let p = env.path_arg(path);
        check(
            &env,
            &["import", "dev", "--serial", SERIAL, "--from", &p],
            None,
            &[],
            code,
            needle,
        );
    }
}

#[test]
fn bad_serials_get_a_hint() {
    require!(Keyring);
    let env = TestEnv::new();
    for (serial, needle) in [
        (
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123456789012:mfa/alice",
        ),
        ("arn:aws:iam::12345678901:mfa/alice", "12 digits"),
        ("arn:aws:iam::1234567890123:mfa/alice", "12 digits"),
        ("arn:aws:iam::12345678901x:mfa/alice", "12 digits"),
        ("arn:aws:sts::123456789012:mfa/alice", "IAM"),
        ("arn:azure:iam::123456789012:mfa/alice", "partition"),
        ("", "not an MFA device ARN"),
        ("GAHT12345678", "not an MFA device ARN"),
        ("arn:aws:iam::123456789012:mfa/al ice", "device name"),
    ] {
        check(
            &env,
            &["import", "dev", "--serial", serial],
            Some(SEED),
            &[],
            4,
            needle,
        );
    }
    // Other partitions work.
    for serial in [
        "arn:aws-cn:iam::123456789012:mfa/alice",
        "arn:aws-us-gov:iam::123456789012:mfa/alice",
    ] {
        let r = env.run(
            &["import", "dev", "--serial", serial, "--force"],
            Some(SEED),
        );
        assert_eq!(r.code, 0, "{serial}: {r:?}");
    }
}

/// An env with the seed imported for `dev` and the given credentials and config files.
fn configured(credentials: Option<&str>, config_extra: &str) -> TestEnv {
    let env = TestEnv::new();
    let r = env.run(&["import", "dev", "--serial", SERIAL], Some(SEED));
    assert_eq!(r.code, 0, "{r:?}");
    if let Some(c) = credentials {
        env.write_file(".aws/credentials", c);
    }
    if !config_extra.is_empty() {
        let config = env.read_file(".aws/config").unwrap();
        env.write_file(".aws/config", &format!("{config}{config_extra}"));
    }
    env
}

#[test]
fn bad_credentials_files() {
    require!(Keyring);
    let cases: &[(&str, &str)] = &[
        ("[other]\naws_access_key_id = AKIAX\n", "no source profile"),
        ("[dev-long-term]\nregion = us-east-1\n", "aws_access_key_id"),
        (
            "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
            "aws_secret_access_key",
        ),
        (
            "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\naws_session_token = y\n",
            "session credentials",
        ),
        (
            "[dev-long-term]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            "session credentials",
        ),
        (
            "[dev-long-term]\naws_access_key_id = A\n[dev-long-term]\naws_secret_access_key = B\n",
            "duplicate",
        ),
        (
            "aws_access_key_id = AKIAX\n[dev-long-term]\n",
            "outside any section",
        ),
        (
            "[dev-long-term]\naws_access_key_id = A\naws_access_key_id = B\n",
            "duplicate",
        ),
        ("[dev-long-term]\nthis line is not ini\n", "line 2"),
        (
            &format!(
                "{LONG_TERM}[dev]\naws_access_key_id = AKIALONGTERMKEY\naws_secret_access_key = s\n"
            ),
            "long-term keys",
        ),
    ];
    for (credentials, needle) in cases {
        let env = configured(Some(credentials), "");
        check(&env, &["dev"], None, &[], 3, needle);
    }
}

#[test]
fn binary_huge_and_odd_files() {
    require!(Keyring);
    for (content, needle) in [
        (
            b"[dev-long-term]\naws_access_key_id = A\x00B\n".to_vec(),
            "binary",
        ),
        (vec![0xffu8, 0xfe, 0xfd], "binary"),
        (vec![b'#'; 5 * 1024 * 1024], "large"),
    ] {
        let env = configured(None, "");
        std::fs::create_dir_all(env.home().join(".aws")).unwrap();
        std::fs::write(env.home().join(".aws/credentials"), content).unwrap();
        check(&env, &["dev"], None, &[], 3, needle);
    }
    // A directory where the file should be.
    let env = configured(None, "");
    std::fs::create_dir_all(env.home().join(".aws/credentials")).unwrap();
    let r = env.run(&["dev"], None);
    assert!(r.code == 3 || r.code == 8, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 2, "{r:?}");
}

#[test]
fn bad_settings_and_profiles() {
    require!(Keyring);
    let env = configured(Some(LONG_TERM), "");
    check(
        &env,
        &["dev", "--source", "dev"],
        None,
        &[],
        3,
        "its own source",
    );
    check(&env, &["nobody"], None, &[], 3, "not set up for mfa-mint");
    check(&env, &["dve"], None, &[], 3, "did you mean dev?");
    check(&env, &["a]b"], None, &[], 4, "profile name");
    check(&env, &[" dev"], None, &[], 4, "profile name");
    // No profile and no AWS_PROFILE: `default`, as the AWS CLI does.
    check(
        &env,
        &["mint"],
        None,
        &[],
        3,
        "profile default is not set up",
    );
    let env = configured(Some(LONG_TERM), "mfa_mint_duration = forever\n");
    check(&env, &["dev"], None, &[], 3, "mfa_mint_duration");
    let env = configured(
        Some(&format!(
            "{LONG_TERM}[x-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n"
        )),
        "[profile x]\nmfa_serial = arn:aws:iam::123:mfa/x\n",
    );
    check(&env, &["x"], None, &[], 4, "12 digits");
    let env = configured(
        Some(&format!(
            "{LONG_TERM}[y-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n"
        )),
        "",
    );
    check(&env, &["y"], None, &[], 3, "no MFA device");
    let env = configured(Some(LONG_TERM), "[profile dev]\nregion = x\n");
    check(&env, &["dev"], None, &[], 3, "duplicate");
}

#[test]
fn bad_durations() {
    require!(Keyring);
    let env = configured(Some(LONG_TERM), "");
    for (args, needle) in [
        (vec!["dev", "--duration", "899"], "900 s"),
        (vec!["dev", "--duration", "129601"], "129600"),
        (vec!["dev", "--duration", "0"], "900 s"),
        (vec!["dev", "--duration", "abc"], "duration"),
        (vec!["dev", "--duration", "1.5h"], "duration"),
        (vec!["dev", "--duration=-5"], "duration"),
        (vec!["dev", "--min-remaining", "xyz"], "min-remaining"),
        (vec!["dev", "--timeout", "soon"], "timeout"),
    ] {
        check(&env, &args, None, &[], 4, needle);
    }
}

#[test]
fn keyring_problems() {
    require!(Keyring);
    // Unavailable: no bus at all.
    let env = TestEnv::new();
    let nobus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    check(
        &env,
        &["import", "dev", "--serial", SERIAL],
        Some(SEED),
        &nobus,
        5,
        "not available",
    );
    // Unknown backend.
    check(
        &env,
        &["import", "dev", "--serial", SERIAL],
        Some(SEED),
        &[("MFA_MINT_KEYRING", "kwallet5")],
        5,
        "MFA_MINT_KEYRING",
    );
    // Entry missing: configured by hand, never imported.
    env.write_file(".aws/credentials", LONG_TERM);
    env.write_file(
        ".aws/config",
        &format!("[profile dev]\nmfa_serial = {SERIAL}\n"),
    );
    check(&env, &["dev"], None, &[], 5, "no MFA seed");
    check(&env, &["code", "dev"], None, &[], 5, "no MFA seed");
    check(&env, &["dev"], None, &nobus, 5, "not available");
    // Locked.
    let locked = TestEnv::new_locked();
    check(
        &locked,
        &["import", "dev", "--serial", SERIAL],
        Some(SEED),
        &[],
        5,
        "locked",
    );
}

#[test]
fn sts_failures() {
    require!(Keyring);
    let w = World::new();
    let (env, fake) = (&w.env, &w.fake);
    let alice = w.user("alice", Some(SEED));
    let keys = &alice.keys;
    w.import("dev", &alice.serial, SEED);
    let creds = alice.long_term("dev");
    w.write_credentials(&creds);
    let endpoint = fake.endpoint();
    // A separate step ledger per case: a failure whose answer was lost keeps its code step
    // claimed, and the next case would wait for a fresh one.
    let states = tempfile::tempdir().unwrap();
    let mut case = 0;
    let mut at = || {
        case += 1;
        let state = states.path().join(case.to_string()).display().to_string();
        [
            ("AWS_ENDPOINT_URL_STS", endpoint.clone()),
            ("AWS_CA_BUNDLE", fake.ca_bundle().to_string()),
            ("MFA_MINT_STATE_DIR", state),
        ]
    };
    let pairs = |a: &[(&'static str, String); 3]| -> Vec<(&'static str, String)> { a.to_vec() };
    let run = |env: &TestEnv,
               args: &[&str],
               vars: Vec<(&'static str, String)>,
               code: i32,
               needle: &str| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        check(env, args, None, &vars, code, needle);
    };
    for (failure, needle) in [
        (Failure::Status(500), "server error"),
        (Failure::Status(503), "server error"),
        (Failure::Throttle, "throttling"),
        (Failure::MalformedXml, "could not be understood"),
        (Failure::CloseConnection, "AWS"),
    ] {
        fake.fail_next(1, failure);
        run(env, &["dev"], pairs(&at()), 7, needle);
    }
    fake.fail_next(1, Failure::Delay(std::time::Duration::from_secs(5)));
    run(
        env,
        &["dev", "--timeout", "1s"],
        pairs(&at()),
        7,
        "timed out",
    );
    let mut refused = pairs(&at());
    refused[0].1 = "http://127.0.0.1:9".into();
    run(env, &["dev"], refused, 7, "cannot reach");
    // Unknown key, then a wrong secret.
    env.write_file(
        ".aws/credentials",
        &creds.replace(&keys.access_key_id, "AKIAUNKNOWNKEY000000"),
    );
    run(env, &["dev"], pairs(&at()), 6, "access key");
    env.write_file(
        ".aws/credentials",
        &creds.replace(&keys.secret_access_key, "wrong-secret"),
    );
    run(env, &["dev"], pairs(&at()), 6, "signature");
}

#[test]
fn confirmations_and_usage() {
    require!(Keyring);
    let env = configured(Some(LONG_TERM), "");
    check(
        &env,
        &["import", "dev", "--serial", SERIAL],
        Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        &[],
        9,
        "--force",
    );
    check(&env, &["export", "dev", "--uri"], None, &[], 9, "--yes");
    check(&env, &["remove", "dev"], None, &[], 9, "--yes");
    check(&env, &["--bogus-flag"], None, &[], 2, "unexpected argument");
    check(&env, &["import", "nobody"], Some(SEED), &[], 3, "--serial");
}

/// Issue 23 row 11: a profile neither AWS file knows is exit 3 with "did you mean" in every
/// command that takes one, and nothing is changed.
#[test]
fn every_command_refuses_an_unknown_profile_with_the_closest_name() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let (config, credentials) = (w.config(), w.credentials());
    let serial = alice.serial.as_str();
    let mut failed = Vec::new();
    for args in [
        &["dve"][..],
        &["mint", "-p", "dve"],
        &["code", "dve"],
        &["exec", "dve", "--", "true"],
        &["env", "dve"],
        &["credential-process", "dve"],
        &["setup-credential-process", "dve"],
        &["remove", "dve", "--yes"],
        &["remove", "dve"],
        &["rename", "dve", "work"],
        &["link", "dve", "--serial", serial],
        &["status", "dve"],
        &["status", "-p", "dve"],
        &["doctor", "dve"],
        &["export", "dve", "--uri", "--yes"],
        &["schedule", "install", "dve", "--print"],
        &["serve", "dve"],
        &["exec", "--server", "dve", "--", "true"],
        &["login", "dve", "--print"],
        &["keys", "import", "dve-long-term"],
        &["keys", "export", "dve-long-term"],
    ] {
        let r = w.run(args, None);
        let ok = r.code == 3
            && r.stderr.starts_with("error: profile dve")
            && r.stderr.contains("did you mean dev")
            && r.stderr.contains("\nhint: ")
            && r.stdout.is_empty();
        if !ok {
            failed.push(format!("{args:?}: {r:?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert_eq!(w.config(), config, "nothing written");
    assert_eq!(w.credentials(), credentials, "nothing written");
    assert_eq!(w.fake.request_count(), 0);
}
