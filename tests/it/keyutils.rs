//! The alternative store: the Linux kernel keyring (keyutils), inside `keyctl session`, as a
//! PAM login session would provide.

use crate::support;

use support::TestEnv;

#[test]
fn import_and_code_with_the_kernel_keyring() {
    require!(Keyctl);
    let env = TestEnv::new_without_keyring();
    let keyctl = support::require_tool("keyctl");
    let bin = env!("CARGO_BIN_EXE_mfa-mint");
    // A serial unique to this run: the user's persistent keyring is shared by all processes.
    let serial = format!(
        "arn:aws:iam::123456789012:mfa/keyutils-{}",
        std::process::id()
    );
    let script = format!(
        "set -e\n\
         echo JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP | {bin} import dev --serial {serial}\n\
         {bin} code dev\n\
         {bin} remove dev --yes\n\
         if {bin} code dev 2>/dev/null; then exit 9; fi\n"
    );
    let mut cmd = env.command(&keyctl);
    cmd.env("MFA_MINT_KEYRING", "keyutils")
        .env("MFA_MINT_STATE_DIR", env.state_dir())
        .args(["session", "-", "sh", "-c", &script]);
    let r = support::run_command(cmd, None, support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("kernel (keyutils) keyring stored the seed"),
        "{r:?}"
    );
    let code = r.stdout.lines().next().unwrap_or_default();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{r:?}"
    );
}
