//! What the test runs the README's commands with, and what it checks their results against.

use std::path::PathBuf;

use super::script::Subst;
use super::{CLEARED_VARS, OTHER_SEED, SEED, SESSION_VARS, WINAUTH_NAME};
use crate::support::{self, Run, Target, User, World};

/// `path` (as the binary under test names it) as a path of this machine: `Z:\x` is `/x`.
pub(super) fn host_path(path: &str) -> PathBuf {
    match path.strip_prefix("Z:").or_else(|| path.strip_prefix("z:")) {
        Some(rest) if support::target().is_windows() => PathBuf::from(rest.replace('\\', "/")),
        _ => PathBuf::from(path),
    }
}

pub(super) fn subst_for(w: &World, alice: &User) -> Subst {
    Subst {
        userprofile: w.env.path_arg(w.env.home()),
        windows: w.env.is_windows(),
        serial: alice.serial.clone(),
    }
}

/// The endpoint variables the AWS CLI (and mfa-mint run by it) need to reach the fake.
pub(super) fn fake_env(w: &World) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_STS", w.endpoint()),
        ("AWS_CA_BUNDLE", w.fake.ca_bundle().to_string()),
    ]
}

pub(super) fn pairs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `key = value` of `[section]` in an AWS INI file.
pub(super) fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
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
pub(super) fn winauth_export() -> String {
    format!(
        "otpauth://totp/GitHub?secret={OTHER_SEED}&digits=6&icon=WinAuth\r\n\
         otpauth://totp/{WINAUTH_NAME}?secret={SEED}&digits=6&icon=WinAuth\r\n"
    )
}

/// The stored seed is alice's.
#[track_caller]
pub(super) fn assert_seed_stored(w: &World, alice: &User) {
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
pub(super) fn assert_device_code(w: &World, alice: &User, r: &Run) {
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
pub(super) fn assert_session_in_file(w: &World, profile: &str) {
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
pub(super) fn assert_alice_identity(r: &Run) {
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
pub(super) fn env_effect(output: &str, powershell: bool) -> Vec<(String, Option<String>)> {
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

pub(super) fn parse_powershell_line(line: &str) -> Option<(String, Option<String>)> {
    if let Some(rest) = line.strip_prefix("Remove-Item Env:") {
        let name = rest.strip_suffix(" -ErrorAction SilentlyContinue")?;
        return is_name(name).then(|| (name.to_string(), None));
    }
    let rest = line.strip_prefix("$Env:")?;
    let (name, value) = rest.split_once(" = ")?;
    Some((name.to_string(), Some(single_quoted(value, "''")?))).filter(|_| is_name(name))
}

pub(super) fn parse_sh_line(line: &str) -> Option<(String, Option<String>)> {
    if let Some(name) = line.strip_prefix("unset ") {
        return is_name(name).then(|| (name.to_string(), None));
    }
    let (name, value) = line.strip_prefix("export ")?.split_once('=')?;
    Some((name.to_string(), Some(single_quoted(value, r"'\''")?))).filter(|_| is_name(name))
}

pub(super) fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// `'…'` as the shell reads it, `quote` being how a `'` inside is written; `None` when `text` is
/// not exactly one such string.
pub(super) fn single_quoted(text: &str, quote: &str) -> Option<String> {
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
pub(super) fn assert_env_output(w: &World, r: &Run) {
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
            // What `exec` sets: the session, the profile's region and the marker.
            let mut names = SESSION_VARS.to_vec();
            names.extend(["AWS_REGION", "AWS_DEFAULT_REGION", "MFA_MINT_PROFILE"]);
            names.sort_unstable();
            names
        },
        "sets exactly what exec sets"
    );
    assert_eq!(set["MFA_MINT_PROFILE"], "dev");
    assert_eq!(set["AWS_REGION"], set["AWS_DEFAULT_REGION"]);
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
pub(super) fn assert_task_xml(r: &Run) {
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
        " mint --min-remaining ",
        " -- dev</Arguments>",
    ] {
        assert!(xml.contains(part), "{part} in the task: {r:?}");
    }
}

/// The task "mfa-mint refresh" as wine's task service stores it, `None` when there is none.
pub(super) fn wine_task_file() -> Option<PathBuf> {
    match support::target() {
        Target::Wine(wine) => Some(
            wine.prefix
                .join("drive_c/windows/system32/tasks/mfa-mint refresh"),
        ),
        Target::Native => None,
    }
}
