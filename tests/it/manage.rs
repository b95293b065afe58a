//! Managing the profiles set up for mfa-mint: `list` (one JSON shape for any number of
//! profiles), `remove`, `rename` and `link` (role profiles keep their `mfa_serial`).

use crate::import::{SERIAL, b32};
use crate::mint::profiles::with_roles;
use crate::support::{ACCOUNT, Pin, TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const MASKED: &str = "arn:aws:iam::****9012:mfa/alice";

/// `list` (text and `--json`, with none, one and several profiles), `rename`, `link` and
/// `remove` (a seed another profile still uses, then the last one), pinned.
#[test]
fn list_remove_rename_link_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let pin = Pin::of(&w, "manage").user(&alice);
    w.pinned(&pin, "list-none", &["list"], None).success();
    w.pinned(&pin, "list-none-json", &["list", "--json"], None)
        .success();
    w.import("dev", &alice.serial, SEED);
    w.pinned(&pin, "list-one", &["list"], None).success();
    w.pinned(&pin, "list-one-json", &["list", "--json"], None)
        .success();
    w.pinned(&pin, "rename", &["rename", "dev", "work"], None)
        .success();
    let link = [
        "link",
        "ops",
        "--serial",
        &alice.serial,
        "--source",
        "dev-long-term",
    ];
    w.pinned(&pin, "link", &link, None).success();
    // A profile whose device has no seed stored (set up by hand).
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile qa]\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n"
    ));
    w.pinned(&pin, "list-several", &["list"], None).success();
    w.pinned(&pin, "list-several-json", &["list", "--json"], None)
        .success();
    w.pinned(
        &pin,
        "remove-seed-still-used",
        &["remove", "work", "--yes"],
        None,
    )
    .success();
    w.pinned(&pin, "remove-last", &["remove", "ops", "--yes"], None)
        .success();
}

