//! The Windows Task Scheduler task, as the XML `schtasks /Create /XML` registers (issue 15).
//!
//! Not a `schtasks /SC MINUTE /TR …` one-liner: `/TR` is cut at 261 characters, and such a task
//! keeps defaults that break a laptop refresh (it does not start on battery, is stopped when the
//! laptop unplugs, and a run missed during sleep is not made up). This task:
//! - starts on battery and keeps running (`DisallowStartIfOnBatteries`, `StopIfGoingOnBatteries`);
//! - starts as soon as possible after a missed run (`StartWhenAvailable`);
//! - never runs twice at once (`MultipleInstancesPolicy` `IgnoreNew`) and is stopped after
//!   5 minutes (`ExecutionTimeLimit`);
//! - runs only while the user is logged on (`InteractiveToken`): Windows Credential Manager, which
//!   holds the MFA seed, is only reachable from the user's logon session. Otherwise the task
//!   would need the user's Windows password stored with it ("run whether user is logged on or
//!   not"); without a password (S4U) it cannot reach Credential Manager at all.
//! - shows no console window: the action is `conhost.exe --headless mfa-mint.exe …`. conhost
//!   is a GUI-subsystem program, so Windows gives it no console window, and `--headless` (the
//!   ConPTY mode, Windows 10 1809 and later) hosts mfa-mint's console without drawing one. Neither
//!   a `Hidden` task (that only hides the task in the Task Scheduler window) nor
//!   `powershell -WindowStyle Hidden` (the window appears before it is hidden, and Windows 11
//!   opens Windows Terminal) avoids the flash; a `wscript` launcher would need a VBScript file,
//!   and VBScript is being removed from Windows. The flag is undocumented and conhost does not pass
//!   on mfa-mint's exit code (microsoft/terminal#17178): each run's outcome is in the log file,
//!   which `mfa-mint status` reads.
//!
//! The element order follows Task Scheduler's schema (the trigger's children are an
//! `xs:sequence`); the `task_schema` tests check it against the schema's definitions.

use super::interval::{Step, human};
use super::xml::{self, Element};
use super::{Job, TASK_NAME};

/// The action's program: conhost from the Windows folder, which Task Scheduler expands.
pub const CONHOST: &str = r"%SystemRoot%\System32\conhost.exe";
/// The task's namespace; Task Scheduler rejects a task without it.
pub const NAMESPACE: &str = "http://schemas.microsoft.com/windows/2004/02/mit/task";

/// How `--print` ends for Windows: how to register the XML by hand, as an XML comment so the
/// printed text stays a valid task file.
pub const PRINT_NOTE: &str = "<!-- To install this by hand (PowerShell):
       mfa-mint schedule install PROFILE --print | Out-File -Encoding unicode mfa-mint-task.xml
       schtasks /Create /TN \"mfa-mint refresh\" /XML mfa-mint-task.xml /F
     It runs only while you are logged on: Windows Credential Manager, which holds the MFA seed,
     is only available in your logon session. -->
";

/// The user the task runs as, `DOMAIN\user` from the environment Windows sets at logon; with
/// none, `schtasks` registers the task for whoever runs it.
pub fn user_from_env() -> Option<String> {
    use crate::env_vars::{USERDOMAIN, USERNAME, non_empty};
    let user = non_empty(USERNAME)?;
    Some(match non_empty(USERDOMAIN) {
        Some(domain) => format!("{domain}\\{user}"),
        None => user,
    })
}

/// Quotes one argument for the Windows command line (CommandLineToArgvW rules, which Rust's
/// standard library follows when mfa-mint reads its arguments).
fn win_quote(s: &str) -> String {
    if !s.is_empty() && !s.contains([' ', '\t', '"']) {
        return s.to_string();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in s.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// Splits a command line by the CommandLineToArgvW rules (all that [`win_quote`] writes).
fn win_split(s: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        if chars.peek().is_none() {
            return args;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let mut n = 1;
                    while chars.next_if_eq(&'\\').is_some() {
                        n += 1;
                    }
                    if chars.peek() == Some(&'"') {
                        arg.push_str(&"\\".repeat(n / 2));
                        if n % 2 == 1 {
                            arg.push('"');
                            chars.next();
                        }
                    } else {
                        arg.push_str(&"\\".repeat(n));
                    }
                }
                '"' => quoted = !quoted,
                ' ' | '\t' if !quoted => break,
                c => arg.push(c),
            }
        }
        args.push(arg);
    }
}

/// An interval as an XML duration: `PT30M`, `PT2H`.
fn duration(step: Step) -> String {
    match step {
        Step::Minutes(m) => format!("PT{m}M"),
        Step::Hours(h) => format!("PT{h}H"),
    }
}

/// Seconds of an XML duration with days, hours, minutes and seconds (`P1D`, `PT1H30M`).
fn parse_duration(text: &str) -> Option<u64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut secs = 0u64;
    let mut parts = 0;
    for (part, units) in [
        (date, &[('D', 86_400)][..]),
        (time, &[('H', 3600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        let mut last = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let at = units.iter().position(|(u, _)| *u == c)?;
            (at >= last && !number.is_empty()).then_some(())?;
            secs = secs.checked_add(number.parse::<u64>().ok()?.checked_mul(units[at].1)?)?;
            number.clear();
            last = at + 1;
            parts += 1;
        }
        number.is_empty().then_some(())?;
    }
    (parts > 0).then_some(secs)
}

/// When the first run is due: the same minute past the hour as the crontab line.
fn start_boundary(step: Step) -> &'static str {
    match step {
        Step::Minutes(_) => "2026-01-01T00:00:00",
        Step::Hours(24) => "2026-01-01T03:07:00",
        Step::Hours(_) => "2026-01-01T00:07:00",
    }
}

