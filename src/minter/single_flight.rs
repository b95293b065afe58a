//! One mint per MFA device at a time, across processes and threads (issue 12).
//!
//! Before a mint claims a code step it takes an exclusive OS file lock on
//! `<state dir>/locks/<device>.lock`. Whoever gets the lock second looks at the session again
//! under the lock (the credentials file, or the keyring cache) and uses it when it is fresh
//! instead of minting again: ten callers right after expiry make one request, not ten that each
//! wait for their own 30 s code.
//!
//! - OS locks (`flock` on unix, `LockFileEx` on Windows) are released when the holder ends, also
//!   by SIGKILL: a crashed holder never blocks the next run, and no PID files need cleaning up.
//! - The lock is never held across a prompt: keyring reads (which may ask to unlock) happen before
//!   it is taken; under it there is only the wait for an unused code step, the STS request and
//!   the write of the session.
//! - The code ledger ([`crate::state::ledger`]) stays the guard against reusing a step; this lock
//!   makes reuse rare instead of waited for.

use crate::config::Context;
use crate::credentials::Session;
use crate::error::Error;
use crate::minter::lock::DeviceLock;
use crate::minter::{self, Options, Origin};
use crate::output;
use crate::vault::Seeds;

/// The session modes' mint (`credential-process`, `exec`, `env`): resolve the profile and read
/// the keyring first, then under the device lock ask `stored` again (another process may just
/// have minted) and otherwise mint and cache the session in the keyring.
pub(crate) fn mint_session(
    ctx: &Context,
    profile: &str,
    opts: &Options,
    seeds: &mut Seeds,
    stored: impl FnOnce(&mut Seeds) -> Result<Option<(Session, Origin)>, Error>,
) -> Result<(Session, Origin), Error> {
    let plan = minter::plan(ctx, profile, opts, seeds)?;
    let seed = seeds.load(&plan.serial)?;
    let _lock = DeviceLock::acquire(&plan.serial, profile)?;
    if let Some(found) = stored(seeds)? {
        output::debug(1, || {
            format!("{profile}: another run has just minted; using its session")
        });
        return Ok(found);
    }
    let session = minter::fetch_with(&plan, &seed, ctx.reporter)?;
    seeds.cache_session(profile, &session, ctx.reporter);
    Ok((session, Origin::Minted))
}
