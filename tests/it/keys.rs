//! `mfa-mint keys import|export`: long-term keys moved between the credentials file and the
//! keyring and back, minting from the keyring in between.

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

#[test]
fn long_term_keys_move_into_the_keyring_and_back() {
    require!(Keyring);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let before = s.env.read_file(".aws/credentials").unwrap();
    let r = s.env.run(&["keys", "import", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = s.env.read_file(".aws/credentials").unwrap();
    assert!(
        !creds.contains(&alice.keys.secret_access_key),
        "secret gone from the file: {creds}"
    );
    assert!(!creds.contains("aws_access_key_id"), "{creds}");
    // Minting still works, from the keyring.
    let ep = s.endpoint();
    let r = s.env.run_env(
        &["credential-process", "dev"],
        None,
        &[
            ("AWS_ENDPOINT_URL_STS", ep.as_str()),
            ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = s.env.run(&["keys", "export", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let creds = s.env.read_file(".aws/credentials").unwrap();
    assert!(creds.contains(&alice.keys.secret_access_key), "{creds}");
    assert_eq!(creds, before, "the file is back as it was");
}
