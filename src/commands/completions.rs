//! `mfa-mint completions SHELL`: the script that hooks mfa-mint into the shell's completion.
//!
//! The script asks mfa-mint itself for candidates on each Tab (clap_complete's dynamic
//! completion, through `MFA_MINT_COMPLETE`), so it completes every command and flag of the
//! installed version and the profile names of the AWS files as they are now.

use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use crate::cli::CompletionsArgs;
use crate::env_vars::MFA_MINT_COMPLETE;
use crate::error::Error;
use crate::exit;
use crate::output;

pub(crate) fn run(args: &CompletionsArgs) -> Result<u8, Error> {
    let shell: &dyn EnvCompleter = match args.shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        clap_complete::Shell::Elvish => &Elvish,
        _ => &Bash,
    };
    let exe = std::env::current_exe().map_err(|e| Error::Io {
        action: "find the path of mfa-mint".into(),
        source: e,
    })?;
    let mut script = Vec::new();
    shell
        .write_registration(
            MFA_MINT_COMPLETE,
            "mfa-mint",
            "mfa-mint",
            &exe.to_string_lossy(),
            &mut script,
        )
        .map_err(|e| Error::Io {
            action: "write the completion script".into(),
            source: e,
        })?;
    output::data(&String::from_utf8_lossy(&script));
    Ok(exit::OK)
}
