//! Enrolling a new virtual MFA device against the fake IAM (and moto for wire compatibility).

use crate::support;

use support::{Moto, Pin, TestEnv, World};

/// What `enroll` prints, pinned as text, with the terminal QR code and as `--json`. The seed
/// is the fake IAM's (random), so the QR code's rows are pinned only as rows.
#[test]
fn enroll_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(None);
    // Near the end of a code step enroll first waits for the next one (its two codes must be in
    // a row) and says so: whether it does depends on the clock, so that line is not pinned.
    let pin = Pin::of(&w, "enroll")
        .user(&alice)
        .filter(r"(?m)^[ █▀▄]+$", "[QR ROW]")
        .filter(
            r"(?m)^the current code ends in under 3 s and enabling needs two codes in a row; next code in \d+ s\n",
            "",
        );
    let args = ["enroll", "dev", "--device-name", "alice-laptop"];
    w.pinned(&pin, "enrolled", &args, None).success();
    let args = [
        "enroll",
        "ops",
        "--device-name",
        "alice-phone",
        "--source",
        "dev-long-term",
        "--json",
        "--show-qr",
    ];
    w.pinned(&pin, "enrolled-json-show-qr", &args, None)
        .success();
    let png = w.env.root().join("backup.png");
    let args = [
        "enroll",
        "qa",
        "--device-name",
        "alice-tablet",
        "--source",
        "dev-long-term",
        "--qr-png",
        &png.display().to_string(),
    ];
    w.pinned(&pin, "enrolled-qr-png", &args, None).success();
}