/// The task XML (UTF-16 when written to a file: see [`xml::encode_utf16`]).
pub fn render(job: &Job, user: Option<&str>) -> String {
    let step = Step::of(job.every_secs).expect("the interval was checked");
    let mut arguments = String::from("--headless");
    for arg in job.argv() {
        arguments.push(' ');
        arguments.push_str(&win_quote(&arg));
    }
    let user_id = user
        .map(|u| format!("      <UserId>{}</UserId>\n", xml::escape(u)))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.3" xmlns="{NAMESPACE}">
  <RegistrationInfo>
    <Author>mfa-mint</Author>
    <Description>Refreshes AWS MFA sessions every {every} (mfa-mint schedule install; change it with that command).</Description>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger>
      <Enabled>true</Enabled>
      <StartBoundary>{start}</StartBoundary>
      <Repetition>
        <Interval>{interval}</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
{user_id}      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT5M</ExecutionTimeLimit>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{command}</Command>
      <Arguments>{arguments}</Arguments>
    </Exec>
  </Actions>
</Task>
"#,
        every = human(job.every_secs),
        start = start_boundary(step),
        interval = duration(step),
        command = xml::escape(CONHOST),
        arguments = xml::escape(&arguments),
    )
}

/// Reads back a task [`render`] wrote (also as `schtasks /Query /XML` prints it); `None` when it
/// is not in that form.
pub fn parse(text: &str) -> Option<Job> {
    let root: Element = xml::parse(text)?;
    (root.name == "Task").then_some(())?;
    let exec = root.path(&["Actions", "Exec"])?;
    let command = exec.child("Command")?.text.trim();
    let arguments = exec.child("Arguments").map_or("", |a| a.text.as_str());
    let argv = if command.to_ascii_lowercase().ends_with("conhost.exe") {
        let mut args = win_split(arguments);
        (args.first().map(String::as_str) == Some("--headless")).then_some(())?;
        args.remove(0);
        args
    } else {
        let mut argv = vec![command.to_string()];
        argv.extend(win_split(arguments));
        argv
    };
    let every = root
        .child("Triggers")?
        .children
        .iter()
        .find_map(|t| parse_duration(&t.path(&["Repetition", "Interval"])?.text))?;
    Job::from_argv(&argv, every)
}

/// The `schtasks` arguments that register the task from the XML file at `path`.
pub fn create_args(path: &str) -> Vec<String> {
    ["/Create", "/TN", TASK_NAME, "/XML", path, "/F"]
        .map(String::from)
        .to_vec()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::schedule::interval::allowed;
    use crate::schedule::tests::job;

    pub(crate) fn windows_job() -> Job {
        let mut j = job();
        j.exe = r"C:\Program Files\mfa-mint\mfa-mint.exe".into();
        j.log_file = r"C:\Users\Al Ice\AppData\Local\mfa-mint\schedule.log".into();
        j
    }

    #[test]
    fn task_xml_is_pinned() {
        let xml = render(&windows_job(), Some(r"LAPTOP\al"));
        let expected = include_str!("task_expected.xml");
        assert_eq!(xml, expected);
    }

    #[test]
    fn reads_back_every_interval_with_and_without_conhost() {
        for secs in allowed() {
            let mut j = windows_job();
            j.every_secs = secs;
            assert_eq!(parse(&render(&j, None)), Some(j.clone()), "{secs}");
            // The same task run without conhost (edited by hand) still reads.
            let direct = render(&j, None)
                .replace(
                    &xml::escape(CONHOST),
                    &xml::escape(r"C:\Program Files\mfa-mint\mfa-mint.exe"),
                )
                .replace(
                    r#"--headless &quot;C:\Program Files\mfa-mint\mfa-mint.exe&quot; "#,
                    "",
                );
            assert_eq!(parse(&direct), Some(j), "{secs}");
        }
    }

    #[test]
    fn windows_quoting_round_trips() {
        for arg in [
            "plain",
            "two words",
            r"C:\path with space\",
            r#"a "b" c\"#,
            r"\\server\share\x",
            r#"\""#,
            "",
        ] {
            let line = format!("x {} y", win_quote(arg));
            assert_eq!(win_split(&line), ["x", arg, "y"], "{arg:?} as {line}");
        }
        assert_eq!(win_quote(r#"a "b" c\"#), r#""a \"b\" c\\""#);
    }

    #[test]
    fn durations_read_as_task_scheduler_writes_them() {
        assert_eq!(parse_duration("PT30M"), Some(1800));
        assert_eq!(parse_duration("PT1H"), Some(3600));
        assert_eq!(parse_duration("P1D"), Some(86_400));
        assert_eq!(parse_duration("PT1H30M"), Some(5400));
        assert_eq!(parse_duration("P1DT2H"), Some(93_600));
        for bad in ["", "P", "PT", "1H", "PTH", "PT1X", "PT1M1H", "PT30"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
