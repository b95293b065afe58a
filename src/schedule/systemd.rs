//! The systemd user units: a oneshot service and a calendar timer with `Persistent=true`, so a
//! run missed while the machine was off or asleep happens as soon as it is back (cron cannot).

use super::interval::{Step, human};
use super::{Job, SYSTEMD_UNIT};

/// `OnCalendar=` for an interval: the same wall-clock times as the crontab line.
pub fn on_calendar(step: Step) -> String {
    match step {
        Step::Minutes(1) => "*-*-* *:*:00".into(),
        Step::Minutes(m) => format!("*-*-* *:00/{m}:00"),
        Step::Hours(1) => "*-*-* *:07:00".into(),
        Step::Hours(24) => "*-*-* 03:07:00".into(),
        Step::Hours(h) => format!("*-*-* 00/{h}:07:00"),
    }
}

fn parse_on_calendar(spec: &str) -> Option<u64> {
    let step = match spec {
        "*-*-* *:*:00" => Step::Minutes(1),
        "*-*-* *:07:00" => Step::Hours(1),
        "*-*-* 03:07:00" => Step::Hours(24),
        _ => {
            if let Some(m) = spec.strip_prefix("*-*-* *:00/") {
                Step::Minutes(m.strip_suffix(":00")?.parse().ok()?)
            } else {
                Step::Hours(
                    spec.strip_prefix("*-*-* 00/")?
                        .strip_suffix(":07:00")?
                        .parse()
                        .ok()?,
                )
            }
        }
    };
    let secs = step.secs();
    (Step::of(secs) == Some(step)).then_some(secs)
}

/// Characters systemd refuses in the program's path ("Executable name contains special
/// characters"), however it is quoted: such a program cannot be run from a unit.
pub const UNNAMEABLE_IN_EXE: [char; 3] = ['"', '\'', '\\'];

/// One `ExecStart=` word: `%` (specifiers) doubled everywhere, `$` (variables) doubled in the
/// arguments (systemd expands no variable in the program's path, where `$$` stays `$$`), quoted
/// when needed.
fn quote(s: &str, program: bool) -> String {
    let s = s.replace('%', "%%");
    let s = if program { s } else { s.replace('$', "$$") };
    if !s.is_empty()
        && !s.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';'))
    {
        s
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Splits an `ExecStart=` value written by [`quote`].
fn split(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(c) = chars.next() else { break };
        let mut word = String::new();
        if c == '"' {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => word.push(chars.next()?),
                    c => word.push(c),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return None;
            }
        } else {
            word.push(c);
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if matches!(c, '"' | '\'' | '\\') {
                    return None;
                }
                word.push(c);
            }
        }
        let word = word.replace("%%", "%");
        words.push(if words.is_empty() {
            word
        } else {
            word.replace("$$", "$")
        });
    }
    Some(words)
}

pub fn service_name() -> String {
    format!("{SYSTEMD_UNIT}.service")
}

pub fn timer_name() -> String {
    format!("{SYSTEMD_UNIT}.timer")
}

/// The two unit files, `(name, content)`: the service, then the timer.
pub fn render(job: &Job) -> [(String, String); 2] {
    let step = Step::of(job.every_secs).expect("the interval was checked");
    let exec: Vec<String> = job
        .argv()
        .iter()
        .enumerate()
        .map(|(i, a)| quote(a, i == 0))
        .collect();
    [
        (
            service_name(),
            format!(
                "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint\n\n[Service]\nType=oneshot\nExecStart={}\n",
                exec.join(" ")
            ),
        ),
        (
            timer_name(),
            format!(
                "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint every {}\n\n[Timer]\nOnCalendar={}\n# Run at once when a run was missed while the machine was off or asleep.\nPersistent=true\nAccuracySec=1min\n\n[Install]\nWantedBy=timers.target\n",
                human(job.every_secs),
                on_calendar(step)
            ),
        ),
    ]
}

fn value<'a>(unit: &'a str, key: &str) -> Option<&'a str> {
    unit.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
}

/// Reads back the units [`render`] wrote; `None` when they are not in that form.
pub fn parse(service: &str, timer: &str) -> Option<Job> {
    let every = parse_on_calendar(value(timer, "OnCalendar")?)?;
    Job::from_argv(&split(value(service, "ExecStart")?)?, every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::interval::allowed;
    use crate::schedule::tests::job;

    #[test]
    fn units_are_pinned() {
        let [service, timer] = render(&job());
        assert_eq!(service.0, "mfa-mint-refresh.service");
        assert_eq!(
            service.1,
            "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint\n\n[Service]\nType=oneshot\nExecStart=\"/home/al ice/.cargo/bin/mfa-mint\" mint --min-remaining 70m --quiet --non-interactive --log-file \"/home/al ice/.local/state/mfa-mint/schedule.log\" -- dev prod\n"
        );
        assert_eq!(timer.0, "mfa-mint-refresh.timer");
        assert_eq!(
            timer.1,
            "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint every 1h\n\n[Timer]\nOnCalendar=*-*-* *:07:00\n# Run at once when a run was missed while the machine was off or asleep.\nPersistent=true\nAccuracySec=1min\n\n[Install]\nWantedBy=timers.target\n"
        );
    }

    #[test]
    fn a_calendar_timer_for_every_interval_that_reads_back() {
        let specs: Vec<String> = allowed()
            .map(|secs| on_calendar(Step::of(secs).unwrap()))
            .collect();
        assert_eq!(specs[0], "*-*-* *:*:00");
        assert_eq!(specs[10], "*-*-* *:00/30:00");
        assert_eq!(specs[12], "*-*-* 00/2:07:00");
        assert_eq!(specs[18], "*-*-* 03:07:00");
        for secs in allowed() {
            let mut j = job();
            j.every_secs = secs;
            let [service, timer] = render(&j);
            assert!(timer.1.contains("\nPersistent=true\n"));
            assert_eq!(parse(&service.1, &timer.1), Some(j), "{secs}");
        }
    }

    #[test]
    fn specifiers_variables_and_quotes_survive() {
        let mut j = job();
        j.exe = "/opt/50% $HOME/mfa-mint".into();
        j.log_file = r#"/var/log/50% $HOME/it's "q"\x.log"#.into();
        let [service, timer] = render(&j);
        assert!(
            service.1.contains(
                r#"ExecStart="/opt/50%% $HOME/mfa-mint" mint --min-remaining 70m --quiet --non-interactive --log-file "/var/log/50%% $$HOME/it's \"q\"\\x.log" -- dev prod"#
            ),
            "{}",
            service.1
        );
        assert_eq!(parse(&service.1, &timer.1), Some(j));
        assert_eq!(split(r#""unterminated"#), None);
        assert_eq!(split(r#"a"b""#), None);
    }
}