#[test]
fn enroll_then_mint_with_the_new_device() {
    require!(Keyring);
    // User alice, no device yet, her long-term keys in [dev-long-term].
    let (s, _alice) = World::with_alice(None);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("backup.png");
    let png_arg = png.display().to_string();
    let r = s.run(
        &[
            "enroll",
            "dev",
            "--device-name",
            "alice-laptop",
            "--show-qr",
            "--qr-png",
            &png_arg,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let serial = "arn:aws:iam::123456789012:mfa/alice-laptop";
    // Shown masked, as every command shows serials (the full one is in the config file).
    assert!(
        r.stderr.contains("arn:aws:iam::****9012:mfa/alice-laptop"),
        "{r:?}"
    );
    assert!(r.stderr.contains("IS your MFA secret"), "warns: {r:?}");
    assert_eq!(s.fake.action_count("EnableMFADevice"), 1);
    assert!(s.fake.mfa_devices("alice").contains(&serial.to_string()));
    // The seed is in the keyring under the serial, the config links the profile.
    let stored = s
        .env
        .secret_tool_lookup(&[("service", "mfa-mint"), ("username", serial)])
        .expect("seed stored");
    let config = s.env.read_file(".aws/config").unwrap();
    assert!(
        config.contains(&format!("mfa_serial = {serial}")),
        "{config}"
    );

    // The terminal QR and the PNG both carry the Key URI of the same seed.
    let uri = support::decode_terminal_qr(&r.stdout);
    assert!(
        uri.starts_with("otpauth://totp/Amazon%20Web%20Services:alice@123456789012?"),
        "{uri}"
    );
    assert!(uri.contains("issuer=Amazon%20Web%20Services"), "{uri}");
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(stored.contains(&format!("secret={secret}")));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(mfa_mint::totp::formats::decode_qr(&bytes).unwrap(), uri);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&png).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // And the device works for minting (the enable used steps t-1 and t: the mint waits).
    let r = s.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn rejected_enable_rolls_back() {
    require!(Keyring);
    // User alice, no device yet, her long-term keys in [dev-long-term].
    let (s, _alice) = World::with_alice(None);
    s.fake.set_permission_denied("EnableMFADevice");
    let r = s.run(&["enroll", "dev", "--device-name", "flaky"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("was deleted again"), "{r:?}");
    let serial = "arn:aws:iam::123456789012:mfa/flaky";
    assert!(s.fake.code_at(serial, 0).is_none(), "device deleted");
    assert!(
        s.env
            .secret_tool_lookup(&[("service", "mfa-mint"), ("username", serial)])
            .is_none()
    );
    assert!(s.env.read_file(".aws/config").is_none(), "config untouched");
}

#[test]
fn name_taken_and_bad_names() {
    require!(Keyring);
    // User alice, no device yet, her long-term keys in [dev-long-term].
    let (s, _alice) = World::with_alice(None);
    assert_eq!(
        s.run(&["enroll", "dev", "--device-name", "taken"], None)
            .code,
        0
    );
    let r = s.run(
        &[
            "enroll",
            "prod",
            "--device-name",
            "taken",
            "--source",
            "dev-long-term",
        ],
        None,
    );
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("already exists"), "{r:?}");
    let r = s.run(&["enroll", "dev", "--device-name", "bad name!"], None);
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(
        s.fake.action_count("CreateVirtualMFADevice"),
        2,
        "bad names never reach AWS"
    );
}

#[test]
fn missing_permission_names_the_actions() {
    require!(Keyring);
    // User alice, no device yet, her long-term keys in [dev-long-term].
    let (s, _alice) = World::with_alice(None);
    s.fake.set_permission_denied("CreateVirtualMFADevice");
    let r = s.run(&["enroll", "dev", "--device-name", "x"], None);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("iam:CreateVirtualMFADevice"), "{r:?}");
}

#[test]
fn enroll_against_moto() {
    require!(Keyring, Venv);
    let env = TestEnv::new();
    let moto = Moto::start();
    env.write_file(
        ".aws/credentials",
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let ep = moto.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_IAM", ep.as_str()),
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
    ];
    // moto needs the user to exist.
    let r = support::aws_cli(
        &env,
        &[
            "iam",
            "create-user",
            "--user-name",
            "alice",
            "--profile",
            "dev-long-term",
        ],
        &at,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run_env(
        &[
            "enroll",
            "dev",
            "--device-name",
            "moto-dev",
            "--user",
            "alice",
        ],
        None,
        &at,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = support::aws_cli(
        &env,
        &[
            "iam",
            "list-mfa-devices",
            "--user-name",
            "alice",
            "--profile",
            "dev-long-term",
        ],
        &at,
    );
    assert!(r.stdout.contains("moto-dev"), "{r:?}");
    let r = env.run_env(&["dev"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");

    // Issue 25: `--replace` end to end against moto: the new device is enrolled, a mint with it
    // works, the old virtual device is deactivated and deleted, and `dev` mints with the new one.
    let r = env.run_env(
        &[
            "enroll",
            "dev",
            "--device-name",
            "moto-dev2",
            "--user",
            "alice",
            "--replace",
        ],
        None,
        &at,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let aws = |args: &[&str]| {
        let r = support::aws_cli(&env, args, &at);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        r.stdout
    };
    let enabled = aws(&[
        "iam",
        "list-mfa-devices",
        "--user-name",
        "alice",
        "--profile",
        "dev-long-term",
    ]);
    assert!(enabled.contains("mfa/moto-dev2"), "{enabled}");
    assert!(!enabled.contains("mfa/moto-dev\""), "{enabled}");
    let virtual_devices = aws(&[
        "iam",
        "list-virtual-mfa-devices",
        "--profile",
        "dev-long-term",
    ]);
    assert!(
        virtual_devices.contains("mfa/moto-dev2"),
        "{virtual_devices}"
    );
    assert!(
        !virtual_devices.contains("mfa/moto-dev\""),
        "the old device is deleted: {virtual_devices}"
    );
    let config = env.read_file(".aws/config").unwrap();
    assert!(config.contains("mfa/moto-dev2"), "{config}");
    let r = env.run_env(&["dev", "--force"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
}

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Alice with a device (her phone) whose seed `dev` imported.
fn alice_with_phone() -> (World, support::User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    (w, alice)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `enroll` with a device already there keeps it (the phone stays a backup) and the profile
/// uses the new one; `list --devices` (pinned in `manage`) shows both.
#[test]
fn enroll_keeps_an_existing_device() {
    require!(Keyring);
    let (w, alice) = alice_with_phone();
    let r = w.run(&["enroll", "dev", "--device-name", "alice-laptop"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let laptop = "arn:aws:iam::123456789012:mfa/alice-laptop";
    let devices = w.fake.mfa_devices("alice");
    assert!(devices.contains(&alice.serial) && devices.contains(&laptop.to_string()));
    let config = w.config().unwrap();
    assert!(
        config.contains(&format!("mfa_serial = {laptop}")),
        "{config}"
    );
    assert!(w.env.stored_secret(&alice.serial).is_some());
    // The profile mints with the new device.
    w.run(&["dev"], None).success();
    assert!(!w.fake.accepted_steps_for(laptop).is_empty());
}

/// What `enroll --replace` says, as text and `--json`, pinned (the check mint waits for a
/// fresh code after the two that enabled the device: that line depends on the clock).
#[test]
fn enroll_replace_text_and_json_are_pinned() {
    require!(Keyring);
    for (name, json) in [("replaced", false), ("replaced-json", true)] {
        let (w, alice) = alice_with_phone();
        w.fake.set_iam_mfa_required("alice");
        let pin = Pin::of(&w, "enroll")
            .user(&alice)
            .filter(r"(?m)^.*next code in \d+ s\n", "");
        let mut args = vec![
            "enroll",
            "dev",
            "--device-name",
            "alice-laptop",
            "--replace",
        ];
        if json {
            args.push("--json");
        }
        w.pinned(&pin, name, &args, None).success();
    }
}

#[test]
fn enroll_replace_removes_the_old_device_after_a_mint_with_the_new_one() {
    require!(Keyring);
    let (w, alice) = alice_with_phone();
    // Deactivating a device needs an MFA session under AWS's sample policy.
    w.fake.set_iam_mfa_required("alice");
    let r = w.run(
        &[
            "enroll",
            "dev",
            "--device-name",
            "alice-laptop",
            "--replace",
            "--json",
            "-v",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let laptop = "arn:aws:iam::123456789012:mfa/alice-laptop";
    assert_eq!(w.fake.mfa_devices("alice"), [laptop.to_string()]);
    assert!(
        w.fake.code_at(&alice.serial, 0).is_none(),
        "old device deleted"
    );
    let v = json(&r.stdout);
    assert_eq!(v["replaced"]["deleted"], true, "{v}");
    assert_eq!(v["replaced"]["seed_removed"], true, "{v}");
    assert!(
        w.env.stored_secret(&alice.serial).is_none(),
        "old seed gone"
    );
    assert!(w.env.stored_secret(laptop).is_some());
    assert!(
        w.config()
            .unwrap()
            .contains(&format!("mfa_serial = {laptop}"))
    );
    assert_eq!(w.fake.action_count("GetSessionToken"), 1, "one check mint");
    assert!(
        w.fake.accepted_steps_for(laptop).len() == 3,
        "enable (2) + mint (1)"
    );
    w.fake.assert_no_code_sent_twice();
}

#[test]
fn enroll_replace_rolls_back_the_new_device_when_the_check_mint_fails() {
    require!(Keyring);
    let (w, alice) = alice_with_phone();
    let config = w.config().unwrap();
    w.fake.fail_next_of(
        "GetSessionToken",
        1,
        support::fake_aws::Failure::Status(500),
    );
    let r = w.run(
        &[
            "enroll",
            "dev",
            "--device-name",
            "alice-laptop",
            "--replace",
        ],
        None,
    );
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stderr.contains("was deleted again"), "{r:?}");
    let laptop = "arn:aws:iam::123456789012:mfa/alice-laptop";
    assert_eq!(w.fake.mfa_devices("alice"), vec![alice.serial.clone()]);
    assert!(w.fake.code_at(laptop, 0).is_none(), "new device deleted");
    assert!(w.env.stored_secret(laptop).is_none());
    assert!(
        w.env.stored_secret(&alice.serial).is_some(),
        "old seed kept"
    );
    assert_eq!(
        w.config().unwrap(),
        config,
        "the profile still uses the old device"
    );
}

#[test]
fn enroll_replace_needs_a_device_to_replace() {
    require!(Keyring);
    let (w, _alice) = World::with_alice(None);
    let r = w.run(&["enroll", "dev", "--device-name", "x", "--replace"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("enroll dev --device-name NAME"), "{r:?}");
    assert_eq!(w.fake.action_count("CreateVirtualMFADevice"), 0);
}

#[test]
fn enroll_replace_after_the_switch_says_how_to_remove_the_old_device() {
    require!(Keyring);
    let (w, alice) = alice_with_phone();
    w.fake.set_iam_mfa_required("alice");
    w.fake.fail_next_of(
        "DeactivateMFADevice",
        1,
        support::fake_aws::Failure::Status(500),
    );
    let r = w.run(
        &[
            "enroll",
            "dev",
            "--device-name",
            "alice-laptop",
            "--replace",
        ],
        None,
    );
    assert_eq!(r.code, 7, "{r:?}");
    let laptop = "arn:aws:iam::123456789012:mfa/alice-laptop";
    // The profile already uses the new device; the old one is still enabled, and the hint runs
    // the IAM calls with an MFA session.
    assert!(
        w.config()
            .unwrap()
            .contains(&format!("mfa_serial = {laptop}"))
    );
    assert_eq!(w.fake.mfa_devices("alice").len(), 2);
    assert!(
        r.stderr.contains(&format!(
            "mfa-mint exec dev -- aws iam deactivate-mfa-device --user-name alice --serial-number {}",
            alice.serial
        )),
        "{r:?}"
    );
    w.fake.assert_no_code_sent_twice();
}
