//! The job on this machine: read, written and removed with the platform's own tool, and a failed
//! install undone so it leaves the previous job (or none) in place.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{CRONTAB_ENV, Error, Installed, Job, LAUNCHD_LABEL, Platform, TASK_NAME};
use super::{cron, launchd, systemd, task, xml};

/// Runs `program args`, feeding `stdin`; its stdout when it exits 0.
fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<Vec<u8>, Error> {
    let (status, stdout, stderr) = run_status(program, args, stdin)?;
    if status.success() {
        return Ok(stdout);
    }
    let detail = String::from_utf8_lossy(&stderr).trim().to_string();
    Err(Error::ToolFailed {
        command: format!("{program} {}", args.join(" ")),
        detail: if detail.is_empty() {
            status.to_string()
        } else {
            detail
        },
    })
}

/// How long a scheduler's tool may take before it is stopped and the command fails: `schtasks`
/// talks to the Task Scheduler service, which may not answer.
const TOOL_TIMEOUT: Duration = Duration::from_secs(20);

fn run_status(
    program: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), Error> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    run_bounded(cmd, stdin, TOOL_TIMEOUT)
}

/// Runs `cmd` (feeding `stdin`) and waits for it to exit, at most `timeout`; returns its status,
/// stdout and stderr. Its output goes to (unnamed, self-deleting) temporary files, not pipes: a
/// process the tool starts may inherit its output handles and outlive it (wine's `schtasks`
/// leaves its services holding them), and a pipe would then never reach its end. Files are read
/// once the tool itself has exited, whatever its descendants do.
fn run_bounded(
    mut cmd: Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), Error> {
    let command = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let program = cmd.get_program().to_string_lossy().into_owned();
    let capture = || {
        tempfile::tempfile().map_err(io(format!(
            "create a temporary file for {program}'s output"
        )))
    };
    let (mut stdout, mut stderr) = (capture()?, capture()?);
    let missing = |source| Error::ToolMissing {
        program: program.clone(),
        source,
    };
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(
            stdout
                .try_clone()
                .map_err(io(format!("prepare {program}'s output")))?,
        )
        .stderr(
            stderr
                .try_clone()
                .map_err(io(format!("prepare {program}'s output")))?,
        )
        .spawn()
        .map_err(missing)?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let text = text.to_owned();
        // In a thread, so a tool that never reads its input cannot block past the deadline. A
        // tool that exits without reading says why on stderr; that error is the one to show.
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(missing)? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::TimedOut {
                command,
                secs: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |file: &mut std::fs::File| -> Result<Vec<u8>, Error> {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        file.seek(std::io::SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(io(format!("read the output of {program}")))?;
        Ok(bytes)
    };
    Ok((status, read(&mut stdout)?, read(&mut stderr)?))
}

fn home() -> Result<PathBuf, Error> {
    crate::state::dirs::home_dir().ok_or(Error::NoHome)
}

fn io(action: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { action, source }
}

fn read_file(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(format!("read {}", path.display()))(e)),
    }
}

fn write_file(path: &Path, content: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(format!("create {}", dir.display())))?;
    }
    std::fs::write(path, content).map_err(io(format!("write {}", path.display())))
}

/// Puts a file back as it was before an install: its old content, or gone.
fn restore(path: &Path, old: Option<&str>) {
    let _ = match old {
        Some(content) => std::fs::write(path, content),
        None => std::fs::remove_file(path),
    };
}

/// The job installed with `platform`, if any.
pub fn read(platform: Platform) -> Result<Option<Installed>, Error> {
    let found = |job: Option<Job>, location: String| match job {
        Some(job) => Ok(Some(Installed { job, location })),
        None => Err(Error::Unreadable { location }),
    };
    match platform {
        Platform::Cron => match cron::find(&read_crontab()?) {
            Some(line) => found(cron::parse(line), "your crontab".into()),
            None => Ok(None),
        },
        Platform::Systemd => {
            let dir = systemd_dir()?;
            let service = read_file(&dir.join(systemd::service_name()))?;
            let timer = read_file(&dir.join(systemd::timer_name()))?;
            match (service, timer) {
                (None, None) => Ok(None),
                (service, timer) => found(
                    systemd::parse(&service.unwrap_or_default(), &timer.unwrap_or_default()),
                    dir.join(systemd::timer_name()).display().to_string(),
                ),
            }
        }
        Platform::Launchd => {
            let path = launchd_path()?;
            match read_file(&path)? {
                Some(plist) => found(launchd::parse(&plist), path.display().to_string()),
                None => Ok(None),
            }
        }
        Platform::Schtasks => match query_task()? {
            Some(xml) => found(task::parse(&xml), format!("the task \"{TASK_NAME}\"")),
            None => Ok(None),
        },
    }
}

