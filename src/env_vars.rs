//! Every environment variable mfa-mint reads, one documented constant each. Code reads the
//! environment through these names only; the README's "Environment" table lists the same set
//! (a unit test below keeps the two in step).

// --- AWS's own settings, honoured as the AWS CLI and SDKs do ---

/// Default profile when none is named on the command line.
pub const AWS_PROFILE: &str = "AWS_PROFILE";
/// The credentials file (default `~/.aws/credentials`).
pub const AWS_SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";
/// The config file (default `~/.aws/config`).
pub const AWS_CONFIG_FILE: &str = "AWS_CONFIG_FILE";
/// Region when the profile (and its source profile) has none.
pub const AWS_REGION: &str = "AWS_REGION";
/// Region after `AWS_REGION`.
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// Endpoint for every service, after the service-specific one.
pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
/// Endpoint for STS.
pub const AWS_ENDPOINT_URL_STS: &str = "AWS_ENDPOINT_URL_STS";
/// Endpoint for IAM (enroll).
pub const AWS_ENDPOINT_URL_IAM: &str = "AWS_ENDPOINT_URL_IAM";
/// The console sign-in (federation) endpoint `login` uses.
pub const AWS_ENDPOINT_URL_SIGNIN: &str = "AWS_ENDPOINT_URL_SIGNIN";
/// `true` ignores the endpoint variables above.
pub const AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
/// PEM file of the CAs to trust (replacing every other root), as for the AWS CLI.
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
/// `true`: FIPS endpoints.
pub const AWS_USE_FIPS_ENDPOINT: &str = "AWS_USE_FIPS_ENDPOINT";
/// `regional` (default) or `legacy` (the global STS endpoint for the original regions).
pub const AWS_STS_REGIONAL_ENDPOINTS: &str = "AWS_STS_REGIONAL_ENDPOINTS";

// --- proxies, as curl and the SDK's HTTPS client read them ---

/// Proxy for https endpoints (`http://[USER:PASSWORD@]HOST:PORT`).
pub const HTTPS_PROXY: &str = "HTTPS_PROXY";
/// Lower-case `HTTPS_PROXY`.
pub const HTTPS_PROXY_LOWER: &str = "https_proxy";
/// Proxy for every scheme, after `HTTPS_PROXY`.
pub const ALL_PROXY: &str = "ALL_PROXY";
/// Lower-case `ALL_PROXY`.
pub const ALL_PROXY_LOWER: &str = "all_proxy";
/// Hosts that bypass the proxy. Read by the SDK's client (hyper-util), not by mfa-mint's code:
/// listed for the README's table.
#[allow(dead_code)]
pub const NO_PROXY: &str = "NO_PROXY";
/// Lower-case `NO_PROXY`.
#[allow(dead_code)]
pub const NO_PROXY_LOWER: &str = "no_proxy";

// --- mfa-mint's own ---

/// Keyring backend: `secret-service` (Linux default) or `keyutils`.
pub const MFA_MINT_KEYRING: &str = "MFA_MINT_KEYRING";
/// Where the code-step ledger, clock offset and run log live.
pub const MFA_MINT_STATE_DIR: &str = "MFA_MINT_STATE_DIR";
/// Set by `exec` and `env` to the profile whose session the environment holds; `exec` of another
/// profile refuses to run while it is set.
pub const MFA_MINT_PROFILE: &str = "MFA_MINT_PROFILE";
/// The `crontab` program `schedule` uses (tests point it at a stand-in).
pub const MFA_MINT_CRONTAB: &str = "MFA_MINT_CRONTAB";
/// Set by the shell completion script (`mfa-mint completions SHELL`) when it asks mfa-mint for
/// candidates: its value names the shell.
pub const MFA_MINT_COMPLETE: &str = "MFA_MINT_COMPLETE";
/// Tests only: unix time at process start; the clock then runs in real time from there.
pub const MFA_MINT_TEST_NOW: &str = "MFA_MINT_TEST_NOW";

// --- the platform's ---

/// No colour when set and not empty (<https://no-color.org>). Read by anstream (with
/// `CLICOLOR`, `CLICOLOR_FORCE` and `TERM`), listed here for the README's table.
#[cfg_attr(not(test), allow(dead_code))]
pub const NO_COLOR: &str = "NO_COLOR";
/// The time zone local times are shown in (read by the system's zone lookup; mfa-mint only
/// checks whether it is set before reading `/etc/localtime` itself).
pub const TZ: &str = "TZ";
/// Set by CI systems: never prompt.
pub const CI: &str = "CI";
/// The home directory (Unix; also used on Windows when `USERPROFILE` is unset).
pub const HOME: &str = "HOME";
/// The home directory on Windows.
#[cfg_attr(not(windows), allow(dead_code))]
pub const USERPROFILE: &str = "USERPROFILE";
/// Base of the state directory on Linux (default `~/.local/state`).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
/// Base of the user's systemd units (`schedule --platform systemd`; default `~/.config`).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// The Windows user a scheduled task runs as (`USERDOMAIN\USERNAME`).
pub const USERNAME: &str = "USERNAME";
/// The Windows user's domain (the computer's name for a local account).
pub const USERDOMAIN: &str = "USERDOMAIN";
/// Where `exec` looks for the command before minting (a typo costs no code step).
pub const PATH: &str = "PATH";
/// The extensions `exec` tries, in order, for a command named without one (Windows).
#[cfg_attr(not(windows), allow(dead_code))]
pub const PATHEXT: &str = "PATHEXT";
/// The user's shell, which `exec` starts when no command is given (Unix).
#[cfg_attr(windows, allow(dead_code))]
pub const SHELL: &str = "SHELL";
/// The command interpreter `exec` starts when no command is given (Windows).
#[cfg_attr(not(windows), allow(dead_code))]
pub const COMSPEC: &str = "COMSPEC";
/// An X display: `login` opens a browser only when there is one (Linux and other Unix).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
pub const DISPLAY: &str = "DISPLAY";
/// A Wayland display, as `DISPLAY`.
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
pub const WAYLAND_DISPLAY: &str = "WAYLAND_DISPLAY";
/// Base of the state directory on Windows.
#[cfg_attr(not(windows), allow(dead_code))]
pub const LOCALAPPDATA: &str = "LOCALAPPDATA";

