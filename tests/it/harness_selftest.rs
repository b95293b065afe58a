//! Proves the test harness in `tests/support` before any behaviour test relies on it: private
//! keyrings really are private, the failure variants really fail, nothing outlives its TestEnv,
//! and moto plus awscli work from the venv.

use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Moto, TestEnv, TimedOut, aws_cli, run_command, try_run_command};

const ATTRS: &[(&str, &str)] = &[("service", "mfa-mint-selftest"), ("user", "alice")];

#[test]
fn harness_keyrings_of_two_envs_are_independent() {
    require!(Keyring);
    let a = TestEnv::new();
    let b = TestEnv::new();
    assert_ne!(a.dbus_address(), b.dbus_address());

    a.secret_tool_store("selftest", ATTRS, "JBSWY3DPEHPK3PXP");

    assert_eq!(
        a.secret_tool_lookup(ATTRS).as_deref(),
        Some("JBSWY3DPEHPK3PXP")
    );
    assert_eq!(b.secret_tool_lookup(ATTRS), None);
    // The keyring file lives in the env's own HOME.
    assert!(
        a.home()
            .join(".local/share/keyrings/login.keyring")
            .is_file()
    );
}

#[test]
fn harness_lookup_of_a_missing_item_is_none() {
    require!(Keyring);
    let env = TestEnv::new();
    assert_eq!(env.secret_tool_lookup(&[("service", "nothing-here")]), None);
}

#[test]
fn harness_locked_keyring_refuses_reads_and_writes() {
    require!(Keyring);
    let env = TestEnv::new();
    env.secret_tool_store("before", ATTRS, "stored-before-locking");
    assert!(!env.keyring_is_locked());
    env.lock_keyring();

    let store = env.secret_tool(&["store", "--label=after", "service", "x"], Some("secret"));
    store.failure();
    assert!(store.stderr.contains("locked"), "{store:?}");

    // secret-tool says nothing here, as when no item matches; the item is still there.
    let lookup = env.secret_tool(
        &["lookup", "service", "mfa-mint-selftest", "user", "alice"],
        None,
    );
    assert_eq!((lookup.code, lookup.stdout.as_str()), (1, ""), "{lookup:?}");
    assert!(env.keyring_is_locked());

    let locked = TestEnv::new_locked();
    assert!(locked.keyring_is_locked());
    locked
        .secret_tool(&["store", "--label=x", "service", "x"], Some("secret"))
        .failure();
}

#[test]
fn harness_env_without_secret_service_refuses_writes() {
    require!(Keyring);
    let env = TestEnv::new_without_secret_service();
    let started = Instant::now();
    let run = env.secret_tool(&["store", "--label=x", "service", "x"], Some("secret"));
    run.failure();
    assert!(run.stderr.contains("org.freedesktop.secrets"), "{run:?}");
    // Nothing was activated in its place, and nothing waited for it.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(env.daemon_pids().len(), 1);
}

#[test]
fn harness_env_without_keyring_has_no_bus() {
    require!(Keyring); // secret-tool
    let env = TestEnv::new_without_keyring();
    assert!(env.daemon_pids().is_empty());
    let socket = env.dbus_address().strip_prefix("unix:path=").unwrap();
    assert!(!Path::new(socket).exists());
    let run = env.secret_tool(&["store", "--label=x", "service", "x"], Some("secret"));
    run.failure();
}

#[test]
fn harness_drop_leaves_no_daemon_and_no_files() {
    require!(Keyring);
    let env = TestEnv::new();
    let pids = env.daemon_pids();
    assert_eq!(pids.len(), 2, "a dbus-daemon and a gnome-keyring-daemon");
    let names: Vec<String> = pids.iter().map(|pid| process_name(*pid).unwrap()).collect();
    assert_eq!(names, ["dbus-daemon", "gnome-keyring-d"]);
    let root = env.root().to_owned();

    drop(env);

    for (pid, name) in pids.iter().zip(&names) {
        // The pid is gone (reaped), or was reused by an unrelated process.
        assert_ne!(
            process_name(*pid).as_ref(),
            Some(name),
            "pid {pid} survived"
        );
    }
    assert!(!root.exists(), "{} survived", root.display());
}

