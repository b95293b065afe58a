//! No core dumps while mfa-mint holds secrets (issue 22): a running mfa-mint is not dumpable
//! and has a core-dump limit of 0; `exec`'s command gets the limit mfa-mint was started with.

#![cfg(target_os = "linux")]

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// `nobody`: a uid other than root's, so that "owned by root" means "not dumpable".
const NOBODY: u32 = 65534;

/// The soft core-dump limit in /proc/PID/limits ("0", "unlimited", …).
fn core_limit(pid: u32) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("reading limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("a core limit line");
    line.split_whitespace()
        .nth(4)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_running_mfa_mint_is_not_dumpable_and_has_no_core_limit() {
    if support::target().is_windows() {
        return;
    }
    // The kernel makes /proc/PID/* of a process that is not dumpable owned by root. Run as a
    // uid other than root's so that the owner tells: as nobody when the tests run as root.
    let dir = tempfile::tempdir().unwrap();
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let uid = if me == 0 { NOBODY } else { me };
    if me == 0 {
        std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_mfa-mint");
    let mut cmd = if me == 0 {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    // import waits for the seed on stdin: a process holding (soon) a secret, at rest.
    let mut child = cmd
        .env_clear()
        .env("HOME", dir.path())
        .env("MFA_MINT_STATE_DIR", dir.path().join("state"))
        .env("PATH", "/usr/bin:/bin")
        .args([
            "import",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:mfa/alice",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting mfa-mint");
    let pid = child.id();
    // setpriv execs mfa-mint in the same process: wait until that happened.
    let deadline = Instant::now() + Duration::from_secs(20);
    let exe = std::fs::canonicalize(bin).unwrap();
    while std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_ref() != Some(&exe) {
        assert!(Instant::now() < deadline, "mfa-mint did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The hardening runs first thing; give it a moment.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut owner, mut core) = (u32::MAX, String::new());
    while Instant::now() < deadline {
        owner = std::fs::metadata(format!("/proc/{pid}/status"))
            .unwrap()
            .uid();
        core = core_limit(pid);
        if owner == 0 && core == "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let _ = child.stdin.take().map(|mut s| s.write_all(b""));
    let _ = child.kill();
    let _ = child.wait();
    assert!(status.contains(&format!("Uid:\t{uid}\t")), "{status}");
    assert_eq!(
        owner, 0,
        "/proc/{pid} is owned by {owner}: mfa-mint is dumpable"
    );
    assert_eq!(core, "0", "RLIMIT_CORE");
}

#[test]
fn exec_gives_its_command_the_core_limit_mfa_mint_started_with() {
    require!(Keyring);
    if support::target().is_windows() {
        return;
    }
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    // 1 MiB soft (the hard limit stays as it is).
    let with_limit = |program: &std::ffi::OsStr, args: &[&str]| {
        let base = w.env.cmd();
        let mut cmd = w.env.command("prlimit");
        for (k, v) in base.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.env("AWS_ENDPOINT_URL_STS", w.endpoint())
            .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
            .arg("--core=1048576:")
            .arg(program)
            .args(args);
        support::run_command(cmd, None, support::DEFAULT_TIMEOUT)
    };
    let direct = with_limit("sh".as_ref(), &["-c", "ulimit -c"]);
    assert_eq!(direct.code, 0, "{direct:?}");
    assert_ne!(direct.stdout.trim(), "0", "{direct:?}");
    let bin = w.env.cmd().get_program().to_owned();
    let through = with_limit(&bin, &["exec", "dev", "--", "sh", "-c", "ulimit -c"]);
    assert_eq!(through.code, 0, "{through:?}");
    assert_eq!(through.stdout, direct.stdout, "{through:?}");
}