/// The variables a user may set, in the README's order (platform ones are documented in prose).
/// Variables the https endpoints' proxy comes from, in the order the SDK's client reads them.
pub const HTTPS_PROXY_VARS: [&str; 4] =
    [HTTPS_PROXY, HTTPS_PROXY_LOWER, ALL_PROXY, ALL_PROXY_LOWER];

#[cfg(test)]
const DOCUMENTED: &[&str] = &[
    AWS_PROFILE,
    AWS_SHARED_CREDENTIALS_FILE,
    AWS_CONFIG_FILE,
    AWS_ENDPOINT_URL_STS,
    AWS_ENDPOINT_URL_IAM,
    AWS_ENDPOINT_URL_SIGNIN,
    AWS_ENDPOINT_URL,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
    AWS_REGION,
    AWS_DEFAULT_REGION,
    AWS_CA_BUNDLE,
    HTTPS_PROXY,
    HTTPS_PROXY_LOWER,
    ALL_PROXY,
    ALL_PROXY_LOWER,
    NO_PROXY,
    NO_PROXY_LOWER,
    AWS_USE_FIPS_ENDPOINT,
    AWS_STS_REGIONAL_ENDPOINTS,
    MFA_MINT_KEYRING,
    MFA_MINT_STATE_DIR,
    MFA_MINT_PROFILE,
    NO_COLOR,
    TZ,
    MFA_MINT_CRONTAB,
    MFA_MINT_COMPLETE,
    MFA_MINT_TEST_NOW,
];

/// The process environment as it was when the run started: read once (the first time any of
/// these functions is called, at the start of `run`), so two parts of one run can never see
/// different settings. This is the only place that reads the process environment; clippy's
/// `disallowed-methods` (clippy.toml) refuses `std::env::var*` everywhere else.
fn snapshot() -> &'static std::collections::HashMap<std::ffi::OsString, std::ffi::OsString> {
    static SNAPSHOT: std::sync::OnceLock<
        std::collections::HashMap<std::ffi::OsString, std::ffi::OsString>,
    > = std::sync::OnceLock::new();
    #[allow(clippy::disallowed_methods)]
    SNAPSHOT.get_or_init(|| std::env::vars_os().collect())
}

/// Takes the snapshot now (called first thing in `run`).
pub fn capture() {
    snapshot();
}

/// The raw value of `name`, as it was when the run started.
pub fn var_os(name: &str) -> Option<std::ffi::OsString> {
    snapshot().get(std::ffi::OsStr::new(name)).cloned()
}

/// The value of `name` as UTF-8 (a value that is not is treated as unset).
pub fn var(name: &str) -> Option<String> {
    var_os(name).and_then(|v| v.into_string().ok())
}

/// A non-empty value of `name`.
pub fn non_empty(name: &str) -> Option<String> {
    var(name).filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's "Environment" table, as the variable names it mentions.
    fn readme_table() -> Vec<String> {
        let readme = include_str!("../README.md");
        let start = readme
            .find("### Environment")
            .expect("README has an Environment section");
        let section = &readme[start..];
        let end = section[3..].find("\n#").map_or(section.len(), |i| i + 3);
        let mut names = Vec::new();
        for line in section[..end].lines().filter(|l| l.starts_with("| `")) {
            let first_cell = line.split('|').nth(1).unwrap_or_default();
            for part in first_cell.split('`').skip(1).step_by(2) {
                let name = part.split('=').next().unwrap_or_default().to_string();
                names.push(name);
            }
        }
        names
    }

    #[test]
    fn readme_environment_table_matches_the_constants() {
        let table = readme_table();
        for name in DOCUMENTED {
            assert!(
                table.iter().any(|t| t == name),
                "{name} is read by mfa-mint but missing from the README's Environment table"
            );
        }
        for name in &table {
            assert!(
                DOCUMENTED.contains(&name.as_str()),
                "the README documents {name}, which env_vars.rs does not list"
            );
        }
    }

    #[test]
    fn source_reads_the_environment_only_through_these_constants() {
        // A literal variable name in an env lookup elsewhere would escape the table above.
        for (path, text) in [
            ("config/mod.rs", include_str!("config/mod.rs")),
            ("aws/sts.rs", include_str!("aws/sts.rs")),
            ("commands/mod.rs", include_str!("commands/mod.rs")),
            ("cli.rs", include_str!("cli.rs")),
            ("error.rs", include_str!("error.rs")),
            ("output.rs", include_str!("output.rs")),
            ("state/dirs.rs", include_str!("state/dirs.rs")),
            ("schedule/host.rs", include_str!("schedule/host.rs")),
            ("schedule/task.rs", include_str!("schedule/task.rs")),
        ] {
            for needle in ["env::var(\"", "env::var_os(\"", "non_empty(\""] {
                assert!(
                    !text.contains(needle),
                    "{path} reads an environment variable by a literal name; use env_vars"
                );
            }
        }
    }
}
