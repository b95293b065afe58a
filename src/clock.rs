//! The one source of "now" for codes, freshness checks and the step ledger.
//!
//! `MFA_MINT_TEST_NOW` (test-only, documented in the README) pins the clock's start to a unix
//! time; the clock then advances in real time, so tests can start just before a step boundary.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
        let unix_at_start = std::env::var(TEST_NOW_ENV)
            .ok()
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
    std::env::var_os(TEST_NOW_ENV).is_some()
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

/// Sleep until the given unix time (no-op if it has passed).
pub fn sleep_until(unix: f64) {
    let wait = unix - now();
    if wait > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(wait));
    }
}

/// Formats unix seconds as RFC 3339 UTC, e.g. `2026-11-24T23:02:53Z`.
pub fn format_rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Parses the expiration formats found in credentials files: RFC 3339 (`2026-11-24T23:02:53Z`,
/// optional fraction, `+00:00` offsets) and aws-mfa's `2026-11-24 23:02:53` (UTC).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 19 || !t.is_ascii() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let b = t.as_bytes();
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ' || b[10] == b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &rest[1..];
            if r.len() != 5 || r.as_bytes()[2] != b':' {
                return None;
            }
            let oh = r[0..2].parse::<i64>().ok()?;
            let om = r[3..5].parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

// Howard Hinnant's civil-date algorithms (public domain), proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
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

/// Parses an HTTP `Date` header (RFC 7231 IMF-fixdate, `Tue, 24 Nov 2026 11:02:53 GMT`).
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" {
        return None;
    }
    parse_timestamp(&format!("{year:04}-{month:02}-{day:02}T{time}Z"))
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
}
