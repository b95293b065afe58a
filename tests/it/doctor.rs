//! `mfa-mint doctor`: the checks of a setup and how to fix what is wrong (keys in the keyring,
//! role profiles that would still prompt), as text and as `--json`.

use crate::mint::profiles::{dev, with_roles};
use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SEED_B: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Two profiles, dev and prod, each with its own user and device, both imported.
fn two_profiles() -> World {
    let w = World::new();
    let mut creds = String::from("# hand-written\n");
    for (profile, user, seed) in [("dev", "alice", SEED), ("prod", "bob", SEED_B)] {
        let user = w.user(user, Some(seed));
        creds.push_str(&user.long_term(profile));
        w.import(profile, &user.serial, seed);
    }
    w.write_credentials(&creds);
    w
}

/// `doctor` as text and as `--json`, on a good setup and on one with a seed missing.
#[test]
fn doctor_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    // The mode the test's umask would give, made explicit: doctor warns about it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let credentials = w.env.home().join(".aws/credentials");
        std::fs::set_permissions(credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // Whether the keyring answers with only HOME and PATH set depends on the machine (a desktop
    // session's bus is found at its default path): that check is pinned as a placeholder.
    let cron_like = r"keyring reachable from a cron-like environment \(only HOME and PATH set\)";
    let pin = Pin::of(&w, "doctor")
        .user(&alice)
        .filter(
            &format!(r"(?m)^\[(ok  |warn)\] {cron_like}(: not reachable\n {{7}}fix: .*)?$"),
            "[CRON-LIKE KEYRING CHECK]",
        )
        .filter(
            &format!(r#"\{{"check":"{cron_like}[^}}]*\}},"#),
            "[CRON-LIKE KEYRING CHECK],",
        );
    w.pinned(&pin, "good", &["doctor"], None).success();
    w.pinned(&pin, "good-json", &["doctor", "--json"], None)
        .success();
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile ops]\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n"
    ));
    w.pinned(&pin, "seed-missing", &["doctor"], None);
    w.pinned(&pin, "seed-missing-json", &["doctor", "--json"], None);
}

#[test]
fn doctor_points_out_role_profiles_that_would_still_prompt() {
    require!(Keyring);
    let (w, _alice, _admin, _ops) = with_roles();
    let r = w.run(&["doctor"], None);
    assert!(
        r.stdout
            .contains("ops: role profile with mfa_serial: the AWS CLI asks for an MFA code"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("set source_profile = dev and delete mfa_serial"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("admin: role profile assumed from the session of dev; no code is asked"),
        "{r:?}"
    );
}

#[test]
fn doctor_passes_on_a_good_setup_and_fails_with_a_fix() {
    require!(Keyring);
    let s = two_profiles();
    let r = s.run(&["doctor"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("keyring reachable and unlocked"), "{r:?}");
    assert!(r.stdout.contains("dev: seed in keyring"), "{r:?}");
    s.env
        .write_file(".aws/credentials", "[dev-long-term]\nregion = x\n");
    let r = s.run(&["doctor", "dev"], None);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("[FAIL]"), "{r:?}");
    assert!(r.stdout.contains("fix: "), "{r:?}");
}

#[test]
fn doctor_after_keys_import_finds_the_keys_in_the_keyring() {
    require!(Keyring);
    let (w, _alice) = dev();
    let r = w.run(&["keys", "import", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["doctor", "dev"], None);
    assert!(
        !r.stdout.contains("[FAIL] dev"),
        "doctor must resolve keys as mint does: {r:?}"
    );
    assert!(r.stdout.contains("in the keyring"), "{r:?}");
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "minting works too: {r:?}");
}
