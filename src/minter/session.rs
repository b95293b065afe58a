//! Sessions without plaintext files: `credential-process`, `exec` and `env`.
//!
//! A session comes from the credentials file when it holds a fresh one, else from the keyring
//! cache (`session/PROFILE`), else it is minted (never prompting) and cached in the keyring, so
//! repeated calls within the refresh window make no STS request.

use crate::clock::format_rfc3339;
use crate::config::{self, Context, Files, RoleConfig, Timing, keys};
use crate::credentials::Session;
use crate::error::Error;
pub use crate::minter::Origin;
use crate::minter::lock::DeviceLock;
use crate::minter::{self, Options, Outcome, roles, single_flight};
use crate::output;
use crate::secret::SecretText;
use crate::vault::Seeds;

/// A session for `profile` with more than the refresh window left, from the first source that
/// has one: the credentials file, the keyring cache, STS (then cached in the keyring). A mint or
/// a failure to mint is recorded for `status`, as `mfa-mint PROFILE` records its runs. Concurrent
/// callers make one request: see [`single_flight`](crate::minter::single_flight).
///
/// The one place that decides "role or not": a role profile's session is assumed from its base
/// profile's session, obtained here first ([`roles`] only ever gets a session handed in).
pub fn obtain(
    ctx: &Context,
    profile: &str,
    opts: &Options,
    seeds: &mut Seeds,
) -> Result<(Session, Origin), Error> {
    config::check_name(profile)?;
    let files = ctx.files()?;
    if let Some(role) = RoleConfig::resolve(files, profile, &opts.overrides(), &ctx.env)? {
        return obtain_role(ctx, &role, opts, seeds);
    }
    let window = Timing::resolve(files, profile, &opts.overrides())?.refresh;
    if let Some(found) = stored(files, profile, opts, window, seeds)? {
        return Ok(found);
    }
    let result = single_flight::mint_session(ctx, profile, opts, seeds, |seeds| {
        // Re-checked under the device lock: another process may just have minted.
        match ctx.files_changed_since()? {
            Some(now) => stored(&now, profile, opts, window, seeds),
            None => stored(files, profile, opts, window, seeds),
        }
    });
    match &result {
        Ok((session, Origin::Minted)) => {
            minter::record(
                profile,
                Ok(Outcome::Minted {
                    expiration: session.expiration,
                }),
            );
            minter::remember_source(ctx, profile, opts)?;
        }
        Err(e) => minter::record(profile, Err(e)),
        Ok(_) => {}
    }
    result
}

/// A session of the role: the keyring cache while fresh, else AssumeRole from the base
/// profile's session (itself from the credentials file, the keyring cache or a new mint).
fn obtain_role(
    ctx: &Context,
    role: &RoleConfig,
    opts: &Options,
    seeds: &mut Seeds,
) -> Result<(Session, Origin), Error> {
    if !opts.force
        && let Some(cached) = roles::cached(role, seeds)?
    {
        return Ok((cached, Origin::KeyringCache));
    }
    // One AssumeRole per role at a time, as one GetSessionToken per device: whoever gets the
    // lock second finds the role's session the first one cached (ten SDK processes asking for a
    // role right after expiry make one request). The keyring was read above, so nothing under
    // the lock asks to unlock it.
    let _lock = DeviceLock::acquire(&format!("role {}", role.profile), &role.profile)?;
    if !opts.force
        && let Some(cached) = roles::cached(role, seeds)?
    {
        output::debug(1, || {
            format!(
                "{}: another run just assumed the role; using its session",
                role.profile
            )
        });
        return Ok((cached, Origin::KeyringCache));
    }
    // The base keeps its own settings; --force renews the role, never spends another code.
    let base_opts = Options {
        timeout: opts.timeout,
        ..Options::default()
    };
    let (base, origin) = obtain(ctx, &role.base, &base_opts, seeds)?;
    output::debug(1, || {
        format!(
            "{}: assuming {} from the session of {} ({origin:?}), {} s",
            role.profile, role.role_arn, role.base, role.duration
        )
    });
    let assumed = roles::assume(ctx, role, &base, opts);
    minter::record(
        &role.profile,
        assumed.as_ref().map(|s| Outcome::Minted {
            expiration: s.expiration,
        }),
    );
    let assumed = assumed?;
    seeds.cache_session(&role.profile, &assumed, ctx.reporter);
    Ok((assumed, Origin::Minted))
}

/// A stored session with more than `window` seconds left (none with `--force`).
fn stored(
    files: &Files,
    profile: &str,
    opts: &Options,
    window: u64,
    seeds: &mut Seeds,
) -> Result<Option<(Session, Origin)>, Error> {
    if opts.force {
        return Ok(None);
    }
    if let Some(session) = from_credentials_file(files, profile)
        && minter::is_fresh(profile, session.expiration, window)
    {
        return Ok(Some((session, Origin::CredentialsFile)));
    }
    if let Some(session) = seeds.load_session(profile)?
        && minter::is_fresh(profile, session.expiration, window)
    {
        return Ok(Some((session, Origin::KeyringCache)));
    }
    Ok(None)
}