#[test]
fn remove_and_rename_keep_the_mfa_serial_of_a_role_profile() {
    require!(Keyring);
    let (w, alice, _admin, ops) = with_roles();
    // Importing for the role profile (its serial is already there) and removing it again
    // leaves the AWS CLI's mfa_serial in place.
    let r = w.run(&["import", "ops"], Some(SEED));
    assert_eq!(r.code, 0, "import takes the profile's mfa_serial: {r:?}");
    let r = w.run(&["remove", "ops", "--yes"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let config = w.config().unwrap();
    assert!(
        config.contains(&format!(
            "[profile ops]\nrole_arn = {ops}\nsource_profile = dev-long-term\nmfa_serial = {}\n",
            alice.serial
        )),
        "{config}"
    );
    // rename copies a device it did not write; the old profile keeps it.
    let r = w.run(&["rename", "ops", "ops2"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let config = w.config().unwrap();
    assert!(
        config.contains(&format!(
            "[profile ops]\nrole_arn = {ops}\nsource_profile = dev-long-term\nmfa_serial = {}\n",
            alice.serial
        )),
        "{config}"
    );
    assert!(
        config.contains(&format!(
            "[profile ops2]\nmfa_serial = {}\nmfa_mint_wrote = mfa_serial\n",
            alice.serial
        )),
        "{config}"
    );
    // What mfa-mint wrote itself goes: dev's serial.
    let r = w.run(&["remove", "dev", "--yes"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        !w.config().unwrap().starts_with("[profile dev]\nmfa_serial"),
        "{}",
        w.config().unwrap()
    );
}

#[test]
fn link_takes_source_and_a_source_given_once_is_remembered() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&format!(
        "[alice-keys]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.keys.access_key_id, alice.keys.secret_access_key
    ));
    w.import("dev", &alice.serial, SEED);
    let r = w.run(
        &[
            "link",
            "-p",
            "qa",
            "--serial",
            &alice.serial,
            "--source",
            "alice-keys",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.config().unwrap().contains("[profile qa]\nmfa_serial = "),
        "{:?}",
        w.config()
    );
    assert!(
        w.config()
            .unwrap()
            .contains("mfa_mint_source_profile = alice-keys\n")
    );
    // Given once to mint, --source is remembered for dev too.
    let r = w.run(&["dev", "--source", "alice-keys"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(w.config().unwrap().contains("[profile dev]\nmfa_serial"));
    let config = w.config().unwrap();
    let dev_section = config.split("[profile qa]").next().unwrap();
    assert!(
        dev_section.contains("mfa_mint_source_profile = alice-keys"),
        "{config}"
    );
    // So the schedule line needs nothing but the profiles, and that line works.
    let r = w.run(&["schedule", "install", "dev", "qa", "--print"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains("--source"), "{r:?}");
    let r = w.run(&["dev", "qa", "--force", "--non-interactive"], None);
    assert_eq!(r.code, 0, "{r:?}");
    // dev and qa share one device, source keys and duration: one request for both (issue 12).
    assert_eq!(w.fake.action_count("GetSessionToken"), 2);
}

#[test]
fn list_rename_link_remove() {
    require!(Keyring);
    let env = TestEnv::new();
    let r = env.run(&["import", "dev", "--serial", SERIAL], Some(&b32()));
    assert_eq!(r.code, 0, "{r:?}");
    let other = "arn:aws:iam::123456789012:mfa/second";
    assert_eq!(
        env.run(&["import", "ops", "--serial", other], Some(&b32()))
            .code,
        0
    );
    let r = env.run(&["list"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let dev = r.stdout.lines().find(|l| l.starts_with("dev ")).unwrap();
    let words: Vec<&str> = dev.split_whitespace().collect();
    assert_eq!(
        words[..3],
        ["dev", "arn:aws:iam::****9012:mfa/alice", "stored"],
        "{r:?}"
    );
    assert_eq!(env.run(&["rename", "dev", "staging"], None).code, 0);
    let config = env.read_file(".aws/config").unwrap();
    assert!(
        config.contains(&format!("[profile staging]\nmfa_serial = {SERIAL}")),
        "{config}"
    );
    assert_eq!(
        env.run(&["link", "staging", "--serial", other], None).code,
        0
    );
    let r = env.run(
        &[
            "link",
            "staging",
            "--serial",
            "arn:aws:iam::123456789012:mfa/none",
        ],
        None,
    );
    assert_eq!(r.code, 5, "{r:?}");
    // staging and ops now share a device: removing one keeps the seed for the other.
    let r = env.run(&["remove", "staging", "--yes"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("stays in the keyring for ops"), "{r:?}");
    assert!(env.stored_secret(other).is_some());
    let r = env.run(&["remove", "ops", "--yes"], None);
    assert!(r.stderr.contains("deleted"), "{r:?}");
    assert!(env.stored_secret(other).is_none());
}

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

/// `list --devices`: every MFA device of the profiles' users from ListMFADevices (the phone
/// whose seed is stored but no profile uses, and the laptop `dev` now uses), text and `--json`
/// pinned.
#[test]
fn list_devices_shows_every_device_of_the_users() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.run(&["enroll", "dev", "--device-name", "alice-laptop"], None)
        .success();
    let pin = Pin::of(&w, "manage").user(&alice);
    let r = w.pinned(
        &pin,
        "list-devices-json",
        &["list", "--devices", "--json"],
        None,
    );
    r.success();
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let list = v["devices"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    let row = |name: &str| {
        list.iter()
            .find(|d| d["serial"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} in {v}"))
    };
    assert_eq!(
        row("mfa/alice-laptop")["profiles"],
        serde_json::json!(["dev"])
    );
    assert_eq!(row("mfa/alice")["profiles"], serde_json::json!([]));
    assert_eq!(row("mfa/alice")["seed_in_keyring"], true);
    assert_eq!(row("mfa/alice")["user"], "alice");
    w.pinned(&pin, "list-devices", &["list", "--devices"], None)
        .success();
}

/// Issue 23 row 10: the renamed profile keeps working (its long-term keys named explicitly when
/// the new name would not find them), roles naming the old profile are listed, and renaming back
/// leaves no empty section behind.
#[test]
fn a_renamed_profile_keeps_working_and_renaming_back_restores_it() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "[profile admin]\nrole_arn = {admin}\nsource_profile = dev\n\n{config}"
    ));
    let before = w.config().unwrap();

    let r = w.run(&["rename", "dev", "work"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("[dev-long-term]"), "{r:?}");
    assert!(
        r.stderr.contains("admin still names dev as source_profile")
            && r.stderr.contains("source_profile = work"),
        "{r:?}"
    );
    let after = w.config().unwrap();
    assert!(
        !after.contains("[profile dev]"),
        "no empty section left: {after}"
    );
    let r = w.run(&["work"], None);
    assert_eq!(r.code, 0, "the renamed profile mints: {r:?}");
    assert!(w.credentials().unwrap().contains("[work]"));

    let r = w.run(&["rename", "work", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let back = w.config().unwrap();
    assert!(!back.contains("[profile work]"), "{back}");
    assert!(!back.contains("mfa_mint_source_profile"), "{back}");
    let sorted = |text: &str| {
        let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines.sort_unstable();
        lines.join("\n")
    };
    assert_eq!(sorted(&back), sorted(&before), "{back}");
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
}
