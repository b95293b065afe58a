//! The error type of every command, its exit codes and hints, and the one renderer that turns
//! errors into text on stderr.

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- configuration (exit 3) ---
    #[error(transparent)]
    Files(#[from] crate::aws_files::Error),
    #[error("cannot write that value: {0}")]
    Edit(#[from] crate::aws_files::EditError),
    #[error("profile {profile:?} has no MFA device (no mfa_serial in {config})")]
    NoSerial { profile: String, config: String },
    #[error("no source profile with long-term keys for {profile:?} (looked for {tried})")]
    NoSource { profile: String, tried: String },
    #[error("source profile {source_profile:?} has no {missing} (looked at {looked})")]
    SourceWithoutKeys {
        source_profile: String,
        missing: &'static str,
        looked: String,
    },
    #[error("source profile {source_profile:?} holds session credentials, not long-term keys")]
    SourceHasSession { source_profile: String },
    #[error(
        "profile {profile:?} in {path} holds long-term keys; refusing to overwrite them with a session"
    )]
    TargetHoldsLongTermKeys { profile: String, path: String },
    #[error("profile {profile:?} cannot be its own source profile")]
    SourceIsTarget { profile: String },
    #[error(
        "[{profile}] holds the long-term keys of {}; did you mean {}?",
        users.join(", "),
        users[0]
    )]
    KeysOfAnotherProfile {
        profile: String,
        /// The profiles that take their long-term keys from `profile` (never empty).
        users: Vec<String>,
        /// The command that uses the keys: a mint of the first such mfa-mint profile, else an
        /// `exec` of the role.
        command: String,
    },
    #[error("profile {profile} is not set up for mfa-mint{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    UnknownProfile {
        profile: String,
        suggestion: Option<String>,
    },
    #[error("cannot move the long-term keys of {profile:?}: [{target}] already holds keys")]
    LongTermTargetTaken { profile: String, target: String },
    #[error("no --serial given and profile {profile:?} names no MFA device (no mfa_serial)")]
    NoSerialToImport { profile: String },
    #[error(
        "profile {profile:?} assumes the role {role_arn}: the AWS CLI ignores a session written into it (role_arn wins){}",
        if *prompts { " and asks for an MFA code because of its mfa_serial" } else { "" }
    )]
    RoleProfile {
        profile: String,
        role_arn: String,
        /// The mfa-mint profile whose session the role can be assumed from.
        base: Option<String>,
        prompts: bool,
        /// Its `source_profile` as it is now.
        source_profile: Option<String>,
    },
    #[error(
        "profile {profile:?} assumes the role {role_arn}; a credential_process there would never run (role_arn wins)"
    )]
    CredentialProcessOnRole { profile: String, role_arn: String },
    #[error(
        "profile {profile} is set up for credential_process: a session written into [{profile}] of the credentials file would shadow it, so nothing is minted there"
    )]
    MintOfCredentialProcess { profile: String },
    #[error("role profile {profile:?} has no mfa-mint profile to assume the role from ({why})")]
    RoleWithoutBase {
        profile: String,
        why: String,
        /// What to run to set one up.
        setup: String,
    },
    #[error("assuming the role {role_arn} for profile {profile:?} failed: {source}")]
    AssumeRole {
        profile: String,
        role_arn: String,
        #[source]
        source: Box<crate::aws::sts::Error>,
    },
    /// AWS refused the long-term keys themselves: named, so a wrong `--source` or a stale key
    /// is found without guessing (issue 23).
    #[error(
        "AWS refused the long-term keys of [{source_profile}] ({key}), used for profile {profile:?}: {source}"
    )]
    SourceKeysRefused {
        profile: String,
        source_profile: String,
        /// The access key id, masked.
        key: String,
        #[source]
        source: Box<crate::aws::sts::Error>,
    },
    #[error(transparent)]
    Network(#[from] crate::aws::client::Error),
    #[error("{key} = {value:?} in profile {profile:?} is invalid: {reason}")]
    BadSetting {
        profile: String,
        key: &'static str,
        value: String,
        reason: String,
    },

    // --- bad input (exit 4) ---
    #[error("no profile is set up for mfa-mint (none has mfa_serial in the config file)")]
    NoMfaProfiles,
    #[error("invalid profile name {name:?}: {problem}")]
    ProfileName { name: String, problem: String },
    #[error("invalid MFA seed: {0}")]
    Seed(#[source] crate::totp::SeedError),
    #[error("cannot import: {0}")]
    Source(#[source] crate::totp::formats::Error),
    #[error("invalid MFA serial: {0}")]
    Serial(#[from] crate::arn::Error),
    #[error("invalid {flag}: {source}")]
    Duration {
        flag: &'static str,
        #[source]
        source: crate::duration::Error,
    },
    #[error(
        "a session of {duration} s would never count as fresh with a refresh window of {min_remaining} s (--min-remaining / mfa_mint_min_remaining): every run would mint again and spend a code"
    )]
    NeverFresh { min_remaining: u64, duration: u64 },
    #[error(
        "profile {profile:?} assumes a role: a scheduled job mints sessions into the credentials file, which the AWS CLI ignores for a role profile"
    )]
    ScheduleRole {
        profile: String,
        /// The mfa-mint profile the role is assumed from, or why there is none.
        base: Result<String, Box<Error>>,
    },
    #[error("{0}")]
    SeedInput(String),
    #[error("{program}: command not found")]
    CommandNotFound { program: String },
    #[error(
        "this environment already holds the session of {outer} (MFA_MINT_PROFILE={outer}, set by `mfa-mint exec` or `env`): an exec of {inner} in it would nest two profiles"
    )]
    NestedExec { outer: String, inner: String },
    #[error("cannot run {program}: {source}")]
    CannotRun {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("interrupted while waiting for a fresh MFA code; its time step was given back")]
    Interrupted,

    #[error("invalid device name {name:?}")]
    DeviceName { name: String },

    // --- enroll (AWS refused: exit 6, or 7 when the cause is transient) ---
    #[error("an MFA device named {name:?} already exists in this account")]
    DeviceNameTaken { name: String },
    #[error("IAM user {user:?} already has the maximum number of MFA devices")]
    TooManyDevices { user: String },
    #[error("missing IAM permission: {message}")]
    MissingPermission { message: String },
    #[error("{cause}; {state}")]
    EnrollRolledBack { cause: Box<Error>, state: String },
    #[error(
        "{cause}; the new device {serial} was NOT enabled and deleting it failed ({delete_error})"
    )]
    EnrollIncomplete {
        cause: Box<Error>,
        serial: String,
        source_profile: String,
        delete_error: String,
        seed_kept: bool,
    },
    #[error(
        "the device {serial} is enabled and its seed is in the keyring, but linking profile {profile:?} failed: {cause}"
    )]
    EnrolledButNotLinked {
        serial: String,
        profile: String,
        cause: String,
    },

    // --- rotate and enroll --replace (issue 25; the cause's exit code, else AWS refused: 6) ---
    #[error(
        "IAM user {user:?} already has two access keys, AWS's limit: the one of [{source_profile}] and {other}"
    )]
    TwoAccessKeys {
        user: String,
        source_profile: String,
        profile: String,
        /// The other key, masked.
        other: String,
    },
    #[error(
        "the access key of [{source_profile}] ({key}) is not a key of IAM user {user:?}, whose session profile {profile:?} mints"
    )]
    KeyNotOfUser {
        profile: String,
        source_profile: String,
        key: String,
        user: String,
    },
    #[error("profile {profile:?} assumes a role: its long-term keys are those of profile {base:?}")]
    RotateRole { profile: String, base: String },
    #[error("missing IAM permission: {message}")]
    IamDenied {
        message: String,
        actions: &'static str,
    },
    #[error("{cause}; {state}")]
    RotateRolledBack { cause: Box<Error>, state: String },
    #[error(
        "{cause}; the new access key {new_key} was not stored, and deleting it again failed ({delete_error}); the old key still works"
    )]
    RotateRollbackFailed {
        cause: Box<Error>,
        user: String,
        new_key: String,
        delete_error: String,
    },
    #[error(
        "{cause}; AWS may have made a new access key for IAM user {user:?} whose answer never arrived, and listing the keys to delete it failed"
    )]
    RotateKeyMayExist {
        cause: Box<Error>,
        user: String,
        profile: String,
    },
    #[error(
        "{cause}; the new access key {new_key} is stored for [{source_profile}] but the old key {old_key} still exists"
    )]
    RotateUnfinished {
        cause: Box<Error>,
        profile: String,
        source_profile: String,
        new_key: String,
        old_key: String,
    },
    #[error(
        "{cause}; the new device {serial} is enabled and removing it again failed ({error}); its seed is still in the keyring"
    )]
    ReplaceRollbackFailed {
        cause: Box<Error>,
        serial: String,
        user: String,
        source_profile: String,
        error: String,
    },
    #[error("profile {profile:?} has no MFA device to replace (no mfa_serial)")]
    NothingToReplace { profile: String },
    #[error(
        "{cause}; profile {profile:?} now uses the new device {new_serial}, but the old device {old_serial} is still enabled"
    )]
    ReplaceUnfinished {
        cause: Box<Error>,
        profile: String,
        user: String,
        new_serial: String,
        old_serial: String,
    },

    // --- keyring (exit 5) ---
    #[error(transparent)]
    Keyring(#[from] crate::vault::Error),

    // --- AWS (exit 6, or 7 when transient) ---
    #[error(transparent)]
    Sts(#[from] crate::aws::sts::Error),

    // --- local I/O (exit 8) ---
    #[error(transparent)]
    State(#[from] crate::state::Error),
    #[error(transparent)]
    Schedule(#[from] crate::schedule::Error),
    #[error(transparent)]
    Server(#[from] crate::server::Error),
    #[error(transparent)]
    Login(#[from] crate::login::Error),
    #[error("cannot {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },

    // --- one mint shared by several profiles (the exit code of its cause) ---
    #[error("the one mint shared with profile {with:?} failed: {message}")]
    SharedMint {
        with: String,
        message: String,
        exit: u8,
        hint: Option<String>,
    },

    // --- confirmation (exit 9) ---
    #[error("a seed for {serial} is already in the keyring")]
    SeedExists { serial: String },
    #[error("cancelled; nothing was changed")]
    Declined,
    #[error("export shows the MFA secret and nobody can confirm it here")]
    ConfirmExport,
    #[error("remove deletes the MFA seed and nobody can confirm it here")]
    ConfirmRemove,
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        use Error::*;
        match self {
            Files(e) if e.is_io() => exit::IO,
            Files(_)
            | Edit(_)
            | NoSerial { .. }
            | NoSource { .. }
            | SourceWithoutKeys { .. }
            | SourceHasSession { .. }
            | TargetHoldsLongTermKeys { .. }
            | SourceIsTarget { .. }
            | KeysOfAnotherProfile { .. }
            | UnknownProfile { .. }
            | NoSerialToImport { .. }
            | LongTermTargetTaken { .. }
            | RoleProfile { .. }
            | RoleWithoutBase { .. }
            | ScheduleRole { .. }
            | CredentialProcessOnRole { .. }
            | MintOfCredentialProcess { .. }
            | Network(_)
            | BadSetting { .. } => exit::CONFIG,
            AssumeRole { source, .. } if source.is_transient() => exit::TRANSIENT,
            AssumeRole { source, .. } if source.is_config() => exit::CONFIG,
            AssumeRole { .. } | SourceKeysRefused { .. } => exit::AWS_REFUSED,
            NoMfaProfiles
            | ProfileName { .. }
            | Seed(_)
            | Source(_)
            | DeviceName { .. }
            | Serial(_)
            | Duration { .. }
            | NeverFresh { .. }
            | SeedInput(_) => exit::INPUT,
            Keyring(_) => exit::KEYRING,
            EnrollRolledBack { cause, .. } | EnrollIncomplete { cause, .. } => cause.exit_code(),
            DeviceNameTaken { .. } | TooManyDevices { .. } | MissingPermission { .. } => {
                exit::AWS_REFUSED
            }
            EnrolledButNotLinked { .. } => exit::CONFIG,
            TwoAccessKeys { .. } | KeyNotOfUser { .. } | IamDenied { .. } => exit::AWS_REFUSED,
            RotateRole { .. } | NothingToReplace { .. } => exit::CONFIG,
            RotateRolledBack { cause, .. }
            | RotateRollbackFailed { cause, .. }
            | RotateKeyMayExist { cause, .. }
            | RotateUnfinished { cause, .. }
            | ReplaceRollbackFailed { cause, .. }
            | ReplaceUnfinished { cause, .. } => cause.exit_code(),
            Sts(e) if e.is_transient() => exit::TRANSIENT,
            Sts(e) if e.is_config() => exit::CONFIG,
            Sts(_) => exit::AWS_REFUSED,
            Schedule(e) => e.exit_code(),
            Server(e) => e.exit_code(),
            Login(e) => e.exit_code(),
            State(_) | Io { .. } => exit::IO,
            SharedMint { exit, .. } => *exit,
            SeedExists { .. } | Declined | ConfirmExport | ConfirmRemove => {
                exit::NEEDS_CONFIRMATION
            }
            CommandNotFound { .. } => exit::COMMAND_NOT_FOUND,
            NestedExec { .. } => exit::NEEDS_CONFIRMATION,
            CannotRun { .. } => exit::CANNOT_RUN,
            Interrupted => exit::INTERRUPTED,
        }
    }

    /// How to fix it, one line.
    pub fn hint(&self) -> Option<String> {
        use crate::aws::sts::Error as S;
        use Error::*;
        Some(match self {
            Files(e) => return e.hint().or_else(|| Some("check that the path exists, is a file, and that you may read and write it (and its directory)".into())),
            Edit(e) => return e.hint(),
            NoSerial { profile, .. } => format!(
                "import the device's seed first: mfa-mint import {profile} --serial arn:aws:iam::ACCOUNT:mfa/NAME"
            ),
            NoSource { profile, .. } => format!(
                "put your long-term keys in [{profile}-long-term] of the credentials file, or name their profile with --source (recorded by `mfa-mint import {profile} --serial … --source NAME`)"
            ),
            SourceWithoutKeys { source_profile, .. } => format!(
                "add aws_access_key_id and aws_secret_access_key of your IAM user to [{source_profile}] (e.g. `aws configure --profile {source_profile}`)"
            ),
            SourceHasSession { .. } => "GetSessionToken needs an IAM user's long-term keys (AKIA…); point --source at the profile that holds them".into(),
            TargetHoldsLongTermKeys { profile, .. } => format!(
                "move those keys to [{profile}-long-term] (mfa-mint reads them from there): run `mfa-mint {profile} --setup`, which moves them in both AWS files"
            ),
            KeysOfAnotherProfile { profile, users, command } => format!(
                "`{command}` uses these keys; they stay in [{profile}] (moving them with --setup would break {})",
                users.join(", ")
            ),
            UnknownProfile { .. } => "name a profile set up with `mfa-mint import PROFILE --serial ARN` (`mfa-mint list` shows them), or set AWS_PROFILE".into(),
            LongTermTargetTaken { profile, target } => format!("keep one set of keys: delete the ones in [{profile}] or in [{target}], then run again"),
            NoSerialToImport { .. } => "pass the device ARN: --serial arn:aws:iam::ACCOUNT:mfa/NAME".into(),
            RoleProfile { profile, base: Some(base), prompts: false, .. } => format!(
                "mint its source instead (`mfa-mint {base}`): the AWS CLI then assumes the role from that session without asking for a code; or run `mfa-mint exec {profile} -- CMD`"
            ),
            RoleProfile { profile, base: Some(base), prompts: true, source_profile, .. } => format!(
                "in [profile {profile}] {}delete mfa_serial, then `mfa-mint {base}` serves the role with no prompt; or run `mfa-mint exec {profile} -- CMD` as it is",
                if source_profile.as_deref() == Some(base.as_str()) { String::new() } else { format!("set source_profile = {base} and ") }
            ),
            RoleProfile { .. } => "set up the IAM user's session profile first (see `mfa-mint doctor`), then point the role's source_profile at it".into(),
            RoleWithoutBase { setup, .. } => setup.clone(),
            MintOfCredentialProcess { profile } => format!(
                "the AWS CLI and SDKs run `mfa-mint credential-process {profile}` when they need a session; `mfa-mint exec {profile} -- CMD` and `mfa-mint env {profile}` work too. To mint into the file again, delete credential_process from [profile {profile}] of the config file (and `mfa-mint schedule remove {profile}` if a job mints it)"
            ),
            CredentialProcessOnRole { profile, .. } => format!(
                "add a profile without role_arn, e.g. [profile {profile}-mfa] with `credential_process = mfa-mint credential-process {profile}` (mfa-mint assumes the role for it)"
            ),
            AssumeRole { source, .. } if matches!(**source, S::AccessDenied { .. }) => "the role's trust policy must allow your IAM user (with MFA: aws:MultiFactorAuthPresent) and your user needs sts:AssumeRole on it".into(),
            AssumeRole { source, .. } => return Error::Sts((**source).clone()).hint(),
            SourceKeysRefused { source_profile, source, .. } if matches!(**source, S::BadSignature { .. }) => format!(
                "the aws_secret_access_key of [{source_profile}] does not belong to its access key id: fix it in the credentials file (`aws configure --profile {source_profile}`), or name the profile with the right keys with --source"
            ),
            SourceKeysRefused { source_profile, .. } => format!(
                "AWS does not know the access key id of [{source_profile}] (deleted or deactivated?): put the current key there (`aws configure --profile {source_profile}`), or name the profile with the right keys with --source"
            ),
            SourceIsTarget { .. } => "the session is written into PROFILE; the long-term keys must live in another profile".into(),
            BadSetting { key, .. } => format!("fix or remove {key} in the AWS config file"),
            Network(e) => e.hint(),
            NoMfaProfiles => "set one up with mfa-mint import PROFILE --serial ARN".into(),
            ProfileName { .. } => format!(
                "profile names may use letters, digits and {}, and must not start with -",
                crate::aws_files::NAME_PUNCTUATION
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Seed(e) => e.hint().to_string(),
            Source(e) => e.hint(),
            Serial(e) => e.hint(),
            Duration { source, .. } => source.hint().into(),
            ScheduleRole { base: Ok(base), .. } => format!("schedule the profile it is assumed from: `mfa-mint schedule install {base}` (the role is then served from that session)"),
            ScheduleRole { base: Err(e), .. } => return e.hint(),
            NeverFresh { duration, .. } => format!(
                "pass a shorter --min-remaining (below the duration, e.g. --min-remaining {}s) or a longer --duration, or leave --min-remaining out (it then shrinks to half the duration)",
                duration / 2
            ),
            SeedInput(_) => "pipe the base32 secret or otpauth:// URI on stdin (e.g. `mfa-mint import dev --serial … < seed.txt`) or use --from FILE".into(),
            Keyring(e) => e.hint(),
            DeviceName { .. } => "device names use 1 to 226 letters, digits and _ + = , . @ -".into(),
            DeviceNameTaken { .. } => "choose another --device-name (names are unique per account), or list them with `aws iam list-virtual-mfa-devices`".into(),
            TooManyDevices { user } => format!("remove a device you no longer use (`aws iam list-mfa-devices --user-name {user}`), then retry"),
            MissingPermission { .. } => format!("grant the source profile's user {}", crate::aws::iam::ENROLL_ACTIONS),
            EnrollRolledBack { cause, .. } => return cause.hint(),
            EnrollIncomplete { serial, source_profile, seed_kept, .. } => format!(
                "delete it with `aws iam delete-virtual-mfa-device --serial-number {serial} --profile {source_profile}` and retry{}",
                if *seed_kept { "; its seed is still in the keyring (`mfa-mint code` works once a profile points at it)" } else { "" }
            ),
            EnrolledButNotLinked { serial, profile, .. } => format!(
                "link it by hand: add `mfa_serial = {serial}` to [profile {profile}] of the AWS config file"
            ),
            TwoAccessKeys { user, profile, other, .. } => format!(
                "delete the key you no longer use ({other}): `aws iam delete-access-key --user-name {user} --access-key-id ID` with its ID from `aws iam list-access-keys --user-name {user}` (or in the IAM console), then run `mfa-mint rotate {profile}` again"
            ),
            KeyNotOfUser { profile, source_profile, .. } => format!(
                "point [profile {profile}] at the MFA device of the user whose keys are in [{source_profile}] (mfa_serial), then run `mfa-mint rotate {profile}` again"
            ),
            RotateRole { base, .. } => format!("rotate the keys of its base profile: `mfa-mint rotate {base}`"),
            IamDenied { actions, .. } => format!(
                "grant the IAM user {actions}; with an MFA policy, mfa-mint signs them with an MFA session"
            ),
            RotateRolledBack { cause, .. } => return cause.hint(),
            RotateRollbackFailed { user, new_key, .. } => format!(
                "delete the unused new key {new_key}: `aws iam delete-access-key --user-name {user} --access-key-id ID` with its ID from `aws iam list-access-keys --user-name {user}` (or in the IAM console)"
            ),
            RotateKeyMayExist { user, profile, .. } => format!(
                "list the keys: `mfa-mint exec {profile} -- aws iam list-access-keys --user-name {user}`; delete one your files and keyring do not hold (`mfa-mint exec {profile} -- aws iam delete-access-key --user-name {user} --access-key-id ID`), then run `mfa-mint rotate {profile}` again"
            ),
            RotateUnfinished { profile, old_key, .. } => format!(
                "run `mfa-mint rotate {profile} --finish` (it checks the new key, then deletes the old one, {old_key}); or delete the old key in the IAM console"
            ),
            ReplaceRollbackFailed { serial, user, source_profile, .. } => format!(
                "remove it: `aws iam deactivate-mfa-device --user-name {user} --serial-number {serial} --profile {source_profile}`, then `aws iam delete-virtual-mfa-device --serial-number {serial} --profile {source_profile}`"
            ),
            NothingToReplace { profile } => format!(
                "enroll without --replace: `mfa-mint enroll {profile} --device-name NAME`"
            ),
            ReplaceUnfinished { profile, user, old_serial, .. } => format!(
                "remove the old device with an MFA session: `mfa-mint exec {profile} -- aws iam deactivate-mfa-device --user-name {user} --serial-number {old_serial}`, then `mfa-mint exec {profile} -- aws iam delete-virtual-mfa-device --serial-number {old_serial}`"
            ),
            CommandNotFound { .. } => "check the spelling, or that the program is installed and on PATH".into(),
            NestedExec { inner, .. } => if cfg!(windows) {
                format!("leave that shell first (`exit`), or run `Remove-Item Env:MFA_MINT_PROFILE`, then `mfa-mint exec {inner} …` again")
            } else {
                format!("leave that shell first (`exit`), or run it anyway: `env -u MFA_MINT_PROFILE mfa-mint exec {inner} …`")
            },
            CannotRun { .. } => "check that the file is a program you may execute".into(),
            Interrupted => return None,
            Sts(S::InvalidCode { .. }) => "check the system clock (a few seconds off breaks codes) and that the stored seed belongs to this device; `mfa-mint code PROFILE` shows the code to compare with your authenticator".into(),
            Sts(S::SerialNotValid { .. }) => "the mfa_serial must be a device of the IAM user whose long-term keys are used; check with `aws iam list-mfa-devices --profile SOURCE`".into(),
            Sts(S::InvalidKeys { .. }) => "the long-term access key id is unknown to AWS: check the source profile's aws_access_key_id (deleted or deactivated key?)".into(),
            Sts(S::BadSignature { .. }) => "the source profile's aws_secret_access_key does not match its access key id".into(),
            Sts(S::ClockSkew { .. }) => "set the system clock right (enable NTP time sync) and retry".into(),
            Sts(S::Expired { .. }) => "the source profile must hold long-term keys; session credentials expire".into(),
            Sts(S::AccessDenied { .. }) => "the IAM policy of the source profile's user denies sts:GetSessionToken".into(),
            Sts(S::Validation { .. }) => "check --duration (900 s to 36 h) and the mfa_serial".into(),
            Sts(S::Throttled { .. }) | Sts(S::Server { .. }) => "this is temporary: retry in a minute".into(),
            Sts(S::UntrustedCertificate { .. }) => "behind a TLS-inspecting proxy, set AWS_CA_BUNDLE to your company's root CA (a PEM file), as for the AWS CLI; if it is set, that file lacks the CA that signed this certificate".into(),
            Sts(S::ProxyUnreachable { .. }) => "check that the proxy in HTTPS_PROXY is running and its host and port are right; to go direct, unset it or add the AWS host to NO_PROXY".into(),
            Sts(S::ProxyRefused { reason, .. }) if reason.contains("407") => "put the proxy login into the URL: HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT (percent-encode special characters)".into(),
            Sts(S::ProxyRefused { endpoint, .. }) => format!(
                "the proxy must allow CONNECT to {endpoint}; ask whoever runs it, or add the host to NO_PROXY to go direct"
            ),
            Sts(S::Timeout { .. }) | Sts(S::Network { .. }) => "check the network (and AWS_ENDPOINT_URL_STS if set), then retry".into(),
            Sts(S::AnswerLost { .. }) => "this is temporary: retry (the next run uses the next code, as AWS may have used this one)".into(),
            Sts(S::BadAnswer { .. }) => "nothing was written and the session already in the file is kept; a proxy or captive portal may be answering for AWS (check AWS_ENDPOINT_URL_STS and HTTPS_PROXY), then retry".into(),
            Sts(S::Malformed { .. }) => "check AWS_ENDPOINT_URL_STS points at an STS endpoint, then retry".into(),
            Sts(S::Other { .. }) => return None,
            State(_) => "check that the state directory is writable (MFA_MINT_STATE_DIR overrides it)".into(),
            Io { .. } => "check that the path exists and that you may read (or write) it".into(),
            Schedule(e) => return e.hint(),
            Server(e) => return e.hint(),
            Login(e) => return e.hint(),
            SeedExists { .. } => "pass --force to replace it (the old seed is lost unless you kept it elsewhere)".into(),
            Declined => return None,
            SharedMint { hint, .. } => return hint.clone(),
            ConfirmExport | ConfirmRemove => "pass --yes to confirm".into(),
        })
    }

    /// One `error:` line with its causes (`: cause: cause`), plus an optional `hint:` line, the
    /// labels styled. The styles are ANSI codes that `output::err!` (anstream) keeps on a colour
    /// terminal and strips elsewhere (NO_COLOR, CLICOLOR=0, a pipe; CLICOLOR_FORCE keeps them;
    /// Windows consoles get them translated).
    pub fn render(&self) -> String {
        let red = anstyle::AnsiColor::Red.on_default().bold();
        let yellow = anstyle::AnsiColor::Yellow.on_default().bold();
        let mut text = format!("{red}error:{red:#} {}\n", one_line(&self.with_causes()));
        if let Some(hint) = Hint::hint(self) {
            text.push_str(&format!("{yellow}hint:{yellow:#} {}\n", one_line(&hint)));
        }
        text
    }
}

impl Error {
    /// The message followed by each cause that it does not already contain.
    pub fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let more = c.to_string();
            if !more.is_empty() && !text.contains(&more) {
                text = format!("{text}: {more}");
            }
            cause = c.source();
        }
        text
    }
}

/// How to fix an error, in one line: every error type that reaches the user answers it, and
/// [`Error::render`] prints it after the message.
pub trait Hint {
    fn hint(&self) -> Option<String>;
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        Error::hint(self)
    }
}

impl Hint for crate::aws_files::Error {
    fn hint(&self) -> Option<String> {
        crate::aws_files::Error::hint(self)
    }
}

impl Hint for crate::schedule::Error {
    fn hint(&self) -> Option<String> {
        crate::schedule::Error::hint(self)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_line() {
        let e = Error::NoSerial {
            profile: "dev".into(),
            config: "~/.aws/config".into(),
        };
        let text = anstream::adapter::strip_str(&e.render()).to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.starts_with("error: profile \"dev\" has no MFA device"));
        assert!(text.contains("hint: import the device's seed first"));
        assert_eq!(e.exit_code(), exit::CONFIG);
    }

    #[test]
    fn transient_aws_errors_have_their_own_code() {
        let e = Error::Sts(crate::aws::sts::Error::Throttled {
            message: "Rate exceeded".into(),
        });
        assert_eq!(e.exit_code(), exit::TRANSIENT);
        let e = Error::Sts(crate::aws::sts::Error::InvalidCode {
            message: "x".into(),
        });
        assert_eq!(e.exit_code(), exit::AWS_REFUSED);
    }

    #[test]
    fn the_most_severe_exit_code_wins() {
        use exit::*;
        assert_eq!(most_severe(OK, OK), OK);
        assert_eq!(most_severe(OK, TRANSIENT), TRANSIENT);
        assert_eq!(most_severe(TRANSIENT, AWS_REFUSED), AWS_REFUSED);
        assert_eq!(most_severe(CONFIG, KEYRING), KEYRING);
        assert_eq!(most_severe(IO, INTERNAL), INTERNAL);
        let all = SEVERITY.iter().fold(OK, |acc, &c| most_severe(c, acc));
        assert_eq!(all, INTERRUPTED);
        let reversed = SEVERITY
            .iter()
            .rev()
            .fold(OK, |acc, &c| most_severe(acc, c));
        assert_eq!(reversed, INTERRUPTED);
    }
}
