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

use std::path::{Path, PathBuf};

use crate::support::{self, Run, Target, User, World};

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

// ---------------------------------------------------------------------------------------------
// Reading the README

/// The lines of README.md's `## Windows` section.
fn windows_section() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut out = String::new();
    let mut keep = false;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            keep = title.starts_with("Windows");
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "README.md has no \"## Windows\" section");
    out
}

/// Every command line of the section's fenced blocks, which must all be ```powershell.
fn readme_commands() -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in windows_section().lines() {
        let line = line.trim();
        if let Some(info) = line.strip_prefix("```") {
            if !in_code {
                assert_eq!(
                    info, "powershell",
                    "a code block of README's Windows section is not ```powershell: {line}"
                );
            }
            in_code = !in_code;
            continue;
        }
        if in_code && !line.is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    assert!(
        !in_code,
        "README's Windows section has an unclosed code block"
    );
    out
}

/// What the README's words stand for in the test.
struct Subst {
    /// `$env:USERPROFILE` as the binary under test names it.
    userprofile: String,
    /// Whether paths are Windows paths (the .exe under wine).
    windows: bool,
    /// The fake's serial, for [`README_SERIAL`].
    serial: String,
}

/// The words of a PowerShell command line, split into the commands of its pipeline: quotes
/// removed (`'…'` literal with `''` for a quote, `"…"` expanding `$env:USERPROFILE`), a `#` word
/// starting a comment. Anything else PowerShell would interpret (other variables, backticks,
/// `;`, `&`, redirections, sub-expressions) is not something this test knows: it panics.
fn pipeline(line: &str, subst: &Subst) -> Vec<Vec<String>> {
    let unknown = |what: &str| -> ! {
        panic!(
            "README's Windows section: `{line}` uses {what}, which tests/it/readme_windows.rs \
             does not know how to run"
        )
    };
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        match first {
            '#' => break,
            '|' => {
                chars.next();
                commands.push(Vec::new());
                continue;
            }
            ';' | '&' | '(' | ')' | '{' | '}' | '<' | '>' | '`' | '@' => {
                unknown(&format!("`{first}`"))
            }
            _ => {}
        }
        let mut word = String::new();
        let mut profile = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '|' {
                break;
            }
            chars.next();
            match c {
                '\'' => loop {
                    match chars.next() {
                        Some('\'') if chars.next_if_eq(&'\'').is_some() => word.push('\''),
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => unknown("an unclosed '"),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$') => {
                            expand(&mut chars, &mut word, subst).unwrap_or_else(|v| unknown(&v));
                            profile = true;
                        }
                        Some('`') => unknown("a backtick escape"),
                        Some(c) => word.push(c),
                        None => unknown("an unclosed \""),
                    }
                },
                '$' => {
                    expand(&mut chars, &mut word, subst).unwrap_or_else(|v| unknown(&v));
                    profile = true;
                }
                ';' | '&' | '(' | ')' | '{' | '}' | '<' | '>' | '`' => unknown(&format!("`{c}`")),
                c => word.push(c),
            }
        }
        if profile && !subst.windows {
            word = word.replace('\\', "/");
        }
        if word == README_SERIAL {
            word = subst.serial.clone();
        }
        commands
            .last_mut()
            .expect("one command at least")
            .push(word);
    }
    assert!(
        commands.iter().all(|c| !c.is_empty()),
        "README's Windows section: `{line}` has an empty command in its pipeline"
    );
    commands
}

/// Expands the variable after a `$`: only `$env:USERPROFILE` (any case, as PowerShell).
fn expand(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    word: &mut String,
    subst: &Subst,
) -> Result<(), String> {
    let mut name = String::new();
    while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == ':') {
        name.push(c);
    }
    if name.eq_ignore_ascii_case("env:USERPROFILE") {
        word.push_str(&subst.userprofile);
        Ok(())
    } else {
        Err(format!("the variable `${name}`"))
    }
}

