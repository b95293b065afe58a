//! `mfa-mint exec PROFILE [--] [CMD…]`: run a command (default: the user's shell) with the
//! session and the profile's region in its environment, as `aws-vault exec` does.
//!
//! On Unix mfa-mint replaces itself with the command (execve), so Ctrl-C and every other signal
//! reach the command directly and its exit status is the shell's to see; nothing of mfa-mint
//! stays around. Elsewhere it runs the command as a child and passes its exit code on.

use crate::cli::ExecArgs;
use crate::config::{self, Env, Files};
use crate::env_vars;
use crate::error::Error;
use crate::minter::session::{CONFLICTING, obtain, variables};
use crate::vault::Seeds;

/// Runs CMD with the session in its environment; returns its exit code where it cannot replace
/// this process.
pub(crate) fn run(args: &ExecArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile());
    let opts = super::minting_options(&args.session.minting)?;
    let command = args.program();
    let (program, rest) = match command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (default_shell(), Vec::new()),
    };
    // Checked before minting: a typo costs no code step.
    if !exists(&program) {
        return Err(Error::CommandNotFound { program });
    }
    let (session, _) = obtain(&profile, &opts, seeds)?;
    let region = region_of(&profile, opts.source.as_deref())?;
    let mut child = std::process::Command::new(&program);
    child.args(&rest);
    for var in CONFLICTING {
        child.env_remove(var);
    }
    for (k, v) in variables(&session) {
        child.env(k, v);
    }
    // The AWS CLI and SDKs read the region from the profile, which the child no longer names.
    child.env(env_vars::AWS_REGION, &region);
    child.env(env_vars::AWS_DEFAULT_REGION, &region);
    crate::output::debug(1, || {
        format!("{profile}: running {program} in region {region}")
    });
    replace_or_wait(child, &program)
}

/// The region the profile resolves to (profile, source profile, AWS_REGION, AWS_DEFAULT_REGION,
/// us-east-1), the one mfa-mint itself uses for STS.
fn region_of(profile: &str, source_flag: Option<&str>) -> Result<String, Error> {
    let files = Files::load()?;
    let source = config::resolve_source(&files, profile, source_flag).unwrap_or_default();
    Ok(config::region(
        &files,
        profile,
        &source,
        &Env::from_process(),
    ))
}

/// `$SHELL`, else `/bin/sh`; on Windows `%COMSPEC%`, else PowerShell.
fn default_shell() -> String {
    #[cfg(windows)]
    let (var, fallback) = (env_vars::COMSPEC, "powershell.exe");
    #[cfg(not(windows))]
    let (var, fallback) = (env_vars::SHELL, "/bin/sh");
    env_vars::non_empty(var).unwrap_or_else(|| fallback.to_string())
}

/// Whether `program` names a file: a path as given, else a file in a directory of PATH (as the
/// exec below will search). Windows also tries PATHEXT's extensions, so there it only rules out
/// paths; the launch itself reports the rest.
fn exists(program: &str) -> bool {
    let path = std::path::Path::new(program);
    if cfg!(windows) || path.components().count() > 1 {
        return cfg!(windows) && path.components().count() == 1 || path.exists();
    }
    std::env::var_os(env_vars::PATH)
        .is_some_and(|dirs| std::env::split_paths(&dirs).any(|dir| dir.join(path).is_file()))
}

fn launch_error(program: &str, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::CommandNotFound {
            program: program.to_string(),
        },
        _ => Error::CannotRun {
            program: program.to_string(),
            source: e,
        },
    }
}

#[cfg(unix)]
fn replace_or_wait(mut child: std::process::Command, program: &str) -> Result<u8, Error> {
    use std::os::unix::process::CommandExt;
    // Only returns on failure.
    let e = child.exec();
    Err(launch_error(program, e))
}

#[cfg(not(unix))]
fn replace_or_wait(mut child: std::process::Command, program: &str) -> Result<u8, Error> {
    // The child shares the console and gets Ctrl-C itself; mfa-mint stays to pass its code on.
    crate::interrupt::leave_to_child();
    let status = child.status().map_err(|e| launch_error(program, e))?;
    Ok(status.code().map_or(1, |c| c as u8))
}
