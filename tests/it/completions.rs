//! `mfa-mint completions SHELL`: the completion script of each shell, pinned, and completion
//! run for real in bash and zsh (commands, every flag and the profiles of the AWS files).

use crate::support::{Pin, TestEnv, require_tool};

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

/// An env with profiles in both AWS files and the bash or zsh completion script in a file.
fn completion_env(shell: &str) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new_without_keyring();
    env.write_file(
        ".aws/config",
        "[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile prod]\nregion = eu-west-1\n",
    );
    env.write_file(
        ".aws/credentials",
        "[dev-long-term]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
    );
    let r = env.run(&["completions", shell], None);
    assert_eq!(r.code, 0, "{r:?}");
    let script = env.home().join(format!("completion.{shell}"));
    std::fs::write(&script, &r.stdout).unwrap();
    (env, script)
}

/// What bash's completion offers for the command line `words` (the last one being completed).
fn bash_complete(env: &TestEnv, script: &std::path::Path, words: &[&str]) -> Vec<String> {
    bash_complete_in(env, script, words, "")
}

/// [`bash_complete`] with `PATH` set to `path` for the completion (unless empty), run in HOME.
fn bash_complete_in(
    env: &TestEnv,
    script: &std::path::Path,
    words: &[&str],
    path: &str,
) -> Vec<String> {
    let bash = require_tool("bash");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{}'
func=$(complete -p mfa-mint | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
COMP_WORDS=({})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMP_TYPE=9
"$func" mfa-mint "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display(),
        quoted.join(" ")
    );
    let mut cmd = env.command(bash);
    cmd.args(["--norc", "-c", &program]).current_dir(env.home());
    if !path.is_empty() {
        cmd.env("PATH", path);
    }
    let r = crate::support::run_command(cmd, None, crate::support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout.lines().map(|l| l.trim().to_string()).collect()
}

#[test]
fn bash_completes_commands_flags_and_profiles() {
    require!(Shells);
    let (env, script) = completion_env("bash");
    let got = bash_complete(&env, &script, &["mfa-mint", "st"]);
    assert_eq!(got, ["status"], "commands");
    let got = bash_complete(&env, &script, &["mfa-mint", "status", ""]);
    for p in ["dev", "prod", "dev-long-term"] {
        assert!(got.iter().any(|g| g == p), "profile {p} in {got:?}");
    }
    let got = bash_complete(&env, &script, &["mfa-mint", "mint", "--"]);
    for flag in [
        "--force",
        "--duration",
        "--min-remaining",
        "--source",
        "--log-file",
        "--json",
    ] {
        assert!(got.iter().any(|g| g == flag), "{flag} in {got:?}");
    }
    let got = bash_complete(&env, &script, &["mfa-mint", "mint", "--source", "d"]);
    assert_eq!(got, ["dev", "dev-long-term"], "a flag's PROFILE value");
}

#[test]
fn zsh_completes_commands_flags_and_profiles() {
    require!(Shells);
    let (env, script) = completion_env("zsh");
    let zsh = require_tool("zsh");
    // Outside zsh's completion system, stand-ins for compdef and _describe print what the
    // script offers. `words` and CURRENT are what zsh sets when Tab is pressed.
    let complete = |words: &[&str]| -> Vec<String> {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            r#"compdef() {{ }}
_describe() {{ print -rl -- "${{(@P)3}}" }}
source '{}'
words=({})
CURRENT=${{#words}}
_clap_dynamic_completer_mfa_mint"#,
            script.display(),
            quoted.join(" ")
        );
        let mut cmd = env.command(&zsh);
        cmd.args(["-f", "-c", &program]);
        let r = crate::support::run_command(cmd, None, crate::support::DEFAULT_TIMEOUT);
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
            .lines()
            .map(|l| l.split(':').next().unwrap_or(l).trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let got = complete(&["mfa-mint", "st"]);
    assert!(got.iter().any(|g| g == "status"), "commands: {got:?}");
    let got = complete(&["mfa-mint", "status", ""]);
    for p in ["dev", "prod", "dev-long-term"] {
        assert!(got.iter().any(|g| g == p), "profile {p} in {got:?}");
    }
    let got = complete(&["mfa-mint", "mint", "--"]);
    for flag in ["--force", "--duration", "--source"] {
        assert!(got.iter().any(|g| g == flag), "{flag} in {got:?}");
    }
}

/// Issue 23 row 9: bash offered commands only: `mfa-mint d<Tab>` completed to `doctor`, never
/// `dev`, `-p <Tab>` offered nothing and nothing came after `exec dev --`. Profiles now complete
/// at the top level and after `-p`, and the command after `exec PROFILE --` as programs on PATH
/// and files.
#[cfg(unix)]
#[test]
fn bash_completes_profiles_at_the_top_level_and_commands_after_exec() {
    require!(Shells);
    let (env, script) = completion_env("bash");
    let got = bash_complete(&env, &script, &["mfa-mint", "d"]);
    for word in ["dev", "dev-long-term", "doctor"] {
        assert!(got.iter().any(|g| g == word), "{word} in {got:?}");
    }
    let got = bash_complete(&env, &script, &["mfa-mint", ""]);
    for word in ["prod", "status", "exec"] {
        assert!(got.iter().any(|g| g == word), "{word} in {got:?}");
    }
    let got = bash_complete(&env, &script, &["mfa-mint", "-p", "pr"]);
    assert_eq!(got, ["prod"], "-p takes a profile");
    // A profile's flags are mint's.
    let got = bash_complete(&env, &script, &["mfa-mint", "dev", "--du"]);
    assert_eq!(got, ["--duration"], "{got:?}");
    // After `exec PROFILE --`: programs on PATH, then files.
    let bin = env.home().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let tool = bin.join("my-aws-tool");
    std::fs::write(&tool, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(env.home().join("my-notes.txt"), "").unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let got = bash_complete_in(
        &env,
        &script,
        &["mfa-mint", "exec", "dev", "--", "my-aws"],
        &path,
    );
    assert_eq!(got, ["my-aws-tool"], "a program on PATH");
    let got = bash_complete_in(
        &env,
        &script,
        &["mfa-mint", "exec", "dev", "--", "my-aws-tool", "my-no"],
        &path,
    );
    assert!(
        got.iter().any(|g| g.ends_with("my-notes.txt")),
        "a file: {got:?}"
    );
}
