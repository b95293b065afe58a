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
Exit codes: 0 ok or still fresh, 1 internal error (a bug: please report it), 2 usage,
3 config files, 4 bad input, 5 keyring, 6 AWS refused, 7 transient (network, throttling, 5xx:
retry later), 8 file I/O, 9 needs confirmation, 126/127 exec: command cannot be run / not
found, 130 interrupted.";

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
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// The command line as shell completion sees it (issue 23 row 9): at the top level every
/// profile of the AWS files is offered beside the commands (`mfa-mint d<Tab>` offers `dev` as
/// well as `doctor`; `mfa-mint dev` mints it, so its flags are mint's), `-p` there takes a
/// profile, and the words after `exec PROFILE --` complete as programs from PATH and files (the
/// completer sits on `ExecArgs::command`).
/// Only completion requests build it; parsing uses [`Cli`] as it is.
pub fn completion_command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let names = command_names();
    if let Some(mint) = cmd.find_subcommand("mint").cloned() {
        for candidate in crate::config::known::profile_candidates() {
            let name = candidate.get_value().to_string_lossy().into_owned();
            if names.contains(&name) || name.starts_with('-') {
                continue;
            }
            let about = candidate
                .get_help()
                .map_or_else(|| "profile".to_string(), ToString::to_string);
            // Completion runs once and exits: a leaked name is no leak that matters.
            let name: &'static str = Box::leak(name.into_boxed_str());
            cmd = cmd.subcommand(mint.clone().name(name).about(about));
        }
    }
    cmd.arg(
        clap::Arg::new("profile_to_mint")
            .short('p')
            .long("profile")
            .value_name("PROFILE")
            .help("Profile to mint")
            .add(profiles()),
    )
}

/// Programs on PATH whose names start with `current`, then files (the command's own words).
fn programs_and_files(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    use clap_complete::engine::ValueCompleter;
    let prefix = current.to_string_lossy();
    let mut out: Vec<clap_complete::CompletionCandidate> = Vec::new();
    if !prefix.contains(std::path::MAIN_SEPARATOR) {
        let mut seen = std::collections::BTreeSet::new();
        let path = crate::env_vars::var_os(crate::env_vars::PATH).unwrap_or_default();
        for dir in std::env::split_paths(&path) {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(prefix.as_ref()) && is_program(&entry.path()) {
                    seen.insert(name);
                }
            }
        }
        out.extend(
            seen.into_iter()
                .map(clap_complete::CompletionCandidate::new),
        );
    }
    out.extend(clap_complete::engine::PathCompleter::any().complete(current));
    out
}

