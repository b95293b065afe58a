//! The Python tools `scripts/test` installs into its venv: `moto_server` (a local AWS that speaks
//! the real wire protocols) and awscli v1 (an independent reader of `~/.aws`).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::env::TestEnv;
use super::need::{self, Need, VENV_VAR};
use super::process::{DEFAULT_TIMEOUT, Run, run_command};
use super::session_bus::outer_path;

const MOTO_STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// `<venv>/bin/<name>` of the test venv ([`need::venv_dir`]: `$MFA_MINT_TEST_VENV`, else
/// `target/test-venv`). The calling test must have declared `require!(Venv)`; panics (saying to
/// run `scripts/test`) when the program isn't there.
#[track_caller]
pub fn venv_bin(name: &str) -> PathBuf {
    need::check_declared(Need::Venv, "the test venv (moto, the AWS CLI)");
    let venv = need::venv_dir().unwrap_or_else(|| {
        panic!(
            "no test venv ({VENV_VAR} unset or incomplete, no target/test-venv): run the tests \
             with `scripts/test`, which installs moto and awscli into target/test-venv"
        )
    });
    let path = venv.join("bin").join(name);
    assert!(
        path.is_file(),
        "{} does not exist: run `scripts/test`, which (re)installs the test venv",
        path.display()
    );
    path
}

/// A `moto_server` on 127.0.0.1 and a port of its own choosing, with fresh state; killed on
/// drop. Moto checks no MFA code, serial or duration: it proves wire compatibility only.
pub struct Moto {
    child: Child,
    endpoint: String,
    log: Arc<Mutex<String>>,
    _home: tempfile::TempDir,
}

impl Moto {
    /// Starts moto and returns once it accepts connections (≈ 0.3 s, longer under load).
    #[track_caller]
    pub fn start() -> Moto {
        let program = venv_bin("moto_server");
        let home = tempfile::Builder::new()
            .prefix("mfa-mint-moto.")
            .tempdir()
            .expect("creating moto's temp dir");
        // Port 0: the kernel picks a free port and werkzeug reports it, so parallel tests
        // can't race for one.
        let mut child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env_clear()
            .env("PATH", outer_path())
            .env("HOME", home.path())
            .env("LANG", "C.UTF-8")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting moto_server");

        // Werkzeug logs " * Running on http://127.0.0.1:PORT" and then one line per request on
        // stderr: keep draining it into `log` so the pipe never fills.
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().expect("stderr was piped"));
        let sink = Arc::clone(&log);
        thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { break };
                if let Some(port) = line
                    .split_once("Running on http://127.0.0.1:")
                    .and_then(|(_, port)| port.trim().parse::<u16>().ok())
                {
                    let _ = port_tx.send(port);
                }
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });

        let deadline = Instant::now() + MOTO_STARTUP_TIMEOUT;
        let fail = |child: &mut Child, why: &str| -> ! {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "moto_server {why}; its log:\n{}",
                log.lock().unwrap_or_else(|e| e.into_inner())
            );
        };
        let port = match port_rx.recv_timeout(MOTO_STARTUP_TIMEOUT) {
            Ok(port) => port,
            Err(_) => fail(&mut child, "did not report its port"),
        };
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() >= deadline {
                fail(&mut child, "did not accept connections");
            }
            thread::sleep(Duration::from_millis(10));
        }
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _home: home,
        }
    }

    /// `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_IAM.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// What moto logged so far (one line per request).
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the venv's `aws` (v1) with `env`'s scrubbed environment (HOME = the temp home, so it
/// reads the temp `~/.aws` files; no outer AWS_* variable; AWS_EC2_METADATA_DISABLED=true),
/// plus `extra_env`. Stdin is closed.
#[track_caller]
pub fn aws_cli(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let mut cmd = env.command(venv_bin("aws"));
    cmd.args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // The CLI v1 insists on a region for STS; tests may override it.
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .envs(extra_env.iter().copied());
    run_command(cmd, None, DEFAULT_TIMEOUT)
}