/// Installs `job`, replacing the job this platform had. On failure nothing of the new job
/// stays: the old job (or none) is put back. Returns where the job now lives.
pub fn install(platform: Platform, job: &Job) -> Result<String, Error> {
    match platform {
        Platform::Cron => {
            let line = cron::render(job);
            let new = cron::edit(&read_crontab()?, Some(&line));
            // crontab installs the whole table at once or not at all.
            run(&crontab_program(), &["-"], Some(&new))?;
            Ok("your crontab".into())
        }
        Platform::Systemd => install_systemd(job),
        Platform::Launchd => install_launchd(job),
        Platform::Schtasks => {
            let mut file = tempfile::Builder::new()
                .prefix("mfa-mint-task.")
                .suffix(".xml")
                .tempfile()
                .map_err(io("create a temporary file for the task XML".into()))?;
            let bytes = xml::encode_utf16(&task::render(job, task::user_from_env().as_deref()));
            std::io::Write::write_all(&mut file, &bytes)
                .map_err(io(format!("write {}", file.path().display())))?;
            // Closed before schtasks opens it; the file is deleted when `path` drops.
            let path = file.into_temp_path();
            let args = task::create_args(&path.display().to_string());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // /Create /F replaces the task in one step.
            run("schtasks", &args, None)?;
            Ok(format!("the task \"{TASK_NAME}\""))
        }
    }
}

/// Removes the job of `platform`; `false` when there was none.
pub fn remove(platform: Platform) -> Result<bool, Error> {
    match platform {
        Platform::Cron => {
            let current = read_crontab()?;
            if cron::find(&current).is_none() {
                return Ok(false);
            }
            run(
                &crontab_program(),
                &["-"],
                Some(&cron::edit(&current, None)),
            )?;
            Ok(true)
        }
        Platform::Systemd => {
            let dir = systemd_dir()?;
            let timer = systemd::timer_name();
            let paths = [dir.join(&timer), dir.join(systemd::service_name())];
            if !paths.iter().any(|p| p.exists()) {
                return Ok(false);
            }
            // Stopped first; the files are what define the job, so they go even if systemd
            // cannot be reached (no user session): nothing starts it again.
            let _ = run("systemctl", &["--user", "disable", "--now", &timer], None);
            for path in &paths {
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io(format!("remove {}", path.display()))(e));
                    }
                    _ => {}
                }
            }
            let _ = run("systemctl", &["--user", "daemon-reload"], None);
            Ok(true)
        }
        Platform::Launchd => {
            let path = launchd_path()?;
            if !path.exists() {
                return Ok(false);
            }
            let _ = run("launchctl", &["bootout", &launchd_service()?], None);
            std::fs::remove_file(&path).map_err(io(format!("remove {}", path.display())))?;
            Ok(true)
        }
        Platform::Schtasks => {
            if query_task()?.is_none() {
                return Ok(false);
            }
            run("schtasks", &["/Delete", "/TN", TASK_NAME, "/F"], None)?;
            Ok(true)
        }
    }
}

fn crontab_program() -> String {
    crate::env_vars::non_empty(CRONTAB_ENV).unwrap_or_else(|| "crontab".into())
}

/// The user's crontab ("" when there is none yet).
fn read_crontab() -> Result<String, Error> {
    let program = crontab_program();
    let (status, stdout, stderr) = run_status(&program, &["-l"], None)?;
    if status.success() {
        return Ok(String::from_utf8_lossy(&stdout).into_owned());
    }
    let detail = String::from_utf8_lossy(&stderr).trim().to_string();
    // "no crontab for USER" (exit 1) is an empty crontab. Anything else must stop an install,
    // which would otherwise replace a crontab it could not read with a single line.
    if detail.contains("no crontab for") {
        Ok(String::new())
    } else {
        Err(Error::ToolFailed {
            command: format!("{program} -l"),
            detail: if detail.is_empty() {
                status.to_string()
            } else {
                detail
            },
        })
    }
}

/// `$XDG_CONFIG_HOME/systemd/user`, where systemd looks for a user's own units.
fn systemd_dir() -> Result<PathBuf, Error> {
    let config = crate::env_vars::non_empty(crate::env_vars::XDG_CONFIG_HOME)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    Ok(match config {
        Some(config) => config,
        None => home()?.join(".config"),
    }
    .join("systemd")
    .join("user"))
}