#[cfg(unix)]
fn is_program(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_program(path: &std::path::Path) -> bool {
    path.is_file()
}

/// Shell completion of a PROFILE argument: the profiles of the AWS files.
fn profiles() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(crate::config::known::profile_candidates)
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
/// `help`, `--help`/`--version`). A word that looks like a misspelled command (`improt`) and
/// that `is_profile` does not know is left alone, so clap says "unrecognized subcommand … a
/// similar subcommand exists" instead of reporting the next flag as unexpected under `mint`.
/// With no arguments at all, `$AWS_PROFILE` is minted when set, else `default` when the files
/// have it.
pub fn with_default_command(
    args: Vec<std::ffi::OsString>,
    is_profile: impl Fn(&str) -> bool,
) -> Vec<std::ffi::OsString> {
    let mut out = args;
    let first = out
        .iter()
        .skip(1)
        .position(|a| !is_global_flag(&a.to_string_lossy()))
        .map(|i| i + 1);
    match first {
        Some(i) => {
            let arg = out[i].to_string_lossy().into_owned();
            // A command name is matched by the derive itself (no command tree built); the
            // files are asked only about a word one typo away from a command, so a plain
            // profile (what cron runs) is read from them once, after `-v` is in force.
            let keep = <Command as clap::Subcommand>::has_subcommand(&arg)
                || ["-h", "--help", "-V", "--version", "help"].contains(&arg.as_str())
                || (looks_like_a_command(&arg, &command_names()) && !is_profile(&arg));
            if !keep {
                out.insert(i, "mint".into());
            }
        }
        // Bare `mfa-mint`: `$AWS_PROFILE`, else `default` when the AWS files have it; help
        // otherwise (a first run with nothing set up).
        None if crate::env_vars::var_os(crate::env_vars::AWS_PROFILE)
            .is_some_and(|p| !p.is_empty())
            || is_profile("default") =>
        {
            out.push("mint".into())
        }
        None => {}
    }
    mark_exec_without_profile(&mut out);
    out
}

/// `exec [OPTIONS] -- CMD…` with no PROFILE word before `--`: every word after `--` is the
/// command's, so the hidden `--command-only` flag is added and `ExecArgs` gives the word clap
/// put in the PROFILE position back to the command (the profile defaults as everywhere).
fn mark_exec_without_profile(args: &mut Vec<std::ffi::OsString>) {
    use clap::CommandFactory;
    let Some(at) = args
        .iter()
        .skip(1)
        .position(|a| !is_global_flag(&a.to_string_lossy()))
        .map(|i| i + 1)
    else {
        return;
    };
    if args[at] != "exec" {
        return;
    }
    let Some(mut exec) = Cli::command().find_subcommand("exec").cloned() else {
        return;
    };
    // Its arguments are deferred (see `Command`): building it defines them.
    exec.build();
    let takes_value = |word: &str| {
        exec.get_arguments().any(|a| {
            a.get_action().takes_values()
                && (word
                    .strip_prefix("--")
                    .is_some_and(|long| a.get_long() == Some(long))
                    || (word.len() == 2
                        && word.starts_with('-')
                        && a.get_short() == word.chars().nth(1)))
        })
    };
    let mut i = at + 1;
    while i < args.len() {
        let word = args[i].to_string_lossy().into_owned();
        if word == "--" {
            args.insert(i, "--command-only".into());
            return;
        }
        if !word.starts_with('-') || word == "-" {
            // A PROFILE word (or the command, after -p): the usual rules apply.
            return;
        }
        i += if takes_value(&word) { 2 } else { 1 };
    }
}

/// Parses the command line as `Cli::try_parse_from` does, but does not free clap's command
/// tree: the process ends soon after, and freeing its thousands of small allocations cost a
/// tenth of a fresh skip's instructions (BENCHMARKS.md, issue 26).
pub fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    let parsed = match command.try_get_matches_from_mut(args) {
        Ok(mut matches) => {
            Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
        }
        Err(e) => Err(e),
    };
    std::mem::forget(command);
    parsed
}

/// The names and aliases of the commands.
fn command_names() -> Vec<String> {
    use clap::CommandFactory;
    Cli::command()
        .get_subcommands()
        .flat_map(|s| {
            std::iter::once(s.get_name().to_string()).chain(s.get_all_aliases().map(String::from))
        })
        .collect()
}

