//! mfa-mint: import a virtual-MFA seed into the OS keyring, generate TOTP codes and mint AWS
//! session credentials with STS GetSessionToken.
#![forbid(unsafe_code)]

pub mod aws_files;
pub mod cli;
pub mod clock;
pub mod code;
pub mod dirs;
pub mod doctor;
pub mod duration;
pub mod enroll;
pub mod error;
pub mod iam;
pub mod import;
pub mod keys;
pub mod ledger;
pub mod manage;
pub mod mint;
pub mod profile;
pub mod qr;
pub mod runlog;
pub mod schedule;
pub mod secret;
pub mod seeds;
pub mod serial;
pub mod session;
pub mod skew;
pub mod state;
pub mod status;
pub mod store;
pub mod sts;
pub mod totp;
pub mod ui;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::error::{Error, exit};
use crate::seeds::Seeds;

/// Parses the command line, runs the command, prints any error, returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse_from(cli::with_default_command(std::env::args_os().collect())) {
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
    ui::init(
        cli.global.verbose,
        cli.global.quiet,
        cli.global.non_interactive,
    );
    // A bug must not print a backtrace (or anything else) to a user: one line and exit 1.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{at}: this is a bug in mfa-mint; please report it with the command you ran"
        );
    }));
    match std::panic::catch_unwind(move || dispatch(cli)) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(e)) => {
            eprint!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
        Err(_) => ExitCode::from(exit::INTERNAL),
    }
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    let mut seeds = Seeds::lazy();
    match cli.command {
        Command::Mint(args) => commands::mint(&args, &mut seeds),
        Command::Import(args) => commands::import(&args, &mut seeds),
        Command::Code(args) => commands::code(&args, &mut seeds),
        Command::Enroll(args) => commands::enroll(&args, &mut seeds),
        Command::Export(args) => commands::export(&args, &mut seeds),
        Command::CredentialProcess(args) => {
            // Run by an SDK: never prompt, and keep stderr for errors only.
            ui::init(cli.global.verbose, true, true);
            commands::credential_process(&args, &mut seeds)
        }
        Command::SetupCredentialProcess(args) => commands::setup_credential_process(&args),
        Command::Exec(args) => commands::exec(&args, &mut seeds),
        Command::Env(args) => commands::env(&args, &mut seeds),
        Command::Keys(cmd) => commands::keys(cmd, &mut seeds),
        Command::Schedule(cmd) => commands::schedule(cmd),
        Command::List => commands::list(&mut seeds),
        Command::Remove { profile, yes } => commands::remove(&profile, yes, &mut seeds),
        Command::Rename { from, to } => {
            manage::rename(&from, &to)?;
            ui::status(&format!("profile {to} now has {from}'s mfa-mint settings"));
            Ok(exit::OK)
        }
        Command::Link { profile, serial } => {
            let serial = manage::link(&profile, &serial, &mut seeds)?;
            ui::status(&format!("profile {profile} now uses {serial}"));
            Ok(exit::OK)
        }
        Command::Status(args) => {
            let statuses = status::collect(&args.profiles, &mut seeds)?;
            status::print(&statuses, args.json);
            Ok(exit::OK)
        }
        Command::Doctor(args) if args.probe_keyring => {
            seeds.store()?.get("mfa-mint-doctor-probe")?;
            Ok(exit::OK)
        }
        Command::Doctor(args) => {
            let checks = doctor::run(&args.profiles, args.clock, &mut seeds);
            Ok(if doctor::print(&checks) {
                exit::OK
            } else {
                exit::CONFIG
            })
        }
        Command::Completions(args) => {
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "mfa-mint", &mut script);
            let mut script = String::from_utf8_lossy(&script).into_owned();
            if args.shell == clap_complete::Shell::Bash {
                // clap_complete 4.6 names the subcommand cases of a hyphenated binary
                // inconsistently (`mfa__subcmd__mint__…` vs `mfa__mint__…`); align them.
                script = script.replace("mfa__subcmd__mint", "mfa__mint");
            }
            print!("{script}");
            Ok(exit::OK)
        }
    }
}

mod commands;
