//! `mfa-mint credential-process` (the SDKs' credential_process protocol) and
//! `setup-credential-process`.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The credential_process JSON (minted, then served again while fresh) and what
/// `setup-credential-process` says and writes, pinned.
#[test]
fn credential_process_json_and_setup_text_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let pin = Pin::of(&w, "credential_process").user(&alice);
    w.pinned(&pin, "minted", &["credential-process", "dev"], None)
        .success();
    w.pinned(&pin, "fresh", &["credential-process", "dev"], None)
        .success();
    w.pinned(&pin, "setup", &["setup-credential-process", "dev"], None)
        .success();
    pin.text("setup-config", &pin.scrub(&w.config().unwrap()));
}
