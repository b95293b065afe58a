//! `mfa-mint clear` (issue 23, for aws-vault users): cached sessions are forgotten, all or one
//! profile's, in the keyring and on request in the credentials file; long-term keys never.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[test]
fn clear_forgets_cached_sessions_so_the_next_use_mints() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.run(&["credential-process", "dev"], None).success();
    w.run(&["credential-process", "dev"], None).success();
    assert_eq!(w.fake.action_count("GetSessionToken"), 1, "cached");
    let pin = Pin::of(&w, "clear").user(&alice);
    w.pinned(&pin, "one", &["clear", "dev"], None).success();
    w.pinned(&pin, "nothing-cached", &["clear", "dev"], None)
        .success();
    w.run(&["credential-process", "dev"], None).success();
    assert_eq!(w.fake.action_count("GetSessionToken"), 2, "minted anew");

    // The credentials file's session goes only when asked for; the long-term keys stay.
    w.run(&["dev", "--force"], None).success();
    let before = w.credentials().unwrap();
    assert!(before.contains("\n[dev]\n"), "{before}");
    w.run(&["clear"], None).success();
    assert_eq!(w.credentials().unwrap(), before, "the file is left alone");
    w.pinned(
        &pin,
        "credentials-file",
        &["clear", "--credentials-file"],
        None,
    )
    .success();
    let after = w.credentials().unwrap();
    assert!(!after.contains("[dev]\n"), "{after}");
    assert!(after.contains(&alice.long_term("dev")), "{after}");
    // A section of long-term keys is never a session.
    let r = w.run(&["clear", "dev-long-term", "--credentials-file"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(w.credentials().unwrap().contains(&alice.long_term("dev")));
    // The next mint works as before.
    w.run(&["dev"], None).success();
    // A profile nobody has: exit 3, did you mean.
    let r = w.run(&["clear", "dve"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("did you mean dev"), "{r:?}");
}