/// A word one typo away from a command name (two for names longer than four letters); a
/// swap of two neighbouring letters counts as one.
fn looks_like_a_command(word: &str, names: &[String]) -> bool {
    !word.starts_with('-')
        && names.iter().any(|name| {
            let limit = if name.len() > 4 { 2 } else { 1 };
            strsim::osa_distance(word, name) <= limit
        })
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

/// Each command's arguments are defined only when that command runs (`defer`): building all of
/// them, with the global flags copied into each, was most of a fresh skip's instructions and all
/// of its heap (BENCHMARKS.md, issue 26). Help, completions and the tests build them all.
/// Deferred arguments are added after the command's own attributes: a struct flattened into a
/// command must not carry a doc comment (it would replace the command's about text), so those
/// structs below are described with plain comments.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Mint session credentials for PROFILE into the credentials file (the default command)
    Mint(MintArgs),
    /// Store an MFA seed (secret, otpauth:// URI, QR image or app export) in the OS keyring
    Import(ImportArgs),
    /// Print the current MFA code for PROFILE (the next one if the current code was already used)
    ///
    /// AWS accepts each code once. The code shown is recorded, so a mint right after waits up to
    /// 30 s for the next code instead of sending this one again; and when the current code was
    /// already used (by a mint or an earlier `code`), this waits for and prints the next one.
    Code(CodeArgs),
    /// Create and enable a new virtual MFA device, its seed straight into the keyring
    Enroll(EnrollArgs),
    /// Replace the long-term access key PROFILE mints from, with no code typed or sent twice
    ///
    /// Signs the IAM calls with an MFA session (the stored one while fresh, else one mint),
    /// creates a new key, stores it where the old one was (credentials file, config file or
    /// keyring), checks it with AWS, then deletes the old key. Sessions minted from the old key
    /// keep working until they expire.
    Rotate(RotateArgs),
    /// Show a stored seed for a phone backup: QR code in the terminal, PNG or otpauth:// URI
    Export(ExportArgs),
    /// Print the session as credential_process JSON (for `credential_process` in ~/.aws/config)
    CredentialProcess(SessionArgs),
    /// Point PROFILE's credential_process at mfa-mint in the config file
    SetupCredentialProcess(SetupArgs),
    /// Run a command (default: your shell) with the session and region in its environment
    ///
    /// Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
    /// AWS_CREDENTIAL_EXPIRATION, AWS_REGION and AWS_DEFAULT_REGION, and unsets AWS_PROFILE.
    /// PROFILE defaults to $AWS_PROFILE, else `default`: `exec -- CMD…` (nothing before `--`)
    /// runs CMD for that profile, every word after `--` being the command's. On
    /// Unix mfa-mint becomes the command, so signals such as Ctrl-C reach it directly. Exit code:
    /// the command's, 127 when it is not found, 126 when it cannot be run.
    ///
    /// With --server the command gets no keys: a credentials server on 127.0.0.1 that renews the
    /// session before it expires (AWS_CONTAINER_CREDENTIALS_FULL_URI and
    /// AWS_CONTAINER_AUTHORIZATION_TOKEN), for jobs that outlive a session. mfa-mint then stays
    /// until the command ends and passes its exit code on.
    Exec(ExecArgs),
    /// Print shell lines that export the session
    Env(EnvArgs),
    /// Serve PROFILE's session to other programs until stopped (the server of `exec --server`)
    ///
    /// Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN as shell
    /// lines on stdout, then answers on 127.0.0.1 with a session it renews before expiry, until
    /// Ctrl-C. The token lets any program that has it fetch the session: keep it private.
    Serve(ServeArgs),
    /// Open the AWS console in the browser as PROFILE (a role's session, or a federation
    /// token from the long-term keys)
    Login(LoginArgs),
    /// Move long-term keys between the credentials file and the keyring
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Install, show or remove a periodic refresh job (cron, systemd, launchd, Task Scheduler)
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// List the profiles set up for mfa-mint and whether their seeds are in the keyring
    List(ListArgs),
    /// Delete PROFILE's seed from the keyring and mfa-mint's keys from the config file
    Remove(RemoveArgs),
    /// Forget cached sessions, so the next use mints anew
    ///
    /// Deletes the keyring cache of credential-process, exec and env, and with --credentials-file
    /// the session in [PROFILE] of the credentials file (never long-term keys).
    Clear {
        /// Profiles whose sessions go [default: every profile set up for mfa-mint and every role
        /// profile]
        #[arg(value_name = "PROFILE", add = profiles())]
        profiles: Vec<String>,
        /// Also remove the session in [PROFILE] of the credentials file (never long-term keys)
        #[arg(long)]
        credentials_file: bool,
    },
    /// Move mfa-mint's settings from one profile name to another
    Rename {
        /// The profile that has mfa-mint's settings now
        #[arg(value_name = "OLD", add = profiles())]
        from: String,
        /// The profile that gets them
        #[arg(value_name = "NEW")]
        to: String,
    },
    /// Point PROFILE at another device whose seed is already stored
    Link(LinkArgs),
    /// Show each mfa-mint profile: device, seed present, session expiry, last run
    Status(StatusArgs),
    /// Check the setup and say how to fix what is wrong
    Doctor(DoctorArgs),
    /// Print a shell completion script (commands, flags and the profiles of your AWS files)
    ///
    /// bash: `source <(mfa-mint completions bash)` in ~/.bashrc; zsh: `source <(mfa-mint
    /// completions zsh)` in ~/.zshrc. The script asks mfa-mint for candidates on each Tab.
    Completions(CompletionsArgs),
}

// One profile, given as `PROFILE` or `-p/--profile PROFILE` (every AWS tool's habit); with
// neither, `$AWS_PROFILE`, else `default` (as the AWS CLI does).
#[derive(Debug, Args, Clone, Default)]
pub struct ProfileArg {
    /// Profile (default: $AWS_PROFILE, else `default`)
    #[arg(value_name = "PROFILE", add = profiles())]
    pub name: Option<String>,

    /// The profile, the way AWS tools take it (same as PROFILE)
    #[arg(
        short = 'p',
        long = "profile",
        value_name = "PROFILE",
        add = profiles(),
        conflicts_with = "name"
    )]
    pub flag: Option<String>,
}

