//! `mfa-mint schedule install|show|remove`: a periodic `mfa-mint PROFILE…` run on every platform.
//!
//! Rendering is pure (and tested for every platform on every platform); installing shells out
//! to the platform's own tool: `crontab`, `systemctl --user`, `launchctl`, `schtasks`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;

/// Marks our crontab line, so `remove` finds it and nothing else.
pub const CRON_MARKER: &str = "# mfa-mint-schedule";
pub const SYSTEMD_UNIT: &str = "mfa-mint-refresh";
pub const LAUNCHD_LABEL: &str = "io.mfa-mint.refresh";
pub const TASK_NAME: &str = "mfa-mint refresh";
/// Overrides the `crontab` program (tests, unusual systems).
pub const CRONTAB_ENV: &str = crate::env_vars::MFA_MINT_CRONTAB;

/// A scheduler; `--platform` also takes the OS names people type (linux, macos, windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    #[value(alias = "linux")]
    Cron,
    Systemd,
    #[value(alias = "macos")]
    Launchd,
    #[value(alias = "windows")]
    Schtasks,
}

impl Platform {
    pub fn default_for_os() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::Launchd
        } else if cfg!(windows) {
            Platform::Schtasks
        } else {
            Platform::Cron
        }
    }
}

/// What to run and how often.
#[derive(Debug, Clone)]
pub struct Job {
    pub exe: PathBuf,
    pub profiles: Vec<String>,
    pub every_secs: u64,
    pub log_file: PathBuf,
}

impl Job {
    /// The arguments after the program: profiles, then unattended flags.
    pub fn args(&self) -> Vec<String> {
        let mut args = self.profiles.clone();
        // Refresh while a run is still due before expiry: the window exceeds the interval.
        args.extend([
            "--min-remaining".to_string(),
            format!("{}m", self.every_secs / 60 + 10),
        ]);
        args.extend([
            "--quiet".to_string(),
            "--non-interactive".to_string(),
            "--log-file".to_string(),
            self.log_file.display().to_string(),
        ]);
        args
    }
}

/// A file to write (or, for cron and schtasks, a line or command) as rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub name: String,
    pub content: String,
}

/// Checks an interval: at least a minute, at most a day, and whole minutes.
pub fn check_interval(secs: u64) -> Result<(), String> {
    if !(60..=86_400).contains(&secs) || !secs.is_multiple_of(60) {
        return Err("the interval must be whole minutes from 1m to 24h".into());
    }
    Ok(())
}

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

/// A crontab schedule for the interval: `*/N` minutes, or `M */H` hours, or once a day.
fn cron_spec(every_secs: u64) -> String {
    let minutes = every_secs / 60;
    if minutes < 60 && 60_u64.is_multiple_of(minutes) {
        format!("*/{minutes} * * * *")
    } else if minutes.is_multiple_of(60) && 24_u64.is_multiple_of(minutes / 60) && minutes < 1440 {
        format!("7 */{} * * *", minutes / 60)
    } else if minutes < 60 {
        // Not a divisor of an hour: round down to one that is, never running less often.
        let m = (1..=minutes)
            .rev()
            .find(|d| 60_u64.is_multiple_of(*d))
            .unwrap_or(1);
        format!("*/{m} * * * *")
    } else if minutes < 1440 {
        let h = (1..=minutes / 60)
            .rev()
            .find(|d| 24_u64.is_multiple_of(*d))
            .unwrap_or(1);
        format!("7 */{h} * * *")
    } else {
        "7 3 * * *".to_string()
    }
}

pub fn render_cron(job: &Job) -> Rendered {
    let mut command = sh_quote(&job.exe.display().to_string());
    for arg in job.args() {
        command.push(' ');
        command.push_str(&sh_quote(&arg));
    }
    // cron turns % into newlines.
    let command = command.replace('%', "\\%");
    Rendered {
        name: "crontab".into(),
        content: format!("{} {command} {CRON_MARKER}\n", cron_spec(job.every_secs)),
    }
}

fn systemd_quote(s: &str) -> String {
    if s.contains(|c: char| c.is_whitespace() || c == '"' || c == '\\' || c == '%') {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('%', "%%")
        )
    } else {
        s.to_string()
    }
}

