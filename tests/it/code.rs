//! `mfa-mint code`: the current code, as text and as `--json`.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// 1.5 s before the end of a 30 s step (2027-01-15 08:00:28.5 UTC): the codes are fixed, and
/// the wait for the next one is short.
const NOW: &str = "1800000028.5";

#[test]
fn code_text_and_json_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.import("ops", &alice.serial, SEED);
    let pin = Pin::of(&w, "code").user(&alice);
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
