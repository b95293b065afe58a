//! `mfa-mint keys import|export`: long-term keys moved between the credentials file and the
//! keyring.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// What `keys import` and `keys export` say, and the files after each, pinned.
#[test]
fn keys_import_and_export_text_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let pin = Pin::of(&w, "keys").user(&alice);
    let files = |w: &World| {
        format!(
            "--- config\n{}--- credentials\n{}",
            w.config().unwrap_or_default(),
            w.credentials().unwrap_or_default()
        )
    };
    w.pinned(&pin, "import", &["keys", "import", "dev-long-term"], None)
        .success();
    pin.text("import-files", &pin.scrub(&files(&w)));
    w.pinned(&pin, "export", &["keys", "export", "dev-long-term"], None)
        .success();
    pin.text("export-files", &pin.scrub(&files(&w)));
}
