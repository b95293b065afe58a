//! `mfa-mint doctor`: the checks of a setup and how to fix what is wrong.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

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
    let pin = Pin::of(&w, "doctor").user(&alice);
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
