//! How an install or a removal changes the one job (issue 12: schedules add up).
//!
//! `install PROFILE…` adds the profiles to the job. The job runs at the shortest interval asked
//! for: a shorter `--every` becomes the job's interval; a longer one leaves it as it is (every
//! profile is still refreshed at least as often as asked), unless the install names every
//! scheduled profile, which is how an interval is made longer. Without `--every` the job keeps
//! its interval (a new job runs every hour). `remove PROFILE…` takes profiles out; the last one
//! out, or `remove` with no profile, removes the job.

use super::Error;
use super::interval::DEFAULT_EVERY_SECS;

/// What an install changes about the interval, for the message after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalChange {
    /// There was no job.
    New,
    Unchanged,
    /// The job runs more often now (a shorter `--every`).
    Shortened {
        from: u64,
    },
    /// The job runs less often now (a longer `--every` naming every scheduled profile).
    Lengthened {
        from: u64,
    },
    /// `--every` was longer than the job's interval, which was kept.
    KeptShorter {
        asked: u64,
    },
}

/// The job after an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub profiles: Vec<String>,
    pub every_secs: u64,
    /// Profiles that were not scheduled before, in the order given.
    pub added: Vec<String>,
    pub interval: IntervalChange,
}

/// Merges `named` (and `--every`, if given) into the job currently scheduled, if any.
pub fn install(current: Option<(&[String], u64)>, named: &[String], every: Option<u64>) -> Merged {
    let mut profiles: Vec<String> = current.map(|(p, _)| p.to_vec()).unwrap_or_default();
    let mut added = Vec::new();
    for name in named {
        if !profiles.contains(name) {
            profiles.push(name.clone());
            added.push(name.clone());
        }
    }
    let (every_secs, interval) = match (current, every) {
        (None, every) => (every.unwrap_or(DEFAULT_EVERY_SECS), IntervalChange::New),
        (Some((_, now)), None) => (now, IntervalChange::Unchanged),
        (Some((_, now)), Some(asked)) if asked == now => (now, IntervalChange::Unchanged),
        (Some((_, now)), Some(asked)) if asked < now => {
            (asked, IntervalChange::Shortened { from: now })
        }
        (Some((scheduled, now)), Some(asked)) => {
            if scheduled.iter().all(|p| named.contains(p)) {
                (asked, IntervalChange::Lengthened { from: now })
            } else {
                (now, IntervalChange::KeptShorter { asked })
            }
        }
    };
    Merged {
        profiles,
        every_secs,
        added,
        interval,
    }
}

/// What a removal leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Remove the job.
    All,
    /// Keep the job for these profiles.
    Keep(Vec<String>),
}

/// Takes `named` out of the `scheduled` profiles; with no names, everything. Naming a profile
/// that is not scheduled is an error, so a typo never passes for success.
pub fn remove(scheduled: &[String], named: &[String]) -> Result<Removal, Error> {
    let missing: Vec<String> = named
        .iter()
        .filter(|n| !scheduled.contains(n))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Error::NotScheduled {
            profiles: missing,
            scheduled: scheduled.to_vec(),
        });
    }
    let keep: Vec<String> = scheduled
        .iter()
        .filter(|p| !named.is_empty() && !named.contains(p))
        .cloned()
        .collect();
    Ok(if keep.is_empty() {
        Removal::All
    } else {
        Removal::Keep(keep)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_second_install_adds_its_profiles() {
        let first = install(None, &v(&["dev"]), None);
        assert_eq!(first.profiles, ["dev"]);
        assert_eq!(first.every_secs, 3600);
        assert_eq!(first.interval, IntervalChange::New);
        // The bug of issue 12: installing prod used to drop dev.
        let second = install(Some((&first.profiles, 3600)), &v(&["prod", "dev"]), None);
        assert_eq!(second.profiles, ["dev", "prod"]);
        assert_eq!(second.added, ["prod"]);
        assert_eq!(second.interval, IntervalChange::Unchanged);
        let again = install(Some((&second.profiles, 3600)), &v(&["dev"]), None);
        assert_eq!(again.profiles, ["dev", "prod"]);
        assert!(again.added.is_empty());
    }

    #[test]
    fn the_shortest_interval_asked_for_wins() {
        let job = v(&["dev"]);
        let shorter = install(Some((&job, 3600)), &v(&["prod"]), Some(1800));
        assert_eq!(shorter.every_secs, 1800);
        assert_eq!(shorter.interval, IntervalChange::Shortened { from: 3600 });
        let longer = install(Some((&job, 3600)), &v(&["prod"]), Some(7200));
        assert_eq!(longer.every_secs, 3600);
        assert_eq!(longer.interval, IntervalChange::KeptShorter { asked: 7200 });
        // Naming every scheduled profile sets the interval, also to a longer one.
        let all = install(Some((&job, 3600)), &v(&["dev"]), Some(7200));
        assert_eq!(all.every_secs, 7200);
        assert_eq!(all.interval, IntervalChange::Lengthened { from: 3600 });
        assert_eq!(
            install(Some((&job, 3600)), &v(&["dev"]), Some(3600)).interval,
            IntervalChange::Unchanged
        );
        assert_eq!(install(None, &v(&["dev"]), Some(900)).every_secs, 900);
    }

    #[test]
    fn remove_takes_out_the_named_or_everything() {
        let job = v(&["dev", "prod", "qa"]);
        assert_eq!(
            remove(&job, &v(&["prod"])).unwrap(),
            Removal::Keep(v(&["dev", "qa"]))
        );
        assert_eq!(
            remove(&job, &v(&["dev", "qa", "prod"])).unwrap(),
            Removal::All
        );
        assert_eq!(remove(&job, &[]).unwrap(), Removal::All);
        let Err(Error::NotScheduled { profiles, .. }) = remove(&job, &v(&["dev", "web"])) else {
            panic!("removing an unscheduled profile passed");
        };
        assert_eq!(profiles, ["web"]);
    }
}
