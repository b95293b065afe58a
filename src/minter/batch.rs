//! `mfa-mint p1 … p8` / `--all`: many profiles in one run (issue 12).
//!
//! 1. Each profile is resolved here, on the calling thread: files, flags, the fresh-skip, and
//!    the keyring reads (which may prompt to unlock), so no prompt ever happens under a lock.
//! 2. Profiles that share a device, source keys and duration form one group: one GetSessionToken,
//!    and the same session written to each of them (a second region of one IAM user needs no
//!    second request; a session from GetSessionToken is valid in every region).
//! 3. Groups mint concurrently, at most [`PARALLEL`] at a time, each under its device's lock
//!    (see [`single_flight`]), and each profile's session is one edit of the credentials file
//!    under the file's lock.
//!
//! Results are handed back in the order the profiles were given, as soon as all before them are
//! done; an error in one profile does not stop the others.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::config::{self, Context, Files, Timing};
use crate::credentials::Session;
use crate::error::Error;
use crate::minter::lock::DeviceLock;
use crate::minter::{self, Options, Outcome, Plan};
use crate::output;
use crate::totp::Seed;
use crate::vault::Seeds;

/// At most this many groups mint at once (each is one thread waiting on STS).
pub const PARALLEL: usize = 8;

/// One profile that needs a session, resolved.
struct Member {
    index: usize,
    profile: String,
    refresh: u64,
}

/// Profiles that get one session together.
struct Group {
    plan: Plan,
    seed: Seed,
    members: Vec<Member>,
}

