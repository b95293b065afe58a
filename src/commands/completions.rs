//! `mfa-mint completions SHELL`: a completion script for the shell.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, exit};
use crate::output;

pub(crate) fn run(args: &CompletionsArgs) -> Result<u8, Error> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "mfa-mint", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 names the subcommand cases of a hyphenated binary
        // inconsistently (`mfa__subcmd__mint__…` vs `mfa__mint__…`); align them.
        script = script.replace("mfa__subcmd__mint", "mfa__mint");
    }
    output::data(&script);
    Ok(exit::OK)
}
