//! `mfa-mint export`: a stored seed shown for a phone backup.

use crate::support::{self, Pin, World};

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

#[test]
fn export_needs_confirmation_and_matches_the_stored_seed() {
    require!(Keyring);
    // User alice, no device yet, her long-term keys in [dev-long-term].
    let (s, _alice) = World::with_alice(None);
    assert_eq!(
        s.run(&["enroll", "dev", "--device-name", "phone-too"], None)
            .code,
        0
    );
    let r = s.run(&["export", "dev", "--uri"], None);
    assert_eq!(r.code, 9, "{r:?}");
    let r = s.run(&["export", "dev", "--uri", "--yes"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .starts_with("otpauth://totp/Amazon%20Web%20Services:phone-too@123456789012?"),
        "{r:?}"
    );
    // No QR code, no warning about one (issue 23 row 16).
    assert!(!r.stderr.contains("QR"), "{r:?}");
    let r = s.run(&["export", "dev", "--show-qr", "--yes"], None);
    assert!(
        r.stderr.contains("This QR code IS your MFA secret"),
        "{r:?}"
    );
    assert_eq!(
        support::decode_terminal_qr(&r.stdout),
        s.run(&["export", "dev", "--uri", "--yes"], None)
            .stdout
            .trim()
    );
}
