//! The intervals a schedule can run at, the same on every platform: the ones cron and systemd
//! calendar timers can express exactly (issue 13: an interval is never silently rounded), and
//! the rule that a session must outlive the wait for the next run.

use super::Error;

/// Every N minutes, N dividing an hour (so runs fall on the same minutes every hour).
pub const MINUTE_STEPS: [u64; 11] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
/// Every N hours, N dividing a day.
pub const HOUR_STEPS: [u64; 8] = [1, 2, 3, 4, 6, 8, 12, 24];
/// The job refreshes a session once it has less than the interval plus this left, so one run
/// always comes before the session expires.
pub const MARGIN_SECS: u64 = 600;
/// The interval of a new job when `--every` is not given.
pub const DEFAULT_EVERY_SECS: u64 = 3600;

/// An interval as the schedulers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Minutes(u64),
    Hours(u64),
}

impl Step {
    pub fn of(secs: u64) -> Option<Step> {
        if secs.is_multiple_of(3600) && HOUR_STEPS.contains(&(secs / 3600)) {
            Some(Step::Hours(secs / 3600))
        } else if secs.is_multiple_of(60) && MINUTE_STEPS.contains(&(secs / 60)) {
            Some(Step::Minutes(secs / 60))
        } else {
            None
        }
    }

    pub fn secs(self) -> u64 {
        match self {
            Step::Minutes(m) => m * 60,
            Step::Hours(h) => h * 3600,
        }
    }
}

/// Every interval a schedule accepts, in seconds, shortest first.
pub fn allowed() -> impl Iterator<Item = u64> {
    MINUTE_STEPS
        .iter()
        .map(|m| m * 60)
        .chain(HOUR_STEPS.iter().map(|h| h * 3600))
}

/// Accepts `secs` (what `--every TEXT` parsed to) or says which intervals are near it.
pub fn check(secs: u64, text: &str) -> Result<Step, Error> {
    Step::of(secs).ok_or_else(|| Error::Interval {
        every: text.to_string(),
        shorter: allowed().filter(|a| *a < secs).last(),
        longer: allowed().find(|a| *a > secs),
    })
}

/// Refuses an interval after which `profile`'s session would already have expired.
pub fn check_session(every_secs: u64, profile: &str, session_secs: u64) -> Result<(), Error> {
    if every_secs + MARGIN_SECS <= session_secs {
        return Ok(());
    }
    Err(Error::LongerThanSession {
        profile: profile.to_string(),
        every_secs,
        session_secs,
        longest: allowed().filter(|a| a + MARGIN_SECS <= session_secs).last(),
    })
}

/// `30m`, `2h`, `1h30m`, `45s`: how intervals and sessions are shown.
pub fn human(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// The `--min-remaining` the job passes: the interval plus the margin, in minutes.
pub fn min_remaining(every_secs: u64) -> String {
    format!("{}m", (every_secs + MARGIN_SECS) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_intervals_cron_can_express_are_accepted() {
        let ok: Vec<u64> = allowed().collect();
        assert_eq!(ok.len(), 19);
        for secs in ok {
            assert_eq!(check(secs, "x").unwrap().secs(), secs);
        }
        // 45m was silently run every 30 minutes before (issue 13).
        let Err(Error::Interval {
            shorter, longer, ..
        }) = check(45 * 60, "45m")
        else {
            panic!("45m accepted");
        };
        assert_eq!((shorter, longer), (Some(1800), Some(3600)));
        for secs in [
            0,
            30,
            90,
            7 * 60,
            90 * 60,
            5 * 3600,
            86_400 + 3600,
            2 * 86_400,
        ] {
            assert!(check(secs, "x").is_err(), "{secs}");
        }
        assert!(matches!(
            check(30, "30s"),
            Err(Error::Interval {
                shorter: None,
                longer: Some(60),
                ..
            })
        ));
        assert!(matches!(
            check(2 * 86_400, "2d"),
            Err(Error::Interval {
                shorter: Some(86_400),
                longer: None,
                ..
            })
        ));
    }

    #[test]
    fn a_session_must_outlive_the_interval_and_the_margin() {
        assert!(check_session(8 * 3600, "dev", 43_200).is_ok());
        let Err(Error::LongerThanSession { longest, .. }) = check_session(12 * 3600, "dev", 43_200)
        else {
            panic!("12h accepted for a 12h session");
        };
        assert_eq!(longest, Some(8 * 3600));
        assert!(check_session(300, "dev", 900).is_ok());
        assert!(check_session(360, "dev", 900).is_err());
        assert!(check_session(86_400, "dev", 129_600).is_ok());
    }

    #[test]
    fn intervals_read_well() {
        assert_eq!(human(1800), "30m");
        assert_eq!(human(7200), "2h");
        assert_eq!(human(5400), "1h30m");
        assert_eq!(human(45), "45s");
        assert_eq!(human(0), "0s");
        assert_eq!(min_remaining(3600), "70m");
        assert_eq!(min_remaining(1800), "40m");
    }
}
