//! README.md's "Windows (PowerShell), coming from WinAuth" section, run as written (issue 15).
//!
//! The test reads the section at test time and takes every command of its ```powershell blocks:
//! a command it does not know fails the test, so the README cannot drift from what is tested.
//! Each `mfa-mint …` command runs as written against a [`World`] (the fake AWS over HTTPS; the
//! keyring, which is the Credential Manager under wine), with only these substitutions:
//!
//! - the README's example serial → the fake's serial for alice;
//! - `$env:USERPROFILE` → the test's HOME (a `Z:\…` path under wine; natively a Unix path, with
//!   the word's `\` turned into `/`), where the test first writes a WinAuth export file;
//! - `Get-Clipboard | X` → X with the clipboard's text on stdin (as PowerShell pipes a string to
//!   a native program: the text and a CRLF);
//! - `X | Invoke-Expression` → X's output, checked to be shell lines that set exactly the AWS
//!   variables to the minted session (PowerShell under wine; natively the Linux build prints sh,
//!   its documented default, checked the same way);
//! - `Remove-Item F` → the test removes F;
//! - `aws …` → the Linux AWS CLI of the test venv, reading the files the binary under test wrote
//!   (wine's drive Z: is the Linux filesystem), or checked another way where it cannot run: the
//!   reason is next to each case below. Under `exec`, `aws` is the venv's AWS CLI natively and
//!   under wine an `aws.cmd` that shows what it was given.
//!
//! Natively the same commands run with the Linux build, whose defaults are Linux's: `env` prints
//! sh and `schedule` uses cron (this test env's crontab stand-in).

use std::path::Path;

use crate::support::{self, Run, Target, World};

