//! README.md's Windows section as commands: the lines of its ```powershell blocks, split into
//! words as PowerShell splits them (with the test's substitutions), each one a [`Step`] the test
//! knows how to run.

use std::path::Path;

use super::README_SERIAL;

/// The lines of README.md's `## Windows` section.
pub(super) fn windows_section() -> String {
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
pub(super) fn readme_commands() -> Vec<String> {
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
pub(super) struct Subst {
    /// `$env:USERPROFILE` as the binary under test names it.
    pub(super) userprofile: String,
    /// Whether paths are Windows paths (the .exe under wine).
    pub(super) windows: bool,
    /// The fake's serial, for [`README_SERIAL`].
    pub(super) serial: String,
}

/// The words of a PowerShell command line, split into the commands of its pipeline: quotes
/// removed (`'…'` literal with `''` for a quote, `"…"` expanding `$env:USERPROFILE`), a `#` word
/// starting a comment. Anything else PowerShell would interpret (other variables, backticks,
/// `;`, `&`, redirections, sub-expressions) is not something this test knows: it panics.
pub(super) fn pipeline(line: &str, subst: &Subst) -> Vec<Vec<String>> {
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
pub(super) fn expand(
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
pub(super) enum Step {
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
pub(super) fn step(line: &str, subst: &Subst) -> Step {
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

pub(super) fn steps(subst: &Subst) -> Vec<Step> {
    readme_commands().iter().map(|l| step(l, subst)).collect()
}

/// The words as `&str`s, as `World::run` takes them.
pub(super) fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