/// A README command, as the test runs it.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// `mfa-mint import … --from FILE --account NAME`: the test writes a WinAuth export to FILE.
    ImportFile { args: Vec<String>, file: String },
    /// `Get-Clipboard | mfa-mint import …`.
    ImportClipboard { args: Vec<String> },
    /// `mfa-mint code PROFILE`.
    Code { args: Vec<String> },
    /// `mfa-mint PROFILE`.
    Mint { args: Vec<String> },
    /// `mfa-mint schedule install … --print`.
    SchedulePrint { args: Vec<String> },
    /// `mfa-mint schedule install …`.
    ScheduleInstall { args: Vec<String> },
    /// `mfa-mint status`.
    Status { args: Vec<String> },
    /// `mfa-mint setup-credential-process PROFILE`.
    SetupCredentialProcess { args: Vec<String> },
    /// `mfa-mint env PROFILE | Invoke-Expression`.
    InvokeEnv { args: Vec<String> },
    /// `mfa-mint exec PROFILE -- aws …`.
    Exec { args: Vec<String> },
    /// `Remove-Item FILE`.
    RemoveItem { file: String },
    /// `aws s3 ls --profile PROFILE`.
    AwsS3Ls { profile: String },
    /// `aws sts get-caller-identity --profile PROFILE`.
    AwsCallerIdentity { args: Vec<String> },
}

/// What a README command line is; panics on one this test does not know.
fn step(line: &str, subst: &Subst) -> Step {
    let pipeline = pipeline(line, subst);
    let unknown = || -> ! {
        panic!(
            "README's Windows section has a command tests/it/readme_windows.rs does not know: \
             `{line}` (parsed as {pipeline:?}); teach the test what it must do, so the README \
             stays tested"
        )
    };
    let mfa_mint = |c: &[String]| match c.split_first() {
        Some((program, args)) if program == "mfa-mint" => Some(args.to_vec()),
        _ => None,
    };
    match pipeline.as_slice() {
        [first, second] if strs(first) == ["Get-Clipboard"] => match mfa_mint(second) {
            Some(args) if args.first().map(String::as_str) == Some("import") => {
                Step::ImportClipboard { args }
            }
            _ => unknown(),
        },
        [first, second] if strs(second) == ["Invoke-Expression"] => match mfa_mint(first) {
            Some(args) if args.first().map(String::as_str) == Some("env") => {
                Step::InvokeEnv { args }
            }
            _ => unknown(),
        },
        [only] => {
            if let Some(args) = mfa_mint(only) {
                let flag = |f: &str| args.iter().any(|a| a == f);
                let value = |f: &str| {
                    args.iter()
                        .position(|a| a == f)
                        .and_then(|i| args.get(i + 1))
                        .cloned()
                };
                let w = strs(&args);
                return match w.as_slice() {
                    ["import", ..] if flag("--from") && flag("--account") => Step::ImportFile {
                        file: value("--from").unwrap_or_else(|| unknown()),
                        args,
                    },
                    ["code", _] => Step::Code { args },
                    ["schedule", "install", ..] if flag("--print") => Step::SchedulePrint { args },
                    ["schedule", "install", ..] => Step::ScheduleInstall { args },
                    ["status"] => Step::Status { args },
                    ["setup-credential-process", _] => Step::SetupCredentialProcess { args },
                    ["exec", _, "--", "aws", ..] => Step::Exec { args },
                    [profile] if !profile.starts_with('-') => Step::Mint { args },
                    _ => unknown(),
                };
            }
            match strs(only).as_slice() {
                ["Remove-Item", file] => Step::RemoveItem {
                    file: file.to_string(),
                },
                ["aws", "s3", "ls", "--profile", profile] => Step::AwsS3Ls {
                    profile: profile.to_string(),
                },
                ["aws", "sts", "get-caller-identity", "--profile", _] => Step::AwsCallerIdentity {
                    args: only[1..].to_vec(),
                },
                _ => unknown(),
            }
        }
        _ => unknown(),
    }
}

fn steps(subst: &Subst) -> Vec<Step> {
    readme_commands().iter().map(|l| step(l, subst)).collect()
}

// ---------------------------------------------------------------------------------------------
// Running it