/// The seed WinAuth holds for alice's AWS device (a 64-character AWS virtual MFA seed).
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// Another authenticator in the same WinAuth export.
const OTHER_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// The serial the README shows; the fake's is substituted for it.
const README_SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
/// The name the README's WinAuth has for the AWS authenticator (`--account "AWS"`).
const WINAUTH_NAME: &str = "AWS";
/// The variables a session sets, and those `env` clears so they cannot override it.
const SESSION_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];
const CLEARED_VARS: &[&str] = &["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

mod checks;
mod script;

use checks::*;
use script::*;

#[test]
fn every_command_of_the_windows_section_is_one_this_test_runs() {
    let subst = Subst {
        userprofile: "C:\\Users\\alice".into(),
        windows: true,
        serial: "arn:aws:iam::123456789012:mfa/from-the-fake".into(),
    };
    let steps = steps(&subst);
    // The README's walk-through, in its order: an unknown command already failed in `steps`;
    // this pins that each part of the walk-through is still there.
    let kinds: Vec<&str> = steps
        .iter()
        .map(|s| match s {
            Step::ImportFile { .. } => "import --from",
            Step::ImportClipboard { .. } => "Get-Clipboard | import",
            Step::Code { .. } => "code",
            Step::Mint { .. } => "mint",
            Step::SchedulePrint { .. } => "schedule install --print",
            Step::ScheduleInstall { .. } => "schedule install",
            Step::Status { .. } => "status",
            Step::SetupCredentialProcess { .. } => "setup-credential-process",
            Step::InvokeEnv { .. } => "env | Invoke-Expression",
            Step::Exec { .. } => "exec",
            Step::RemoveItem { .. } => "Remove-Item",
            Step::AwsS3Ls { .. } => "aws s3 ls",
            Step::AwsCallerIdentity { .. } => "aws sts get-caller-identity",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "import --from",
            "Remove-Item",
            "Get-Clipboard | import",
            "code",
            "mint",
            "aws s3 ls",
            "schedule install --print",
            "schedule install",
            "status",
            "setup-credential-process",
            "aws sts get-caller-identity",
            "env | Invoke-Expression",
            "exec",
        ]
    );
    // The substitutions happened: the fake's serial, the profile folder, quotes removed.
    assert_eq!(
        steps[0],
        Step::ImportFile {
            args: [
                "import",
                "dev",
                "--serial",
                "arn:aws:iam::123456789012:mfa/from-the-fake",
                "--from",
                "C:\\Users\\alice\\Desktop\\winauth-export.txt",
                "--account",
                WINAUTH_NAME,
            ]
            .map(String::from)
            .to_vec(),
            file: "C:\\Users\\alice\\Desktop\\winauth-export.txt".into(),
        }
    );
    // The tokenizer reads PowerShell's quoting, and refuses what it does not know.
    let ps = |line: &str| pipeline(line, &subst);
    assert_eq!(
        ps("mfa-mint 'it''s' \"$ENV:userprofile\\x\" | Invoke-Expression   # c"),
        [
            vec!["mfa-mint", "it's", "C:\\Users\\alice\\x"],
            vec!["Invoke-Expression"]
        ]
    );
    for bad in [
        "mfa-mint $HOME",
        "mfa-mint a; b",
        "mfa-mint \"`n\"",
        "mfa-mint > out",
    ] {
        let caught = std::panic::catch_unwind(|| ps(bad));
        assert!(caught.is_err(), "{bad} must not parse");
    }
    // The two shells' quoting, read back.
    assert_eq!(
        parse_powershell_line("$Env:A_B = 'x''y'"),
        Some(("A_B".into(), Some("x'y".into())))
    );
    assert_eq!(
        parse_sh_line(r"export A_B='x'\''y'"),
        Some(("A_B".into(), Some("x'y".into())))
    );
    assert_eq!(parse_powershell_line("$Env:A_B = 'x'y'"), None);
    assert_eq!(parse_sh_line("export A_B=$(rm -rf /)"), None);
}

#[test]
fn the_windows_section_works_as_written() {
    require!(Keyring, Venv);
    let (w, alice) = World::with_alice(Some(SEED));
    let subst = subst_for(&w, &alice);
    let fake = fake_env(&w);
    // What `schedule install --print` showed.
    let mut printed = String::new();
    for step in steps(&subst) {
        match step {
            Step::ImportFile { args, file } => {
                let path = host_path(&file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, winauth_export()).unwrap();
                // "Without `--account` mfa-mint lists the names it found and stores nothing."
                let at = args.iter().position(|a| a == "--account").unwrap();
                let mut without = strs(&args);
                without.drain(at..at + 2);
                let r = w.run(&without, None);
                assert_eq!(r.code, 4, "{r:?}");
                assert!(
                    r.stderr.contains("\"GitHub\"")
                        && r.stderr.contains(&format!("\"{WINAUTH_NAME}\"")),
                    "{r:?}"
                );
                assert!(!w.env.keyring_has_entries(), "nothing stored");
                w.run(&strs(&args), None).success();
                assert_seed_stored(&w, &alice);
                assert_eq!(
                    std::fs::read_to_string(&path).unwrap(),
                    winauth_export(),
                    "the export is left for the user to remove"
                );
            }
            // The other way of step 1; it runs in `the_clipboard_import_works_as_written`.
            Step::ImportClipboard { .. } => {}
            Step::RemoveItem { file } => {
                let path = host_path(&file);
                assert!(path.is_file(), "{} exists to be removed", path.display());
                std::fs::remove_file(&path).unwrap();
            }
            Step::Code { args } => assert_device_code(&w, &alice, &w.run(&strs(&args), None)),
            Step::Mint { args } => {
                let before = w.fake.action_count("GetSessionToken");
                w.run(&strs(&args), None).success();
                assert_session_in_file(&w, "dev");
                assert_eq!(w.fake.action_count("GetSessionToken"), before + 1);
            }
            Step::AwsS3Ls { profile } => {
                // The fake plays STS and IAM, not S3: the profile is used as `aws s3 ls` would
                // use it, by the Linux AWS CLI reading the credentials file the binary under test
                // wrote and signing a call with the session it holds.
                let r = support::aws_cli(
                    &w.env,
                    &["sts", "get-caller-identity", "--profile", &profile],
                    &pairs(&fake),
                );
                assert_alice_identity(&r);
            }
            Step::SchedulePrint { args } => printed = schedule_print(&w, &args),
            Step::ScheduleInstall { args } => schedule_install(&w, &args, &printed),
            Step::Status { args } => {
                let r = w.run(&strs(&args), None);
                assert_eq!(r.code, 0, "{r:?}");
                let dev = r
                    .stdout
                    .lines()
                    .find(|l| l.starts_with("dev "))
                    .unwrap_or_else(|| panic!("dev in the status: {r:?}"));
                assert!(dev.contains("mfa/alice"), "{r:?}");
                assert!(dev.contains("stored"), "{r:?}");
            }
            Step::SetupCredentialProcess { args } => {
                w.run(&strs(&args), None).success();
                let creds = w.credentials().unwrap();
                assert!(
                    ini_value(&creds, "dev", "aws_session_token").is_none(),
                    "the minted session leaves the file, it would shadow credential_process: \
                     {creds}"
                );
            }
            Step::AwsCallerIdentity { args } => aws_via_credential_process(&w, &args, &fake),
            Step::InvokeEnv { args } => assert_env_output(&w, &w.run(&strs(&args), None)),
            Step::Exec { args } => exec_aws(&w, &args, &fake),
        }
    }
}

#[test]
fn the_clipboard_import_works_as_written() {
    require!(Keyring);
    // What WinAuth's *Show Secret Key* lets one copy: the key, or the otpauth:// URI.
    let uri = format!("otpauth://totp/{WINAUTH_NAME}?secret={SEED}&digits=6&icon=WinAuth");
    for clipboard in [SEED, uri.as_str()] {
        let (w, alice) = World::with_alice(Some(SEED));
        let subst = subst_for(&w, &alice);
        let mut ran = 0;
        for step in steps(&subst) {
            if let Step::ImportClipboard { args } = step {
                // PowerShell pipes Get-Clipboard's text to a native program with a CRLF after it.
                w.run(&strs(&args), Some(&format!("{clipboard}\r\n")))
                    .success();
                assert_seed_stored(&w, &alice);
                assert_device_code(&w, &alice, &w.run(&["code", "dev"], None));
                ran += 1;
            }
        }
        assert_eq!(ran, 1, "the README shows the clipboard import once");
    }
}

/// `schedule install … --print` shows the job and installs nothing: the task XML on Windows,
/// the crontab line of the Linux build's default scheduler natively.
fn schedule_print(w: &World, args: &[String]) -> String {
    let r = w.run(&strs(args), None);
    if w.env.is_windows() {
        assert_task_xml(&r);
        let task = wine_task_file().unwrap();
        assert!(!task.exists(), "--print registered {}", task.display());
    } else {
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.contains(" mint --min-remaining ") && r.stdout.contains(" -- dev # mfa-mint"),
            "a crontab line for dev: {r:?}"
        );
        assert_eq!(w.env.crontab(), None, "--print installed nothing");
    }
    r.stdout
}

