//! Odd profile names, section headers and file owners (issue 22): names the AWS CLI cannot
//! address are refused wherever a name enters; what is written for a valid name reads back
//! through its real reader (botocore's shlex, sh, the AWS CLI, the scheduled job's parser); run
//! log lines cannot be forged; `[ dev ]` is not `dev`, as botocore reads it; root keeps a
//! user's files the user's.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::support::{self, Run, World};

/// An AWS-style 64-character base32 seed.
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Every file under `dir` with its content (a snapshot to compare before and after).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(tree(&path));
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    out.sort();
    out
}

/// One `error: invalid profile name …` line naming what is not allowed, and one hint line.
#[track_caller]
fn assert_refused(r: &Run, what: &str, context: &str) {
    assert_eq!(r.code, 4, "{context}: {r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one error and one hint line: {context}: {r:?}"
    );
    assert!(
        lines[0].starts_with("error: invalid profile name ") && lines[0].contains(what),
        "{context}: {r:?}"
    );
    assert!(
        lines[1].starts_with("hint: profile names may use letters, digits and "),
        "{context}: {r:?}"
    );
}

/// A way in for a name: arguments, stdin, environment.
type Door<'a> = (Vec<&'a str>, Option<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn names_the_aws_cli_cannot_address_are_refused_at_every_door() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let serial = alice.serial.as_str();
    for (name, what) in [
        ("my dev", "space not allowed"),
        ("a\\b", "`\\` not allowed"),
        ("x\ny", "newline (\\n) not allowed"),
        ("$(id)", "`$` `(` `)` not allowed"),
        ("a;b", "`;` not allowed"),
        ("DEFAULT", "[DEFAULT]"),
    ] {
        let before = (tree(w.env.home()), tree(w.env.state_dir()));
        let cases: Vec<Door> = vec![
            (vec![name], None, vec![]),
            (vec!["mint", "-p", name], None, vec![]),
            (vec!["dev", "--source", name], None, vec![]),
            (vec![], None, vec![("AWS_PROFILE", name)]),
            (vec!["rename", "dev", name], None, vec![]),
            (vec!["import", name, "--serial", serial], Some(SEED), vec![]),
            (vec!["link", name, "--serial", serial], None, vec![]),
            (vec!["schedule", "install", name], None, vec![]),
            (vec!["setup-credential-process", name], None, vec![]),
            (vec!["code", name], None, vec![]),
            (vec!["credential-process", name], None, vec![]),
            (vec!["exec", name, "--", "true"], None, vec![]),
            (vec!["env", name], None, vec![]),
            (vec!["remove", name, "--yes"], None, vec![]),
            (vec!["keys", "import", name], None, vec![]),
            (vec!["status", name], None, vec![]),
            (vec!["doctor", name], None, vec![]),
            (vec!["rotate", name], None, vec![]),
            (vec!["rotate", name, "--finish"], None, vec![]),
            (
                vec!["enroll", name, "--device-name", "x", "--replace"],
                None,
                vec![],
            ),
        ];
        for (args, stdin, env) in cases {
            let r = w.run_env(&args, stdin, &env);
            assert_refused(&r, what, &format!("{args:?} {env:?}"));
            assert_eq!(
                (tree(w.env.home()), tree(w.env.state_dir())),
                before,
                "{args:?} {env:?} wrote something"
            );
        }
    }
    // A name starting with `-` is refused too (after `--`, or from $AWS_PROFILE).
    let r = w.run(&["mint", "--", "-x"], None);
    assert_refused(&r, "starts with `-`", "mint -- -x");
    let r = w.run_env(&[], None, &[("AWS_PROFILE", "-x")]);
    assert_refused(&r, "starts with `-`", "AWS_PROFILE=-x");
}

