//! `mfa-mint export`: a stored seed shown for a phone backup.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Every form `export` shows, pinned: the URI, the terminal QR code (of a fixed test seed) and
/// the PNG file, each after the warning that it is the secret.
#[test]
fn export_text_is_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let pin = Pin::of(&w, "export").user(&alice);
    w.pinned(&pin, "uri", &["export", "dev", "--uri", "--yes"], None)
        .success();
    w.pinned(
        &pin,
        "show-qr",
        &["export", "dev", "--show-qr", "--yes"],
        None,
    )
    .success();
    let png = w.env.root().join("backup.png").display().to_string();
    w.pinned(
        &pin,
        "qr-png",
        &["export", "dev", "--qr-png", &png, "--yes"],
        None,
    )
    .success();
}