/// Mints every profile (see the module docs) and calls `report` once per profile, in the order
/// given, with its outcome; each outcome is also recorded for `mfa-mint status`. `refused[i]`,
/// when set, is profile `i`'s outcome already (the command's own checks failed): it is reported
/// in its place and not minted.
pub fn mint_all(
    ctx: &Context,
    profiles: &[String],
    mut refused: Vec<Option<Error>>,
    opts: &Options,
    seeds: &mut Seeds,
    mut report: impl FnMut(&str, Result<Outcome, Error>),
) {
    let mut slots: Vec<Option<Result<Outcome, Error>>> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for (index, profile) in profiles.iter().enumerate() {
        slots.push(None);
        let prepared = match refused.get_mut(index).and_then(Option::take) {
            Some(e) => Err(e),
            None => prepare(ctx, profile, opts, seeds),
        };
        match prepared {
            Ok(Prepared::Fresh(expiration)) => {
                slots[index] = Some(Ok(Outcome::Fresh { expiration }))
            }
            Ok(Prepared::Mint(job)) => {
                let Job {
                    plan,
                    seed,
                    refresh,
                } = *job;
                let member = Member {
                    index,
                    profile: profile.clone(),
                    refresh,
                };
                match groups.iter_mut().find(|g| same_session(&g.plan, &plan)) {
                    Some(group) => {
                        output::debug(1, || {
                            format!(
                                "{profile}: same device, keys and duration as [{}]: one session for both",
                                group.members[0].profile
                            )
                        });
                        group.members.push(member)
                    }
                    None => groups.push(Group {
                        plan,
                        seed,
                        members: vec![member],
                    }),
                }
            }
            Err(e) => slots[index] = Some(Err(e)),
        }
    }

    let mut emitted = 0;
    let mut emit = |slots: &mut Vec<Option<Result<Outcome, Error>>>| {
        while let Some(Some(_)) = slots.get(emitted) {
            let result = slots[emitted].take().expect("checked above");
            let profile = &profiles[emitted];
            minter::record(profile, result.as_ref().map(Clone::clone));
            report(profile, result);
            emitted += 1;
        }
    };
    emit(&mut slots);
    if groups.is_empty() {
        return;
    }
    // One group (one device: what nearly every run mints) needs no worker thread: a thread of
    // its own costs a stack and, with glibc, a malloc arena of its own for the one request.
    if let [group] = &groups[..] {
        for (index, result) in mint_group(ctx, group, opts) {
            slots[index] = Some(result);
            emit(&mut slots);
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(groups.len()) {
            let tx = tx.clone();
            let (groups, next) = (&groups, &next);
            scope.spawn(move || {
                while let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
                    for result in mint_group(ctx, group, opts) {
                        if tx.send(result).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        for (index, result) in rx {
            slots[index] = Some(result);
            emit(&mut slots);
        }
    });
}

enum Prepared {
    Fresh(i64),
    Mint(Box<Job>),
}

struct Job {
    plan: Plan,
    seed: Seed,
    refresh: u64,
}

fn prepare(
    ctx: &Context,
    profile: &str,
    opts: &Options,
    seeds: &mut Seeds,
) -> Result<Prepared, Error> {
    config::check_name(profile)?;
    let files = ctx.files()?;
    minter::roles::refuse_mint(files, profile)?;
    config::check_no_credential_process(files, profile)?;
    // Every flag is validated before the fresh-skip: a typo must fail now, not hours later.
    let timing = Timing::resolve(files, profile, &opts.overrides())?;
    // The fresh path reads two small files and nothing else: no keyring, no network, no lock.
    if !opts.force
        && let Some(expiration) = config::session_expiry(files, profile)
        && minter::is_fresh(profile, expiration, timing.refresh)
    {
        return Ok(Prepared::Fresh(expiration));
    }
    config::check_target(
        files.credentials.as_ref(),
        profile,
        &files.display_credentials(),
    )?;
    let plan = minter::plan(ctx, profile, opts, seeds)?;
    let seed = seeds.load(&plan.serial)?;
    Ok(Prepared::Mint(Box::new(Job {
        plan,
        seed,
        refresh: timing.refresh,
    })))
}

/// GetSessionToken gives the same kind of session for the same device, keys and duration,
/// whatever the profile's region.
fn same_session(a: &Plan, b: &Plan) -> bool {
    a.serial == b.serial
        && a.keys.access_key_id == b.keys.access_key_id
        && a.keys.secret_access_key.expose_secret() == b.keys.secret_access_key.expose_secret()
        && a.duration == b.duration
}

/// Under the device lock: members whose session another run has just written are fresh; the
/// rest get one new session. The credentials file is read again only when it changed since the
/// run read it (one `stat` otherwise).
fn mint_group(
    ctx: &Context,
    group: &Group,
    opts: &Options,
) -> Vec<(usize, Result<Outcome, Error>)> {
    let force = opts.force;
    let first = &group.members[0].profile;
    let _lock = match DeviceLock::acquire(&group.plan.serial, first) {
        Ok(lock) => lock,
        Err(e) => return fail_all(&group.members, e.into()),
    };
    let changed = match ctx.files_changed_since() {
        Ok(changed) => changed,
        Err(e) => return fail_all(&group.members, e),
    };
    let files = match (&changed, ctx.files()) {
        (Some(now), _) => now,
        (None, Ok(files)) => files,
        (None, Err(e)) => return fail_all(&group.members, e),
    };
    let mut results = Vec::new();
    let mut stale = Vec::new();
    for member in &group.members {
        match config::session_expiry(files, &member.profile) {
            Some(expiration)
                if !force && minter::is_fresh(&member.profile, expiration, member.refresh) =>
            {
                output::debug(1, || {
                    format!(
                        "{}: another run has just minted; nothing to do",
                        member.profile
                    )
                });
                results.push((member.index, Ok(Outcome::Fresh { expiration })));
            }
            _ => stale.push(member),
        }
    }
    if stale.is_empty() {
        return results;
    }
    match minter::fetch_with(&group.plan, &group.seed, ctx.reporter) {
        Ok(session) => {
            for member in stale {
                results.push((member.index, write(ctx, files, member, &session, opts)));
            }
        }
        Err(e) => results.extend(fail_all(stale, e)),
    }
    results
}

/// Writes the session, then (only now that it worked) remembers `--source`.
fn write(
    ctx: &Context,
    files: &Files,
    member: &Member,
    session: &Session,
    opts: &Options,
) -> Result<Outcome, Error> {
    minter::write_session(files, &member.profile, session)?;
    minter::remember_source(ctx, &member.profile, opts)?;
    Ok(Outcome::Minted {
        expiration: session.expiration,
    })
}

/// The error of a group's one mint, for each of its members: the first gets it as it is, the
/// others a copy that names the first.
fn fail_all<'a>(
    members: impl IntoIterator<Item = &'a Member>,
    error: Error,
) -> Vec<(usize, Result<Outcome, Error>)> {
    let mut members = members.into_iter();
    let Some(first) = members.next() else {
        return Vec::new();
    };
    let mut results: Vec<_> = members
        .map(|m| {
            (
                m.index,
                Err(Error::SharedMint {
                    with: first.profile.clone(),
                    message: error.with_causes(),
                    exit: error.exit_code(),
                    hint: crate::error::Hint::hint(&error),
                }),
            )
        })
        .collect();
    results.insert(0, (first.index, Err(error)));
    results
}
