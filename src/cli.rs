//! Command-line types (clap derive). No I/O here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Examples:
  mfa-mint import dev --serial arn:aws:iam::123456789012:mfa/alice < seed.txt
  mfa-mint code dev             print the current 6-digit code
  mfa-mint dev                  mint a session into [dev] of ~/.aws/credentials
  mfa-mint dev --duration 36h   ask for a longer session (900 s .. 36 h)

`mfa-mint PROFILE…` is short for `mfa-mint mint PROFILE…` (write `mint` for a profile named
like a command).
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
    override_usage = "mfa-mint [OPTIONS] PROFILE... [MINT OPTIONS]\n       mfa-mint [OPTIONS] <COMMAND>",
    subcommand_required = true,
    arg_required_else_help = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Global flags that take no value and may come before the command.
const GLOBAL_FLAGS: &[&str] = &["--verbose", "--quiet", "--non-interactive"];

fn is_global_flag(arg: &str) -> bool {
    GLOBAL_FLAGS.contains(&arg)
        || (arg.len() > 1
            && arg.starts_with('-')
            && !arg.starts_with("--")
            && arg[1..].chars().all(|c| c == 'v' || c == 'q'))
}

/// Makes `mfa-mint [GLOBAL FLAGS] PROFILE… [MINT FLAGS]` mean `mfa-mint mint …`: `mint` is
/// inserted before the first argument that is neither a global flag nor a command name (nor
/// `--help`/`--version`). With no arguments at all, `$AWS_PROFILE` is minted when set.
pub fn with_default_command(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .flat_map(|s| {
            std::iter::once(s.get_name().to_string()).chain(s.get_all_aliases().map(String::from))
        })
        .collect();
    let mut out = args;
    let first = out
        .iter()
        .skip(1)
        .position(|a| !is_global_flag(&a.to_string_lossy()))
        .map(|i| i + 1);
    match first {
        Some(i) => {
            let arg = out[i].to_string_lossy().into_owned();
            let keep =
                names.contains(&arg) || ["-h", "--help", "-V", "--version"].contains(&arg.as_str());
            if !keep {
                out.insert(i, "mint".into());
            }
        }
        None if std::env::var_os(crate::env_vars::AWS_PROFILE).is_some_and(|p| !p.is_empty()) => {
            out.push("mint".into())
        }
        None => {}
    }
    out
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
    /// Store an MFA seed (secret, otpauth:// URI, QR image or app export) in the OS keyring
    Import(ImportArgs),
    /// Print the current MFA code for PROFILE
    Code(CodeArgs),
    /// Create and enable a new virtual MFA device, its seed straight into the keyring
    Enroll(EnrollArgs),
    /// Show a stored seed for a phone backup: QR code in the terminal, PNG or otpauth:// URI
    Export(ExportArgs),
    /// Print the session as credential_process JSON (for `credential_process` in ~/.aws/config)
    CredentialProcess(SessionArgs),
    /// Point PROFILE's credential_process at mfa-mint in the config file
    SetupCredentialProcess(SetupArgs),
    /// Run a command with the session in its environment
    Exec(ExecArgs),
    /// Print shell lines that export the session
    Env(EnvArgs),
    /// Move long-term keys between the credentials file and the keyring
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Install, show or remove a periodic refresh job (cron, systemd, launchd, Task Scheduler)
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// List the profiles set up for mfa-mint and whether their seeds are in the keyring
    List,
    /// Delete PROFILE's seed from the keyring and mfa-mint's keys from the config file
    Remove {
        #[arg(value_name = "PROFILE")]
        profile: String,
        /// Don't ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Move mfa-mint's settings from one profile name to another
    Rename {
        #[arg(value_name = "OLD")]
        from: String,
        #[arg(value_name = "NEW")]
        to: String,
    },
    /// Point PROFILE at another device whose seed is already stored
    Link {
        #[arg(value_name = "PROFILE")]
        profile: String,
        /// The device ARN
        #[arg(long, value_name = "ARN")]
        serial: String,
    },
    /// Show each mfa-mint profile: device, seed present, session expiry, last run
    Status(StatusArgs),
    /// Check the setup and say how to fix what is wrong
    Doctor(DoctorArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// Options shared by the commands that obtain a session without writing the credentials file.
#[derive(Debug, Args, Clone)]
pub struct SessionArgs {
    /// Profile to get a session for (default: $AWS_PROFILE)
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    #[command(flatten)]
    pub minting: MintingArgs,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Profile to configure
    #[arg(value_name = "PROFILE")]
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// Shell syntax to print [default: powershell on Windows, else sh]
    #[arg(long, value_enum, default_value_t = crate::minter::session::Shell::default_for_os(), hide_default_value = true)]
    pub shell: crate::minter::session::Shell,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Move SOURCE's aws_access_key_id/aws_secret_access_key from the credentials file into the keyring
    Import {
        /// The profile holding the long-term keys, e.g. dev-long-term
        #[arg(value_name = "SOURCE_PROFILE")]
        source: String,
    },
    /// Put SOURCE's keys back into the credentials file and remove them from the keyring
    Export {
        #[arg(value_name = "SOURCE_PROFILE")]
        source: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Install a job that runs `mfa-mint PROFILE… --quiet --non-interactive` periodically
    Install {
        /// Profiles to refresh
        #[arg(value_name = "PROFILE", required = true)]
        profiles: Vec<String>,
        /// How often to run: 15m, 1h, … (1m to 24h)
        #[arg(long, value_name = "DURATION", default_value = "1h")]
        every: String,
        /// Scheduler to use, or the OS whose scheduler to use (linux, macos, windows) [default:
        /// cron on Linux, launchd on macOS, schtasks on Windows]
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
        /// Print what would be installed, install nothing
        #[arg(long)]
        print: bool,
    },
    /// Show the installed job
    Show {
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
    },
    /// Remove the installed job
    Remove {
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
    },
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

    /// Internal: exit 0 when the keyring is reachable (doctor runs this in a cron-like env)
    #[arg(long, hide = true)]
    pub probe_keyring: bool,
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

    #[command(flatten)]
    pub minting: MintingArgs,

    /// Print the outcome as JSON on stdout (one object per profile and line)
    #[arg(long)]
    pub json: bool,
}

/// How to mint, shared by every command that may mint a session.
#[derive(Debug, Args, Clone, Default)]
pub struct MintingArgs {
    /// Profile holding the long-term keys (default: the configured one, else PROFILE-long-term)
    #[arg(long, value_name = "PROFILE")]
    pub source: Option<String>,

    /// Session duration: seconds or 12h, 90m, 1h30m; AWS allows 900 s to 36 h [default: 12h]
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// Use the current session while it has more than this left [default: 15m]
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,

    /// Mint a new session even if the current one is still fresh
    #[arg(long)]
    pub force: bool,

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

    /// Read the seed from FILE instead of stdin: a secret, an otpauth:// URI, a QR image
    /// (PNG/JPEG), a Google Authenticator, WinAuth, Aegis or 2FAS export (auto-detected)
    #[arg(long, value_name = "FILE", conflicts_with = "qr")]
    pub from: Option<PathBuf>,

    /// Read the seed from a QR code image (PNG or JPEG screenshot)
    #[arg(long, value_name = "FILE")]
    pub qr: Option<PathBuf>,

    /// Pick this entry from an export holding several (its name, or a unique part of it)
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

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
pub struct EnrollArgs {
    /// Profile that will use the new device, e.g. `dev`
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Name of the new virtual MFA device (unique in the account), e.g. alice-laptop
    #[arg(long, value_name = "NAME")]
    pub device_name: String,

    /// IAM user to enroll (default: the owner of the source profile's keys)
    #[arg(long, value_name = "IAM_USER")]
    pub user: Option<String>,

    /// Profile holding the long-term keys (default: the configured one, else PROFILE-long-term)
    #[arg(long, value_name = "PROFILE")]
    pub source: Option<String>,

    /// Also print the seed as a QR code to scan into a phone app (a second device)
    #[arg(long)]
    pub show_qr: bool,

    /// Also write the seed's QR code to FILE (PNG, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,

    /// Network timeout for each IAM request
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub timeout: String,

    /// Print the outcome as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("format").required(true).args(["show_qr", "qr_png", "uri"])))]
pub struct ExportArgs {
    /// Profile whose device seed to show
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Print the seed as a QR code in the terminal
    #[arg(long)]
    pub show_qr: bool,

    /// Write the seed's QR code to FILE (PNG, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,

    /// Print the otpauth:// URI
    #[arg(long)]
    pub uri: bool,

    /// Don't ask for confirmation (required when nobody can be asked)
    #[arg(long)]
    pub yes: bool,
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
        let parse = |args: &[&str]| {
            let args = args.iter().map(std::ffi::OsString::from).collect();
            Cli::try_parse_from(with_default_command(args)).unwrap()
        };
        for args in [
            &["mfa-mint", "dev", "--force"][..],
            &["mfa-mint", "-vv", "dev", "--force"],
            &["mfa-mint", "--quiet", "--force", "dev"],
            &["mfa-mint", "mint", "dev", "--force"],
        ] {
            let Command::Mint(m) = parse(args).command else {
                panic!("{args:?} is not mint");
            };
            assert_eq!(m.profiles, ["dev"], "{args:?}");
            assert!(m.minting.force, "{args:?}");
        }
        let cli = parse(&["mfa-mint", "-vv", "code", "dev"]);
        assert!(matches!(cli.command, Command::Code(_)));
        assert_eq!(cli.global.verbose, 2);
        // A profile named like a command needs `mint`.
        let Command::Mint(m) = parse(&["mfa-mint", "mint", "code"]).command else {
            panic!("not mint");
        };
        assert_eq!(m.profiles, ["code"]);
    }

    #[test]
    fn platform_takes_os_names_and_tool_names() {
        use crate::schedule::Platform;
        for (name, platform) in [
            ("windows", Platform::Schtasks),
            ("schtasks", Platform::Schtasks),
            ("macos", Platform::Launchd),
            ("launchd", Platform::Launchd),
            ("linux", Platform::Cron),
            ("cron", Platform::Cron),
            ("systemd", Platform::Systemd),
        ] {
            let args = ["mfa-mint", "schedule", "show", "--platform", name];
            let cli = Cli::try_parse_from(args).unwrap();
            let Command::Schedule(ScheduleCommand::Show { platform: got }) = cli.command else {
                panic!("{args:?} is not schedule show");
            };
            assert_eq!(got, Some(platform), "{name}");
        }
        assert!(
            Cli::try_parse_from(["mfa-mint", "schedule", "show", "--platform", "win"]).is_err()
        );
    }
}