pub fn render_systemd(job: &Job) -> Vec<Rendered> {
    let mut exec = systemd_quote(&job.exe.display().to_string());
    for arg in job.args() {
        exec.push(' ');
        exec.push_str(&systemd_quote(&arg));
    }
    vec![
        Rendered {
            name: format!("{SYSTEMD_UNIT}.service"),
            content: format!(
                "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint\n\n[Service]\nType=oneshot\nExecStart={exec}\n"
            ),
        },
        Rendered {
            name: format!("{SYSTEMD_UNIT}.timer"),
            content: format!(
                "[Unit]\nDescription=Refresh AWS MFA sessions with mfa-mint every {}s\n\n[Timer]\nOnBootSec=1min\nOnUnitActiveSec={}s\nAccuracySec=30s\n\n[Install]\nWantedBy=timers.target\n",
                job.every_secs, job.every_secs
            ),
        },
    ]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render_launchd(job: &Job) -> Rendered {
    let mut args = format!(
        "    <string>{}</string>\n",
        xml_escape(&job.exe.display().to_string())
    );
    for arg in job.args() {
        args.push_str(&format!("    <string>{}</string>\n", xml_escape(&arg)));
    }
    Rendered {
        name: format!("{LAUNCHD_LABEL}.plist"),
        content: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key>\n  <string>{LAUNCHD_LABEL}</string>\n  <key>ProgramArguments</key>\n  <array>\n{args}  </array>\n  <key>StartInterval</key>\n  <integer>{}</integer>\n  <key>RunAtLoad</key>\n  <true/>\n  <key>ProcessType</key>\n  <string>Background</string>\n</dict>\n</plist>\n",
            job.every_secs
        ),
    }
}

/// Quotes one argument for the Windows command line (CommandLineToArgvW rules).
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

/// The `schtasks /Create` arguments (each one argv element).
pub fn render_schtasks(job: &Job) -> Vec<String> {
    let mut tr = win_quote(&job.exe.display().to_string());
    for arg in job.args() {
        tr.push(' ');
        tr.push_str(&win_quote(&arg));
    }
    let minutes = (job.every_secs / 60).clamp(1, 1439);
    vec![
        "/Create".into(),
        "/F".into(),
        "/TN".into(),
        TASK_NAME.into(),
        "/SC".into(),
        "MINUTE".into(),
        "/MO".into(),
        minutes.to_string(),
        "/TR".into(),
        tr,
    ]
}

/// Everything `--print` shows for a platform.
pub fn render(platform: Platform, job: &Job) -> String {
    match platform {
        Platform::Cron => format!(
            "# crontab line (installed with `crontab -l` / `crontab -`):\n{}",
            render_cron(job).content
        ),
        Platform::Systemd => render_systemd(job)
            .into_iter()
            .map(|r| format!("# ~/.config/systemd/user/{}\n{}\n", r.name, r.content))
            .collect(),
        Platform::Launchd => {
            let r = render_launchd(job);
            format!("# ~/Library/LaunchAgents/{}\n{}", r.name, r.content)
        }
        Platform::Schtasks => {
            let args: Vec<String> = render_schtasks(job).iter().map(|a| win_quote(a)).collect();
            format!(
                "schtasks {}\n\n# This runs only while you are logged on, which keeps Credential Manager\n# available. \"Run whether user is logged on or not\" (schtasks /RU %USERNAME% /RP)\n# also works but stores your Windows password with the task.\n",
                args.join(" ")
            )
        }
    }
}

fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, Error> {
    let io = |e: std::io::Error| Error::Io {
        action: format!("run {program}"),
        source: e,
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes()).map_err(io)?;
    }
    let out = child.wait_with_output().map_err(io)?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(Error::Schedule(format!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn crontab_program() -> String {
    std::env::var(CRONTAB_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "crontab".into())
}

/// The current crontab ("" when the user has none).
fn read_crontab() -> Result<String, Error> {
    let program = crontab_program();
    let out = Command::new(&program)
        .arg("-l")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Io {
            action: format!("run {program} -l (install the cron package)"),
            source: e,
        })?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // "no crontab for USER" exits 1 with nothing on stdout.
    Ok(if out.status.success() {
        text
    } else {
        String::new()
    })
}

/// Our line replaced (or removed, with `None`), every other line kept as it was.
pub fn edit_crontab(current: &str, line: Option<&str>) -> String {
    let mut out: String = current
        .lines()
        .filter(|l| !l.trim_end().ends_with(CRON_MARKER))
        .map(|l| format!("{l}\n"))
        .collect();
    if let Some(line) = line {
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn home() -> Result<PathBuf, Error> {
    crate::state::dirs::home_dir().ok_or_else(|| Error::Schedule("HOME is not set".into()))
}

fn write_file(path: &Path, content: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            action: format!("create {}", dir.display()),
            source: e,
        })?;
    }
    std::fs::write(path, content).map_err(|e| Error::Io {
        action: format!("write {}", path.display()),
        source: e,
    })
}

