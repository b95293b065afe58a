//! Consistency of what commands print (issue 13, item 8): `--json` wherever output is data, one
//! shape whatever the number of profiles; serials masked alike; `status` and `list` as aligned
//! tables with a header; times in local time with the zone (UTC in JSON); colour through
//! anstream (CLICOLOR_FORCE, NO_COLOR).

use crate::support::{TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const MASKED: &str = "arn:aws:iam::****9012:mfa/alice";

#[test]
fn list_and_doctor_print_one_json_shape_for_any_number_of_profiles() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let json = |args: &[&str]| -> serde_json::Value {
        let r = w.run(args, None);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {r:?}"))
    };
    assert_eq!(
        json(&["list", "--json"]),
        serde_json::json!({ "profiles": [] })
    );
    w.import("dev", &alice.serial, SEED);
    let v = json(&["list", "--json"]);
    assert_eq!(
        v,
        serde_json::json!({ "profiles": [
            { "profile": "dev", "serial": MASKED, "seed_in_keyring": true, "label": v["profiles"][0]["label"] }
        ] })
    );
    // Serials are masked alike in every command's output.
    let r = w.run(
        &["import", "ops", "--serial", &alice.serial, "--json"],
        Some(SEED),
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["serial"], MASKED, "{r:?}");
    assert!(
        r.stderr.contains(MASKED) && !r.stderr.contains(&alice.serial),
        "{r:?}"
    );
    let r = w.run(&["code", "ops", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["serial"], MASKED, "{r:?}");
    assert_eq!(
        json(&["list", "--json"])["profiles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let v = json(&["doctor", "--json"]);
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.len() > 2, "{v}");
    for c in checks {
        assert!(
            ["ok", "warn", "fail"].contains(&c["status"].as_str().unwrap()),
            "{c}"
        );
        assert!(c["check"].is_string(), "{c}");
    }
    assert_eq!(
        v["ok"].as_bool().unwrap(),
        checks.iter().all(|c| c["status"] != "fail")
    );
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

#[test]
fn colour_follows_clicolor_force_and_no_color() {
    let env = TestEnv::new_without_keyring();
    // The harness sets NO_COLOR=1; a bad duration fails before anything is read.
    let r = env.run(&["dev", "--duration", "x"], None);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.starts_with("error: ") && !r.stderr.contains('\x1b'),
        "{r:?}"
    );
    let r = env.run_env(
        &["dev", "--duration", "x"],
        None,
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.starts_with("\x1b[1m\x1b[31merror:\x1b[0m ")
            || r.stderr.starts_with("\x1b[1;31merror:\x1b[0m "),
        "{:?}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:\x1b[0m "), "{:?}", r.stderr);
}
