//! `mfa-mint status`: each profile's device, seed, session and last run.

use crate::support::{Pin, World, fake_aws};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

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