#[test]
fn run_log_lines_cannot_be_forged() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let log = w.env.root().join("runs.log");
    let log_arg = log.display().to_string();
    let fake = "2026-11-29T23:02:53Z profile=prod outcome=minted exit=0";
    // A name with a line break is refused before anything runs: nothing is logged for it.
    let forged = format!("dev\n{fake}");
    w.run(&["--log-file", &log_arg, "--", &forged], None)
        .code(4);
    w.run_env(
        &["mint", "--log-file", &log_arg],
        None,
        &[("AWS_PROFILE", &forged)],
    )
    .code(4);
    assert!(!log.exists(), "{:?}", std::fs::read_to_string(&log));
    // User text in an error message (a setting continued on an indented line) stays on its line.
    let config = w.config().unwrap();
    w.write_config(&format!("{config}mfa_mint_duration = 1h\n  {fake}\n"));
    w.run(&["dev", "--log-file", &log_arg], None).code(3);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("20") && text.contains(" profile=dev outcome=error exit=3 error=\""),
        "{text}"
    );
    assert!(
        text.contains("\\n"),
        "the line break is shown escaped: {text}"
    );
}

/// `[ dev ]` in the credentials file is the profile ` dev ` to botocore, and `[profile  dev ]`
/// in the config file is `dev`: mfa-mint reads and writes the sections the AWS CLI reads.
#[test]
fn sections_with_inner_spaces_are_matched_as_botocore_matches_them() {
    require!(Keyring, Venv);
    let (w, alice) = World::with_alice(Some(SEED));
    let stale = "[ dev ]\naws_access_key_id = ASIASTALESTALESTALE\naws_secret_access_key = stale\naws_session_token = stale\n";
    w.write_credentials(&format!("{}\n{stale}", alice.long_term("dev")));
    w.write_config("[profile  dev ]\nregion = eu-west-1\n");
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    assert!(
        config.starts_with(&format!(
            "[profile  dev ]\nregion = eu-west-1\nmfa_serial = {}\n",
            alice.serial
        )),
        "the settings go where botocore reads dev: {config}"
    );
    w.run(&["dev"], None).success();
    let credentials = w.credentials().unwrap();
    assert!(
        credentials.contains(stale),
        "[ dev ] is left alone: {credentials}"
    );
    let get = |key: &str| {
        let r = support::aws_cli(&w.env, &["configure", "get", key, "--profile", "dev"], &[]);
        assert_eq!(r.code, 0, "{key}: {r:?}");
        r.stdout.trim().to_string()
    };
    let key = get("aws_access_key_id");
    assert!(key.starts_with("ASIA") && !key.contains("STALE"), "{key}");
    assert!(credentials.contains(&format!("\n[dev]\naws_access_key_id = {key}\n")));
    assert_eq!(get("mfa_serial"), alice.serial);
    assert_eq!(get("region"), "eu-west-1");
    // A fresh session in [dev] is seen as fresh: nothing is minted again.
    let r = w.run(&["dev"], None);
    r.success();
    assert_eq!(w.credentials().unwrap(), credentials);
}

/// The words of a `credential_process` line as `sh -c` (the Go and JavaScript SDKs) splits it.
fn sh_words(line: &str) -> Vec<String> {
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("for a in {line}; do printf '%s\\0' \"$a\"; done"),
        ])
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_terminator('\0')
        .map(String::from)
        .collect()
}

/// The words of a `credential_process` line as botocore splits it (shlex.split, in the venv's
/// Python, as `botocore.compat.compat_shell_split` does on unix).
fn shlex_words(w: &World, line: &str) -> Vec<String> {
    let mut cmd = w.env.command(support::venv_bin("python"));
    cmd.args([
        "-c",
        "import sys, json\nfrom botocore.compat import compat_shell_split\nprint(json.dumps(compat_shell_split(sys.stdin.read())))",
    ]);
    let r = support::run_command(cmd, Some(line.as_bytes()), support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 0, "{r:?}");
    serde_json::from_str(&r.stdout).unwrap()
}

/// A copy of the binary under test at `dir/mfa-mint` (its own path is what it writes into
/// jobs and credential_process lines).
fn copy_binary(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let exe = dir.join("mfa-mint");
    std::fs::copy(env!("CARGO_BIN_EXE_mfa-mint"), &exe).unwrap();
    exe
}