fn install_systemd(job: &Job) -> Result<String, Error> {
    let path = job.exe.display().to_string();
    if path.contains(systemd::UNNAMEABLE_IN_EXE) {
        return Err(Error::SystemdPath { path });
    }
    let dir = systemd_dir()?;
    let timer = systemd::timer_name();
    let units = systemd::render(job);
    let old: Vec<(PathBuf, Option<String>)> = units
        .iter()
        .map(|(name, _)| {
            let path = dir.join(name);
            read_file(&path).map(|content| (path, content))
        })
        .collect::<Result<_, _>>()?;
    let had_job = old.iter().any(|(_, content)| content.is_some());
    let result = (|| {
        for (name, content) in &units {
            write_file(&dir.join(name), content)?;
        }
        run("systemctl", &["--user", "daemon-reload"], None)?;
        run("systemctl", &["--user", "enable", &timer], None)?;
        // restart, not start: a running timer keeps its old schedule until restarted.
        run("systemctl", &["--user", "restart", &timer], None)
    })();
    match result {
        Ok(_) => Ok(dir.join(&timer).display().to_string()),
        Err(e) => {
            for (path, content) in &old {
                restore(path, content.as_deref());
            }
            let _ = run("systemctl", &["--user", "daemon-reload"], None);
            let _ = if had_job {
                run("systemctl", &["--user", "restart", &timer], None)
            } else {
                run("systemctl", &["--user", "disable", "--now", &timer], None)
            };
            Err(e)
        }
    }
}

fn launchd_path() -> Result<PathBuf, Error> {
    Ok(home()?
        .join("Library")
        .join("LaunchAgents")
        .join(launchd::file_name()))
}

/// `gui/UID`: the user's login session domain, where an agent can reach the Keychain.
fn launchd_domain() -> Result<String, Error> {
    #[cfg(unix)]
    {
        Ok(format!("gui/{}", rustix::process::getuid().as_raw()))
    }
    #[cfg(not(unix))]
    {
        Err(Error::ToolFailed {
            command: "launchctl".into(),
            detail: "launchd exists only on macOS".into(),
        })
    }
}

fn launchd_service() -> Result<String, Error> {
    Ok(format!("{}/{LAUNCHD_LABEL}", launchd_domain()?))
}

fn install_launchd(job: &Job) -> Result<String, Error> {
    let path = launchd_path()?;
    let domain = launchd_domain()?;
    let service = launchd_service()?;
    let path_text = path.display().to_string();
    let old = read_file(&path)?;
    // bootout/bootstrap replace the deprecated unload/load; bootstrap refuses a loaded label,
    // so the old job is booted out first (an error there only means it was not loaded).
    let result = write_file(&path, &launchd::render(job)).and_then(|()| {
        let _ = run("launchctl", &["bootout", &service], None);
        run("launchctl", &["bootstrap", &domain, &path_text], None)
    });
    match result {
        Ok(_) => Ok(path_text),
        Err(e) => {
            restore(&path, old.as_deref());
            if old.is_some() {
                let _ = run("launchctl", &["bootstrap", &domain, &path_text], None);
            }
            Err(e)
        }
    }
}

/// The task's XML as `schtasks /Query /XML` prints it; `None` when the task does not exist.
fn query_task() -> Result<Option<String>, Error> {
    let args = ["/Query", "/TN", TASK_NAME, "/XML"];
    let (status, stdout, _) = run_status("schtasks", &args, None)?;
    if !status.success() {
        // "The system cannot find the file specified", in the user's language.
        return Ok(None);
    }
    let text = xml::decode(&stdout);
    if text.trim().is_empty() {
        // Wine's schtasks ignores /Query and exits 0: that is not "installed".
        return Err(Error::NoAnswer {
            command: format!("schtasks {}", args.join(" ")),
        });
    }
    Ok(Some(text))
}

/// Serialises schedule changes: a second `schedule install` at the same time waits, then adds
/// to what the first one installed instead of overwriting it.
pub fn lock() -> Result<std::fs::File, Error> {
    let dir = crate::state::dirs::state_dir().ok_or(Error::NoHome)?;
    crate::state::dirs::create_private_dir(&dir)
        .map_err(io(format!("create {}", dir.display())))?;
    let path = dir.join("schedule.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(format!("open {}", path.display())))?;
    file.lock()
        .map_err(io(format!("lock {}", path.display())))?;
    Ok(file)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn a_descendant_holding_the_output_does_not_hold_up_the_tool() {
        let started = Instant::now();
        let (status, out, err) = run_bounded(
            sh("echo out; sleep 30 & echo err >&2"),
            None,
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(status.success());
        assert_eq!(
            (out.as_slice(), err.as_slice()),
            (&b"out\n"[..], &b"err\n"[..])
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn input_is_fed_and_a_failure_keeps_its_status() {
        let (status, out, _) =
            run_bounded(sh("cat; exit 3"), Some("a\r\nb"), TOOL_TIMEOUT).unwrap();
        assert_eq!(status.code(), Some(3));
        assert_eq!(out, b"a\r\nb");
    }

    #[test]
    fn a_tool_that_does_not_answer_is_stopped_at_the_deadline() {
        let started = Instant::now();
        let e =
            run_bounded(sh("exec sleep 30"), Some("x"), Duration::from_millis(300)).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(e, Error::TimedOut { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("`/bin/sh -c exec sleep 30` did not finish within "),
            "{e}"
        );
    }
}
