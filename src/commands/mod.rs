//! One file per subcommand: each turns parsed arguments into calls of the core (config, vault,
//! totp, aws, minter) and hands what comes back to `output`. `dispatch` picks the file.

pub(crate) mod clear;
pub(crate) mod code;
pub(crate) mod completions;
pub(crate) mod credential_process;
pub(crate) mod doctor;
pub(crate) mod enroll;
pub(crate) mod env;
pub(crate) mod exec;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod link;
pub(crate) mod list;
pub(crate) mod login;
pub(crate) mod mint;
pub(crate) mod remove;
pub(crate) mod rename;
pub(crate) mod rotate;
pub(crate) mod schedule;
pub(crate) mod serve;
pub(crate) mod status;

use crate::cli::{Cli, Command, MintingArgs, ProfileArg, SessionArgs};
use crate::config::Context;
use crate::error::Error;
use crate::minter;
use crate::output;
use crate::vault::Seeds;

/// Runs the parsed command; the exit code on success (some commands report failure by code).
pub(crate) fn dispatch(cli: Cli, ctx: &mut Context) -> Result<u8, Error> {
    let mut seeds = Seeds::lazy();
    crate::state::ledger::set_actor(verb(&cli.command));
    match cli.command {
        Command::Mint(args) => mint::run(ctx, &args, &mut seeds),
        Command::Import(args) => import::run(ctx, &args, &mut seeds),
        Command::Code(args) => code::run(ctx, &args, &mut seeds),
        Command::Enroll(args) => enroll::run(ctx, &args, &mut seeds),
        Command::Rotate(args) => rotate::run(ctx, &args, &mut seeds),
        Command::Export(args) => export::run(ctx, &args, &mut seeds),
        Command::CredentialProcess(args) => {
            // Run by an SDK: never prompt, and keep stderr for errors only.
            output::init(cli.global.verbose, true, true);
            output::announce_waits();
            credential_process::run(ctx, &args, &mut seeds)
        }
        Command::SetupCredentialProcess(args) => credential_process::setup(ctx, &args),
        Command::Exec(args) => exec::run(ctx, &args, &mut seeds),
        Command::Env(args) => env::run(ctx, &args, &mut seeds),
        Command::Serve(args) => serve::run(ctx, &args, &mut seeds),
        Command::Login(args) => login::run(ctx, &args, &mut seeds),
        Command::Keys(cmd) => keys::run(ctx, cmd, &mut seeds),
        Command::Schedule(cmd) => schedule::run(ctx, cmd),
        Command::List(args) => list::run(ctx, &args, &mut seeds),
        Command::Remove(args) => {
            remove::run(ctx, &one_profile(&args.profile), args.yes, &mut seeds)
        }
        Command::Clear {
            profiles,
            credentials_file,
        } => clear::run(ctx, &profiles, credentials_file, &mut seeds),
        Command::Rename { from, to } => rename::run(ctx, &from, &to),
        Command::Link(args) => link::run(
            ctx,
            &one_profile(&args.profile),
            &args.serial,
            args.source.as_deref(),
            &mut seeds,
        ),
        Command::Status(args) => status::run(ctx, &args, &mut seeds),
        Command::Doctor(args) => doctor::run_command(ctx, &args, &mut seeds),
        Command::Completions(args) => completions::run(&args),
    }
}

/// The command's name as typed (`code`, `credential-process`).
fn verb(command: &Command) -> &'static str {
    match command {
        Command::Mint(_) => "mint",
        Command::Import(_) => "import",
        Command::Code(_) => "code",
        Command::Enroll(_) => "enroll",
        Command::Rotate(_) => "rotate",
        Command::Export(_) => "export",
        Command::CredentialProcess(_) => "credential-process",
        Command::SetupCredentialProcess(_) => "setup-credential-process",
        Command::Exec(_) => "exec",
        Command::Env(_) => "env",
        Command::Serve(_) => "serve",
        Command::Login(_) => "login",
        Command::Keys(_) => "keys",
        Command::Schedule(_) => "schedule",
        Command::List(_) => "list",
        Command::Remove(_) => "remove",
        Command::Clear { .. } => "clear",
        Command::Rename { .. } => "rename",
        Command::Link(_) => "link",
        Command::Status(_) => "status",
        Command::Doctor(_) => "doctor",
        Command::Completions(_) => "completions",
    }
}

/// The profiles named on the command line (as `PROFILE…` and `-p/--profile`), else
/// `$AWS_PROFILE`, else `default`, as the AWS CLI and aws-mfa do.
pub(super) fn profiles_or_env(given: &[String], flags: &[String]) -> Vec<String> {
    let named: Vec<String> = given.iter().chain(flags).cloned().collect();
    if !named.is_empty() {
        return named;
    }
    vec![default_profile()]
}

/// One profile: `PROFILE` or `-p PROFILE`, else `$AWS_PROFILE`, else `default`.
pub(super) fn one_profile(arg: &ProfileArg) -> String {
    arg.given().map_or_else(default_profile, str::to_string)
}

fn default_profile() -> String {
    crate::env_vars::non_empty(crate::env_vars::AWS_PROFILE).unwrap_or_else(|| "default".into())
}

/// A `--timeout` value, clamped to 1 s .. 10 min.
pub(super) fn timeout(value: &str) -> Result<std::time::Duration, Error> {
    let secs = crate::duration::parse(value).map_err(|source| Error::Duration {
        flag: "--timeout",
        source,
    })?;
    Ok(std::time::Duration::from_secs(secs.clamp(1, 600)))
}

pub(super) fn minting_options(args: &MintingArgs) -> Result<minter::Options, Error> {
    if let Some(source) = &args.source {
        crate::config::check_name(source)?;
    }
    Ok(minter::Options {
        source: args.source.clone(),
        duration: args.duration.clone(),
        min_remaining: args.min_remaining.clone(),
        force: args.force,
        timeout: timeout(&args.timeout)?,
    })
}

pub(super) fn session_options(args: &SessionArgs) -> Result<(String, minter::Options), Error> {
    Ok((one_profile(&args.profile), minting_options(&args.minting)?))
}

/// Prints the forms asked for; a QR code comes with the warning that it is the secret (the URI
/// alone was asked for with `--yes` or after the question, which says as much).
pub(super) fn show_secret(
    uri: &crate::secret::SecretText,
    show_qr: bool,
    qr_png: Option<&std::path::Path>,
    print_uri: bool,
) -> Result<(), Error> {
    let qr_err = |e: crate::qr::Error| Error::Io {
        action: "render the QR code".into(),
        source: std::io::Error::other(e.to_string()),
    };
    if show_qr || qr_png.is_some() {
        crate::output::errln!("warning: {}", crate::enrollment::QR_WARNING);
    }
    if show_qr {
        crate::output::outln!(
            "{}",
            crate::qr::terminal(uri.expose_secret()).map_err(qr_err)?
        );
    }
    if let Some(path) = qr_png {
        let png = zeroize::Zeroizing::new(crate::qr::png(uri.expose_secret()).map_err(qr_err)?);
        crate::enrollment::write_png(path, &png)?;
        crate::output::status(&format!(
            "wrote the QR code to {} (mode 0600)",
            path.display()
        ));
    }
    if print_uri {
        crate::output::outln!("{}", uri.expose_secret());
    }
    Ok(())
}