impl ProfileArg {
    /// The profile given on the command line, if any.
    pub fn given(&self) -> Option<&str> {
        self.name.as_deref().or(self.flag.as_deref())
    }
}

// Options shared by the commands that obtain a session without writing the credentials file.
#[derive(Debug, Args, Clone)]
#[command(mut_arg("name", |a| a.help("Profile to get a session for (default: $AWS_PROFILE, else `default`)")))]
pub struct SessionArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    #[command(flatten)]
    pub minting: MintingArgs,
}

#[derive(Debug, Args)]
#[command(mut_arg("name", |a| a.help("Profile to configure (default: $AWS_PROFILE, else `default`)")))]
pub struct SetupArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

// `exec -p dev aws s3 ls`: with the profile given as a flag, the first word is the command's, so
// `-p` does not conflict with the PROFILE position here (see `ExecArgs::program`).
#[derive(Debug, Args)]
#[command(mut_arg("flag", |a| a.conflicts_with(clap::builder::Resettable::Reset)))]
pub struct ExecArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// The command and its arguments (`--` before them is optional, except after `-p PROFILE`
    /// when the command's second word is a flag; `exec -- CMD` runs CMD for $AWS_PROFILE, else
    /// `default`) [default: $SHELL; on Windows %COMSPEC%, else PowerShell]
    #[arg(
        trailing_var_arg = true,
        value_name = "COMMAND",
        add = clap_complete::engine::ArgValueCompleter::new(programs_and_files)
    )]
    pub command: Vec<String>,

    /// Give the command a local credentials server that renews the session, not the keys
    #[arg(long)]
    pub server: bool,

    /// Internal: `--` came before any PROFILE word, so every word after it is the command's
    #[arg(long, hide = true)]
    pub command_only: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// Shell syntax to print [default: powershell on Windows, else sh]
    #[arg(long, value_enum, default_value_t = crate::minter::session::Shell::default_for_os(), hide_default_value = true)]
    pub shell: crate::minter::session::Shell,
}

#[derive(Debug, Args)]
#[command(mut_arg("name", |a| a.help("Profile to sign in as (default: $AWS_PROFILE, else `default`)")))]
pub struct LoginArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// Print the sign-in URL instead of opening a browser (it signs in whoever opens it)
    #[arg(long)]
    pub print: bool,

    /// Where the console opens: a console URL or a service name such as `s3` or `ec2`
    #[arg(long, value_name = "URL|SERVICE")]
    pub destination: Option<String>,

    /// The console's region [default: the profile's]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

impl ExecArgs {
    /// The command line to run: with `-p PROFILE`, or with `--` before any PROFILE word, a word
    /// in the PROFILE position starts it.
    pub fn program(&self) -> Vec<String> {
        let p = &self.session.profile;
        match &p.name {
            Some(first) if p.flag.is_some() || self.command_only => std::iter::once(first.clone())
                .chain(self.command.iter().cloned())
                .collect(),
            _ => self.command.clone(),
        }
    }

