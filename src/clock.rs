//! The one source of "now" for codes, freshness checks and the step ledger.
//!
//! `MFA_MINT_TEST_NOW` (test-only, documented in the README) pins the clock's start to a unix
//! time; the clock then advances in real time, so tests can start just before a step boundary.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_smithy_types::date_time::{DateTime, Format};

/// Test-only override: unix seconds (fractions allowed) at process start.
pub const TEST_NOW_ENV: &str = crate::env_vars::MFA_MINT_TEST_NOW;

struct Base {
    start: Instant,
    /// Unix time at `start`, in seconds.
    unix_at_start: f64,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64();
        let unix_at_start = crate::env_vars::var(TEST_NOW_ENV)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(real);
        Base {
            start: Instant::now(),
            unix_at_start,
        }
    })
}

/// Whether `MFA_MINT_TEST_NOW` pinned the clock (a test's clock is authoritative: no skew
/// correction against AWS's).
pub fn is_pinned() -> bool {
    crate::env_vars::var_os(TEST_NOW_ENV).is_some()
}

/// Current unix time in seconds (with fractions).
pub fn now() -> f64 {
    let b = base();
    b.unix_at_start + b.start.elapsed().as_secs_f64()
}

/// Current unix time in whole seconds.
pub fn now_secs() -> u64 {
    now().max(0.0) as u64
}

/// Sleeps until the given unix time (no-op if it has passed).
pub fn sleep_until(unix: f64) {
    let wait = unix - now();
    if wait > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(wait));
    }
}

/// Formats unix seconds as RFC 3339 UTC, e.g. `2026-11-24T23:02:53Z` (what AWS and the SDKs
/// write; the form of `--json` output and of `aws_expiration`).
pub fn format_rfc3339(unix: i64) -> String {
    DateTime::from_secs(unix)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| unix.to_string())
}

/// Parses the expiration formats found in credentials files: RFC 3339 (`2026-11-24T23:02:53Z`,
/// optional fraction, `+00:00` offsets) and aws-mfa's `2026-11-24 23:02:53` (UTC).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 19 || !t.is_ascii() {
        return None;
    }
    // aws-mfa writes Python's `str(datetime)`: a space for the `T` and no zone (it is UTC).
    let mut normal = t.to_string();
    if t.as_bytes()[10] == b' ' {
        normal.replace_range(10..11, "T");
    }
    if !t[19..].contains(['Z', 'z', '+', '-']) {
        normal.push('Z');
    }
    DateTime::from_str(&normal, Format::DateTimeWithOffset)
        .ok()
        .map(|d| d.secs())
}

/// Parses an HTTP `Date` header (RFC 7231 IMF-fixdate, `Tue, 24 Nov 2026 11:02:53 GMT`).
pub fn parse_http_date(text: &str) -> Option<i64> {
    DateTime::from_str(text.trim(), Format::HttpDate)
        .ok()
        .map(|d| d.secs())
}

/// A time for people: local date and time with the zone, e.g. `2026-11-24 16:25:15 CET`
/// (UTC where the system's zone cannot be read).
pub fn format_local(unix: i64) -> String {
    local(unix, "%Y-%m-%d %H:%M:%S %Z")
}

/// A time of day for people, e.g. `16:25:15 CET`.
pub fn format_local_time(unix: i64) -> String {
    local(unix, "%H:%M:%S %Z")
}

fn local(unix: i64, format: &str) -> String {
    match jiff::Timestamp::from_second(unix) {
        Ok(t) => t
            .to_zoned(system_zone().clone())
            .strftime(format)
            .to_string(),
        Err(_) => format_rfc3339(unix),
    }
}

/// The system's time zone, looked up once per process (UTC where it cannot be read).
///
/// jiff's own lookup (`TimeZone::try_system`) finds the zone's name by listing the whole
/// zoneinfo tree (~600 files in ~25 directories), which cost every mint and fresh skip more
/// than the rest of its file work together; the usual Unix set-up, `/etc/localtime` a link into
/// that tree and no `TZ`, is read here directly. Everything else (`TZ`, a copied file, Windows,
/// macOS without the link) goes to jiff.
fn system_zone() -> &'static jiff::tz::TimeZone {
    static ZONE: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        linked_zone(std::path::Path::new("/etc/localtime"))
            .filter(|_| crate::env_vars::var_os(crate::env_vars::TZ).is_none())
            .or_else(|| jiff::tz::TimeZone::try_system().ok())
            .unwrap_or(jiff::tz::TimeZone::UTC)
    })
}