fn from_credentials_file(files: &Files, profile: &str) -> Option<Session> {
    let expiration = config::session_expiry(files, profile)?;
    Some(Session {
        access_key_id: files.credentials_value(profile, keys::ACCESS_KEY_ID)?,
        secret_access_key: SecretText::from_string(
            files.credentials_value(profile, keys::SECRET_ACCESS_KEY)?,
        ),
        session_token: SecretText::from_string(
            files.credentials_value(profile, keys::SESSION_TOKEN)?,
        ),
        expiration,
    })
}

/// The environment variables a child process gets.
pub fn variables(session: &Session) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", session.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            session.secret_access_key.expose_secret().to_string(),
        ),
        (
            "AWS_SESSION_TOKEN",
            session.session_token.expose_secret().to_string(),
        ),
        (
            "AWS_CREDENTIAL_EXPIRATION",
            format_rfc3339(session.expiration),
        ),
    ]
}

/// The variable `exec` and `env` set to the profile whose session they put into the environment
/// (as aws-vault's `AWS_VAULT`): tools and prompts can show it, and a nested `exec` of another
/// profile is refused while it is set.
pub const MARKER: &str = crate::env_vars::MFA_MINT_PROFILE;

/// Everything `exec` and `env` put into the environment for `profile`: the session, the region
/// the profile resolves to (profile, source profile, AWS_REGION, AWS_DEFAULT_REGION, us-east-1;
/// the child no longer names the profile, so its SDKs cannot read it there) and [`MARKER`].
pub fn environment(
    ctx: &Context,
    profile: &str,
    source_flag: Option<&str>,
    session: &Session,
) -> Result<Vec<(&'static str, String)>, Error> {
    let files = ctx.files()?;
    let source = config::resolve_source(files, profile, source_flag).unwrap_or_default();
    let region = config::region(files, profile, &source, &ctx.env);
    let mut vars = variables(session);
    vars.push((crate::env_vars::AWS_REGION, region.clone()));
    vars.push((crate::env_vars::AWS_DEFAULT_REGION, region));
    vars.push((MARKER, profile.to_string()));
    Ok(vars)
}

/// `aws-vault export --format ini`'s form: the session as a profile of the credentials file.
pub fn render_ini(profile: &str, vars: &[(&str, String)]) -> SecretText {
    let mut out = format!(
        "[{}]\n",
        crate::aws_files::names::credentials_section(profile)
    );
    for (k, v) in vars {
        let key = match *k {
            "AWS_ACCESS_KEY_ID" => "aws_access_key_id",
            "AWS_SECRET_ACCESS_KEY" => "aws_secret_access_key",
            "AWS_SESSION_TOKEN" => "aws_session_token",
            "AWS_CREDENTIAL_EXPIRATION" => "aws_credential_expiration",
            "AWS_REGION" => "region",
            _ => continue,
        };
        out.push_str(&format!("{key} = {v}\n"));
    }
    SecretText::from_string(out)
}

/// `KEY=value` lines (a dotenv file, `docker run --env-file`): no quoting, nothing unset.
pub fn render_dotenv(vars: &[(&str, String)]) -> SecretText {
    let mut out = String::new();
    for (k, v) in vars {
        out.push_str(&format!("{k}={v}\n"));
    }
    SecretText::from_string(out)
}

/// One JSON object of the variables.
pub fn render_json(vars: &[(&str, String)]) -> SecretText {
    let map: serde_json::Map<String, serde_json::Value> = vars
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    SecretText::from_string(format!("{}\n", serde_json::Value::Object(map)))
}

/// Variables that would make SDKs in the child look elsewhere for credentials.
pub const CONFLICTING: &[&str] = &["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// Shells `mfa-mint env` can print for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Sh,
    Fish,
    Powershell,
}

impl Shell {
    /// The shell a user of this OS types into: PowerShell on Windows, else a POSIX shell.
    pub fn default_for_os() -> Shell {
        if cfg!(windows) {
            Shell::Powershell
        } else {
            Shell::Sh
        }
    }
}

pub fn render_env(vars: &[(&str, String)], shell: Shell) -> SecretText {
    let mut out = String::new();
    for var in CONFLICTING {
        out.push_str(&match shell {
            Shell::Sh => format!("unset {var}\n"),
            Shell::Fish => format!("set -e {var}\n"),
            Shell::Powershell => format!("Remove-Item Env:{var} -ErrorAction SilentlyContinue\n"),
        });
    }
    for (k, v) in vars {
        out.push_str(&match shell {
            Shell::Sh => format!("export {k}='{}'\n", v.replace('\'', r"'\''")),
            Shell::Fish => format!(
                "set -gx {k} '{}'\n",
                v.replace('\\', r"\\").replace('\'', r"\'")
            ),
            Shell::Powershell => format!("$Env:{k} = '{}'\n", v.replace('\'', "''")),
        });
    }
    SecretText::from_string(out)
}

