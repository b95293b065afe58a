//! `mfa-mint doctor`: checks the setup, one pass/fail line each with the fix.

use crate::config::Context;
use crate::config::{self, Files, ProfileConfig};
use crate::error::Error;
use crate::exit;
use crate::vault::Seeds;

/// One check's verdict.
pub struct Check {
    pub ok: bool,
    /// A warning does not fail the run.
    pub warning: bool,
    pub what: String,
    pub fix: Option<String>,
}

impl Check {
    fn pass(what: impl Into<String>) -> Check {
        Check {
            ok: true,
            warning: false,
            what: what.into(),
            fix: None,
        }
    }

    fn fail(what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            ok: false,
            warning: false,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }

    fn warn(what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            ok: true,
            warning: true,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }

    fn from_error(what: &str, e: &Error) -> Check {
        Check::fail(
            format!("{what}: {e}"),
            e.hint().unwrap_or_else(|| "see the message".into()),
        )
    }
}

pub fn run(ctx: &Context, profiles: &[String], clock: bool, seeds: &mut Seeds) -> Vec<Check> {
    let mut checks = Vec::new();
    let files = match ctx.files() {
        Ok(f) => {
            checks.push(Check::pass(format!(
                "AWS files readable ({}, {})",
                f.display_config(),
                f.display_credentials()
            )));
            f
        }
        Err(e) => {
            checks.push(Check::from_error("AWS files", &e));
            return checks;
        }
    };
    checks.extend(file_mode(&files.credentials_path));

    match seeds.store() {
        Ok(store) => match store.get("mfa-mint-doctor-probe") {
            Ok(_) => checks.push(Check::pass(format!(
                "{} keyring reachable and unlocked",
                store.backend()
            ))),
            Err(e) => checks.push(Check::from_error("keyring", &Error::Keyring(e))),
        },
        Err(e) => checks.push(Check::from_error("keyring", &e.into())),
    }
    // Only cron starts jobs in a bare environment without the login session's keyring; Task
    // Scheduler and launchd run them in the user's session (and a Windows program started
    // with an empty environment lacks even SystemRoot).
    #[cfg(target_os = "linux")]
    checks.push(cron_like_keyring());
    checks.push(schedule_check());

    // With none named, every role profile too: the ones that would still prompt are pointed out.
    let profiles = config::named_or_all(files, profiles);
    if profiles.is_empty() {
        checks.push(Check::fail(
            "no profile is set up for mfa-mint",
            "mfa-mint import PROFILE --serial ARN < seed.txt",
        ));
    }
    for p in &profiles {
        if files.config_value(p, config::keys::ROLE_ARN).is_some() {
            let (ok, what, fix) = crate::minter::roles::diagnose(files, p);
            checks.push(if ok {
                Check::pass(what)
            } else {
                Check::warn(what, fix.unwrap_or_else(|| "see the message".into()))
            });
            continue;
        }
        checks.extend(check_profile(ctx, files, p, clock, seeds));
    }
    checks
}

