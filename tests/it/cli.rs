//! The command line as a whole (clap's layer, across commands). Its text pinned exactly: `--help`
//! of the top command and of every subcommand (found by walking the help's command lists, so a
//! new command fails here until its help is pinned), usage errors, and representative error
//! texts; the `mfa-mint PROFILE` shortcut leaving misspelled commands to clap (issue 13), `help`
//! as clap's, and colour through anstream (CLICOLOR_FORCE, NO_COLOR). Snapshots live in
//! `tests/it/snapshots/cli/`, one `.snap` file per case: the command line, the exit code, stdout
//! and stderr. (Each command's success text and `--json` are pinned in its own module.)
//!
//! After an intended change of a text, re-bless and review the diff:
//!
//!   INSTA_UPDATE=always cargo test --test it cli::    # rewrites the .snap files in place
//!   git diff tests/it/snapshots/cli                     # read what changed, then commit
//!
//! (or `cargo insta test --review -- cli::` with cargo-insta installed). Without
//! `INSTA_UPDATE`, a mismatch fails and leaves a `.snap.new` beside the snapshot; with `CI=true`
//! nothing is written.

use crate::support;

use support::{Run, TestEnv, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

/// What a run printed, as pinned: the command line, exit code and both streams, with the
/// test's temp dirs replaced by `[HOME]` and `[ROOT]`.
fn transcript(env: &TestEnv, args: &[&str], stdin: Option<&str>, r: &Run) -> String {
    let redact = |text: &str| {
        text.replace(&env.home().display().to_string(), "[HOME]")
            .replace(&env.root().display().to_string(), "[ROOT]")
    };
    let stdin = match stdin {
        Some(text) => format!(" <<< {text:?}"),
        None => String::new(),
    };
    format!(
        "$ mfa-mint {}{stdin}\nexit code: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        r.code,
        redact(&r.stdout),
        redact(&r.stderr)
    )
}

/// Compares with `tests/it/snapshots/cli/<name>.snap`.
#[track_caller]
fn pin(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Runs `args` in `env` and pins the transcript under `name`.
#[track_caller]
fn pin_run(name: &str, env: &TestEnv, args: &[&str], stdin: Option<&str>) {
    let r = env.run(args, stdin);
    pin(name, &transcript(env, args, stdin, &r));
}

/// The subcommands listed under `Commands:` in a help text (clap's `help` excluded).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            // "  name   summary"; continuation lines of a summary are indented further.
            let rest = l.strip_prefix("  ")?;
            let name = rest.split_whitespace().next()?;
            (!rest.starts_with(' ') && name != "help").then(|| name.to_owned())
        })
        .collect()
}

#[test]
fn help_of_every_command_is_pinned() {
    let env = TestEnv::new_without_keyring();
    pin_run("help", &env, &["--help"], None);
    pin_run("help-short", &env, &["-h"], None);
    // Walk the command tree: every command, and the commands under it.
    let mut queue: Vec<Vec<String>> = vec![vec![]];
    let mut pinned = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = env.run(&args, None);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        if !path.is_empty() {
            pin(
                &format!("help-{}", path.join("-")),
                &transcript(&env, &args, None, &r),
            );
            pinned += 1;
        }
        for command in listed_commands(&r.stdout) {
            let mut sub = path.clone();
            sub.push(command);
            queue.push(sub);
        }
    }
    // mint … completions and the subcommands of keys and schedule, at least.
    assert!(pinned >= 23, "only {pinned} commands found in the help");
}

#[test]
fn usage_errors_are_pinned() {
    let env = TestEnv::new_without_keyring();
    pin_run("usage-unknown-flag", &env, &["--bogus"], None);
    pin_run("usage-no-arguments", &env, &[], None);
    pin_run(
        "usage-import-without-serial",
        &env,
        &["import", "dev"],
        None,
    );
    pin_run(
        "usage-unknown-subcommand-of-keys",
        &env,
        &["keys", "frobnicate"],
        None,
    );
    // Issue 13: the PROFILE shortcut leaves a misspelled command to clap.
    pin_run(
        "usage-misspelled-command",
        &env,
        &["improt", "dev", "--serial", SERIAL],
        None,
    );
}

