//! `mfa-mint exec PROFILE [--] [CMD…]`: run a command (default: the user's shell) with the
//! session and the profile's region in its environment, as `aws-vault exec` does.
//!
//! On Unix mfa-mint replaces itself with the command (execve), so Ctrl-C and every other signal
//! reach the command directly and its exit status is the shell's to see; nothing of mfa-mint
//! stays around. Elsewhere it runs the command as a child and passes its exit code on.

use crate::cli::ExecArgs;
use crate::config::Context;
use crate::env_vars;
use crate::error::Error;
use crate::minter::session::{CONFLICTING, MARKER, environment, obtain};
use crate::vault::Seeds;

/// Runs CMD with the session in its environment; returns its exit code where it cannot replace
/// this process.
pub(crate) fn run(ctx: &mut Context, args: &ExecArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let profile = super::one_profile(&args.profile());
    let opts = super::minting_options(&args.session.minting)?;
    let command = args.program();
    let (program, rest) = match command.split_first() {
        Some((program, rest)) => (program.clone(), rest.to_vec()),
        None => (default_shell(), Vec::new()),
    };
    // Checked before minting: a typo costs no code step.
    if let Some(outer) = env_vars::non_empty(MARKER).filter(|outer| *outer != profile) {
        return Err(Error::NestedExec {
            outer,
            inner: profile,
        });
    }
    if !exists(&program) {
        return Err(Error::CommandNotFound { program });
    }
    let (session, _) = obtain(ctx, &profile, &opts, seeds)?;
    let vars = environment(ctx, &profile, opts.source.as_deref(), &session)?;
    let mut child = std::process::Command::new(if cfg!(windows) {
        windows_program(
            &program,
            env_vars::var_os(env_vars::PATH).as_deref(),
            env_vars::non_empty(env_vars::PATHEXT).as_deref(),
        )
    } else {
        std::path::PathBuf::from(&program)
    });
    child.args(&rest);
    for var in CONFLICTING {
        child.env_remove(var);
    }
    // The AWS CLI and SDKs read the region from the profile, which the child no longer names:
    // `environment` sets it too, and the marker of a nested exec.
    for (k, v) in &vars {
        child.env(k, v);
    }
    crate::output::debug(1, || format!("{profile}: running {program}"));
    if args.server {
        // `run_child` takes the keys out again: the server hands them out.
        let running = super::serve::start(ctx, &profile, &opts, session)?;
        return super::serve::run_child(child, &running, &program);
    }
    replace_or_wait(child, &program)
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
    env_vars::var_os(env_vars::PATH)
        .is_some_and(|dirs| std::env::split_paths(&dirs).any(|dir| dir.join(path).is_file()))
}

/// What Windows runs for `program` when a user types it in PowerShell or cmd: a bare name (no
/// folder, no extension) is looked for in each folder of PATH with each extension of PATHEXT in
/// turn, so `aws` finds the AWS CLI v1's `aws.cmd` (pip installs no `aws.exe`). std's `Command`
/// only tries `.exe` (rust-lang/rust#37519), and runs a `.cmd` or `.bat` it is given through
/// `cmd.exe` with its arguments escaped. Anything else, or nothing found, goes to std as it is.
#[cfg_attr(not(windows), allow(dead_code))]
fn windows_program(
    program: &str,
    path: Option<&std::ffi::OsStr>,
    pathext: Option<&str>,
) -> std::path::PathBuf {
    let bare = std::path::Path::new(program);
    if program.contains(['/', '\\', ':']) || bare.extension().is_some() {
        return bare.to_path_buf();
    }
    let extensions: Vec<String> = pathext
        .unwrap_or(".COM;.EXE;.BAT;.CMD")
        .split(';')
        .filter(|ext| ext.len() > 1 && ext.starts_with('.'))
        // Windows' file names ignore case; the lower case also finds `aws.cmd` in unit tests.
        .map(str::to_ascii_lowercase)
        .collect();
    path.into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| {
            extensions
                .iter()
                .map(move |ext| dir.join(format!("{program}{ext}")))
        })
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| bare.to_path_buf())
}

pub(super) fn launch_error(program: &str, e: std::io::Error) -> Error {
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
    crate::hardening::restore_for_child();
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

#[cfg(all(test, unix))]
mod tests {
    use super::windows_program;
    use std::path::PathBuf;

    #[test]
    fn a_bare_name_is_found_with_pathext_in_path_order() {
        let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for (dir, name) in [
            (&first, "aws.cmd"),
            (&second, "aws.exe"),
            (&second, "git.exe"),
            (&second, "git.bat"),
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let path = std::env::join_paths([first.path(), second.path()]).unwrap();
        let find = |program: &str, pathext: Option<&str>| {
            windows_program(program, Some(path.as_os_str()), pathext)
        };
        // The first folder of PATH that has it wins, then PATHEXT's order (default: .COM;.EXE;
        // .BAT;.CMD), as in PowerShell and cmd.
        assert_eq!(find("aws", None), first.path().join("aws.cmd"));
        assert_eq!(find("git", None), second.path().join("git.exe"));
        assert_eq!(
            find("git", Some(".BAT;.EXE")),
            second.path().join("git.bat")
        );
        // A name with an extension or a folder, or one found nowhere, is left to std.
        for as_is in ["aws.exe", "tools\\aws", "C:aws", "nothing-here"] {
            assert_eq!(find(as_is, None), PathBuf::from(as_is));
        }
        assert_eq!(windows_program("aws", None, None), PathBuf::from("aws"));
    }
}
