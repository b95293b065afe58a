//! Minting: config -> (fresh? stop) -> source keys -> seed -> unused code step -> STS -> file.

use std::time::Duration;

use crate::aws::sts;
use crate::aws_files;
use crate::config::{self, Context, Files, Overrides, ProfileConfig, keys};
use crate::credentials::Session;
use crate::error::Error;
use crate::output;
use crate::report::Reporter;
use crate::state::ledger::Ledger;
use crate::state::skew;
use crate::vault::Seeds;

/// What the user asked for, flags already split out of clap.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub source: Option<String>,
    pub duration: Option<String>,
    pub min_remaining: Option<String>,
    pub force: bool,
    pub timeout: Duration,
}

impl Options {
    /// The flags the profile resolver takes.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            source: self.source.clone(),
            duration: self.duration.clone(),
            min_remaining: self.min_remaining.clone(),
        }
    }
}

/// Where a session came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    CredentialsFile,
    KeyringCache,
    Minted,
}

/// What happened to one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Minted { expiration: i64 },
    Fresh { expiration: i64 },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Minted { .. } => "minted",
            Outcome::Fresh { .. } => "fresh",
        }
    }

    pub fn expiration(&self) -> i64 {
        match self {
            Outcome::Minted { expiration } | Outcome::Fresh { expiration } => *expiration,
        }
    }
}

/// Keeps the outcome of a run (whichever command minted) for `status` and `doctor`.
pub fn record(profile: &str, result: Result<Outcome, &Error>) {
    crate::state::runlog::record(&run_entry(profile, result));
}

/// The run-log entry of one result.
pub fn run_entry(profile: &str, result: Result<Outcome, &Error>) -> crate::state::runlog::Entry {
    crate::state::runlog::Entry {
        profile: profile.to_string(),
        at: crate::clock::now_secs() as i64,
        outcome: match &result {
            Ok(o) => o.name().to_string(),
            Err(_) => "error".to_string(),
        },
        expiration: result.as_ref().ok().map(Outcome::expiration),
        exit_code: result
            .as_ref()
            .map_or_else(|e| e.exit_code(), |_| crate::exit::OK),
        message: result.as_ref().err().map(ToString::to_string),
    }
}

/// True when a session expiring at `expiration` has more than `min_remaining` seconds left.
pub fn is_fresh(profile: &str, expiration: i64, min_remaining: u64) -> bool {
    let left = expiration - crate::clock::now_secs() as i64;
    output::debug(1, || {
        format!("{profile}: current session has {left} s left")
    });
    left > min_remaining as i64
}

/// Everything needed for one GetSessionToken call, resolved from the files and flags.
pub struct Plan {
    pub profile: String,
    pub source: String,
    pub serial: String,
    pub keys: crate::credentials::LongTermKeys,
    pub target: sts::Target,
    pub duration: u64,
}

/// Resolves the profile (see [`config::ProfileConfig`]) and fetches keys kept in the keyring.
/// Nothing is written here: `--source` is remembered only after a mint succeeded
/// ([`remember_source`]).
pub fn plan(
    ctx: &Context,
    profile: &str,
    opts: &Options,
    seeds: &mut Seeds,
) -> Result<Plan, Error> {
    let files = ctx.files()?;
    let cfg = ProfileConfig::resolve(files, profile, &opts.overrides(), &ctx.env)?;
    // The network settings before the keyring: a bad CA bundle or proxy fails with nothing done.
    let target = crate::config::network::resolve(
        files,
        crate::config::network::Scope::sts(&cfg),
        opts.timeout,
        &ctx.env,
    )?;
    let keys = long_term_keys(seeds, cfg.keys, &cfg.source)?;
    let plan = Plan {
        profile: cfg.profile,
        source: cfg.source,
        serial: cfg.serial,
        keys,
        target,
        duration: cfg.timing.duration,
    };
    output::debug(1, || {
        format!(
            "{profile}: source [{}] key {}, device {}, {}, duration {} s",
            plan.source,
            crate::secret::mask(&plan.keys.access_key_id),
            plan.serial,
            plan.target.describe(),
            plan.duration,
        )
    });
    Ok(plan)
}