pub fn install(platform: Platform, job: &Job) -> Result<String, Error> {
    if let Some(dir) = job.log_file.parent() {
        let _ = crate::state::dirs::create_private_dir(dir);
    }
    match platform {
        Platform::Cron => {
            let line = render_cron(job).content;
            let new = edit_crontab(&read_crontab()?, Some(&line));
            run(&crontab_program(), &["-"], Some(&new))?;
            Ok(format!("installed in your crontab: {}", line.trim_end()))
        }
        Platform::Systemd => {
            let dir = home()?.join(".config/systemd/user");
            for r in render_systemd(job) {
                write_file(&dir.join(&r.name), &r.content)?;
            }
            run("systemctl", &["--user", "daemon-reload"], None)?;
            let timer = format!("{SYSTEMD_UNIT}.timer");
            run("systemctl", &["--user", "enable", "--now", &timer], None)?;
            Ok(format!(
                "installed {timer} in {} and started it (run `loginctl enable-linger` so it runs while you are logged out)",
                dir.display()
            ))
        }
        Platform::Launchd => {
            let r = render_launchd(job);
            let path = home()?.join("Library/LaunchAgents").join(&r.name);
            write_file(&path, &r.content)?;
            let domain = format!("gui/{}", current_uid());
            let _ = run(
                "launchctl",
                &["bootout", &domain, &path.display().to_string()],
                None,
            );
            run(
                "launchctl",
                &["bootstrap", &domain, &path.display().to_string()],
                None,
            )?;
            Ok(format!("installed and loaded {}", path.display()))
        }
        Platform::Schtasks => {
            let args = render_schtasks(job);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run("schtasks", &args, None)?;
            Ok(format!("created the task \"{TASK_NAME}\""))
        }
    }
}

pub fn show(platform: Platform) -> Result<Option<String>, Error> {
    match platform {
        Platform::Cron => Ok(read_crontab()?
            .lines()
            .find(|l| l.trim_end().ends_with(CRON_MARKER))
            .map(str::to_string)),
        Platform::Systemd => {
            let path = home()?
                .join(".config/systemd/user")
                .join(format!("{SYSTEMD_UNIT}.service"));
            Ok(std::fs::read_to_string(&path).ok())
        }
        Platform::Launchd => {
            let path = home()?
                .join("Library/LaunchAgents")
                .join(format!("{LAUNCHD_LABEL}.plist"));
            Ok(std::fs::read_to_string(&path).ok())
        }
        Platform::Schtasks => Ok(run(
            "schtasks",
            &["/Query", "/TN", TASK_NAME, "/V", "/FO", "LIST"],
            None,
        )
        .ok()),
    }
}

pub fn remove(platform: Platform) -> Result<bool, Error> {
    match platform {
        Platform::Cron => {
            let current = read_crontab()?;
            let new = edit_crontab(&current, None);
            if new == current || (current.is_empty() && new.is_empty()) {
                return Ok(false);
            }
            run(&crontab_program(), &["-"], Some(&new))?;
            Ok(true)
        }
        Platform::Systemd => {
            let dir = home()?.join(".config/systemd/user");
            let timer = format!("{SYSTEMD_UNIT}.timer");
            let _ = run("systemctl", &["--user", "disable", "--now", &timer], None);
            let mut removed = false;
            for name in [timer, format!("{SYSTEMD_UNIT}.service")] {
                removed |= std::fs::remove_file(dir.join(name)).is_ok();
            }
            let _ = run("systemctl", &["--user", "daemon-reload"], None);
            Ok(removed)
        }
        Platform::Launchd => {
            let path = home()?
                .join("Library/LaunchAgents")
                .join(format!("{LAUNCHD_LABEL}.plist"));
            let domain = format!("gui/{}", current_uid());
            let _ = run(
                "launchctl",
                &["bootout", &domain, &path.display().to_string()],
                None,
            );
            Ok(std::fs::remove_file(&path).is_ok())
        }
        Platform::Schtasks => {
            Ok(run("schtasks", &["/Delete", "/TN", TASK_NAME, "/F"], None).is_ok())
        }
    }
}

