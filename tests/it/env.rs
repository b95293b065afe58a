//! `mfa-mint env`: shell lines that export the session, in each shell's syntax.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// `env` for every shell it knows (and the default one), pinned.
#[test]
fn env_text_of_every_shell_is_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    w.write_config(&format!("{config}region = eu-west-3\n"));
    let pin = Pin::of(&w, "env").user(&alice);
    w.pinned(&pin, "default", &["env", "dev"], None).success();
    for shell in ["sh", "fish", "powershell"] {
        w.pinned(&pin, shell, &["env", "dev", "--shell", shell], None)
            .success();
    }
}