/// `--source` given once is remembered (as `import --source` does), so later runs and a
/// schedule line need nothing but the profile: only after a session was obtained with it, so a
/// wrong `--source` never sticks (issue 23).
pub fn remember_source(ctx: &Context, profile: &str, opts: &Options) -> Result<(), Error> {
    match &opts.source {
        Some(source) => config::edit::remember_source(ctx.files()?, profile, source),
        None => Ok(()),
    }
}

/// The long-term keys of `source`, wherever the resolver found them.
pub fn long_term_keys(
    seeds: &mut Seeds,
    keys: crate::config::Keys,
    source: &str,
) -> Result<crate::credentials::LongTermKeys, Error> {
    match keys {
        crate::config::Keys::File(keys) => Ok(keys),
        crate::config::Keys::Keyring => Ok(seeds.load_keys(source)?),
    }
}

/// Generates an unused code and calls GetSessionToken: one request, or two when the first
/// reveals that the local clock is far off AWS's, or when AWS refuses a code that was right for
/// the clock (another tool, a phone app or a console sign-in used it first). The device's seed is
/// read from the keyring beforehand, before the device lock is taken, so no keyring prompt
/// happens under it.
pub fn fetch_with(
    plan: &Plan,
    seed: &crate::totp::Seed,
    reporter: &dyn Reporter,
) -> Result<Session, Error> {
    let mut offset = skew::load();
    let mut retried = false;
    let mut why = None;
    loop {
        let (step, code) = claim_code_because(seed, &plan.serial, offset, why.take(), reporter)?;
        output::debug(1, || format!("{}: using time step {step}", plan.profile));
        let probe = sts::DateProbe::default();
        let sent = crate::clock::now();
        let result = sts::get_session_token(
            &plan.target,
            &plan.keys,
            &plan.serial,
            &code,
            plan.duration as u32,
            &probe,
        );
        let received = crate::clock::now();
        let measured = probe
            .last()
            .and_then(|date| skew::measure(&date, sent, received));
        if let Some(measured) = measured {
            output::debug(1, || format!("clock offset against AWS: {measured:+} s"));
            skew::save(measured);
            if measured.abs() > skew::WARN_SECS {
                reporter.warn(&format!(
                    "this machine's clock is {measured:+.0} s off AWS's; mfa-mint corrects for it, but please enable time sync (NTP)"
                ));
            }
        }
        if let Err(e) = &result
            && !e.code_may_be_used()
        {
            Ledger::open_default()?.release(&plan.serial, step)?;
        }
        match (result, measured) {
            // The code was generated at the wrong time: retry once at AWS's time. AWS did not
            // accept that step, and it was counted in the wrong time anyway: give it back.
            (Err(sts::Error::InvalidCode { .. }), Some(m))
                if !retried && (m - offset).abs() >= 10.0 =>
            {
                Ledger::open_default()?.release(&plan.serial, step)?;
                offset = m;
                retried = true;
            }
            // The clock is right, so the code was right for its time step: AWS accepts each code
            // once, and something outside mfa-mint's ledger used this one. The step stays
            // claimed; the next one is tried once. A wrong seed fails again, with its hint.
            (Err(sts::Error::InvalidCode { .. }), _) if !retried => {
                output::debug(1, || {
                    format!("{}: AWS refused the code of step {step}", plan.profile)
                });
                why = Some(REFUSED_CODE_WAIT.to_string());
                retried = true;
            }
            (
                Err(source @ (sts::Error::InvalidKeys { .. } | sts::Error::BadSignature { .. })),
                _,
            ) => {
                return Err(Error::SourceKeysRefused {
                    profile: plan.profile.clone(),
                    source_profile: plan.source.clone(),
                    key: crate::secret::mask(&plan.keys.access_key_id),
                    source: Box::new(source),
                });
            }
            (result, _) => return Ok(result?),
        }
    }
}

/// Why a run waits after AWS refused a code that was right for the clock.
pub const REFUSED_CODE_WAIT: &str = "AWS refused the current code although the clock is right: \
another tool, a phone app or a console sign-in may have used it (AWS accepts each code once); \
trying the next code";