#[test]
fn error_texts_are_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let env = &w.env;
    // Bad seed input, refused before anything is stored.
    pin_run(
        "error-seed-not-base32",
        env,
        &["import", "dev", "--serial", SERIAL],
        Some("not base32!!"),
    );
    pin_run(
        "error-seed-too-short",
        env,
        &["import", "dev", "--serial", SERIAL],
        Some("GEZDGNBV"),
    );
    // A user ARN where the device's serial belongs.
    pin_run(
        "error-serial-is-a-user-arn",
        env,
        &[
            "import",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:user/alice",
        ],
        Some(SEED),
    );
    // A profile nobody set up.
    pin_run("error-unknown-profile", env, &["nosuch"], None);
    pin_run(
        "error-code-of-unknown-profile",
        env,
        &["code", "nosuch"],
        None,
    );
    // Set up by hand, seed never imported.
    w.write_config(&format!("[profile dev]\nmfa_serial = {}\n", alice.serial));
    pin_run("error-no-seed-in-keyring", env, &["code", "dev"], None);
    pin_run(
        "error-duration-out-of-range",
        env,
        &["dev", "--duration", "37h"],
        None,
    );
}

#[test]
fn help_is_available_for_every_command() {
    require!(Keyring);
    let env = TestEnv::new();
    for args in [
        vec!["--help"],
        vec!["mint", "--help"],
        vec!["import", "--help"],
        vec!["code", "--help"],
        vec!["completions", "--help"],
    ] {
        let r = env.run(&args, None);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert!(r.stdout.contains("Usage: mfa-mint"), "{args:?}: {r:?}");
    }
    let r = env.run(&["--version"], None);
    assert!(r.stdout.starts_with("mfa-mint "));
    let r = env.run(&["completions", "bash"], None);
    assert_eq!(r.code, 0, "{r:?}");
    // The script really completes a subcommand's flags in bash (completions:: tests more).
    let script = env.home().join("mfa-mint.bash");
    std::fs::write(&script, &r.stdout).unwrap();
    let out = env
        .command("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(mfa-mint import --se); COMP_CWORD=2; _clap_complete_mfa_mint mfa-mint --se import; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.contains("--serial"), "{words}");
    for shell in ["zsh", "fish", "powershell"] {
        assert_eq!(env.run(&["completions", shell], None).code, 0, "{shell}");
    }
}

#[test]
fn colour_follows_clicolor_force_and_no_color() {
    let env = TestEnv::new_without_keyring();
    // The harness sets NO_COLOR=1; a bad duration fails before anything is read.
    let r = env.run(&["dev", "--duration", "x"], None);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.starts_with("error: ") && !r.stderr.contains('\x1b'),
        "{r:?}"
    );
    let r = env.run_env(
        &["dev", "--duration", "x"],
        None,
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.starts_with("\x1b[1m\x1b[31merror:\x1b[0m ")
            || r.stderr.starts_with("\x1b[1;31merror:\x1b[0m "),
        "{:?}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:\x1b[0m "), "{:?}", r.stderr);
}

#[test]
fn a_misspelled_command_is_reported_as_such() {
    let env = TestEnv::new_without_keyring();
    let r = env.run(
        &[
            "improt",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:mfa/a",
        ],
        None,
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("unrecognized subcommand 'improt'"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("'import'"),
        "names the command meant: {r:?}"
    );
    assert!(!r.stderr.contains("unexpected argument"), "{r:?}");
    // A profile of that name is still minted (and fails only for want of keys).
    env.write_file(".aws/config", "[profile lsit]\nregion = eu-west-1\n");
    let r = env.run(&["lsit"], None);
    assert!(!r.stderr.contains("unrecognized subcommand"), "{r:?}");
    let r = env.run(&["stauts"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("'status'"), "{r:?}");
}

#[test]
fn help_is_clap_s_help_command() {
    let env = TestEnv::new_without_keyring();
    let r = env.run(&["help", "import"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Usage: mfa-mint import"), "{r:?}");
    let r = env.run(&["help"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Commands:"), "{r:?}");
}

/// Issue 23 row 16: bare `mfa-mint` mints `$AWS_PROFILE`, else `default` when the AWS files
/// have it, as the README says; with neither it prints help.
#[test]
fn bare_mfa_mint_mints_the_default_profile() {
    let env = TestEnv::new_without_keyring();
    let r = env.run_env(&[], None, &[("AWS_PROFILE", "")]);
    assert!(
        r.stderr.contains("Usage:") || r.stdout.contains("Usage:"),
        "{r:?}"
    );
    env.write_file(".aws/config", "[default]\nregion = eu-west-1\n");
    let r = env.run_env(&[], None, &[("AWS_PROFILE", "")]);
    assert!(!r.stdout.contains("Usage:"), "{r:?}");
    assert!(
        r.stderr.contains("default"),
        "a mint of default was tried: {r:?}"
    );
    let r = env.run_env(&[], None, &[("AWS_PROFILE", "work")]);
    assert!(r.stderr.contains("work"), "a mint of work was tried: {r:?}");
}