#[test]
fn harness_commands_get_a_scrubbed_environment() {
    let env = TestEnv::new_without_keyring();

    let vars: Vec<(String, String)> = env
        .cmd()
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.unwrap().to_string_lossy().into_owned(),
            )
        })
        .collect();
    let get = |key: &str| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(get("HOME"), Some(env.home().to_str().unwrap()));
    assert_eq!(get("MFA_MINT_STATE_DIR"), env.state_dir().to_str());
    // No test reaches the user's crontab: `schedule` and `doctor` get this env's stand-in.
    let stand_in = env.root().join("bin/crontab");
    assert_eq!(get("MFA_MINT_CRONTAB"), stand_in.to_str());
    assert_eq!(get("DBUS_SESSION_BUS_ADDRESS"), Some(env.dbus_address()));
    assert_eq!(get("LANG"), Some("C.UTF-8"));
    assert_eq!(get("NO_COLOR"), Some("1"));
    let aws: Vec<&str> = vars
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.starts_with("AWS_"))
        .collect();
    assert_eq!(aws, ["AWS_EC2_METADATA_DISABLED"]);

    // And the child really sees only that: env_clear() took effect.
    let run = run_command(env.command("env"), None, Duration::from_secs(10));
    run.success();
    let mut seen: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    seen.sort_unstable();
    let mut expected = vec![
        "AWS_EC2_METADATA_DISABLED",
        "DBUS_SESSION_BUS_ADDRESS",
        "HOME",
        "LANG",
        "NO_COLOR",
        "PATH",
        "TZ",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_RUNTIME_DIR",
    ];
    if std::env::var_os("LLVM_PROFILE_FILE").is_some() {
        expected.push("LLVM_PROFILE_FILE");
        expected.sort_unstable();
    }
    assert_eq!(seen, expected);
}

#[test]
fn harness_crontab_stand_in_behaves_like_crontab() {
    let env = TestEnv::new_without_keyring();
    let crontab = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = env.command(env.root().join("bin/crontab"));
        cmd.args(args);
        run_command(cmd, stdin.map(str::as_bytes), Duration::from_secs(10))
    };
    let none = crontab(&["-l"], None);
    assert_eq!(none.code, 1, "{none:?}");
    assert!(none.stderr.contains("no crontab for"), "{none:?}");
    crontab(&["-"], Some("0 1 * * * backup\n")).success();
    assert_eq!(
        crontab(&["-l"], None).success().stdout,
        "0 1 * * * backup\n"
    );
    assert_eq!(env.crontab().as_deref(), Some("0 1 * * * backup\n"));
    crontab(&["-r"], None).success();
    assert_eq!(env.crontab(), None);
    assert_eq!(crontab(&["-l"], None).code, 1);
    assert_eq!(
        crontab(&["-e"], None).code,
        2,
        "unsupported: no editor session"
    );
}

#[test]
fn harness_run_feeds_stdin_and_captures_output() {
    let env = TestEnv::new_without_keyring();
    let mut cmd = env.command("sh");
    cmd.args(["-c", "cat; echo err >&2; exit 3"]);
    let run = run_command(cmd, Some(b"hello\n"), Duration::from_secs(10));
    assert_eq!(run.code, 3);
    assert_eq!(run.stdout, "hello\n");
    assert_eq!(run.stderr, "err\n");

    // No stdin means a closed stdin, not an inherited one: `cat` ends at once.
    let run = run_command(env.command("cat"), None, Duration::from_secs(10));
    run.success();
    assert_eq!(run.stdout, "");
}

