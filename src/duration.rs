//! Human durations (`43200`, `12h`, `90m`, `1h30m`) and AWS's GetSessionToken limits.

/// AWS's limits for GetSessionToken with IAM user credentials.
pub const MIN_SESSION: u64 = 900;
pub const MAX_SESSION: u64 = 129_600;
/// AWS's default, 12 hours.
pub const DEFAULT_SESSION: u64 = 43_200;
/// Skip minting while the session has more than this left.
pub const DEFAULT_MIN_REMAINING: u64 = 900;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("cannot read {value:?} as a duration")]
    Unparsable { value: String },
    #[error(
        "a session duration of {secs} s is outside AWS's limits of 900 s (15m) to 129600 s (36h)"
    )]
    OutOfRange { secs: u64 },
}

impl Error {
    pub fn hint(&self) -> &'static str {
        match self {
            Error::Unparsable { .. } => {
                "write seconds (3600) or units s, m, h, d (90m, 12h, 1h30m)"
            }
            Error::OutOfRange { .. } => "choose a duration from 15m to 36h, e.g. --duration 12h",
        }
    }
}

/// Parses seconds or a sum of number+unit parts (`s`, `m`, `h`, `d`).
pub fn parse(value: &str) -> Result<u64, Error> {
    let err = || Error::Unparsable {
        value: value.to_string(),
    };
    let text = value.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(err());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| err());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(err()),
        };
        let n: u64 = digits.parse().map_err(|_| err())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(err)?;
    }
    if !digits.is_empty() {
        return Err(err());
    }
    Ok(total)
}

/// Parses a session duration and checks AWS's 900..=129600 s limits locally.
pub fn parse_session(value: &str) -> Result<u64, Error> {
    let secs = parse(value)?;
    if (MIN_SESSION..=MAX_SESSION).contains(&secs) {
        Ok(secs)
    } else {
        Err(Error::OutOfRange { secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_durations() {
        for (text, secs) in [
            ("43200", 43_200),
            ("12h", 43_200),
            ("36H", 129_600),
            ("90m", 5400),
            ("1h30m", 5400),
            ("900s", 900),
            (" 1d ", 86_400),
        ] {
            assert_eq!(parse(text), Ok(secs), "{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "",
            "h",
            "12x",
            "1.5h",
            "-5",
            "12h30",
            "99999999999999999999h",
        ] {
            assert!(
                matches!(parse(text), Err(Error::Unparsable { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn session_limits_are_aws_limits() {
        assert_eq!(parse_session("15m"), Ok(900));
        assert_eq!(parse_session("36h"), Ok(129_600));
        assert_eq!(parse_session("899"), Err(Error::OutOfRange { secs: 899 }));
        assert_eq!(
            parse_session("129601"),
            Err(Error::OutOfRange { secs: 129_601 })
        );
        assert!(Error::OutOfRange { secs: 1 }.to_string().contains("129600"));
    }
}