fn check_profile(
    ctx: &Context,
    files: &Files,
    p: &str,
    clock: bool,
    seeds: &mut Seeds,
) -> Vec<Check> {
    let mut out = Vec::new();
    let env = &ctx.env;
    // Keys in the credentials file win over credential_process: the AWS CLI never runs it then.
    if files
        .config_value(p, config::keys::CREDENTIAL_PROCESS)
        .is_some()
        && files
            .credentials_value(p, config::keys::ACCESS_KEY_ID)
            .is_some()
    {
        out.push(Check::fail(
            format!(
                "{p}: [{p}] of the credentials file holds keys that shadow its credential_process: the AWS CLI and SDKs use those and never run it"
            ),
            if config::session_expiry(files, p).is_some() {
                format!(
                    "run `mfa-mint setup-credential-process {p}` again: it removes that session from the credentials file"
                )
            } else {
                format!(
                    "delete the keys in [{p}] of {} (or move them to [{p}-long-term])",
                    files.display_credentials()
                )
            },
        ));
    }
    // The same resolver as minting, so doctor and mint never disagree about a profile.
    let resolved = match ProfileConfig::resolve(files, p, &config::Overrides::default(), env) {
        Ok(cfg) => {
            match crate::minter::long_term_keys(
                seeds,
                config::keys_of(files, &cfg.source).unwrap_or(config::Keys::Keyring),
                &cfg.source,
            ) {
                Ok(k) => out.push(Check::pass(format!(
                    "{p}: long-term keys of [{}] ({}){}",
                    cfg.source,
                    crate::secret::mask(&k.access_key_id),
                    if matches!(cfg.keys, config::Keys::Keyring) {
                        " in the keyring"
                    } else {
                        ""
                    }
                ))),
                Err(e) => out.push(Check::from_error(p, &e)),
            }
            Some(cfg)
        }
        Err(e) => {
            out.push(Check::from_error(p, &e));
            None
        }
    };
    let source = resolved
        .as_ref()
        .map(|c| c.source.clone())
        .or_else(|| config::resolve_source(files, p, None).ok());
    let serial = match config::resolve_serial(files, p, source.as_deref())
        .and_then(|s| Ok(crate::arn::parse(&s)?.arn))
    {
        Ok(s) => {
            out.push(Check::pass(format!(
                "{p}: MFA device {}",
                crate::arn::mask_serial(&s)
            )));
            s
        }
        Err(e) => {
            if resolved.is_some() {
                out.push(Check::from_error(p, &e));
            }
            return out;
        }
    };
    let target = resolved
        .as_ref()
        .and_then(|cfg| network_check(files, cfg, env, &mut out));
    match seeds.load(&serial) {
        Ok(seed) if seed.is_aws_compatible() => out.push(Check::pass(format!(
            "{p}: seed in keyring, generates codes"
        ))),
        Ok(_) => out.push(Check::warn(
            format!("{p}: the stored seed is not SHA1/6 digits/30 s"),
            "AWS virtual MFA only uses SHA1, 6 digits, 30 s: re-import the right seed",
        )),
        Err(e) => out.push(Check::from_error(p, &e.into())),
    }
    if let Some(last) = crate::state::runlog::last(p) {
        if last.outcome == "error" {
            out.push(Check::fail(
                format!(
                    "{p}: last run at {} failed: {}",
                    crate::clock::format_local(last.at),
                    last.message.unwrap_or_default()
                ),
                format!("run `mfa-mint {p}` to see the error and its hint"),
            ));
        } else {
            out.push(Check::pass(format!(
                "{p}: last run at {} {}",
                crate::clock::format_local(last.at),
                last.outcome
            )));
        }
    }
    if clock && let (Some(cfg), Some(target)) = (resolved, target) {
        out.push(clock_check(cfg, &target, seeds));
    }
    out
}

/// Where this profile's requests go and whom they trust: the CA bundle (`AWS_CA_BUNDLE`,
/// `ca_bundle`) must be a readable PEM file, the proxy setting a URL. An untrusted certificate
/// itself shows with `--clock`, which makes one request through them.
fn network_check(
    files: &Files,
    cfg: &ProfileConfig,
    env: &config::Env,
    out: &mut Vec<Check>,
) -> Option<crate::aws::sts::Target> {
    let p = &cfg.profile;
    match crate::config::network::resolve(
        files,
        crate::config::network::Scope::sts(cfg),
        std::time::Duration::from_secs(10),
        env,
    ) {
        Ok(target) => {
            out.push(Check::pass(format!("{p}: STS {}", target.describe())));
            Some(target)
        }
        Err(e) => {
            out.push(Check::from_error(p, &Error::Network(e)));
            None
        }
    }
}

/// Runs `mfa-mint doctor --probe-keyring` with only HOME, PATH and LOGNAME, as cron would.
#[cfg(target_os = "linux")]
fn cron_like_keyring() -> Check {
    let what = "keyring reachable from a cron-like environment (only HOME and PATH set)";
    let Ok(exe) = std::env::current_exe() else {
        return Check::warn(what, "cannot find mfa-mint's own path to test it");
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.env_clear().args(["doctor", "--probe-keyring"]);
    for var in [
        "HOME",
        "PATH",
        "LOGNAME",
        "USER",
        crate::vault::store::BACKEND_ENV,
    ] {
        if let Some(value) = crate::env_vars::var_os(var) {
            cmd.env(var, value);
        }
    }
    let ok = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Check::pass(what)
    } else {
        Check::warn(
            format!("{what}: not reachable"),
            "a scheduled job may fail: keep a login session (`loginctl enable-linger`) so the Secret Service runs, or use MFA_MINT_KEYRING=keyutils (see the README)",
        )
    }
}

