//! Running a child process with a deadline and capturing what it printed.

use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long one run of a command may take before it is killed and the test fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What a finished command did.
#[derive(Clone, PartialEq, Eq)]
pub struct Run {
    /// The exit code; `128 + signal` when a signal ended it, like a shell reports.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics, showing both streams, unless the command exited 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code(0)
    }

    /// Panics, showing both streams, unless the command exited with `code`.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{self:?}");
        self
    }

    /// Panics unless the command failed (any non-zero exit code).
    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert_ne!(self.code, 0, "expected a failure\n{self:?}");
        self
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--------------",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Finds `name` on PATH or panics with a message that says how to install it. A tool that
/// belongs to a [`super::need::Need`] must have been declared by the calling test with
/// `require!`.
#[track_caller]
pub fn require_tool(name: &str) -> PathBuf {
    super::need::check_tool_declared(name);
    super::need::find_on_path(name).unwrap_or_else(|| {
        panic!(
            "`{name}` is not installed (not found on PATH): run `scripts/test`, which installs \
                 the Debian packages the tests need"
        )
    })
}

/// Runs `cmd` to completion with `stdin` as its input (closed at once when `None`), capturing
/// stdout and stderr. Past `timeout` the child is killed and the calling test fails.
#[track_caller]
pub fn run_command(cmd: Command, stdin: Option<&[u8]>, timeout: Duration) -> Run {
    let what = format!("{:?}", cmd.get_program());
    try_run_command(cmd, stdin, timeout).unwrap_or_else(|TimedOut(partial)| {
        panic!("{what} did not finish within {timeout:?} and was killed\n{partial:?}")
    })
}

/// A command killed at its deadline, with what it had printed by then (code 137, SIGKILL).
#[derive(Debug)]
pub struct TimedOut(pub Run);

/// [`run_command`] that returns a timeout instead of failing the test.
pub fn try_run_command(
    mut cmd: Command,
    stdin: Option<&[u8]>,
    timeout: Duration,
) -> Result<Run, TimedOut> {
    let what = format!("{:?}", cmd.get_program());
    let files = runs_under_wine(&cmd).then(|| {
        let file = || tempfile::tempfile().expect("creating a file for a command's output");
        let (out, err) = (file(), file());
        cmd.stdout(out.try_clone().expect("sharing an output file"))
            .stderr(err.try_clone().expect("sharing an output file"));
        (out, err)
    });
    if files.is_none() {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));

    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().expect("stdin was piped");
        let data = data.to_vec();
        // A child that exits without reading all of its input gives EPIPE here: not our failure.
        thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let (stdout, stderr) = match files {
        Some((out, err)) => (Capture::File(out), Capture::File(err)),
        None => (
            Capture::Pipe(drain(child.stdout.take().expect("stdout was piped"))),
            Capture::Pipe(drain(child.stderr.take().expect("stderr was piped"))),
        ),
    };
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = match wait_until(&mut child, deadline) {
        Some(status) => (status, false),
        None => {
            let _ = child.kill();
            (child.wait().expect("waiting for a killed child"), true)
        }
    };
    // A grandchild that inherited the pipes could keep them open: don't wait on it forever.
    let grace = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_secs(1));
    let collect = |capture: Capture, name: &str| match capture {
        Capture::File(mut file) => {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.read_to_end(&mut bytes))
                .unwrap_or_else(|e| panic!("reading the {name} of {what}: {e}"));
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Capture::Pipe(rx) => match rx.recv_timeout(grace) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) if timed_out => format!("<{name} still held open by a descendant>"),
            Err(_) => panic!("{what} exited but its {name} stayed open (a leftover descendant?)"),
        },
    };
    let run = Run {
        code: exit_code(status),
        stdout: collect(stdout, "stdout"),
        stderr: collect(stderr, "stderr"),
    };
    if timed_out {
        Err(TimedOut(run))
    } else {
        Ok(run)
    }
}

/// Where a command's stdout or stderr goes.
enum Capture {
    /// A pipe a thread reads to its end.
    Pipe(mpsc::Receiver<Vec<u8>>),
    /// A file, read once the command has exited.
    File(std::fs::File),
}

/// Whether `cmd` runs a Windows program through wine. Its output then goes to files, not pipes:
/// wine starts its desktop process (`explorer.exe /desktop`) from whichever program first needs
/// it (`schtasks` does), every wine process inherits its parent's unix stderr, and that
/// process lives as long as the wine server, so a pipe would not reach its end when the program
/// exits. The program's exit is what a test waits for.
fn runs_under_wine(cmd: &Command) -> bool {
    match super::target::target() {
        super::target::Target::Wine(wine) => cmd.get_program() == wine.loader.as_os_str(),
        super::target::Target::Native => false,
    }
}

/// The exit code, or `128 + signal` when a signal ended the process (as a shell reports it).
fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
    }
    #[cfg(not(unix))]
    status
        .code()
        .expect("a process that is not unix's always has an exit code")
}

/// Polls `child` until it exits or `deadline` passes (`None`).
pub fn wait_until(child: &mut Child, deadline: Instant) -> Option<std::process::ExitStatus> {
    let mut pause = Duration::from_micros(200);
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}