/// `path` (as the binary under test names it) as a path of this machine: `Z:\x` is `/x`.
fn host_path(path: &str) -> PathBuf {
    match path.strip_prefix("Z:").or_else(|| path.strip_prefix("z:")) {
        Some(rest) if support::target().is_windows() => PathBuf::from(rest.replace('\\', "/")),
        _ => PathBuf::from(path),
    }
}

fn subst_for(w: &World, alice: &User) -> Subst {
    Subst {
        userprofile: w.env.path_arg(w.env.home()),
        windows: w.env.is_windows(),
        serial: alice.serial.clone(),
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The endpoint variables the AWS CLI (and mfa-mint run by it) need to reach the fake.
fn fake_env(w: &World) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_STS", w.endpoint()),
        ("AWS_CA_BUNDLE", w.fake.ca_bundle().to_string()),
    ]
}

fn pairs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `key = value` of `[section]` in an AWS INI file.
fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let header = format!("[{section}]");
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == header;
        } else if inside
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_string());
        }
    }
    None
}

/// The WinAuth export (*File → Export*, plain text): one `otpauth://` URI per authenticator,
/// CRLF line ends, as WinAuth writes it.
fn winauth_export() -> String {
    format!(
        "otpauth://totp/GitHub?secret={OTHER_SEED}&digits=6&icon=WinAuth\r\n\
         otpauth://totp/{WINAUTH_NAME}?secret={SEED}&digits=6&icon=WinAuth\r\n"
    )
}

/// The stored seed is alice's.
#[track_caller]
fn assert_seed_stored(w: &World, alice: &User) {
    let stored = w
        .env
        .stored_secret(&alice.serial)
        .expect("the seed is in the keyring");
    assert!(
        stored.contains(&format!("secret={SEED}")),
        "stored the AWS seed"
    );
    let config = w.config().expect("~/.aws/config written");
    assert_eq!(
        ini_value(&config, "profile dev", "mfa_serial").as_deref(),
        Some(alice.serial.as_str()),
        "{config}"
    );
}

/// The code is the device's (the fake's TOTP) for the previous, current or next step.
#[track_caller]
fn assert_device_code(w: &World, alice: &User, r: &Run) {
    assert_eq!(r.code, 0, "{r:?}");
    let code = r.stdout.trim();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let codes: Vec<String> = [now - 30, now, now + 30]
        .iter()
        .map(|t| w.fake.code_at(&alice.serial, *t).unwrap())
        .collect();
    assert!(codes.iter().any(|c| c == code), "{code} not in {codes:?}");
}

/// The session the `[profile]` section of the credentials file holds is one the fake issued.
#[track_caller]
fn assert_session_in_file(w: &World, profile: &str) {
    let creds = w.credentials().expect("credentials file");
    let get = |key: &str| {
        ini_value(&creds, profile, key).unwrap_or_else(|| panic!("no {key} in [{profile}]"))
    };
    assert!(
        w.fake.is_valid_session(
            &get("aws_access_key_id"),
            &get("aws_secret_access_key"),
            &get("aws_session_token")
        ),
        "[{profile}] holds a session the fake issued: {creds}"
    );
}

/// `aws sts get-caller-identity` output names alice in the fake's account.
#[track_caller]
fn assert_alice_identity(r: &Run) {
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    assert_eq!(v["Account"], support::ACCOUNT, "{r:?}");
    assert_eq!(
        v["Arn"],
        format!("arn:aws:iam::{}:user/alice", support::ACCOUNT),
        "{r:?}"
    );
}

/// The effect of the lines `mfa-mint env` printed on the environment: each variable set (to its
/// value) or removed (`None`). PowerShell lines under wine (`$Env:NAME = '…'` with `''` for a
/// quote, `Remove-Item Env:NAME -ErrorAction SilentlyContinue`); natively sh lines
/// (`export NAME='…'` with `'\''`, `unset NAME`). Any other line fails the test.
fn env_effect(output: &str, powershell: bool) -> Vec<(String, Option<String>)> {
    output
        .lines()
        .map(|line| {
            let parsed = if powershell {
                parse_powershell_line(line)
            } else {
                parse_sh_line(line)
            };
            parsed.unwrap_or_else(|| {
                panic!("`mfa-mint env` printed a line that is not a plain assignment: {line:?}")
            })
        })
        .collect()
}