/// The zone of `link` when it is a symbolic link to a TZif file under a `zoneinfo/` directory,
/// named by its path below it (`/usr/share/zoneinfo/Europe/Paris` is `Europe/Paris`).
fn linked_zone(link: &std::path::Path) -> Option<jiff::tz::TimeZone> {
    let target = std::fs::read_link(link).ok()?;
    let target = target.to_str()?;
    let name = &target[target.rfind("zoneinfo/")? + "zoneinfo/".len()..];
    let data = std::fs::read(link).ok()?;
    jiff::tz::TimeZone::tzif(name, &data).ok()
}

/// A human duration such as `11h 59m` or `42s`.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_rfc3339() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_795_993_373), "2026-11-29T23:02:53Z");
        for t in [0, 951_782_400, 1_795_993_373, 4_102_444_800] {
            assert_eq!(parse_timestamp(&format_rfc3339(t)), Some(t));
        }
    }

    #[test]
    fn parses_other_expiration_forms() {
        let z = parse_timestamp("2026-11-24T23:02:53Z").unwrap();
        assert_eq!(parse_timestamp("2026-11-24 23:02:53"), Some(z));
        assert_eq!(parse_timestamp("2026-11-24T23:02:53.123Z"), Some(z));
        assert_eq!(parse_timestamp("2026-11-25T00:02:53+01:00"), Some(z));
        assert_eq!(parse_timestamp(" 2026-11-24T23:02:53+00:00 "), Some(z));
    }

    #[test]
    fn rejects_garbage_timestamps() {
        for bad in [
            "",
            "tomorrow",
            "2026-13-01T00:00:00Z",
            "2026-11-24T23:02:53X",
            "2026-11-24T25:02:53Z",
            "2026/11/24 23:02:53",
            "2026-11-24T23:02:53.Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(42), "42s");
        assert_eq!(human_duration(125), "2m 05s");
        assert_eq!(human_duration(43_200), "12h 00m");
        assert_eq!(human_duration(-5), "0s");
    }
}

#[cfg(test)]
mod http_date_tests {
    #[test]
    fn parses_imf_fixdate() {
        let t = super::parse_http_date("Tue, 24 Nov 2026 11:02:53 GMT").unwrap();
        assert_eq!(super::format_rfc3339(t), "2026-11-24T11:02:53Z");
        assert_eq!(
            super::parse_http_date("Tue, 24 Foo 2026 11:02:53 GMT"),
            None
        );
        assert_eq!(super::parse_http_date("garbage"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_zone_is_read_without_the_zone_database() {
        let dir = tempfile::tempdir().unwrap();
        let zoneinfo = std::path::Path::new("/usr/share/zoneinfo");
        if !zoneinfo.join("Europe/Paris").is_file() {
            return; // no zoneinfo tree on this machine: nothing to link to
        }
        let link = dir.path().join("localtime");
        std::os::unix::fs::symlink(zoneinfo.join("Europe/Paris"), &link).unwrap();
        let zone = super::linked_zone(&link).expect("a zone from the link");
        assert_eq!(zone.iana_name(), Some("Europe/Paris"));
        let reference = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        for unix in [1_795_993_373_i64, 1_782_000_000, 0] {
            let t = jiff::Timestamp::from_second(unix).unwrap();
            assert_eq!(
                t.to_zoned(zone.clone()).strftime("%F %T %Z").to_string(),
                t.to_zoned(reference.clone())
                    .strftime("%F %T %Z")
                    .to_string()
            );
        }
        // Not a link (a copied file), or a link outside a zoneinfo tree: left to jiff.
        let copy = dir.path().join("copy");
        std::fs::copy(zoneinfo.join("Europe/Paris"), &copy).unwrap();
        assert!(super::linked_zone(&copy).is_none());
        let elsewhere = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&copy, &elsewhere).unwrap();
        assert!(super::linked_zone(&elsewhere).is_none());
    }

    #[test]
    fn local_times_name_their_zone() {
        // TZ is read by the system zone lookup; the test process may have any zone, so only the
        // shape is checked: date, time and a zone abbreviation or offset.
        let text = super::format_local(1_795_993_373);
        let parts: Vec<_> = text.split(' ').collect();
        assert_eq!(parts.len(), 3, "{text}");
        assert_eq!(parts[0].len(), 10, "{text}");
        assert_eq!(parts[1].len(), 8, "{text}");
        assert!(!parts[2].is_empty(), "{text}");
    }
}
