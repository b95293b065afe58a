//! Where mfa-mint keeps its own small state files (the code-step ledger, the clock offset).
//! Created 0700 on unix; `MFA_MINT_STATE_DIR` overrides the platform default.

use std::path::PathBuf;

/// Overrides the state directory (tests, portable setups).
pub const STATE_DIR_ENV: &str = crate::env_vars::MFA_MINT_STATE_DIR;

/// The state directory, not created.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = non_empty_env(STATE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    platform_state_dir().map(|d| d.join("mfa-mint"))
}

#[cfg(all(unix, not(target_os = "macos")))]
fn platform_state_dir() -> Option<PathBuf> {
    // XDG Base Directory spec: $XDG_STATE_HOME, default ~/.local/state.
    non_empty_env(crate::env_vars::XDG_STATE_HOME)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home_dir().map(|h| h.join(".local").join("state")))
}

#[cfg(target_os = "macos")]
fn platform_state_dir() -> Option<PathBuf> {
    home_dir().map(|h| h.join("Library").join("Application Support"))
}

#[cfg(windows)]
fn platform_state_dir() -> Option<PathBuf> {
    non_empty_env(crate::env_vars::LOCALAPPDATA).map(PathBuf::from)
}

/// The user's home directory from the environment (`HOME`, or `USERPROFILE` on Windows).
pub fn home_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    let home = non_empty_env(crate::env_vars::USERPROFILE)
        .or_else(|| non_empty_env(crate::env_vars::HOME));
    #[cfg(not(windows))]
    let home = non_empty_env(crate::env_vars::HOME);
    home.map(PathBuf::from)
}

/// Creates `dir` (and parents) with mode 0700 on unix, owned like their parents
/// ([`crate::owner::create_dirs`]).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    crate::owner::create_dirs(dir, 0o700)
}

fn non_empty_env(name: &str) -> Option<String> {
    crate::env_vars::var(name).filter(|v| !v.is_empty())
}
