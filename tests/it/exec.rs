//! `exec` as aws-vault's (issue 13, item 3): the region in the environment, no `--` needed,
//! mfa-mint replaced by the command (signals reach it), the shell when no command is given, and
//! 127 for a command that does not exist; the session and the command's exit code passed through.

use std::io::BufRead;

use crate::support::{self, Pin, User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// alice's seed imported as `dev`, with `region = eu-west-3` in `[profile dev]`.
fn setup() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    w.write_config(&format!("{config}region = eu-west-3\n"));
    (w, alice)
}

const SHOW: &str = r#"echo "$AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE-unset} ${AWS_ACCESS_KEY_ID%${AWS_ACCESS_KEY_ID#????}}""#;

/// What `exec` gives the command, pinned: the AWS variables it sets (beside the test's own
/// endpoint and CA settings), that mfa-mint itself prints nothing when the session is minted or
/// fresh, and the command's exit code.
#[test]
fn exec_output_is_pinned() {
    require!(Keyring);
    let (w, alice) = setup();
    let pin = Pin::of(&w, "exec").user(&alice);
    let show = "env | grep -E '^AWS_' | sort";
    w.pinned(
        &pin,
        "minted",
        &["exec", "dev", "--", "sh", "-c", show],
        None,
    )
    .success();
    w.pinned(&pin, "fresh", &["exec", "dev", "sh", "-c", show], None)
        .success();
    w.pinned(
        &pin,
        "exit-code",
        &["exec", "dev", "--", "sh", "-c", "exit 3"],
        None,
    )
    .code(3);
}

#[test]
fn exec_sets_the_profile_s_region_with_or_without_dashes() {
    require!(Keyring);
    let (w, _) = setup();
    for args in [
        &["exec", "dev", "sh", "-c", SHOW][..],
        &["exec", "dev", "--", "sh", "-c", SHOW],
        &["exec", "--profile", "dev", "--", "sh", "-c", SHOW],
    ] {
        let r = w.run_env(args, None, &[("AWS_PROFILE", "dev"), ("AWS_REGION", "")]);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert_eq!(
            r.stdout, "eu-west-3 eu-west-3 unset ASIA\n",
            "{args:?}: {r:?}"
        );
    }
    // With -p/--profile, the first word is the command's (a flag right after it needs `--`).
    let r = w.run(
        &["exec", "-p", "dev", "printenv", "AWS_DEFAULT_REGION"],
        None,
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "eu-west-3\n"), "{r:?}");
    // The command's own flags are its own, even ones mfa-mint also has.
    let r = w.run(
        &[
            "exec",
            "dev",
            "sh",
            "-c",
            "echo \"$@\"",
            "sh",
            "--force",
            "-v",
        ],
        None,
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "--force -v\n"), "{r:?}");
    // One session served all of these.
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
}

#[test]
fn exec_becomes_the_command_so_signals_reach_it() {
    require!(Keyring);
    let (w, _) = setup();
    // Mint first, so the exec below has nothing to wait for.
    w.run(&["exec", "dev", "true"], None).success();
    let endpoint = w.endpoint();
    let mut child = w
        .env
        .cmd()
        .args(["exec", "dev", "sh", "-c"])
        .arg(r#"trap 'echo "got INT"; exit 7' INT; echo "pid $$"; while :; do sleep 0.1; done"#)
        .env("AWS_ENDPOINT_URL_STS", &endpoint)
        .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // The shell runs in mfa-mint's process: execve, not a child.
    assert_eq!(line.trim(), format!("pid {}", child.id()), "{line}");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = support::wait_until(
        &mut child,
        std::time::Instant::now() + std::time::Duration::from_secs(20),
    )
    .expect("the command ended on SIGINT");
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "got INT\n");
    assert_eq!(
        status.code(),
        Some(7),
        "the command's trap ran and chose the exit code"
    );
}

// The stand-in shell is a shell script; on Windows exec starts %COMSPEC% (unit-tested).
#[cfg(unix)]
#[test]
fn exec_without_a_command_starts_the_user_s_shell() {
    require!(Keyring);
    let (w, _) = setup();
    let shell = w.env.home().join("my-shell");
    std::fs::write(
        &shell,
        "#!/bin/sh\necho \"my shell, region $AWS_REGION, key ${AWS_ACCESS_KEY_ID%${AWS_ACCESS_KEY_ID#????}}\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = w.run_env(
        &["exec", "dev"],
        None,
        &[("SHELL", shell.to_str().unwrap())],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "my shell, region eu-west-3, key ASIA\n");
}

#[test]
fn a_command_that_does_not_exist_exits_127() {
    require!(Keyring);
    let (w, _) = setup();
    let r = w.run(&["exec", "dev", "no-such-command-xyz", "--flag"], None);
    assert_eq!(r.code, 127, "{r:?}");
    assert!(
        r.stderr
            .starts_with("error: no-such-command-xyz: command not found\nhint: "),
        "{r:?}"
    );
    assert_eq!(r.stderr.lines().count(), 2, "{r:?}");
    assert_eq!(w.fake.request_count(), 0, "a typo costs no code step");
    let r = w.run(&["exec", "dev", w.env.home().to_str().unwrap()], None);
    assert_eq!(r.code, 126, "a directory cannot be run: {r:?}");
}