/// The `credential_process` command line for `profile`, with the binary's absolute path quoted
/// when needed. Its readers split it like a shell: on unix botocore `shlex.split`s it and the Go
/// and JavaScript SDKs hand it to `sh -c`, so it is quoted for sh ('…', which both read alike);
/// on Windows botocore splits it by the Windows rules and the SDKs hand it to `cmd.exe /C`, so
/// it is quoted in "…" (Windows paths often have spaces and never a `"`). Profile names never
/// need quoting ([`config::check_name`]), but are quoted the same way should one ever do.
pub fn credential_process_line(exe: &std::path::Path, profile: &str) -> String {
    let quote = if cfg!(windows) {
        windows_quote
    } else {
        posix_quote
    };
    format!(
        "{} credential-process {}",
        quote(&exe.display().to_string()),
        quote(profile)
    )
}

/// A word for sh and Python's shlex: bare when it has nothing either treats specially.
fn posix_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || crate::aws_files::NAME_PUNCTUATION.contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A word for Windows command lines: in "…" when it has a space (a `"` cannot be in a path).
fn windows_quote(s: &str) -> String {
    if !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == '"') {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

/// `mfa-mint setup-credential-process PROFILE`: points the profile at us in the config file and
/// removes a session we minted into the credentials file (it would shadow credential_process).
pub fn setup_credential_process(ctx: &Context, profile: &str) -> Result<String, Error> {
    config::check_name(profile)?;
    let files = ctx.files()?;
    config::check_known(files, profile)?;
    if let Some(role_arn) = files.config_value(profile, keys::ROLE_ARN) {
        // The AWS CLI and SDKs assume the role and never run a credential_process next to it.
        return Err(Error::CredentialProcessOnRole {
            profile: profile.to_string(),
            role_arn,
        });
    }
    config::check_target(
        files.credentials.as_ref(),
        profile,
        &files.display_credentials(),
    )?;
    let exe = std::env::current_exe().map_err(|e| Error::Io {
        action: "find the path of mfa-mint".into(),
        source: e,
    })?;
    let line = credential_process_line(&exe, profile);
    crate::config::edit::config_file(files, |doc: &mut crate::aws_files::Document| {
        doc.set(
            &doc.config_section_for(profile),
            "credential_process",
            &line,
        )?;
        Ok::<(), Error>(())
    })?;
    if config::session_expiry(files, profile).is_some() {
        crate::config::edit::credentials_file(files, |doc: &mut crate::aws_files::Document| {
            for key in [
                keys::ACCESS_KEY_ID,
                keys::SECRET_ACCESS_KEY,
                keys::SESSION_TOKEN,
                keys::EXPIRATION,
            ] {
                doc.remove_key(profile, key);
            }
            Ok::<(), Error>(())
        })?;
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretText::new("se'cret"),
            session_token: SecretText::new("tok"),
            expiration: 1_795_993_373,
        }
    }

    #[test]
    fn env_lines_quote_values_per_shell() {
        let vars = variables(&session());
        let sh = render_env(&vars, Shell::Sh);
        assert!(
            sh.expose_secret()
                .contains("export AWS_SECRET_ACCESS_KEY='se'\\''cret'\n")
        );
        assert!(sh.expose_secret().starts_with("unset AWS_PROFILE\n"));
        let ps = render_env(&vars, Shell::Powershell);
        assert!(
            ps.expose_secret()
                .contains("$Env:AWS_SECRET_ACCESS_KEY = 'se''cret'\n")
        );
        let fish = render_env(&vars, Shell::Fish);
        assert!(
            fish.expose_secret()
                .contains("set -gx AWS_SECRET_ACCESS_KEY 'se\\'cret'\n")
        );
    }

    #[test]
    fn credential_process_line_quotes_paths_with_spaces() {
        assert_eq!(
            windows_quote("C:\\Program Files\\mfa-mint\\mfa-mint.exe"),
            "\"C:\\Program Files\\mfa-mint\\mfa-mint.exe\""
        );
        assert_eq!(windows_quote("dev"), "dev");
        assert_eq!(posix_quote("/usr/bin/mfa-mint"), "/usr/bin/mfa-mint");
        assert_eq!(
            posix_quote("/home/al ice/it's $HOME/mfa-mint"),
            "'/home/al ice/it'\\''s $HOME/mfa-mint'"
        );
        // A backslash is kept as it is (shlex would drop it outside quotes).
        assert_eq!(posix_quote(r"/opt/a\b"), r"'/opt/a\b'");
        assert_eq!(posix_quote("team/dev.prod@x"), "team/dev.prod@x");
        if cfg!(unix) {
            let line = credential_process_line(std::path::Path::new("/usr/bin/mfa-mint"), "dev");
            assert_eq!(line, "/usr/bin/mfa-mint credential-process dev");
        }
    }
}