/// Runs `exe` (a [`copy_binary`]) with `args` in the environment the binary under test gets.
fn run_copy(w: &World, exe: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let mut cmd = w.env.command(exe);
    for (k, v) in w.env.cmd().get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.envs(extra_env.iter().copied()).args(args);
    support::run_command(cmd, None, support::DEFAULT_TIMEOUT)
}

#[test]
fn credential_process_lines_read_back_through_shlex_sh_and_the_aws_cli() {
    require!(Keyring, Venv);
    let (w, alice) = World::with_alice(Some(SEED));
    let profile = "team/dev.prod@x+y=z,w:1";
    w.write_credentials(&alice.long_term(profile));
    w.import(profile, &alice.serial, SEED);
    // A copy of the binary where the path needs quoting: a space, a quote, a `$`, a backslash.
    let exe = copy_binary(&w.env.root().join("it's $HOME\\x dir"));
    let r = run_copy(&w, &exe, &["setup-credential-process", profile], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    let config = w.config().unwrap();
    let line = config
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .unwrap_or_else(|| panic!("no credential_process line: {config}"));
    let want = vec![
        exe.display().to_string(),
        "credential-process".to_string(),
        profile.to_string(),
    ];
    assert_eq!(shlex_words(&w, line), want, "{line}");
    assert_eq!(sh_words(line), want, "{line}");
    // The AWS CLI runs it and uses the session.
    let endpoint = w.endpoint();
    let r = support::aws_cli(
        &w.env,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--output",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", w.fake.ca_bundle()),
            ("MFA_MINT_STATE_DIR", &w.env.path_arg(w.env.state_dir())),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(":user/alice"), "{r:?}");
}