#[cfg(unix)]
fn current_uid() -> String {
    run("id", &["-u"], None)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "501".into())
}

#[cfg(not(unix))]
fn current_uid() -> String {
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job {
            exe: PathBuf::from("/home/al ice/.cargo/bin/mfa-mint"),
            profiles: vec!["dev".into(), "prod".into()],
            every_secs: 3600,
            log_file: PathBuf::from("/home/al ice/.local/state/mfa-mint/schedule.log"),
        }
    }

    #[test]
    fn cron_line_is_quoted_and_marked() {
        assert_eq!(
            render_cron(&job()).content,
            "7 */1 * * * '/home/al ice/.cargo/bin/mfa-mint' dev prod --min-remaining 70m --quiet --non-interactive --log-file '/home/al ice/.local/state/mfa-mint/schedule.log' # mfa-mint-schedule\n"
        );
        assert_eq!(cron_spec(900), "*/15 * * * *");
        assert_eq!(cron_spec(7 * 60), "*/6 * * * *");
        assert_eq!(cron_spec(5 * 3600), "7 */4 * * *");
        assert_eq!(cron_spec(86_400), "7 3 * * *");
    }

    #[test]
    fn crontab_edit_keeps_other_lines() {
        let current = "MAILTO=me\n0 1 * * * backup\n*/5 * * * * old mfa-mint # mfa-mint-schedule\n";
        let new = edit_crontab(current, Some("*/30 * * * * new # mfa-mint-schedule"));
        assert_eq!(
            new,
            "MAILTO=me\n0 1 * * * backup\n*/30 * * * * new # mfa-mint-schedule\n"
        );
        assert_eq!(edit_crontab(&new, None), "MAILTO=me\n0 1 * * * backup\n");
    }

    #[test]
    fn systemd_units() {
        let units = render_systemd(&job());
        assert_eq!(units[0].name, "mfa-mint-refresh.service");
        assert!(units[0].content.contains(
            "ExecStart=\"/home/al ice/.cargo/bin/mfa-mint\" dev prod --min-remaining 70m --quiet --non-interactive --log-file \"/home/al ice/.local/state/mfa-mint/schedule.log\"\n"
        ));
        assert!(units[1].content.contains("OnUnitActiveSec=3600s\n"));
        assert!(units[1].content.contains("WantedBy=timers.target\n"));
    }

    #[test]
    fn launchd_plist() {
        let plist = render_launchd(&job()).content;
        assert!(plist.contains("<string>/home/al ice/.cargo/bin/mfa-mint</string>\n    <string>dev</string>\n    <string>prod</string>\n    <string>--min-remaining</string>\n    <string>70m</string>\n"));
        assert!(plist.contains("<key>StartInterval</key>\n  <integer>3600</integer>"));
        assert!(plist.contains("<string>io.mfa-mint.refresh</string>"));
    }

    #[test]
    fn schtasks_command() {
        let mut j = job();
        j.exe = PathBuf::from(r"C:\Program Files\mfa-mint\mfa-mint.exe");
        j.log_file = PathBuf::from(r"C:\Users\al\AppData\Local\mfa-mint\schedule.log");
        j.every_secs = 1800;
        let args = render_schtasks(&j);
        assert_eq!(
            args[..8],
            [
                "/Create",
                "/F",
                "/TN",
                "mfa-mint refresh",
                "/SC",
                "MINUTE",
                "/MO",
                "30"
            ]
        );
        assert_eq!(
            args[9],
            r#""C:\Program Files\mfa-mint\mfa-mint.exe" dev prod --min-remaining 40m --quiet --non-interactive --log-file C:\Users\al\AppData\Local\mfa-mint\schedule.log"#
        );
        assert_eq!(win_quote(r#"a "b" c\"#), r#""a \"b\" c\\""#);
    }

    #[test]
    fn intervals_are_checked() {
        assert!(check_interval(60).is_ok());
        assert!(check_interval(59).is_err());
        assert!(check_interval(90).is_err());
        assert!(check_interval(86_401).is_err());
    }
}