    /// The profile: `-p PROFILE`, else the PROFILE position.
    pub fn profile(&self) -> ProfileArg {
        let p = &self.session.profile;
        ProfileArg {
            name: if p.flag.is_some() || self.command_only {
                None
            } else {
                p.name.clone()
            },
            flag: p.flag.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub session: SessionArgs,

    /// Shell syntax to print [default: powershell on Windows, else sh]
    #[arg(long, value_enum, default_value_t = crate::minter::session::Shell::default_for_os(), hide_default_value = true)]
    pub shell: crate::minter::session::Shell,

    /// What to print: shell lines (see --shell), env (KEY=value lines, a dotenv file), json (one
    /// object) or ini (a [PROFILE] section of the credentials file), as aws-vault's export
    #[arg(long, value_enum, default_value_t = EnvFormat::Shell)]
    pub format: EnvFormat,
}

/// The forms `mfa-mint env --format` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    Shell,
    Env,
    Json,
    Ini,
}

#[derive(Debug, Args)]
#[command(mut_arg("name", |a| a.help("The profile whose mfa-mint settings (and seed, unless another profile uses it) go (default: $AWS_PROFILE, else `default`)")))]
pub struct RemoveArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Don't ask for confirmation
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(mut_arg("name", |a| a.help("The profile to point at the device (default: $AWS_PROFILE, else `default`)")))]
pub struct LinkArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// The device's serial ARN (arn:aws:iam::ACCOUNT:mfa/NAME); its seed must be stored
    #[arg(long, value_name = "ARN")]
    pub serial: String,
    /// Profile holding the long-term keys (recorded in the config file)
    #[arg(long, value_name = "PROFILE", add = profiles())]
    pub source: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Move SOURCE's aws_access_key_id/aws_secret_access_key from the credentials file into the keyring
    Import {
        /// The profile holding the long-term keys, e.g. dev-long-term
        #[arg(value_name = "SOURCE_PROFILE", add = profiles())]
        source: String,
    },
    /// Put SOURCE's keys back into the credentials file and remove them from the keyring
    Export {
        /// The profile whose keys were moved into the keyring, e.g. dev-long-term
        #[arg(value_name = "SOURCE_PROFILE", add = profiles())]
        source: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add profiles to the periodic refresh job (one job refreshes every scheduled profile)
    #[command(long_about = crate::schedule::INSTALL_HELP)]
    Install {
        /// Profiles to refresh, added to those already scheduled
        #[arg(value_name = "PROFILE", add = profiles(), required_unless_present = "profile_flags")]
        profiles: Vec<String>,
        /// A profile to refresh, the way AWS tools take it (repeatable)
        #[arg(short = 'p', long = "profile", value_name = "PROFILE", add = profiles())]
        profile_flags: Vec<String>,
        /// How often the job runs: 1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m, 1h, 2h, 3h, 4h,
        /// 6h, 8h, 12h or 24h [default: 1h for a new job, else the job's interval]
        #[arg(long, value_name = "DURATION")]
        every: Option<String>,
        /// Scheduler to use; linux, macos and windows name cron, launchd and schtasks [default:
        /// this system's]
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
        /// Print the job install would write (with the profiles already scheduled), install nothing
        #[arg(long)]
        print: bool,
    },
    /// List the scheduled profiles, the interval and the command the job runs
    #[command(
        long_about = "List the scheduled profiles, the interval and the command the job runs.\n\nWith no job installed it says so on stderr and exits 0."
    )]
    Show {
        /// Scheduler to look in; linux, macos and windows name cron, launchd and schtasks
        /// [default: this system's]
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
    },
    /// Remove profiles from the refresh job; with no profile, remove the job
    Remove {
        /// Profiles to stop refreshing [default: all, removing the job]
        #[arg(value_name = "PROFILE", add = profiles())]
        profiles: Vec<String>,
        /// A profile to stop refreshing, the way AWS tools take it (repeatable)
        #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
        profile_flags: Vec<String>,
        /// Scheduler to remove from; linux, macos and windows name cron, launchd and schtasks
        /// [default: this system's]
        #[arg(long, value_enum)]
        platform: Option<crate::schedule::Platform>,
    },
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Profiles to show (default: every profile set up for mfa-mint)
    #[arg(value_name = "PROFILE", add = profiles())]
    pub profiles: Vec<String>,

    /// A profile to show, the way AWS tools take it (repeatable)
    #[arg(short = 'p', long = "profile", value_name = "PROFILE", add = profiles())]
    pub profile_flags: Vec<String>,

    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON on stdout: {"profiles": [...]}, whatever the number of profiles
    #[arg(long)]
    pub json: bool,

    /// Ask AWS for every MFA device of the profiles' IAM users (ListMFADevices), marking those
    /// whose seed mfa-mint holds
    #[arg(long)]
    pub devices: bool,

    /// Network timeout for each IAM request (with --devices)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "20s",
        requires = "devices"
    )]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Profiles to check (default: every profile set up for mfa-mint)
    #[arg(value_name = "PROFILE", add = profiles())]
    pub profiles: Vec<String>,

    /// A profile to check, the way AWS tools take it (repeatable)
    #[arg(short = 'p', long = "profile", value_name = "PROFILE", add = profiles())]
    pub profile_flags: Vec<String>,

    /// Also measure the clock offset against AWS (one STS GetCallerIdentity request)
    #[arg(long)]
    pub clock: bool,

    /// Print the findings as JSON on stdout: {"ok": …, "checks": [...]}
    #[arg(long)]
    pub json: bool,

    /// Internal: exit 0 when the keyring is reachable (doctor runs this in a cron-like env)
    #[arg(long, hide = true)]
    pub probe_keyring: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct MintArgs {
    /// Profile(s) to mint into, e.g. `dev` (default: $AWS_PROFILE, else `default`)
    #[arg(value_name = "PROFILE", add = profiles())]
    pub profiles: Vec<String>,

    /// A profile to mint into, the way AWS tools take it (repeatable)
    #[arg(short = 'p', long = "profile", value_name = "PROFILE", add = profiles())]
    pub profile_flags: Vec<String>,

    /// Every profile set up for mfa-mint (with mfa_serial and no role_arn in the config file)
    #[arg(long, conflicts_with_all = ["profiles", "profile_flags"])]
    pub all: bool,

    /// When PROFILE holds long-term keys, move them to [PROFILE-long-term] first (in the
    /// credentials and config files), as aws-mfa's --setup does
    #[arg(long)]
    pub setup: bool,

    /// Append one line per profile (time, profile, outcome, expiry; never a secret) to FILE
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    #[command(flatten)]
    pub minting: MintingArgs,

    /// Print the outcome as JSON on stdout (one object per profile and line)
    #[arg(long)]
    pub json: bool,
}

