//! `mfa-mint completions SHELL`: the completion script of each shell.

use crate::support::{Pin, TestEnv};

/// The script `completions` prints for every shell it knows, pinned.
#[test]
fn completions_of_every_shell_are_pinned() {
    let env = TestEnv::new_without_keyring();
    let pin = Pin::new(&env, "completions");
    for shell in ["bash", "elvish", "fish", "powershell", "zsh"] {
        let args = ["completions", shell];
        let r = env.run(&args, None);
        pin.run(shell, &[], &args, None, &r);
        r.success();
    }
}
