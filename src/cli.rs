//! Command-line types (clap derive). No I/O here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Examples:
  mfa-mint import dev --serial arn:aws:iam::123456789012:mfa/alice < seed.txt
  mfa-mint code dev             print the current 6-digit code
  mfa-mint dev                  mint a session into [dev] of ~/.aws/credentials
  mfa-mint dev --duration 36h   ask for a longer session (900 s .. 36 h)

A bare `mfa-mint PROFILE…` is `mfa-mint mint PROFILE…` (use `mint` for a profile named like a command).
Exit codes: 0 ok or still fresh, 2 usage, 3 config files, 4 bad input, 5 keyring,
6 AWS refused, 7 transient (network, throttling, 5xx: retry later), 8 file I/O, 9 needs confirmation.";

#[derive(Debug, Parser)]
#[command(
    name = "mfa-mint",
    version,
    about = "Mint MFA-backed AWS session credentials from a TOTP seed kept in the OS keyring",
    long_about = "mfa-mint keeps your virtual MFA device's seed in the OS keyring, generates the \
current code itself, calls STS GetSessionToken with your long-term keys and writes the session \
into ~/.aws/credentials, keeping every other byte of the file.",
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub mint: MintArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Print diagnostics to stderr (never secrets); repeat for more
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only print errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Never prompt or wait for a keypress; fail instead (implied when stdin is not a terminal)
    #[arg(long, global = true)]
    pub non_interactive: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mint session credentials for PROFILE into the credentials file (the default command)
    Mint(MintArgs),
    /// Store an MFA seed (base32 secret or otpauth:// URI, read from stdin) in the OS keyring
    Import(ImportArgs),
    /// Print the current MFA code for PROFILE
    Code(CodeArgs),
    /// Show each mfa-mint profile: device, seed present, session expiry, last run
    Status(StatusArgs),
    /// Check the setup and say how to fix what is wrong
    Doctor(DoctorArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Profiles to show (default: every profile set up for mfa-mint)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Profiles to check (default: every profile set up for mfa-mint)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Also measure the clock offset against AWS (one STS GetCallerIdentity request)
    #[arg(long)]
    pub clock: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct MintArgs {
    /// Profile(s) to mint into, e.g. `dev` (default: $AWS_PROFILE)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile set up for mfa-mint (with mfa_serial and no role_arn in the config file)
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// Append one line per profile (time, profile, outcome, expiry; never a secret) to FILE
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Profile holding the long-term keys (default: the configured one, else PROFILE-long-term)
    #[arg(long, value_name = "PROFILE")]
    pub source: Option<String>,

    /// Session duration: seconds or 12h, 90m, 1h30m; AWS allows 900 s to 36 h [default: 12h]
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// Skip minting while the current session has more than this left [default: 15m]
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,

    /// Mint even if the current session is still fresh
    #[arg(long)]
    pub force: bool,

    /// Print the outcome as JSON on stdout
    #[arg(long)]
    pub json: bool,

    /// Network timeout for the STS request
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Profile that will use this device, e.g. `dev`
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// The MFA device ARN, e.g. arn:aws:iam::123456789012:mfa/alice
    #[arg(long, value_name = "ARN")]
    pub serial: String,

    /// Profile holding the long-term keys (recorded in the config file)
    #[arg(long, value_name = "PROFILE")]
    pub source: Option<String>,

    /// Read the seed from FILE instead of stdin
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Replace a seed already stored for this serial without asking
    #[arg(long)]
    pub force: bool,

    /// Print the outcome as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Profile whose device to use (default: $AWS_PROFILE)
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Print JSON with the code and the seconds it stays valid
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_profile_means_mint() {
        let cli = Cli::try_parse_from(["mfa-mint", "dev", "--force"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.mint.profiles, ["dev"]);
        assert!(cli.mint.force);
        let cli = Cli::try_parse_from(["mfa-mint", "code", "dev"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Code(_))));
    }
}