/// Whether a refresh job is installed for this platform's default scheduler, and for which
/// profiles. A scheduler that cannot be asked (wine's schtasks) is not taken for "installed".
fn schedule_check() -> Check {
    let platform = crate::schedule::Platform::default_for_os();
    match crate::schedule::read(platform) {
        Ok(Some(installed)) => Check::pass(format!(
            "scheduled refresh installed ({platform}): {} every {}",
            installed.job.profiles.join(", "),
            crate::schedule::interval::human(installed.job.every_secs)
        )),
        Ok(None) => Check::warn(
            format!("no scheduled refresh installed ({platform})"),
            "mfa-mint schedule install PROFILE --every 1h",
        ),
        Err(e) => Check::warn(
            format!("cannot tell whether a refresh is scheduled ({platform}): {e}"),
            e.hint().unwrap_or_default(),
        ),
    }
}

fn clock_check(cfg: ProfileConfig, target: &crate::aws::sts::Target, seeds: &mut Seeds) -> Check {
    let keys = match crate::minter::long_term_keys(seeds, cfg.keys, &cfg.source) {
        Ok(k) => k,
        Err(e) => return Check::from_error("clock", &e),
    };
    match crate::aws::sts::clock_offset(target, &keys) {
        Ok(offset) => {
            crate::state::skew::save(offset);
            if offset.abs() > crate::state::skew::WARN_SECS {
                Check::warn(
                    format!("clock is {offset:+.0} s off AWS (mfa-mint corrects for it)"),
                    "enable time sync (NTP): other tools will fail with this offset",
                )
            } else {
                Check::pass(format!(
                    "clock within a few seconds of AWS ({offset:+.0} s)"
                ))
            }
        }
        Err(e) => Check::from_error("clock", &Error::Sts(e)),
    }
}

#[cfg(unix)]
fn file_mode(path: &std::path::Path) -> Option<Check> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    Some(if mode & 0o077 != 0 {
        Check::warn(
            format!(
                "{} is readable by other users (mode {:o})",
                path.display(),
                mode & 0o777
            ),
            format!("chmod 600 {}", path.display()),
        )
    } else {
        Check::pass(format!(
            "{} is private (mode {:o})",
            path.display(),
            mode & 0o777
        ))
    })
}

#[cfg(not(unix))]
fn file_mode(_path: &std::path::Path) -> Option<Check> {
    None
}

/// Prints the checks; true when none failed.
impl Check {
    /// `ok`, `warn` or `fail`.
    pub fn status(&self) -> &'static str {
        match (self.ok, self.warning) {
            (true, false) => "ok",
            (true, true) => "warn",
            (false, _) => "fail",
        }
    }
}

/// Prints the checks (as JSON with `as_json`); true when none failed.
pub fn print(checks: &[Check], as_json: bool) -> bool {
    let all_ok = checks.iter().all(|c| c.ok);
    if as_json {
        let list: Vec<_> = checks
            .iter()
            .map(|c| serde_json::json!({ "status": c.status(), "check": c.what, "fix": c.fix }))
            .collect();
        crate::output::outln!("{}", serde_json::json!({ "ok": all_ok, "checks": list }));
        return all_ok;
    }
    for c in checks {
        let mark = match c.status() {
            "ok" => "ok  ",
            "warn" => "warn",
            _ => "FAIL",
        };
        crate::output::outln!("[{mark}] {}", c.what);
        if let Some(fix) = &c.fix {
            crate::output::outln!("       fix: {fix}");
        }
    }
    all_ok
}

pub(crate) fn run_command(
    ctx: &mut Context,
    args: &crate::cli::DoctorArgs,
    seeds: &mut Seeds,
) -> Result<u8, Error> {
    if args.probe_keyring {
        seeds.store()?.get("mfa-mint-doctor-probe")?;
        return Ok(exit::OK);
    }
    let named = [&args.profiles[..], &args.profile_flags[..]].concat();
    // A profile named by mistake is one error line, not a report about a profile nobody has.
    let files = ctx.files().ok();
    for p in &named {
        crate::config::check_name(p)?;
        if let Some(files) = files {
            crate::config::check_known(files, p)?;
        }
    }
    let checks = run(ctx, &named, args.clock, seeds);
    Ok(if print(&checks, args.json) {
        exit::OK
    } else {
        exit::CONFIG
    })
}
