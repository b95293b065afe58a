//! The crontab line: `SPEC COMMAND # mfa-mint-schedule`, and reading it back.
//!
//! Cron cannot catch up a run missed while the machine was off or asleep; the systemd timer can.

use super::interval::Step;
use super::{CRON_MARKER, Job};

/// The five time fields for an interval. Hourly and longer runs happen at minute 7, away from the
/// top of the hour everyone else picks.
pub fn spec(step: Step) -> String {
    match step {
        Step::Minutes(1) => "* * * * *".into(),
        Step::Minutes(m) => format!("*/{m} * * * *"),
        Step::Hours(1) => "7 * * * *".into(),
        Step::Hours(24) => "7 3 * * *".into(),
        Step::Hours(h) => format!("7 */{h} * * *"),
    }
}

/// The interval of a spec [`spec`] wrote.
fn parse_spec(fields: &[&str]) -> Option<u64> {
    let step = match fields {
        ["*", "*", "*", "*", "*"] => Step::Minutes(1),
        ["7", "*", "*", "*", "*"] => Step::Hours(1),
        ["7", "3", "*", "*", "*"] => Step::Hours(24),
        [m, "*", "*", "*", "*"] => Step::Minutes(m.strip_prefix("*/")?.parse().ok()?),
        ["7", h, "*", "*", "*"] => Step::Hours(h.strip_prefix("*/")?.parse().ok()?),
        _ => return None,
    };
    let secs = step.secs();
    (Step::of(secs) == Some(step)).then_some(secs)
}

/// Quotes for sh, which runs cron's command.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Splits what [`sh_quote`] joined: plain words, '…' and `\x`.
fn sh_split(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            '"' | '$' | '`' | ';' | '&' | '|' | '<' | '>' => return None,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// The crontab line, newline included.
pub fn render(job: &Job) -> String {
    let step = Step::of(job.every_secs).expect("the interval was checked");
    let command: Vec<String> = job.argv().iter().map(|a| sh_quote(a)).collect();
    // cron turns an unescaped % into a newline.
    let command = command.join(" ").replace('%', "\\%");
    format!("{} {command} {CRON_MARKER}\n", spec(step))
}

/// Reads back a line [`render`] wrote; `None` when it is not in that form.
pub fn parse(line: &str) -> Option<Job> {
    let body = line.trim_end().strip_suffix(CRON_MARKER)?;
    let fields: Vec<&str> = body.split_whitespace().take(5).collect();
    let every = parse_spec(&fields)?;
    let mut rest = body.trim_start();
    for _ in 0..5 {
        rest = rest.split_once(char::is_whitespace)?.1.trim_start();
    }
    // cron hands `\%` to sh as `%`.
    Job::from_argv(&sh_split(&rest.replace("\\%", "%"))?, every)
}

/// Our line in a crontab, if there is one.
pub fn find(crontab: &str) -> Option<&str> {
    crontab.lines().find(|l| is_ours(l))
}

fn is_ours(line: &str) -> bool {
    line.trim_end().ends_with(CRON_MARKER)
}

/// The crontab with our line replaced by `line` (or removed, with `None`), every other line
/// kept as it was.
pub fn edit(crontab: &str, line: Option<&str>) -> String {
    let mut out: String = crontab
        .lines()
        .filter(|l| !is_ours(l))
        .map(|l| format!("{l}\n"))
        .collect();
    if let Some(line) = line {
        out.push_str(line.trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::interval::allowed;
    use crate::schedule::tests::job;

    #[test]
    fn line_is_quoted_and_marked() {
        assert_eq!(
            render(&job()),
            "7 * * * * '/home/al ice/.cargo/bin/mfa-mint' mint --min-remaining 70m --quiet --non-interactive --log-file '/home/al ice/.local/state/mfa-mint/schedule.log' -- dev prod # mfa-mint-schedule\n"
        );
        let mut j = job();
        j.exe = "/opt/100%/it's/mfa-mint".into();
        j.every_secs = 900;
        assert_eq!(
            render(&j),
            "*/15 * * * * '/opt/100\\%/it'\\''s/mfa-mint' mint --min-remaining 25m --quiet --non-interactive --log-file '/home/al ice/.local/state/mfa-mint/schedule.log' -- dev prod # mfa-mint-schedule\n"
        );
        assert_eq!(parse(&render(&j)), Some(j));
    }

    #[test]
    fn every_interval_has_an_exact_spec_that_reads_back() {
        let specs: Vec<String> = allowed()
            .map(|secs| spec(Step::of(secs).unwrap()))
            .collect();
        assert_eq!(
            specs,
            [
                "* * * * *",
                "*/2 * * * *",
                "*/3 * * * *",
                "*/4 * * * *",
                "*/5 * * * *",
                "*/6 * * * *",
                "*/10 * * * *",
                "*/12 * * * *",
                "*/15 * * * *",
                "*/20 * * * *",
                "*/30 * * * *",
                "7 * * * *",
                "7 */2 * * *",
                "7 */3 * * *",
                "7 */4 * * *",
                "7 */6 * * *",
                "7 */8 * * *",
                "7 */12 * * *",
                "7 3 * * *",
            ]
        );
        for secs in allowed() {
            let mut j = job();
            j.every_secs = secs;
            assert_eq!(parse(&render(&j)), Some(j), "{secs}");
        }
    }

    #[test]
    fn lines_not_written_by_us_are_not_read() {
        for line in [
            "*/7 * * * * mfa-mint dev --log-file l # mfa-mint-schedule",
            "0 * * * * mfa-mint dev --log-file l # mfa-mint-schedule",
            "7 * * * * mfa-mint dev --log-file l",
            "7 * * * * mfa-mint dev; rm -rf ~ --log-file l # mfa-mint-schedule",
            "7 * * * * 'mfa-mint dev --log-file l # mfa-mint-schedule",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }

    #[test]
    fn crontab_edit_keeps_other_lines() {
        let current = "MAILTO=me\n0 1 * * * backup\n*/5 * * * * old mfa-mint # mfa-mint-schedule\n";
        assert_eq!(
            find(current),
            Some("*/5 * * * * old mfa-mint # mfa-mint-schedule")
        );
        let new = edit(current, Some("*/30 * * * * new # mfa-mint-schedule\n"));
        assert_eq!(
            new,
            "MAILTO=me\n0 1 * * * backup\n*/30 * * * * new # mfa-mint-schedule\n"
        );
        assert_eq!(edit(&new, None), "MAILTO=me\n0 1 * * * backup\n");
        assert_eq!(find("MAILTO=me\n"), None);
    }
}