// How to mint, shared by every command that may mint a session.
#[derive(Debug, Args, Clone, Default)]
pub struct MintingArgs {
    /// Profile holding the long-term keys (default: the configured one, else PROFILE-long-term)
    #[arg(long, value_name = "PROFILE", add = profiles())]
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
#[command(mut_arg("name", |a| a.help("Profile that will use this device, e.g. `dev` (default: $AWS_PROFILE, else `default`)")))]
pub struct ImportArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// The MFA device ARN, e.g. arn:aws:iam::123456789012:mfa/alice [default: the profile's
    /// mfa_serial]
    #[arg(long, value_name = "ARN")]
    pub serial: Option<String>,

    /// Profile holding the long-term keys (recorded in the config file)
    #[arg(long, value_name = "PROFILE", add = profiles())]
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
#[command(mut_arg("name", |a| a.help("Profile whose device to use (default: $AWS_PROFILE, else `default`)")))]
pub struct CodeArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Print JSON with the code and the seconds it stays valid
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(mut_arg("name", |a| a.help("Profile that will use the new device, e.g. `dev` (default: $AWS_PROFILE, else `default`)")))]
pub struct EnrollArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Name of the new virtual MFA device (unique in the account), e.g. alice-laptop
    #[arg(long, value_name = "NAME")]
    pub device_name: String,

    /// IAM user to enroll (default: the owner of the source profile's keys)
    #[arg(long, value_name = "IAM_USER")]
    pub user: Option<String>,

    /// Profile holding the long-term keys (default: the configured one, else PROFILE-long-term)
    #[arg(long, value_name = "PROFILE", add = profiles())]
    pub source: Option<String>,

    /// Replace the profile's current virtual device: after a mint with the new one works, the
    /// old device is deactivated and deleted (without this flag the old device stays enabled)
    #[arg(long)]
    pub replace: bool,

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
#[command(mut_arg("name", |a| a.help("Profile whose long-term key to rotate, e.g. `dev` (default: $AWS_PROFILE, else `default`)")))]
pub struct RotateArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Finish a rotation that stopped after storing the new key: check it, delete the old key
    #[arg(long)]
    pub finish: bool,

    /// Network timeout for each request
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub timeout: String,

    /// Print the outcome as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("format").required(true).args(["show_qr", "qr_png", "uri"])))]
