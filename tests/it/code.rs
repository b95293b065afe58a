//! `mfa-mint code`: the current code (the same as an independent TOTP's), as text and as
//! `--json`.

use crate::mint::{import, setup};
use crate::support::{self, Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// 2.45 s before the end of a 30 s step (2027-01-15 08:00:27.55 UTC): the codes are fixed and
/// the wait for the next one is short. (Its "next code in N s" depends on how long the run took
/// to get there, so N is not pinned.)
const NOW: &str = "1800000027.55";

#[test]
fn code_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.import("ops", &alice.serial, SEED);
    let pin = Pin::of(&w, "code")
        .user(&alice)
        .filter(r"next code in \d s", "next code in [N] s");
    let now = [("MFA_MINT_TEST_NOW", NOW)];
    w.pinned_env(&pin, "code", &now, &["code", "dev"], None)
        .success();
    // The step is used now: the next code, and why.
    w.pinned_env(&pin, "code-already-used", &now, &["code", "dev"], None)
        .success();
    let later = [("MFA_MINT_TEST_NOW", "1800000060.5")];
    let r = w.pinned_env(&pin, "code-json", &later, &["code", "ops", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    let left = v["seconds_remaining"].as_u64().expect("a number");
    assert!((1..=30).contains(&left), "{v}");
}

#[test]
fn code_prints_the_same_code_as_an_independent_totp() {
    require!(Keyring, Oathtool);
    let (s, alice) = setup();
    import(&s, &alice);
    let r = s.run(&["code", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let code = r.stdout.trim();
    assert_eq!(code.len(), 6, "{r:?}");
    // oathtool is an independent (C) TOTP implementation: the code must be one of its codes for
    // the previous, current or next step (the step may roll over between the two runs).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = format!("@{}", now - 30);
    let out = std::process::Command::new(support::require_tool("oathtool"))
        .args(["--totp", "-b", "-w", "2", "-N", &start, SEED])
        .output()
        .expect("oathtool (installed by scripts/test)");
    let candidates = String::from_utf8(out.stdout).unwrap();
    assert!(
        candidates.lines().any(|l| l == code),
        "{code} not in {candidates:?}"
    );

    let r = s.run(&["code", "dev", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["seconds_remaining"].as_u64().unwrap() <= 30);
    assert_eq!(v["code"].as_str().unwrap().len(), 6);
}