#[test]
fn exec_without_a_command_starts_the_shell_not_a_seed_error() {
    require!(Keyring);
    let (w, _alice) = crate::mint::profiles::dev();
    // Issue 13: as with aws-vault, no command means the user's shell (here one that says so).
    let r = w.run_env(&["exec", "dev", "--"], None, &[("SHELL", "/bin/echo")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "\n", "the shell ran, with no arguments: {r:?}");
    assert!(!r.stderr.contains("seed"), "{r:?}");
}

#[test]
fn exec_passes_the_session_and_the_exit_code() {
    require!(Keyring);
    let (s, alice) = World::with_alice(Some(SEED));
    s.import("dev", &alice.serial, SEED);
    let ep = s.endpoint();
    let at = [
        ("AWS_ENDPOINT_URL_STS", ep.as_str()),
        ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ("AWS_PROFILE", "dev"),
    ];
    if s.env.is_windows() {
        // cmd prints an unset %VAR% as it is: the token is set, AWS_PROFILE is not.
        let r = s.env.run_env(
            &[
                "exec",
                "dev",
                "--",
                "cmd",
                "/c",
                "echo",
                "%AWS_ACCESS_KEY_ID%",
                "%AWS_PROFILE%",
                "%AWS_SESSION_TOKEN%",
                "%AWS_CREDENTIAL_EXPIRATION%",
                "&",
                "exit",
                "42",
            ],
            None,
            &at,
        );
        assert_eq!(r.code, 42, "{r:?}");
        let words: Vec<&str> = r.stdout.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{r:?}");
        assert!(words[0].starts_with("ASIA"), "{r:?}");
        assert_eq!(words[1], "%AWS_PROFILE%", "{r:?}");
        assert!(!words[2].starts_with('%'), "{r:?}");
        assert!(words[3].ends_with('Z'), "{r:?}");
    } else {
        let r = s.env.run_env(
            &["exec", "dev", "--", "sh", "-c", "test -n \"$AWS_SESSION_TOKEN\" && test -z \"$AWS_PROFILE\" && echo $AWS_ACCESS_KEY_ID $AWS_CREDENTIAL_EXPIRATION; exit 42"],
            None,
            &at,
        );
        assert_eq!(r.code, 42, "{r:?}");
        assert!(r.stdout.starts_with("ASIA"), "{r:?}");
        assert!(r.stdout.trim_end().ends_with('Z'), "{r:?}");
    }

    // The default is the shell of the platform: PowerShell on Windows, sh elsewhere.
    let r = s.env.run_env(&["env", "dev"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    let default_line = if s.env.is_windows() {
        "$Env:AWS_SESSION_TOKEN = '"
    } else {
        "export AWS_SESSION_TOKEN='"
    };
    assert!(r.stdout.contains(default_line), "{r:?}");
    let r = s
        .env
        .run_env(&["env", "dev", "--shell", "powershell"], None, &at);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n"),
        "{r:?}"
    );
    assert!(r.stdout.contains("$Env:AWS_ACCESS_KEY_ID = 'ASIA"), "{r:?}");
    let r = s.env.run_env(&["env", "dev", "--shell", "fish"], None, &at);
    assert!(
        r.stdout.contains("set -gx AWS_ACCESS_KEY_ID 'ASIA"),
        "{r:?}"
    );
    assert_eq!(
        s.fake.action_count("GetSessionToken"),
        1,
        "exec and env reuse the cache"
    );
}

/// Issue 23 row 4: `AWS_PROFILE=dev mfa-mint exec -- aws …`: after `--` with no PROFILE before
/// it, every word is the command's and the profile defaults to `$AWS_PROFILE`, else `default`.
#[test]
fn after_dashes_everything_is_the_command_and_the_profile_defaults() {
    require!(Keyring);
    let (w, alice) = setup();
    for args in [
        &["exec", "--", "sh", "-c", SHOW][..],
        &["exec", "--duration", "1h", "--", "sh", "-c", SHOW],
        &["-v", "exec", "--force", "--", "sh", "-c", SHOW],
    ] {
        let r = w.run_env(args, None, &[("AWS_PROFILE", "dev"), ("AWS_REGION", "")]);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert_eq!(
            r.stdout, "eu-west-3 eu-west-3 unset ASIA\n",
            "{args:?}: {r:?}"
        );
    }
    // No AWS_PROFILE: `default`.
    w.write_credentials(&format!(
        "{}{}",
        w.credentials().unwrap(),
        alice.long_term("default")
    ));
    w.import("default", &alice.serial, SEED);
    let r = w.run_env(
        &["exec", "--", "printenv", "AWS_ACCESS_KEY_ID"],
        None,
        &[("AWS_PROFILE", "")],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("ASIA"), "{r:?}");
    // The profile before `--` is still the profile.
    let r = w.run(
        &["exec", "dev", "--", "printenv", "AWS_DEFAULT_REGION"],
        None,
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "eu-west-3\n"), "{r:?}");
}

/// Issue 23, for aws-vault users: inside `exec dev`, an `exec` of another profile is refused
/// (exit 9, before any request); the same profile is fine.
#[test]
fn exec_inside_exec_of_another_profile_is_refused() {
    require!(Keyring);
    let (w, _) = setup();
    let r = w.run_env(
        &["exec", "prod", "--", "true"],
        None,
        &[("MFA_MINT_PROFILE", "dev")],
    );
    assert_eq!(r.code, 9, "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
    assert!(
        r.stderr.contains("hint: ") && r.stderr.contains("MFA_MINT_PROFILE"),
        "{r:?}"
    );
    assert_eq!(w.fake.request_count(), 0);
    let r = w.run_env(
        &["exec", "dev", "--", "true"],
        None,
        &[("MFA_MINT_PROFILE", "dev")],
    );
    assert_eq!(r.code, 0, "{r:?}");
}