#[command(mut_arg("name", |a| a.help("Profile whose device seed to show (default: $AWS_PROFILE, else `default`)")))]
pub struct ExportArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

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
    fn the_derive_knows_every_command_name_and_alias_without_the_tree() {
        let names = command_names();
        assert!(names.len() > 10, "{names:?}");
        for name in &names {
            assert!(
                <Command as clap::Subcommand>::has_subcommand(name),
                "{name}"
            );
        }
        for word in ["dev", "prod-admin", "mints", "mfa-mint", ""] {
            assert!(
                !<Command as clap::Subcommand>::has_subcommand(word),
                "{word}"
            );
        }
    }

    #[test]
    fn parse_says_what_try_parse_from_says() {
        let cases: &[&[&str]] = &[
            &["mfa-mint", "mint", "dev", "--quiet"],
            &["mfa-mint", "mint", "dev", "--min-remaining", "nope"],
            &["mfa-mint", "lsit"],
            &["mfa-mint", "--help"],
            &["mfa-mint", "status", "--json"],
            &["mfa-mint"],
        ];
        for case in cases {
            let os = || {
                case.iter()
                    .map(std::ffi::OsString::from)
                    .collect::<Vec<_>>()
            };
            match (parse(os()), Cli::try_parse_from(os())) {
                (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{case:?}"),
                (Err(a), Err(b)) => {
                    assert_eq!(a.kind(), b.kind(), "{case:?}");
                    assert_eq!(a.to_string(), b.to_string(), "{case:?}");
                }
                (a, b) => panic!("{case:?}: {:?} vs {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_profile_means_mint() {
        let parse = |args: &[&str]| {
            let args = args.iter().map(std::ffi::OsString::from).collect();
            Cli::try_parse_from(with_default_command(args, |p| p == "dve")).unwrap()
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
        // `--` ends the options: what follows is a profile, also one named like a command.
        for args in [
            &["mfa-mint", "--", "code"][..],
            &["mfa-mint", "mint", "--", "code"],
            &["mfa-mint", "-q", "mint", "--", "code"],
        ] {
            let Command::Mint(m) = parse(args).command else {
                panic!("{args:?} is not mint");
            };
            assert_eq!(m.profiles, ["code"], "{args:?}");
        }
    }

    #[test]
    fn a_scheduled_job_mints_its_profiles_even_when_named_like_commands() {
        let job = crate::schedule::Job {
            exe: "/usr/bin/mfa-mint".into(),
            profiles: vec!["code".into(), "mint".into(), "schedule".into()],
            every_secs: 3600,
            log_file: "/var/log/x.log".into(),
        };
        let args = job.argv().into_iter().map(Into::into).collect();
        let cli = Cli::try_parse_from(with_default_command(args, |_| true)).unwrap();
        let Command::Mint(m) = cli.command else {
            panic!("the job does not run mint");
        };
        assert_eq!(m.profiles, ["code", "mint", "schedule"]);
        assert_eq!(m.minting.min_remaining.as_deref(), Some("70m"));
        assert_eq!(m.log_file, Some(PathBuf::from("/var/log/x.log")));
        assert!(cli.global.quiet && cli.global.non_interactive);
    }

    #[test]
    fn a_misspelled_command_gets_clap_s_error_unless_it_is_a_profile() {
        let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        let no_profiles = |_: &str| false;
        let e = Cli::try_parse_from(with_default_command(
            args(&["mfa-mint", "improt", "dev", "--serial", "x"]),
            no_profiles,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidSubcommand);
        assert!(e.to_string().contains("'import'"), "{e}");
        for typo in ["lsit", "stauts", "doctr", "exce"] {
            let e =
                Cli::try_parse_from(with_default_command(args(&["mfa-mint", typo]), no_profiles))
                    .unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::InvalidSubcommand,
                "{typo}"
            );
        }
        // A profile of that name, or a word far from every command, is minted.
        let Command::Mint(m) =
            Cli::try_parse_from(with_default_command(args(&["mfa-mint", "lsit"]), |p| {
                p == "lsit"
            }))
            .unwrap()
            .command
        else {
            panic!("not mint");
        };
        assert_eq!(m.profiles, ["lsit"]);
        for profile in ["dev", "prod", "staging", "work-admin"] {
            let cli = Cli::try_parse_from(with_default_command(
                args(&["mfa-mint", profile]),
                no_profiles,
            ))
            .unwrap();
            assert!(matches!(cli.command, Command::Mint(_)), "{profile}");
        }
        // `help` is clap's help command.
        let e = Cli::try_parse_from(with_default_command(
            args(&["mfa-mint", "help", "import"]),
            no_profiles,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(e.to_string().contains("--serial"), "{e}");
    }

    #[test]
    fn every_command_and_argument_has_help_text() {
        fn walk(cmd: &clap::Command, path: &str, blank: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                if help.trim().is_empty() && !arg.is_hide_set() {
                    blank.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                if sub
                    .get_about()
                    .is_none_or(|a| a.to_string().trim().is_empty())
                {
                    blank.push(name.clone());
                }
                walk(sub, &name, blank);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut blank = Vec::new();
        walk(&cmd, "mfa-mint", &mut blank);
        assert!(blank.is_empty(), "no help text: {blank:?}");
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