/// Claims a time step no other run has used for `serial`, waiting for it if it is in the future,
/// and returns it with its code. AWS rejects a code whose step it already accepted.
///
/// `offset` is AWS's time minus local time (see [`skew`]); steps are in AWS's time.
pub fn claim_code(
    seed: &crate::totp::Seed,
    serial: &str,
    offset: f64,
    reporter: &dyn Reporter,
) -> Result<(u64, String), Error> {
    claim_code_because(seed, serial, offset, None, reporter)
}

/// [`claim_code`], saying `why` when it has to wait (default: who used the current code).
/// Ctrl-C during the wait gives the claimed step back and ends with [`Error::Interrupted`].
pub fn claim_code_because(
    seed: &crate::totp::Seed,
    serial: &str,
    offset: f64,
    why: Option<String>,
    reporter: &dyn Reporter,
) -> Result<(u64, String), Error> {
    let ledger = Ledger::open_default()?;
    let now = crate::clock::now() + offset;
    let current = seed.step_at(now as u64);
    let claim = ledger.claim(serial, current)?;
    if let Some(warning) = claim.clock_jump_warning() {
        reporter.warn(&warning);
    }
    let step = claim.step;
    if step > current {
        let start = (step * seed.period()) as f64;
        output::debug(1, || {
            format!(
                "the code of step {current} was already used; waiting {:.1} s for step {step}",
                start - now
            )
        });
        let why = why.unwrap_or_else(|| wait_reason(current, &claim));
        // Visible to `status` while it lasts, for callers that hide stderr.
        let _waiting = crate::state::waits::begin(serial, start - offset + 0.05, &why);
        if reporter.wait_until(start - offset + 0.05, &why).is_err() {
            ledger.release(serial, step)?;
            return Err(Error::Interrupted);
        }
    }
    Ok((step, seed.code_for_step(step)))
}

/// "the current code was already used by `mfa-mint code` at 16:25:15 CET; AWS accepts each
/// code once" (or which later codes other runs hold).
pub fn wait_reason(current: u64, claim: &crate::state::ledger::Claim) -> String {
    let by = claim.blocked_by.as_ref();
    let who = match by.and_then(|u| u.by.as_deref().zip(u.at)) {
        Some((by, at)) => format!("by `{by}` at {}", crate::clock::format_local_time(at)),
        None => "by another run of mfa-mint".to_string(),
    };
    let ahead = claim.step.saturating_sub(current + 1);
    if ahead == 0 {
        format!("the current code was already used {who}; AWS accepts each code once")
    } else {
        let codes = if ahead == 1 { "code" } else { "codes" };
        format!(
            "the current code and the next {ahead} {codes} are taken by other runs (the last {who}); AWS accepts each code once"
        )
    }
}

pub(crate) fn write_session(files: &Files, profile: &str, session: &Session) -> Result<(), Error> {
    let path = files.display_credentials();
    let expiration = crate::clock::format_rfc3339(session.expiration);
    config::edit::credentials_file(files, |doc: &mut aws_files::Document| {
        // Re-checked under the lock: the file may have changed since it was read.
        config::check_target(Some(doc), profile, &path)?;
        doc.set(profile, keys::ACCESS_KEY_ID, &session.access_key_id)?;
        doc.set(
            profile,
            keys::SECRET_ACCESS_KEY,
            session.secret_access_key.expose_secret(),
        )?;
        doc.set(
            profile,
            keys::SESSION_TOKEN,
            session.session_token.expose_secret(),
        )?;
        doc.set(profile, keys::EXPIRATION, &expiration)?;
        // aws-mfa's copy of the old token and its role marker describe the old session.
        doc.remove_key(profile, keys::AWS_SECURITY_TOKEN);
        doc.remove_key(profile, keys::ASSUMED_ROLE);
        Ok::<(), Error>(())
    })?;
    Ok(())
}

pub(crate) mod batch;
pub(crate) mod code;
pub(crate) mod lock;
pub(crate) mod roles;
pub(crate) mod session;
pub(crate) mod single_flight;