/// `schedule install PROFILE --every 1h` registers the job; `schedule show` reads it back and
/// `schedule remove` (the README's next sentence) takes it away again.
fn schedule_install(w: &World, args: &[String], printed: &str) {
    let r = w.run(&strs(args), None);
    if w.env.is_windows() {
        schedule_install_under_wine(w, &r, printed);
        return;
    }
    assert_eq!(r.code, 0, "{r:?}");
    let tab = w.env.crontab().expect("a crontab");
    assert!(tab.contains(" -- dev # mfa-mint"), "{tab}");
    let r = w.run(&["schedule", "show"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("profiles: dev\nevery: 1h\n"), "{r:?}");
    let r = w.run(&["schedule", "remove"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let tab = w.env.crontab().unwrap_or_default();
    assert!(!tab.contains("mfa-mint"), "{tab}");
}

/// Under wine the install cannot work, and the test checks the reason on every run: wine 8's
/// `schtasks /Create /XML` exits 0, but its task service keeps only the task's settings (the
/// triggers, the principal and the action are dropped: the task would never run), and it ignores
/// `/Query` (exit 0, nothing printed), so mfa-mint cannot read the job it must add the profile
/// to. mfa-mint stops there (exit 8, nothing registered) rather than replace a job it cannot see.
/// On Windows `schtasks /Query /XML` prints the task, and install, `schedule show` and `schedule
/// remove` make the round trip the native run checks with cron.
fn schedule_install_under_wine(w: &World, r: &Run, task_xml: &str) {
    assert_eq!(r.code, 8, "{r:?}");
    assert!(
        r.stderr.starts_with(
            "error: `schtasks /Query /TN mfa-mint refresh /XML` printed nothing and exited 0"
        ),
        "{r:?}"
    );
    assert!(r.stderr.contains("\nhint: "), "{r:?}");
    let task = wine_task_file().unwrap();
    assert!(!task.exists(), "nothing registered: {}", task.display());

    // The evidence: the task `--print` showed, registered by hand as the XML's own comment says
    // (`Out-File -Encoding unicode`: UTF-16 with a BOM), and what wine made of it.
    let file = w.env.root().join("mfa-mint-task.xml");
    let utf16: Vec<u8> = "\u{feff}"
        .encode_utf16()
        .chain(task_xml.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&file, utf16).unwrap();
    let file = support::windows_path(&file);
    let create = wine_schtasks(
        w,
        &["/Create", "/TN", "mfa-mint refresh", "/XML", &file, "/F"],
    );
    assert_eq!(
        create.code, 0,
        "wine's schtasks takes the task XML: {create:?}"
    );
    let stored = std::fs::read(&task).unwrap_or_default();
    let stored = String::from_utf8_lossy(&stored).into_owned();
    let query = wine_schtasks(w, &["/Query", "/TN", "mfa-mint refresh", "/XML"]);
    let delete = wine_schtasks(w, &["/Delete", "/TN", "mfa-mint refresh", "/F"]);
    assert_eq!(delete.code, 0, "{delete:?}");
    assert!(!task.exists(), "the task is gone again");
    assert!(
        stored.contains("<StartWhenAvailable>true</StartWhenAvailable>"),
        "wine keeps the settings: {stored}"
    );
    assert!(
        !stored.contains("<TimeTrigger>")
            && !stored.contains("conhost.exe")
            && query.code == 0
            && query.stdout.is_empty(),
        "wine's Task Scheduler now keeps the whole task or answers /Query; make this test check \
         the install, `schedule show` and `schedule remove` under wine too.\nstored: \
         {stored}\n/Query: {query:?}"
    );
}

/// Wine's `schtasks ARGS` in the test's prefix. Its output goes to files, not pipes: the task
/// service `schtasks` starts inherits them and outlives it.
fn wine_schtasks(w: &World, args: &[&str]) -> Run {
    let Target::Wine(wine) = support::target() else {
        unreachable!("only under wine")
    };
    let out = w.env.root().join("schtasks.out");
    let err = w.env.root().join("schtasks.err");
    let mut child = wine
        .command(Path::new("schtasks"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("running wine's schtasks");
    let deadline = std::time::Instant::now() + support::DEFAULT_TIMEOUT;
    let Some(status) = support::wait_until(&mut child, deadline) else {
        let _ = child.kill();
        panic!("wine's schtasks {args:?} did not finish");
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&out).unwrap(),
        stderr: std::fs::read_to_string(&err).unwrap(),
    }
}

/// `aws sts get-caller-identity --profile dev` after `setup-credential-process dev`: the AWS CLI
/// runs the `credential_process` of `[profile dev]` and signs with what it prints.
fn aws_via_credential_process(w: &World, args: &[String], fake: &[(&'static str, String)]) {
    let config = w.config().unwrap();
    let line = ini_value(&config, "profile dev", "credential_process")
        .unwrap_or_else(|| panic!("credential_process in [profile dev]: {config}"));
    match support::target() {
        Target::Native => {
            // The AWS CLI runs mfa-mint with its own environment: the fake's endpoint passes.
            let r = support::aws_cli(&w.env, &strs(args), &pairs(fake));
            assert_alice_identity(&r);
        }
        Target::Wine(wine) => {
            // The Linux AWS CLI cannot start the Windows path the .exe wrote, so the test does
            // what the Windows AWS CLI does with it: split the line as botocore splits it on
            // Windows (a program path in double quotes, or up to the first space), check that
            // it names the .exe under test, and run the rest with it; then the Linux AWS CLI
            // signs with the credentials it printed.
            let (program, rest) = match line.strip_prefix('"') {
                Some(quoted) => quoted.split_once("\" ").unwrap(),
                None => line.split_once(' ').unwrap(),
            };
            assert!(
                program.eq_ignore_ascii_case(&support::windows_path(&wine.exe)),
                "credential_process names the .exe: {line}"
            );
            let rest: Vec<&str> = rest.split(' ').collect();
            assert_eq!(rest, ["credential-process", "dev"], "{line}");
            let r = w.run(&rest, None);
            assert_eq!(r.code, 0, "{r:?}");
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            let key = |k: &str| v[k].as_str().unwrap().to_string();
            let mut env = pairs(fake);
            let (id, secret, token) = (
                key("AccessKeyId"),
                key("SecretAccessKey"),
                key("SessionToken"),
            );
            env.extend([
                ("AWS_ACCESS_KEY_ID", id.as_str()),
                ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
                ("AWS_SESSION_TOKEN", token.as_str()),
            ]);
            let mut cli = strs(args);
            // The profile's credential_process is the Windows one: use what it printed instead.
            cli.truncate(2);
            assert_alice_identity(&support::aws_cli(&w.env, &cli, &env));
        }
    }
}

/// `mfa-mint exec dev -- aws sts get-caller-identity`: the AWS CLI runs with the session in its
/// environment (and only there: the profile has no other credentials it could use).
fn exec_aws(w: &World, args: &[String], fake: &[(&'static str, String)]) {
    if w.env.is_windows() {
        exec_aws_under_wine(w, args, fake);
        return;
    }
    let venv_bin = support::venv_bin("aws");
    let venv_bin = venv_bin.parent().unwrap();
    let mut path = std::ffi::OsString::from(venv_bin);
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let path = path.into_string().unwrap();
    let mut env = pairs(fake);
    env.push(("PATH", path.as_str()));
    // The AWS CLI v1 needs a region for STS.
    env.push(("AWS_DEFAULT_REGION", "us-east-1"));
    let before = w.fake.action_count("GetCallerIdentity");
    let r = w.run_env(&strs(args), None, &env);
    assert_alice_identity(&r);
    assert_eq!(w.fake.action_count("GetCallerIdentity"), before + 1);
    // Older PowerShell versions drop a bare `--` before a native program's arguments; it is
    // optional (see `mfa-mint exec --help`), so the command works either way.
    let without: Vec<&str> = strs(args).into_iter().filter(|a| *a != "--").collect();
    let r = w.run_env(&without, None, &env);
    assert_alice_identity(&r);
}

/// Under wine `aws` is an `aws.cmd`, as the AWS CLI v1 from pip is on Windows, that prints the
/// credentials it was given and its arguments and exits 7: `exec` finds it as PowerShell does
/// (PATHEXT), gives it the session and passes its exit code on. (Wine could start the Linux AWS
/// CLI for the .exe, but gives it no handle to wait on for a Linux process: `exec` would report
/// "Invalid handle" while the AWS CLI still runs.) The real AWS CLI runs under `exec` in the
/// native run.
fn exec_aws_under_wine(w: &World, args: &[String], fake: &[(&'static str, String)]) {
    let scripts = tempfile::tempdir().unwrap();
    std::fs::write(
        scripts.path().join("aws.cmd"),
        "@echo off\r\necho %AWS_ACCESS_KEY_ID% %AWS_SECRET_ACCESS_KEY% %AWS_SESSION_TOKEN% %*\r\nexit /b 7\r\n",
    )
    .unwrap();
    let winepath = support::windows_path(scripts.path());
    let mut env = pairs(fake);
    // Wine adds WINEPATH to the PATH Windows programs see.
    env.push(("WINEPATH", winepath.as_str()));
    let without: Vec<&str> = strs(args).into_iter().filter(|a| *a != "--").collect();
    for args in [strs(args), without] {
        let r = w.run_env(&args, None, &env);
        assert_eq!(r.code, 7, "{r:?}");
        let words: Vec<&str> = r.stdout.split_whitespace().collect();
        assert_eq!(words.len(), 5, "{r:?}");
        assert!(
            w.fake.is_valid_session(words[0], words[1], words[2]),
            "{r:?}"
        );
        assert_eq!(words[3..], ["sts", "get-caller-identity"], "{r:?}");
    }
}
