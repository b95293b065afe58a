//! `mfa-mint status`: each profile's device, seed, session and last run, as an aligned table in
//! local time and as `--json`; role profiles and sessions cached in the keyring.

use crate::mint::profiles::{dev, json, with_roles};
use crate::support::{Pin, World, fake_aws};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const MASKED: &str = "arn:aws:iam::****9012:mfa/alice";

/// `status` as text and as `--json`: with no profile, then with a minted profile, one never
/// minted, a role profile on the same device and a profile whose seed is missing.
#[test]
fn status_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let bob = w.user("bob", Some(&fake_aws::random_seed_base32()));
    let pin = Pin::of(&w, "status").user(&alice).user(&bob);
    w.pinned(&pin, "none", &["status"], None).success();
    w.pinned(&pin, "none-json", &["status", "--json"], None)
        .success();
    w.write_credentials(&format!(
        "{}{}",
        alice.long_term("dev"),
        bob.long_term("ops")
    ));
    w.import("dev", &alice.serial, SEED);
    w.run(&["dev"], None).success();
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile ops]\nmfa_serial = {}\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = dev\nmfa_serial = {}\n",
        bob.serial, alice.serial
    ));
    w.pinned(&pin, "several", &["status"], None).success();
    w.pinned(&pin, "several-json", &["status", "--json"], None)
        .success();
    w.pinned(&pin, "one", &["status", "dev"], None).success();
}

#[test]
fn status_shows_role_profiles_and_sessions_cached_in_the_keyring() {
    require!(Keyring);
    let (w, alice, admin, _ops) = with_roles();
    // Nothing assumed yet: the role is listed with its base's device, no session.
    let r = w.run(&["status", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v = json(&r.stdout);
    let row = |v: &serde_json::Value, name: &str| {
        v["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["profile"] == name)
            .unwrap_or_else(|| panic!("no {name} in {v}"))
            .clone()
    };
    let before = row(&v, "admin");
    assert_eq!(before["role_arn"], admin.as_str());
    assert_eq!(before["assumed_from"], "dev");
    assert_eq!(
        before["serial"],
        format!(
            "arn:aws:iam::****9012:mfa/{}",
            alice.serial.rsplit('/').next().unwrap()
        )
        .as_str()
    );
    assert_eq!(before["seed_in_keyring"], true);
    assert!(before["expiration"].is_null(), "{before}");

    let r = w.run(&["credential-process", "admin"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let issued = json(&r.stdout);
    let r = w.run(&["status", "--json"], None);
    let after = row(&json(&r.stdout), "admin");
    assert_eq!(after["session_in"], "keyring", "{after}");
    assert_eq!(after["expiration"], issued["Expiration"], "{after}");
    assert_eq!(after["last_run"]["outcome"], "minted", "{after}");

    let r = w.run(&["status"], None);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("admin (role, from dev)"))
        .unwrap_or_else(|| panic!("no role row: {r:?}"));
    assert!(line.contains("left, keyring cache)"), "{line}");
}

#[test]
fn mints_by_credential_process_show_in_status() {
    require!(Keyring);
    let (w, _alice) = dev();
    let r = w.run(&["credential-process", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["status", "dev", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["profiles"][0]["last_run"]["outcome"], "minted", "{v}");
}

#[test]
fn status_and_list_are_aligned_tables_in_local_time() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.run(&["dev"], None).success();
    // A zone with a half-hour offset and an abbreviation of its own.
    let r = w.run_env(&["status"], None, &[("TZ", "Asia/Kolkata")]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    let header = lines[0];
    for (column, cell) in [
        ("MFA DEVICE", MASKED),
        ("SEED", "stored"),
        ("SESSION", "until "),
        ("LAST RUN", ""),
    ] {
        let at = header
            .find(column)
            .unwrap_or_else(|| panic!("{column}: {header}"));
        assert!(
            lines[1][at..].starts_with(cell) && lines[1].as_bytes()[at - 1] == b' ',
            "{column} at {at}: {r:?}"
        );
    }
    assert!(lines[1].starts_with("dev "), "{r:?}");
    assert!(
        lines[1].contains(" IST ("),
        "local time with its zone: {r:?}"
    );
    assert!(!r.stdout.contains('\t') && !r.stdout.contains('Z'), "{r:?}");
    // JSON stays UTC.
    let r = w.run_env(&["status", "--json"], None, &[("TZ", "Asia/Kolkata")]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let expiration = v["profiles"][0]["expiration"].as_str().unwrap();
    assert!(
        expiration.ends_with('Z') && expiration.len() == 20,
        "{expiration}"
    );
    let r = w.run(&["list"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("PROFILE  MFA DEVICE"), "{r:?}");
    let at = lines[0].find("SEED").unwrap();
    assert_eq!(&lines[1][at..at + 6], "stored", "{r:?}");
    assert!(lines[1].contains(MASKED), "{r:?}");
}
