//! mfa-mint: import a virtual-MFA seed into the OS keyring, generate TOTP codes and mint AWS
//! session credentials with STS GetSessionToken.
#![forbid(unsafe_code)]
// Only `output` prints: everything else returns data or calls into it.
#![deny(clippy::print_stdout, clippy::print_stderr)]

// The data path: ① config → ② vault → ③ totp → ④ aws → ⑤ minter → the files. Commands sit on
// top; output and error are the only places that talk to the terminal.
pub(crate) mod arn;
pub(crate) mod aws;
pub mod aws_files;
pub(crate) mod cli;
pub mod clock;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod credentials;
pub(crate) mod duration;
pub(crate) mod enrollment;
pub(crate) mod env_vars;
pub(crate) mod error;
pub(crate) mod exit;
pub(crate) mod hardening;
pub(crate) mod interrupt;
pub(crate) mod login;
pub(crate) mod minter;
pub(crate) mod output;
pub(crate) mod owner;
pub(crate) mod profiles;
pub(crate) mod qr;
pub(crate) mod report;
pub(crate) mod schedule;
pub(crate) mod secret;
pub(crate) mod server;
pub(crate) mod state;
pub mod totp;
pub(crate) mod vault;

use std::process::ExitCode;

/// Parses the command line, runs the command, prints any error, returns the exit code.
pub fn run() -> ExitCode {
    // The environment, once: every later read sees this snapshot.
    env_vars::capture();
    // Before anything reads a secret.
    let hardened = hardening::no_core_dumps();
    // Asked by the shell's completion script (`mfa-mint completions SHELL`): print the candidates
    // and exit.
    clap_complete::CompleteEnv::with_factory(cli::completion_command)
        .var(env_vars::MFA_MINT_COMPLETE)
        .complete();
    // The one context of this run: the environment's settings now, the AWS files on first use.
    let mut ctx = config::Context::from_process(&output::TERMINAL);
    let args = cli::with_default_command(std::env::args_os().collect(), |name| {
        config::known::is_profile(ctx.files().ok(), name)
    });
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    output::init(
        cli.global.verbose,
        cli.global.quiet,
        cli.global.non_interactive,
    );
    output::debug(2, || format!("core dumps off: {hardened:?}"));
    // A bug must not print a backtrace (or anything else) to a user: one line and exit 1.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::output::errln!(
            "error: internal error{at}: this is a bug in mfa-mint; please report it with the command you ran"
        );
    }));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        commands::dispatch(cli, &mut ctx)
    })) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(e)) => {
            crate::output::err!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
        Err(_) => ExitCode::from(exit::INTERNAL),
    }
}
