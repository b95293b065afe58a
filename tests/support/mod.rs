//! A hermetic environment for behaviour tests that run the real binary: a temporary HOME, its
//! own private D-Bus session bus with an unlocked gnome-keyring Secret Service, a scrubbed
//! environment, plus helpers for moto, the AWS CLI and QR codes.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a run of the binary produced.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A temporary HOME with its own D-Bus session and Secret Service.
pub struct TestEnv {
    dir: tempfile::TempDir,
    home: PathBuf,
    bus: String,
    dbus: Child,
    keyring: Option<Child>,
}

fn need(tool: &str) -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(tool);
        if p.is_file() {
            return p;
        }
    }
    panic!("{tool} is missing: run scripts/test, which installs everything the tests need");
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl TestEnv {
    /// A fresh HOME with an unlocked keyring.
    pub fn new() -> TestEnv {
        TestEnv::start(true)
    }

    /// A fresh HOME whose keyring exists but is locked (writes and reads are refused).
    pub fn new_locked() -> TestEnv {
        let env = TestEnv::start(true);
        let out = Command::new(need("dbus-send"))
            .env("DBUS_SESSION_BUS_ADDRESS", &env.bus)
            .args([
                "--session",
                "--dest=org.freedesktop.secrets",
                "--print-reply",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "lock: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        env
    }

    fn start(unlock: bool) -> TestEnv {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "runtime", "state"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("runtime"),
                std::fs::Permissions::from_mode(0o700),
            )
            .unwrap();
        }
        let socket = dir.path().join("runtime/bus");
        // A bus without service activation: nothing but our own keyring can appear on it.
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let dbus = Command::new(need("dbus-daemon"))
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for("the D-Bus socket", Duration::from_secs(10), || {
            socket.exists()
        });
        let bus = format!("unix:path={}", socket.display());
        let mut env = TestEnv {
            home: dir.path().join("home"),
            dir,
            bus,
            dbus,
            keyring: None,
        };
        let mut keyring = Command::new(need("gnome-keyring-daemon"))
            .args(["--foreground", "--components=secrets"])
            .args(if unlock { &["--unlock"][..] } else { &[][..] })
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", env.home())
            .env("XDG_RUNTIME_DIR", env.runtime_dir())
            .env("XDG_DATA_HOME", env.home().join(".local/share"))
            .env("DBUS_SESSION_BUS_ADDRESS", &env.bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if let Some(mut stdin) = keyring.stdin.take() {
            let _ = stdin.write_all(b"test-password");
        }
        env.keyring = Some(keyring);
        let bus = env.bus.clone();
        wait_for("gnome-keyring on the bus", Duration::from_secs(20), || {
            Command::new("dbus-send")
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .args([
                    "--session",
                    "--dest=org.freedesktop.DBus",
                    "--print-reply",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false)
        });
        env
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("runtime")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn dbus_address(&self) -> &str {
        &self.bus
    }

    /// The environment every run gets: nothing from the outer environment but PATH.
    fn base_env(&self) -> Vec<(String, String)> {
        vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".into(), self.home().display().to_string()),
            (
                "XDG_RUNTIME_DIR".into(),
                self.runtime_dir().display().to_string(),
            ),
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus.clone()),
            ("LANG".into(), "C.UTF-8".into()),
            ("NO_COLOR".into(), "1".into()),
            (
                "MFA_MINT_STATE_DIR".into(),
                self.state_dir().display().to_string(),
            ),
        ]
    }

    /// The binary with a scrubbed environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mfa-mint"));
        cmd.env_clear().current_dir(self.home());
        for (k, v) in self.base_env() {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_env(args, stdin, &[])
    }

    pub fn run_env(&self, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        run_command(cmd, stdin.map(str::as_bytes))
    }

    pub fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        run_command(cmd, Some(stdin))
    }

    /// Like cron: HOME, PATH, SHELL, LOGNAME and the session's runtime dir, nothing else (no
    /// DBUS_SESSION_BUS_ADDRESS, no MFA_MINT_STATE_DIR).
    pub fn run_minimal_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mfa-mint"));
        cmd.env_clear()
            .current_dir(self.home())
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("SHELL", "/bin/sh")
            .env("LOGNAME", "tester")
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .args(args);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        run_command(cmd, None)
    }

    /// Writes a file relative to HOME (parents created).
    pub fn write_file(&self, rel: &str, content: &str) {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read_file(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.home().join(rel)).ok()
    }

    /// `secret-tool lookup` on this environment's keyring.
    pub fn secret_tool_lookup(&self, attrs: &[(&str, &str)]) -> Option<String> {
        let mut cmd = Command::new(need("secret-tool"));
        cmd.arg("lookup")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdin(Stdio::null());
        for (k, v) in attrs {
            cmd.args([k, v]);
        }
        let out = cmd.output().unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            .filter(|s| !s.is_empty())
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}

/// Runs a command with optional stdin and a 120 s limit.
pub fn run_command(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("command timed out: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_thread.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_thread.join().unwrap()).into_owned(),
    }
}

/// A program from the Python venv that scripts/test prepares.
pub fn venv_bin(name: &str) -> PathBuf {
    let venv = std::env::var("MFA_MINT_TEST_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-venv").to_string());
    let path = Path::new(&venv).join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test, which installs moto and the AWS CLI",
        path.display()
    );
    path
}

/// The real AWS CLI (v1, botocore) with the env's HOME and keyring, no outer AWS settings.
pub fn aws_cli(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(venv_bin("aws"));
    cmd.env_clear().current_dir(env.home());
    for (k, v) in env.base_env() {
        cmd.env(k, v);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(args);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    run_command(cmd, None)
}

/// moto's server on a free loopback port, stopped on drop.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(venv_bin("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for("moto", Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Moto { child, port }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes a QR code printed with half-block characters (two modules per cell).
pub fn decode_terminal_qr(text: &str) -> String {
    let rows: Vec<Vec<char>> = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| " █▀▄".contains(c)))
        .map(|l| l.chars().collect())
        .collect();
    assert!(!rows.is_empty(), "no QR code in {text:?}");
    let width = rows.iter().map(Vec::len).max().unwrap();
    let scale = 6u32;
    let mut img = image::GrayImage::from_pixel(
        (width as u32 + 8) * scale,
        (rows.len() as u32 * 2 + 8) * scale,
        image::Luma([255]),
    );
    for (y, row) in rows.iter().enumerate() {
        for (x, c) in row.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            for (half, dark) in [(0u32, top), (1, bottom)] {
                if dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            img.put_pixel(
                                (x as u32 + 4) * scale + dx,
                                ((y as u32) * 2 + half + 4) * scale + dy,
                                image::Luma([0]),
                            );
                        }
                    }
                }
            }
        }
    }
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert!(!grids.is_empty(), "no QR grid found");
    grids[0].decode().expect("QR decodes").1
}
