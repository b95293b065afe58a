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

/// Issue 22: under cron (no session keyring) `import` said "stored" and the next command found
/// no seed: the key went to a session keyring the kernel made for that one process. Run here
/// without `keyctl session`, each command a process of its own, as cron runs them.
#[test]
fn keyutils_without_a_session_keyring_keeps_the_seed_for_later_processes() {
    require!(Keyctl);
    let env = TestEnv::new_without_keyring();
    let serial = format!(
        "arn:aws:iam::123456789012:mfa/keyutils-nosession-{}",
        std::process::id()
    );
    let kernel = [("MFA_MINT_KEYRING", "keyutils")];
    let r = env.run_env(
        &["import", "dev", "--serial", &serial],
        Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        &kernel,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("kernel (keyutils) keyring stored the seed"),
        "{r:?}"
    );
    let code = env.run_env(&["code", "dev"], None, &kernel);
    // In a session of its own (as another login would be), it is found too.
    let keyctl = support::require_tool("keyctl");
    let mut cmd = env.command(&keyctl);
    cmd.env("MFA_MINT_KEYRING", "keyutils")
        .env("MFA_MINT_STATE_DIR", env.state_dir())
        .args([
            "session",
            "-",
            env!("CARGO_BIN_EXE_mfa-mint"),
            "export",
            "dev",
            "--uri",
            "--yes",
        ]);
    let other_session = support::run_command(cmd, None, support::DEFAULT_TIMEOUT);
    let removed = env.run_env(&["remove", "dev", "--yes"], None, &kernel);
    assert_eq!(code.code, 0, "the next process found no seed: {code:?}");
    assert_eq!(code.stdout.trim().len(), 6, "{code:?}");
    assert_eq!(other_session.code, 0, "{other_session:?}");
    assert!(
        other_session.stdout.contains("JBSWY3DPEHPK3PXP"),
        "{other_session:?}"
    );
    assert_eq!(removed.code, 0, "{removed:?}");
    let gone = env.run_env(&["code", "dev"], None, &kernel);
    assert_ne!(gone.code, 0, "{gone:?}");
}