#[test]
fn harness_run_kills_a_command_past_its_timeout() {
    let env = TestEnv::new_without_keyring();
    let marker = env.root().join("sleep-pid");
    let mut cmd = env.command("sh");
    cmd.args(["-c", "echo $$ > \"$0\"; exec sleep 30"])
        .arg(&marker);
    let started = Instant::now();
    let outcome = try_run_command(cmd, None, Duration::from_millis(300));
    let TimedOut(partial) = outcome.unwrap_err();
    assert_eq!(partial.code, 128 + 9, "{partial:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let pid: u32 = std::fs::read_to_string(&marker)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_ne!(process_name(pid).as_deref(), Some("sleep"), "not killed");
}

#[test]
fn harness_runs_the_real_binary() {
    require!(Keyring);
    let env = TestEnv::new();
    // `--help` exits 0 both for today's stub and for a clap CLI.
    env.run(&["--help"], None).success();
    assert!(Path::new(env!("CARGO_BIN_EXE_mfa-mint")).is_file());
}

#[test]
fn harness_moto_answers_awscli_get_caller_identity() {
    require!(Venv);
    let moto = Moto::start();
    let env = TestEnv::new_without_keyring();
    env.write_file(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    env.write_file(".aws/config", "[default]\nregion = us-east-1\n");

    let run = aws_cli(
        &env,
        &["sts", "get-caller-identity", "--output", "json"],
        &[("AWS_ENDPOINT_URL_STS", &moto.endpoint())],
    );
    run.success();
    let identity: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(identity["Account"].is_string(), "{run:?}");
    assert!(identity["Arn"].as_str().unwrap().starts_with("arn:aws:"));
    // It really went to moto, not anywhere else.
    assert!(moto.log().contains("POST / HTTP"), "{}", moto.log());

    let pid = moto.pid();
    drop(moto);
    assert_ne!(process_name(pid).as_deref(), Some("moto_server"));
}

/// The recording CONNECT proxy records the asked-for target, never dials it, tunnels both
/// ways to its one upstream, refuses anything but CONNECT and stays on loopback.
#[test]
fn harness_connect_proxy_records_and_tunnels_to_its_upstream_only() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};

    // An upstream that answers each line with "echo: LINE".
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in upstream.incoming().flatten() {
            let mut writer = stream.try_clone().unwrap();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = writer.write_all(format!("echo: {line}\n").as_bytes());
            }
        }
    });
    let proxy = support::ConnectProxy::start(upstream_addr);
    let addr = proxy.url().trim_start_matches("http://").to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let mut client = TcpStream::connect(&addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client
        .write_all(
            b"CONNECT sts.cn-north-1.amazonaws.com.cn:443 HTTP/1.1\r\nHost: sts.cn-north-1.amazonaws.com.cn:443\r\n\r\n",
        )
        .unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert_eq!(status, "HTTP/1.1 200 Connection established\r\n");
    let mut blank = String::new();
    reader.read_line(&mut blank).unwrap();
    assert_eq!(blank, "\r\n");
    client.write_all(b"hello\n").unwrap();
    let mut answer = String::new();
    reader.read_line(&mut answer).unwrap();
    assert_eq!(answer, "echo: hello\n");
    assert_eq!(
        proxy.connects(),
        vec!["sts.cn-north-1.amazonaws.com.cn:443".to_string()]
    );

    let mut plain = TcpStream::connect(&addr).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    plain
        .write_all(b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    let _ = plain.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 405 "), "{reply:?}");
    assert_eq!(proxy.connects().len(), 1, "only CONNECTs are recorded");
}

#[test]
fn harness_setup_time_per_env() {
    require!(Keyring);
    const ROUNDS: u32 = 5;
    let time = |make: fn() -> TestEnv| {
        let started = Instant::now();
        for _ in 0..ROUNDS {
            drop(make());
        }
        started.elapsed() / ROUNDS
    };
    let with_keyring = time(TestEnv::new);
    let locked = time(TestEnv::new_locked);
    let bus_only = time(TestEnv::new_without_secret_service);
    let bare = time(TestEnv::new_without_keyring);
    println!(
        "TestEnv setup+teardown, mean of {ROUNDS}: new {with_keyring:?}, new_locked {locked:?}, \
         new_without_secret_service {bus_only:?}, new_without_keyring {bare:?}"
    );
    // Generous: the point is to notice a setup that waits on a timeout.
    assert!(with_keyring < Duration::from_secs(3), "{with_keyring:?}");
}

/// The kernel's name for `pid` (truncated to 15 bytes), `None` when there is no such process.
fn process_name(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let name = status.lines().next()?.strip_prefix("Name:")?.trim();
    // A zombie would still have a status file: it counts as dead.
    let zombie = status
        .lines()
        .any(|l| l.starts_with("State:") && l.contains('Z'));
    (!zombie).then(|| name.to_owned())
}