fn parse_powershell_line(line: &str) -> Option<(String, Option<String>)> {
    if let Some(rest) = line.strip_prefix("Remove-Item Env:") {
        let name = rest.strip_suffix(" -ErrorAction SilentlyContinue")?;
        return is_name(name).then(|| (name.to_string(), None));
    }
    let rest = line.strip_prefix("$Env:")?;
    let (name, value) = rest.split_once(" = ")?;
    Some((name.to_string(), Some(single_quoted(value, "''")?))).filter(|_| is_name(name))
}

fn parse_sh_line(line: &str) -> Option<(String, Option<String>)> {
    if let Some(name) = line.strip_prefix("unset ") {
        return is_name(name).then(|| (name.to_string(), None));
    }
    let (name, value) = line.strip_prefix("export ")?.split_once('=')?;
    Some((name.to_string(), Some(single_quoted(value, r"'\''")?))).filter(|_| is_name(name))
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// `'…'` as the shell reads it, `quote` being how a `'` inside is written; `None` when `text` is
/// not exactly one such string.
fn single_quoted(text: &str, quote: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut value = String::new();
    let mut rest = inner;
    while let Some(at) = rest.find('\'') {
        value.push_str(&rest[..at]);
        // `quote` starts with the `'` found: the rest of it must follow.
        rest = rest[at..].strip_prefix(quote)?;
        value.push('\'');
    }
    value.push_str(rest);
    Some(value)
}

/// The output of `mfa-mint env` sets exactly the session variables, to a session the fake
/// issued, and clears the variables that would override them; nothing else.
#[track_caller]
fn assert_env_output(w: &World, r: &Run) {
    assert_eq!(r.code, 0, "{r:?}");
    let effect = env_effect(&r.stdout, w.env.is_windows());
    let set: std::collections::BTreeMap<&str, &str> = effect
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k.as_str(), v)))
        .collect();
    let removed: Vec<&str> = effect
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        set.keys().copied().collect::<Vec<_>>(),
        {
            let mut names = SESSION_VARS.to_vec();
            names.sort_unstable();
            names
        },
        "sets exactly the session's variables"
    );
    assert_eq!(removed, CLEARED_VARS, "clears what would override them");
    assert_eq!(
        effect.len(),
        set.len() + removed.len(),
        "each variable once"
    );
    assert!(
        w.fake.is_valid_session(
            set["AWS_ACCESS_KEY_ID"],
            set["AWS_SECRET_ACCESS_KEY"],
            set["AWS_SESSION_TOKEN"]
        ),
        "the values are a session the fake issued"
    );
    assert!(
        set["AWS_CREDENTIAL_EXPIRATION"].ends_with('Z'),
        "{}",
        set["AWS_CREDENTIAL_EXPIRATION"]
    );
}

/// The task Task Scheduler gets: the XML `schtasks /Create /XML` takes, refreshing `dev` every
/// hour without a console window.
#[track_caller]
fn assert_task_xml(r: &Run) {
    assert_eq!(r.code, 0, "{r:?}");
    let xml = &r.stdout;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Task version="),
        "{r:?}"
    );
    assert!(xml.contains("</Task>"), "{r:?}");
    for part in [
        "<Interval>PT1H</Interval>",
        "<LogonType>InteractiveToken</LogonType>",
        "<Command>%SystemRoot%\\System32\\conhost.exe</Command>",
        "<Arguments>--headless ",
        " dev --min-remaining ",
    ] {
        assert!(xml.contains(part), "{part} in the task: {r:?}");
    }
}

/// The task "mfa-mint refresh" as wine's task service stores it, `None` when there is none.
fn wine_task_file() -> Option<PathBuf> {
    match support::target() {
        Target::Wine(wine) => Some(
            wine.prefix
                .join("drive_c/windows/system32/tasks/mfa-mint refresh"),
        ),
        Target::Native => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

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
            r.stdout.contains(" dev --min-remaining ") && r.stdout.contains("# mfa-mint"),
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
    assert!(tab.contains(" dev --min-remaining "), "{tab}");
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
