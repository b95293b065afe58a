//! Where the AWS shared files live: the `AWS_*_FILE` variables, else `~/.aws/`.
//!
//! <https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html>

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::Error;

/// Overrides the credentials file location (`~` at the start is expanded).
pub const AWS_SHARED_CREDENTIALS_FILE: &str = crate::env_vars::AWS_SHARED_CREDENTIALS_FILE;
/// Overrides the config file location (`~` at the start is expanded).
pub const AWS_CONFIG_FILE: &str = crate::env_vars::AWS_CONFIG_FILE;

/// The variable that holds the home directory on this platform.
#[cfg(windows)]
pub const HOME_VAR: &str = crate::env_vars::USERPROFILE;
#[cfg(not(windows))]
pub const HOME_VAR: &str = crate::env_vars::HOME;

/// Reads one environment variable; tests pass a closure over a map instead of the process env.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn process_env(name: &str) -> Option<OsString> {
    crate::env_vars::var_os(name)
}

pub fn credentials_path() -> Result<PathBuf, Error> {
    credentials_path_with(&process_env)
}

pub fn config_path() -> Result<PathBuf, Error> {
    config_path_with(&process_env)
}

pub fn credentials_path_with(env: Env<'_>) -> Result<PathBuf, Error> {
    aws_file(env, AWS_SHARED_CREDENTIALS_FILE, "credentials")
}

pub fn config_path_with(env: Env<'_>) -> Result<PathBuf, Error> {
    aws_file(env, AWS_CONFIG_FILE, "config")
}

fn home(env: Env<'_>) -> Option<PathBuf> {
    env(HOME_VAR).filter(|h| !h.is_empty()).map(PathBuf::from)
}

fn aws_file(env: Env<'_>, var: &'static str, name: &str) -> Result<PathBuf, Error> {
    if let Some(value) = env(var).filter(|v| !v.is_empty()) {
        return expand_tilde(env, PathBuf::from(value), var);
    }
    let home = home(env).ok_or(Error::NoHome { var })?;
    Ok(home.join(".aws").join(name))
}

/// Where mfa-mint keeps the lock files of the AWS files: the `locks` folder of its state
/// directory as the home folder gives it (issue 23: no stray files in `~/.aws`), not created.
/// `MFA_MINT_STATE_DIR` and `XDG_STATE_HOME` are ignored on purpose: a scheduled job, a shell and
/// a test may set them differently, and every writer of one file must take the same lock.
pub fn lock_dir() -> Option<PathBuf> {
    lock_dir_with(&process_env)
}

pub fn lock_dir_with(env: Env<'_>) -> Option<PathBuf> {
    #[cfg(windows)]
    let state = env(crate::env_vars::LOCALAPPDATA)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    #[cfg(target_os = "macos")]
    let state = home(env).map(|h| h.join("Library").join("Application Support"));
    #[cfg(all(unix, not(target_os = "macos")))]
    let state = home(env).map(|h| h.join(".local").join("state"));
    state.map(|d| d.join("mfa-mint").join("locks"))
}

/// `~` and `~/rest` (also `~\rest` on Windows) become the home directory; `~user` stays as is.
fn expand_tilde(env: Env<'_>, path: PathBuf, var: &'static str) -> Result<PathBuf, Error> {
    let Some(text) = path.to_str() else {
        return Ok(path);
    };
    let rest = if text == "~" {
        ""
    } else if let Some(rest) = text.strip_prefix("~/") {
        rest
    } else if let Some(rest) = text.strip_prefix("~\\").filter(|_| cfg!(windows)) {
        rest
    } else {
        return Ok(path);
    };
    let home = home(env).ok_or(Error::NoHome { var })?;
    Ok(home.join(rest))
}

/// How messages name the home directory: as the shell the user types into would.
#[cfg(windows)]
const HOME_SHOWN_AS: &str = "%USERPROFILE%";
#[cfg(not(windows))]
const HOME_SHOWN_AS: &str = "~";

/// A path for messages: the home directory shown as `~` (`%USERPROFILE%` on Windows).
pub fn display(path: &Path) -> String {
    match home(&process_env).and_then(|h| path.strip_prefix(h).ok().map(Path::to_owned)) {
        Some(rest) => Path::new(HOME_SHOWN_AS).join(rest).display().to_string(),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[cfg(unix)]
    #[test]
    fn defaults_under_home() {
        let env = env_of(&[("HOME", "/home/ann")]);
        assert_eq!(
            credentials_path_with(&env).unwrap(),
            Path::new("/home/ann/.aws/credentials")
        );
        assert_eq!(
            config_path_with(&env).unwrap(),
            Path::new("/home/ann/.aws/config")
        );
    }

    #[cfg(unix)]
    #[test]
    fn variables_win_and_expand_tilde() {
        let env = env_of(&[
            ("HOME", "/home/ann"),
            ("AWS_SHARED_CREDENTIALS_FILE", "~/creds"),
            ("AWS_CONFIG_FILE", "/etc/aws/config"),
        ]);
        assert_eq!(
            credentials_path_with(&env).unwrap(),
            Path::new("/home/ann/creds")
        );
        assert_eq!(
            config_path_with(&env).unwrap(),
            Path::new("/etc/aws/config")
        );
        let env = env_of(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "~other/x")]);
        assert_eq!(config_path_with(&env).unwrap(), Path::new("~other/x"));
        let env = env_of(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "")]);
        assert_eq!(config_path_with(&env).unwrap(), Path::new("/h/.aws/config"));
    }

    #[test]
    fn missing_home_is_an_error() {
        let env = env_of(&[]);
        assert!(matches!(
            credentials_path_with(&env),
            Err(Error::NoHome { .. })
        ));
        let env = env_of(&[("AWS_CONFIG_FILE", "~/x")]);
        assert!(matches!(config_path_with(&env), Err(Error::NoHome { .. })));
        let env = env_of(&[("AWS_CONFIG_FILE", "/abs/config")]);
        assert_eq!(config_path_with(&env).unwrap(), Path::new("/abs/config"));
    }
}
