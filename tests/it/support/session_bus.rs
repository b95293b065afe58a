//! A private D-Bus session bus and a gnome-keyring Secret Service on it, one pair per test.
//!
//! The bus gets its own config with no `<servicedir>`, so nothing is ever D-Bus-activated: the
//! system's `org.freedesktop.secrets.service` would otherwise start a second, unmanaged keyring
//! daemon (with no unlocked collection) whenever a client asked before ours was ready.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::process::{require_tool, wait_until};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
const SECRETS_NAME: &str = "org.freedesktop.secrets";
/// gnome-keyring's default collection, created by `--unlock` on first start.
pub const LOGIN_COLLECTION: &str = "/org/freedesktop/secrets/collection/login";

/// A running `dbus-daemon`, killed on drop.
pub struct SessionBus {
    child: Child,
    address: String,
}

impl SessionBus {
    /// Starts a session bus listening on `<runtime>/bus`; returns once it accepts connections.
    /// `env` is the environment its (never activated) services would see; its log goes to `log`.
    pub fn start(runtime: &Path, config: &Path, log: &Path, env: &[(&str, &Path)]) -> SessionBus {
        let program = require_tool("dbus-daemon");
        let socket = runtime.join("bus");
        std::fs::write(config, bus_config(&socket)).expect("writing the bus config");
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(env.iter().copied())
            .env("PATH", outer_path())
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(log).expect("creating the bus log"));
        let mut child = cmd.spawn().expect("starting dbus-daemon");
        // dbus-daemon prints its address once it listens; EOF means it died.
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout was piped"));
        let _ = stdout.read_line(&mut line);
        let address = line.trim().to_owned();
        if address.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "dbus-daemon did not start; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        SessionBus { child, address }
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `gnome-keyring-daemon --foreground --components=secrets`, killed on drop.
pub struct KeyringDaemon {
    child: Child,
}

impl KeyringDaemon {
    /// Starts the Secret Service on `bus`, unlocking (creating on first use) the login
    /// collection with `password`; returns once `org.freedesktop.secrets` is on the bus.
    pub fn start(bus: &SessionBus, password: &str, log: &Path, env: &[(&str, &Path)]) -> Self {
        let program = require_tool("gnome-keyring-daemon");
        // Checked now so that a missing dbus-send fails here, not as a readiness timeout.
        let dbus_send = require_tool("dbus-send");
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(env.iter().copied())
            .env("PATH", outer_path())
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("LANG", "C.UTF-8")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(File::create(log).expect("creating the keyring log"))
            .stderr(File::create(log.with_extension("err")).expect("creating the keyring log"));
        let mut child = cmd.spawn().expect("starting gnome-keyring-daemon");
        {
            // --unlock reads the password up to EOF.
            let mut stdin = child.stdin.take().expect("stdin was piped");
            stdin
                .write_all(password.as_bytes())
                .expect("feeding gnome-keyring-daemon its password");
        }
        let mut daemon = KeyringDaemon { child };

        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let mut pause = Duration::from_millis(1);
        while !name_has_owner(&dbus_send, bus.address(), SECRETS_NAME) {
            let exited = wait_until(&mut daemon.child, Instant::now()).is_some();
            if exited || Instant::now() >= deadline {
                panic!(
                    "gnome-keyring-daemon {} before its Secret Service was on the bus; \
                     its stderr:\n{}",
                    if exited { "exited" } else { "timed out" },
                    std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
                );
            }
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
        daemon
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for KeyringDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Locks `collection` through the Secret Service API (`secret-tool lock` hangs here).
pub fn lock_collection(address: &str, collection: &str) {
    let out = call(
        &require_tool("dbus-send"),
        address,
        &[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &format!("array:objpath:{collection}"),
        ],
    )
    .unwrap_or_else(|e| panic!("locking {collection}: {e}"));
    assert!(
        out.contains(collection),
        "the Secret Service did not lock {collection}:\n{out}"
    );
}

/// Whether `collection` is locked, read from its `Locked` property.
pub fn collection_is_locked(address: &str, collection: &str) -> bool {
    let reply = call(
        &require_tool("dbus-send"),
        address,
        &[
            "--dest=org.freedesktop.secrets",
            collection,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ],
    )
    .unwrap_or_else(|e| panic!("reading the Locked property of {collection}: {e}"));
    reply.contains("boolean true")
}

fn name_has_owner(dbus_send: &Path, address: &str, name: &str) -> bool {
    call(
        dbus_send,
        address,
        &[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ],
    )
    .is_ok_and(|reply| reply.contains("boolean true"))
}

/// One method call with `dbus-send`: its printed reply, or its error message.
fn call(dbus_send: &Path, address: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(dbus_send)
        .env_clear()
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .args(["--session", "--print-reply", "--reply-timeout=10000"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn bus_config(socket: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}

/// The PATH the tests were started with (tools are found there), or a sane default.
pub fn outer_path() -> PathBuf {
    std::env::var_os("PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/local/bin:/usr/bin:/bin"))
}
