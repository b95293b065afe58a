//! A real HTTP proxy for behaviour tests: Debian's tinyproxy on 127.0.0.1 with its own config,
//! optionally demanding a login (Basic auth), logging every CONNECT it serves.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::process::require_tool;

/// A running tinyproxy; killed on drop.
pub struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    /// Starts tinyproxy on a free loopback port; with `login`, it answers 407 to requests
    /// without those Basic credentials.
    pub fn start(login: Option<(&str, &str)>) -> Tinyproxy {
        let program = require_tool("tinyproxy");
        let dir = tempfile::tempdir().expect("temp dir for tinyproxy");
        let log = dir.path().join("tinyproxy.log");
        // A free port: bind, read it, release it (tinyproxy cannot be told to pick one).
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // No ConnectPort line: CONNECT to any port (the fake does not listen on 443).
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\nMaxClients 50\nAllow 127.0.0.1\n",
            log.display()
        );
        if let Some((user, password)) = login {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let conf = dir.path().join("tinyproxy.conf");
        std::fs::write(&conf, config).expect("write tinyproxy.conf");
        let child = Command::new(program)
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tinyproxy");
        let proxy = Tinyproxy {
            child,
            port,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tinyproxy did not listen on 127.0.0.1:{port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        proxy
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, with `user:password@` when given.
    pub fn url(&self, login: Option<(&str, &str)>) -> String {
        match login {
            Some((user, password)) => format!("http://{user}:{password}@127.0.0.1:{}", self.port),
            None => format!("http://127.0.0.1:{}", self.port),
        }
    }

    /// The `CONNECT host:port` requests the proxy received so far.
    pub fn connects(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split("): CONNECT ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
