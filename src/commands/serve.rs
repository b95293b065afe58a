//! `mfa-mint serve PROFILE` and the server half of `exec --server`: a session for PROFILE
//! served on 127.0.0.1 by [`crate::server`], renewed through the same session source as
//! `credential-process` and `exec` (credentials file, keyring cache, else a mint under the device
//! lock and the code ledger; role profiles re-assumed from a fresh base session).

use crate::cli::ServeArgs;
use crate::config::{Context, RoleConfig, Timing};
use crate::credentials::Session;
use crate::error::Error;
use crate::minter::Options;
use crate::minter::session::{Shell, obtain};
use crate::output;
use crate::server::{self, Running};
use crate::vault::Seeds;

/// Serves until the process is stopped (Ctrl-C).
pub(crate) fn run(ctx: &mut Context, args: &ServeArgs, seeds: &mut Seeds) -> Result<u8, Error> {
    let (profile, opts) = super::session_options(&args.session)?;
    let (session, _) = obtain(ctx, &profile, &opts, seeds)?;
    let running = start(ctx, &profile, &opts, session)?;
    // The token is the data of this command: stdout only, never a log line.
    for (name, value) in running.variables() {
        output::outln!("{}", assignment(args.shell, name, value).expose_secret());
    }
    output::status(&format!(
        "mfa-mint: serving the session of profile {profile} at {} until stopped (Ctrl-C); it is renewed before it expires",
        running.url
    ));
    loop {
        std::thread::park();
    }
}

/// Starts serving `session` (just obtained for `profile`) and renewing it as a mint would.
pub(super) fn start(
    ctx: &Context,
    profile: &str,
    opts: &Options,
    session: Session,
) -> Result<Running, Error> {
    let window = refresh_window(ctx, profile, opts)?;
    // Renewals happen while a command (or nobody) uses the terminal: no prompt, no countdown.
    output::stop_interacting();
    // Renewals never force: --force applied to the first session only.
    let renew = Options {
        force: false,
        ..opts.clone()
    };
    let owner = profile.to_string();
    // A renewal hours later is a run of its own: the same environment, the files read anew.
    let base = ctx.renewal();
    let source = move || {
        let ctx = base.renewal();
        let mut seeds = Seeds::lazy();
        obtain(&ctx, &owner, &renew, &mut seeds)
            .map(|(session, _)| session)
            .map_err(|e| match e.hint() {
                Some(hint) => format!("{} (hint: {hint})", e.with_causes()),
                None => e.with_causes(),
            })
    };
    Ok(server::start(
        session,
        window,
        &format!("profile {profile}"),
        source,
    )?)
}

/// The seconds before expiry at which [`obtain`] stops taking a session as fresh: the role's
/// window for a role profile, else the profile's (`--min-remaining`, `mfa_mint_min_remaining`,
/// 15 min).
fn refresh_window(ctx: &Context, profile: &str, opts: &Options) -> Result<u64, Error> {
    let files = ctx.files()?;
    if let Some(role) = RoleConfig::resolve(files, profile, &opts.overrides(), &ctx.env)? {
        return Ok(role.refresh);
    }
    Ok(Timing::resolve(files, profile, &opts.overrides())?.refresh)
}

/// `export NAME='value'` in the shell's syntax.
fn assignment(shell: Shell, name: &str, value: &str) -> crate::secret::SecretText {
    crate::secret::SecretText::from_string(match shell {
        Shell::Sh => format!("export {name}='{}'", value.replace('\'', r"'\''")),
        Shell::Fish => format!(
            "set -gx {name} '{}'",
            value.replace('\\', r"\\").replace('\'', r"\'")
        ),
        Shell::Powershell => format!("$Env:{name} = '{}'", value.replace('\'', "''")),
    })
}

/// `exec --server`: runs `child` (its environment set up) to its end while this process serves,
/// and passes its exit code on (128 + the signal when a signal ended it, as shells report it).
pub(super) fn run_child(
    mut child: std::process::Command,
    running: &Running,
    program: &str,
) -> Result<u8, Error> {
    for var in server::CONFLICTING {
        child.env_remove(var);
    }
    for (name, value) in running.variables() {
        child.env(name, value);
    }
    // The child gets Ctrl-C itself (it shares the terminal); mfa-mint waits for it and keeps
    // serving instead of ending first.
    #[cfg(unix)]
    return wait_forwarding_term(child, program);
    #[cfg(not(unix))]
    {
        #[cfg(windows)]
        crate::interrupt::leave_to_child();
        let status = child
            .status()
            .map_err(|e| super::exec::launch_error(program, e))?;
        Ok(exit_code(status))
    }
}

/// Unix: Ctrl-C reaches the child from the terminal and is ignored here; a SIGTERM sent to
/// mfa-mint alone (`timeout`, a supervisor) is passed on to the child, which then ends as it
/// chooses, and mfa-mint with it.
#[cfg(unix)]
fn wait_forwarding_term(mut child: std::process::Command, program: &str) -> Result<u8, Error> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let _keep = crate::interrupt::Catch::start();
    let term = Arc::new(AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&term));
    let mut running = child
        .spawn()
        .map_err(|e| super::exec::launch_error(program, e))?;
    loop {
        let done = running.try_wait().map_err(|source| Error::Io {
            action: format!("wait for {program}"),
            source,
        })?;
        if let Some(status) = done {
            return Ok(exit_code(status));
        }
        if term.swap(false, Ordering::SeqCst) {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_child(&running),
                rustix::process::Signal::TERM,
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return code as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128u8.saturating_add(signal as u8);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_quoted_per_shell() {
        let line = |shell| assignment(shell, "V", "a'b").expose_secret().to_string();
        assert_eq!(line(Shell::Sh), r"export V='a'\''b'");
        assert_eq!(line(Shell::Fish), r"set -gx V 'a\'b'");
        assert_eq!(line(Shell::Powershell), "$Env:V = 'a''b'");
    }
}