/// A profile named like a command (`code`, `mint`) is minted by the scheduled job: the crontab
/// line, run by sh as cron runs it, mints it instead of running the command.
#[test]
fn a_scheduled_profile_named_like_a_command_is_minted() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&format!(
        "{}\n{}",
        alice.long_term("code"),
        alice.long_term("mint")
    ));
    w.import("code", &alice.serial, SEED);
    w.run(&["link", "mint", "--serial", &alice.serial], None)
        .success();
    w.run(&["schedule", "install", "code", "mint"], None)
        .success();
    let crontab = w.env.crontab().unwrap();
    let line = crontab
        .lines()
        .find(|l| l.ends_with("# mfa-mint-schedule"))
        .unwrap();
    assert!(line.contains(" mint --min-remaining 70m "), "{line}");
    assert!(
        line.ends_with(" -- code mint # mfa-mint-schedule"),
        "{line}"
    );
    // What cron hands to sh: the line after the five time fields.
    let command = line.splitn(6, ' ').nth(5).unwrap();
    let sh = w.env.cmd();
    let program = sh.get_program().to_owned();
    assert_eq!(program, env!("CARGO_BIN_EXE_mfa-mint"));
    let mut cron = w.env.command("sh");
    for (k, v) in sh.get_envs() {
        if let Some(v) = v {
            cron.env(k, v);
        }
    }
    let endpoint = w.endpoint();
    cron.env("AWS_ENDPOINT_URL_STS", &endpoint)
        .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
        .args(["-c", command]);
    let r = support::run_command(cron, None, std::time::Duration::from_secs(120));
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "", "no code was printed: {r:?}");
    let credentials = w.credentials().unwrap();
    for profile in ["code", "mint"] {
        assert!(
            credentials.contains(&format!("\n[{profile}]\naws_access_key_id = ASIA")),
            "{profile} was minted: {credentials}"
        );
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[track_caller]
fn owner(path: &Path) -> (u32, u32, u32) {
    let m = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

/// Root (`sudo -E`) minting into a user's files leaves them the user's: the credentials file
/// keeps its owner, group and mode; the lock and state files it creates go to the owner of
/// their directory.
#[test]
fn root_keeps_a_user_s_files_the_user_s() {
    require!(Keyring);
    if !is_root() {
        support::need::skip("needs root, to own files as another user");
        return;
    }
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let home = w.env.home();
    let aws = home.join(".aws");
    let credentials = aws.join("credentials");
    let state = w.env.state_dir().to_path_buf();
    // Hand everything to the user 12345:12346 (the state dir freshly, as a new user has it).
    std::fs::remove_dir_all(&state).unwrap();
    for path in [home, &aws, &credentials, &aws.join("config")] {
        std::os::unix::fs::chown(path, Some(12345), Some(12346)).unwrap();
    }
    std::fs::set_permissions(
        &credentials,
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    let state_parent = state.parent().unwrap();
    std::os::unix::fs::chown(state_parent, Some(12345), Some(12346)).unwrap();
    // The keyring of the test made `~/.local` as root, and the import above the lock folder; a
    // user's own `~/.local` is theirs, the lock folder made anew.
    let local = home.join(".local");
    std::fs::create_dir_all(&local).unwrap();
    let _ = std::fs::remove_dir_all(local.join("state"));
    std::os::unix::fs::chown(&local, Some(12345), Some(12346)).unwrap();

    w.run(&["dev"], None).success();
    assert!(w.credentials().unwrap().contains("\n[dev]\n"));
    assert_eq!(owner(&credentials), (12345, 12346, 0o640));
    // The lock lives in the lock folder under the user's home (issue 23 row 16), the user's too.
    assert_eq!(owner(&local.join("state/mfa-mint/locks")).0, 12345);
    let locks = tree(&local.join("state"));
    assert!(locks.iter().any(|(p, _)| p.ends_with(".lock")), "{locks:?}");
    for (path, _) in &locks {
        assert_eq!(owner(Path::new(path)).0, 12345, "{path}");
    }
    assert_eq!(owner(&state).0, 12345, "the state dir");
    for (path, _) in tree(&state) {
        assert_eq!(owner(Path::new(&path)).0, 12345, "{path}");
    }
    assert!(!tree(&state).is_empty());
    // A second mint (forced) still keeps them.
    w.run(&["dev", "--force"], None).success();
    assert_eq!(owner(&credentials), (12345, 12346, 0o640));
    // The config file, edited by setup-credential-process, too.
    let config = aws.join("config");
    let before = owner(&config);
    w.run(&["setup-credential-process", "dev"], None).success();
    assert_eq!(owner(&config), before);
}

/// The systemd units for profiles named like commands and a log path systemd must unquote
/// (a space, `$`, `%`, a quote) pass `systemd-analyze verify`, and the job reads back.
#[test]
fn systemd_units_with_odd_paths_pass_systemd_analyze_verify() {
    require!(Keyring, SystemdAnalyze);
    let w = World::new();
    w.write_config("[profile code]\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n\n[profile mint]\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n");
    w.write_credentials("[code-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = x\n\n[mint-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = x\n");
    let state = w.env.root().join("st ate $HOME 100% it's");
    let state_arg = state.display().to_string();
    // The program's path too: systemd expands specifiers but no variable in it.
    let exe = copy_binary(&w.env.root().join("b in $HOME 100%"));
    let r = run_copy(
        &w,
        &exe,
        &[
            "schedule",
            "install",
            "code",
            "mint",
            "--platform",
            "systemd",
            "--print",
        ],
        &[("MFA_MINT_STATE_DIR", state_arg.as_str())],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let units = w.env.root().join("units");
    std::fs::create_dir_all(&units).unwrap();
    for part in r.stdout.split("# ~/.config/systemd/user/").skip(1) {
        let (name, content) = part.split_once('\n').unwrap();
        std::fs::write(units.join(name), content).unwrap();
    }
    let service = units.join("mfa-mint-refresh.service");
    let text = std::fs::read_to_string(&service).unwrap();
    assert!(text.contains(" -- code mint\n"), "{text}");
    let out = std::process::Command::new(support::require_tool("systemd-analyze"))
        .args(["verify", "--man=no"])
        .arg(&service)
        .arg(units.join("mfa-mint-refresh.timer"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}\n{text}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{text}");
}

/// systemd refuses a program path with a quote or a backslash however it is quoted: install
/// says so instead of writing units that never run.
#[test]
fn systemd_install_refuses_a_program_path_systemd_cannot_run() {
    require!(Keyring);
    let w = World::new();
    w.write_config("[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n");
    w.write_credentials("[dev-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = x\n");
    let exe = copy_binary(&w.env.root().join("it's"));
    let before = tree(w.env.home());
    let r = run_copy(
        &w,
        &exe,
        &["schedule", "install", "dev", "--platform", "systemd"],
        &[],
    );
    assert_eq!(r.code, 4, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert!(
        lines[0].starts_with("error: systemd cannot run a program whose path holds a quote"),
        "{r:?}"
    );
    assert_eq!(tree(w.env.home()), before);
}

/// A profile outside the rule that the user's files already hold as the AWS CLI reads it
/// (`[profile "my dev"]`) keeps working: mint, `--all`, the AWS CLI, the scheduled job and the
/// credential_process line.
#[test]
fn an_existing_profile_outside_the_rule_keeps_working() {
    require!(Keyring, Venv);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    let name = "my dev";
    w.write_config(&format!(
        "[profile \"{name}\"]\nmfa_serial = {}\n",
        alice.serial
    ));
    w.write_credentials(&alice.long_term(name));
    w.import(name, &alice.serial, SEED);
    w.run(&[name], None).success();
    let get = |key: &str| {
        let r = support::aws_cli(&w.env, &["configure", "get", key, "--profile", name], &[]);
        assert_eq!(r.code, 0, "{key}: {r:?}");
        r.stdout.trim().to_string()
    };
    assert!(get("aws_access_key_id").starts_with("ASIA"));
    assert_eq!(get("mfa_serial"), alice.serial);
    w.run(&["mint", "--all", "--force"], None).success();
    // The scheduled job, run by sh as cron runs it.
    w.run(&["schedule", "install", name], None).success();
    let crontab = w.env.crontab().unwrap();
    assert!(
        crontab.contains(" -- 'my dev' # mfa-mint-schedule"),
        "{crontab}"
    );
    let command = crontab
        .lines()
        .next()
        .unwrap()
        .splitn(6, ' ')
        .nth(5)
        .unwrap();
    let mut cron = w.env.command("sh");
    for (k, v) in w.env.cmd().get_envs() {
        if let Some(v) = v {
            cron.env(k, v);
        }
    }
    cron.args(["-c", command]);
    let r = support::run_command(cron, None, support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 0, "{r:?}");
    let log = std::fs::read_to_string(w.env.state_dir().join("schedule.log")).unwrap();
    assert!(log.contains(" profile=\"my dev\" outcome=fresh "), "{log}");
    // The credential_process line reads back through botocore's split.
    w.run(&["setup-credential-process", name], None).success();
    let config = w.config().unwrap();
    let line = config
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .unwrap();
    assert_eq!(shlex_words(&w, line)[1..], ["credential-process", name]);
}

/// A user who may write a file but cannot give the replacement its owner (a group-writable file
/// of someone else) gets exit 8 and one line, and the file is left as it was.
#[test]
fn a_file_whose_owner_cannot_be_kept_is_left_as_it_was() {
    if !is_root() {
        support::need::skip("needs root, to run mfa-mint as another user");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let config = aws.join("config");
    let text = "[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n";
    std::fs::write(&config, text).unwrap();
    use std::os::unix::fs::{PermissionsExt, chown};
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for path in [&home, &aws] {
        chown(path, Some(12345), Some(12345)).unwrap();
    }
    chown(&config, Some(12346), Some(12345)).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o660)).unwrap();
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid", "12345", "--regid", "12345", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_mfa-mint"))
        .args(["setup-credential-process", "dev"])
        .env_clear()
        .env("HOME", &home)
        .env("PATH", "/usr/bin:/bin")
        .env("MFA_MINT_STATE_DIR", home.join("state"));
    let r = support::run_command(cmd, None, support::DEFAULT_TIMEOUT);
    assert_eq!(r.code, 8, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert!(
        lines[0].starts_with(
            "error: cannot write ~/.aws/config and keep its owner: it belongs to uid 12346"
        ),
        "{r:?}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    assert_eq!(owner(&config), (12346, 12345, 0o660));
    let names: Vec<String> = std::fs::read_dir(&aws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "config" || n.ends_with(".lock")),
        "no temp file left: {names:?}"
    );
}
