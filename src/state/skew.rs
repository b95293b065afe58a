//! Clock offset against AWS, measured from the `Date` header of STS responses.
//!
//! A wrong clock is the top cause of "invalid MFA one time pass code". Each STS answer carries
//! AWS's time; the offset is remembered per machine (a small state file) and codes are generated
//! at corrected time. The header has one-second resolution, so offsets under 2 s are ignored.

/// Offsets smaller than this are measurement noise.
const NOISE_SECS: f64 = 2.0;
/// Offsets above this get a warning: fix the clock.
pub const WARN_SECS: f64 = 5.0;

use crate::state::StateFile;

fn file() -> Option<StateFile> {
    StateFile::named("clock-offset")
        .ok()
        .map(StateFile::advisory)
}

/// The remembered offset in seconds (AWS time minus local time), 0 when unknown.
pub fn load() -> f64 {
    if crate::clock::is_pinned() {
        return 0.0;
    }
    file()
        .and_then(|f| f.read().split_whitespace().next()?.parse::<f64>().ok())
        .filter(|v| v.is_finite() && v.abs() < 86_400.0)
        .unwrap_or(0.0)
}

/// Offset implied by a `Date` header received around local times `sent`..`received`.
pub fn measure(date_header: &str, sent: f64, received: f64) -> Option<f64> {
    if crate::clock::is_pinned() {
        return None;
    }
    let server = crate::clock::parse_http_date(date_header)? as f64;
    // The header is truncated to the second: its true value is in [server, server + 1).
    let offset = server + 0.5 - (sent + received) / 2.0;
    Some(if offset.abs() < NOISE_SECS {
        0.0
    } else {
        offset.round()
    })
}

/// Remembers `offset` (best effort: a read-only state dir only costs the correction).
pub fn save(offset: f64) {
    let Some(file) = file() else { return };
    if (load() - offset).abs() < f64::EPSILON {
        return;
    }
    let text = format!("{offset} measured-at {}\n", crate::clock::now_secs());
    let _ = file.update(|_| (text, ()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_offsets_from_date_headers() {
        let local = crate::clock::parse_http_date("Tue, 24 Nov 2026 11:02:53 GMT").unwrap() as f64;
        let m = |hdr: &str| measure(hdr, local + 0.2, local + 0.4).unwrap();
        assert_eq!(m("Tue, 24 Nov 2026 11:02:53 GMT"), 0.0);
        assert_eq!(m("Tue, 24 Nov 2026 11:04:23 GMT"), 90.0);
        assert_eq!(m("Tue, 24 Nov 2026 11:01:23 GMT"), -90.0);
        assert_eq!(measure("nonsense", 0.0, 0.0), None);
    }
}
