//! `mfa-mint login PROFILE`: the AWS console in the browser as PROFILE, as `aws-vault login`
//! does. A role profile signs in with its role session (from the same session source as `exec`:
//! one code serves it); a user profile with a GetFederationToken session made from the long-term
//! keys (the console refuses GetSessionToken sessions). The URL is opened in the default browser,
//! or printed with `--print` or when there is no display.

use crate::aws::client::{self, Service};
use crate::aws::federation;
use crate::cli::LoginArgs;
use crate::config::network::Scope;
use crate::config::{Context, ProfileConfig, RoleConfig};
use crate::credentials::Session;
use crate::env_vars;
use crate::error::Error;
use crate::exit;
use crate::login::{self, Error as LoginError};
use crate::minter::{self, session::obtain};
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, args: &LoginArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = super::session_options(&args.session)?;
    // Checked before any request: a typo costs no code and no session.
    login::destination("https://console", args.destination.as_deref(), "r")?;
    let files = ctx.files()?;
    let env = &ctx.env;
    let (session, partition, region, target) =
        if let Some(role) = RoleConfig::resolve(files, &profile, &opts.overrides(), env)? {
            let (session, _) = obtain(ctx, &profile, &opts, seeds)?;
            let partition = role.role_arn.split(':').nth(1).unwrap_or("aws").to_string();
            let target = crate::config::network::resolve(
                files,
                Scope {
                    profile: &role.profile,
                    source: Some(&role.base),
                    region: role.region.clone(),
                    endpoint_url: role.sts_endpoint.clone(),
                    partition: Some(partition.clone()),
                    service: Service::Sts,
                },
                opts.timeout,
                env,
            )?;
            (session, partition, role.region.clone(), target)
        } else {
            let cfg = ProfileConfig::resolve(files, &profile, &opts.overrides(), env)?;
            let plan = minter::plan(ctx, &profile, &opts, seeds)?;
            let partition = crate::arn::parse(&cfg.serial)
                .map(|s| s.partition)
                .unwrap_or_else(|_| client::partition_of_region(&cfg.region).to_string());
            let session = federation_session(&profile, &plan)?;
            (session, partition, cfg.region.clone(), plan.target)
        };
    let region = args.region.clone().unwrap_or(region);
    let signin_override = env_vars::non_empty(env_vars::AWS_ENDPOINT_URL_SIGNIN);
    let hosts = login::hosts(&partition, signin_override.as_deref());
    let destination = login::destination(&hosts.console, args.destination.as_deref(), &region)?;
    let request = login::token_request(&hosts.signin, &session, None);
    let (status, body) =
        federation::get(&request, &target.trust, opts.timeout).map_err(Error::Sts)?;
    let token = match login::signin_token(&body) {
        Some(token) if status == 200 => token,
        _ => {
            return Err(LoginError::Signin {
                endpoint: hosts.signin.clone(),
                status,
                detail: body.chars().take(200).collect(),
            }
            .into());
        }
    };
    let url = login::login_url(&hosts.signin, &destination, &token);
    if !args.print && has_display() && open(url.expose_secret())? {
        output::status(&format!(
            "Opened the AWS console as {profile} in your browser."
        ));
    } else {
        output::outln!("{}", url.expose_secret());
        output::status(&format!(
            "Open it within 15 minutes: it signs whoever opens it in to the AWS console as {profile}."
        ));
    }
    Ok(exit::OK)
}

/// A user profile's console session: GetFederationToken with the long-term keys.
fn federation_session(profile: &str, plan: &minter::Plan) -> Result<Session, Error> {
    let name = login::federated_name(profile);
    federation::get_federation_token(&plan.target, &plan.keys, &name, plan.duration as u32).map_err(
        |e| match e {
            crate::aws::sts::Error::AccessDenied { message } => LoginError::FederationRefused {
                profile: profile.to_string(),
                message,
            }
            .into(),
            other => Error::Sts(other),
        },
    )
}

/// Whether a browser can be shown: always on Windows and macOS; on other systems when an X or
/// Wayland display is set.
fn has_display() -> bool {
    cfg!(any(windows, target_os = "macos"))
        || env_vars::non_empty(env_vars::DISPLAY).is_some()
        || env_vars::non_empty(env_vars::WAYLAND_DISPLAY).is_some()
}

/// Opens `url` in the default browser; `false` when there is no opener program (the URL is then
/// printed instead).
fn open(url: &str) -> Result<bool, Error> {
    let (program, args): (&str, Vec<&str>) = if cfg!(windows) {
        ("rundll32.exe", vec!["url.dll,FileProtocolHandler", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    let status = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status();
    let status = match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        other => other.map_err(|source| LoginError::Browser {
            program: program.to_string(),
            source,
        })?,
    };
    if status.success() {
        Ok(true)
    } else {
        Err(LoginError::Browser {
            program: program.to_string(),
            source: std::io::Error::other(format!("it ended with {status}")),
        }
        .into())
    }
}
