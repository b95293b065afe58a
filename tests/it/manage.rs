//! Managing the profiles set up for mfa-mint: `list`, `remove`, `rename` and `link`.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

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
