//! `mfa-mint exec PROFILE -- CMD`: run a command with the session in its environment.

use super::session_options;
use crate::cli::ExecArgs;
use crate::error::Error;
use crate::minter::session::{CONFLICTING, obtain, variables};
use crate::vault::Seeds;

/// Runs CMD with the session in its environment and returns its exit code.
pub(crate) fn run(args: &ExecArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = session_options(&args.session)?;
    // Checked before minting: a typo costs no code step.
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::NoCommand);
    };
    let (session, _) = obtain(&profile, &opts, seeds)?;
    let mut child = std::process::Command::new(program);
    child.args(rest);
    for var in CONFLICTING {
        child.env_remove(var);
    }
    for (k, v) in variables(&session) {
        child.env(k, v);
    }
    let status = child.status().map_err(|e| Error::Io {
        action: format!("run {program}"),
        source: e,
    })?;
    Ok(exit_code_of(status))
}

#[cfg(unix)]
fn exit_code_of(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        _ => 1,
    }
}

#[cfg(not(unix))]
fn exit_code_of(status: std::process::ExitStatus) -> u8 {
    status.code().map_or(1, |c| c as u8)
}
