//! `exec --server` and `serve` (issue 24): the container credentials protocol on 127.0.0.1, with
//! the real AWS CLI (botocore) as the client across session expiries, the token and Host guards,
//! and STS unreachable at renewal time. The fake issues short sessions
//! ([`FakeAws::set_session_lifetime`]) so expiries happen within a test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::fake_aws::Failure;
use crate::support::{ACCOUNT, User, World, run_command, venv_bin};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn dev() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    (w, alice)
}

/// `(status, body)` of a GET of `/` on 127.0.0.1:`port` with this `Host` and `Authorization`.
/// Fails the test if the server takes more than 5 s: it must never hang.
fn get(port: u16, host: &str, token: Option<&str>) -> (u16, String) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: {t}\r\n"));
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {host}\r\n{auth}Accept: application/json\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("the server answers within 5 s and closes the connection");
    assert!(started.elapsed() < Duration::from_secs(5));
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A running `mfa-mint serve`, killed on drop; the URL's port and the token from its stdout.
struct Serve {
    child: Child,
    port: u16,
    token: String,
    url: String,
}

impl Serve {
    fn start(w: &World, args: &[&str]) -> Serve {
        let endpoint = w.endpoint();
        let mut cmd = w.env.cmd();
        cmd.arg("serve")
            .args(args)
            .args(["--shell", "sh"])
            .env("AWS_ENDPOINT_URL_STS", &endpoint)
            .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start mfa-mint serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut value = |name: &str| {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("serve printed no {name} line"))
                .unwrap();
            line.strip_prefix(&format!("export {name}='"))
                .and_then(|l| l.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not an export of {name}: {line:?}"))
                .to_string()
        };
        let url = value("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        let port = url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a loopback URL: {url}"));
        Serve {
            child,
            port,
            token,
            url,
        }
    }

    fn get(&self) -> (u16, serde_json::Value) {
        let (status, body) = get(
            self.port,
            &format!("127.0.0.1:{}", self.port),
            Some(&self.token),
        );
        (status, json(&body))
    }

    /// Stops the server and returns what it wrote on stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        let _ = self
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr);
        stderr
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_answers_only_with_the_token_and_the_loopback_host() {
    require!(Keyring);
    let (w, _alice) = dev();
    let serve = Serve::start(&w, &["dev"]);
    assert!(serve.url.starts_with("http://127.0.0.1:"), "{}", serve.url);
    assert_eq!(serve.token.len(), 43, "a 256-bit token");

    let (status, v) = serve.get();
    assert_eq!(status, 200, "{v}");
    let (key, secret, token) = (
        v["AccessKeyId"].as_str().unwrap(),
        v["SecretAccessKey"].as_str().unwrap(),
        v["Token"].as_str().unwrap(),
    );
    assert!(w.fake.is_valid_session(key, secret, token), "{v}");
    assert!(v["Expiration"].as_str().unwrap().ends_with('Z'), "{v}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);

    let host = format!("127.0.0.1:{}", serve.port);
    let wrong_token = format!("{}x", serve.token);
    let rebound = format!("attacker.example:{}", serve.port);
    let localhost = format!("localhost:{}", serve.port);
    for (host, token, status) in [
        (host.as_str(), None, 401),
        (host.as_str(), Some(wrong_token.as_str()), 401),
        (host.as_str(), Some(&serve.token[1..]), 401),
        // DNS rebinding: a web page's request carries its own host name, token or not.
        (rebound.as_str(), Some(serve.token.as_str()), 403),
        (localhost.as_str(), Some(serve.token.as_str()), 403),
    ] {
        let (got, body) = get(serve.port, host, token);
        assert_eq!(got, status, "Host {host}, token given: {}", token.is_some());
        assert!(!body.contains(key), "{body}");
        assert!(json(&body)["message"].is_string(), "{body}");
    }
    // A client that never finishes its request holds up no one else.
    let mut stalled = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    stalled.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
    // Answers come from the served session: no further request to STS.
    assert_eq!(serve.get().0, 200);
    drop(stalled);
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    let bearer = serve.token.clone();
    let stderr = serve.stop();
    assert!(
        stderr.contains("serving the session of profile dev"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&bearer),
        "the token is never logged: {stderr}"
    );
}

#[test]
fn the_aws_cli_inside_exec_server_outlives_two_session_expiries() {
    require!(Keyring, Venv);
    let (w, _alice) = dev();
    // 35 s sessions renewed 5 s before expiry: a renewal every 30 s, each with a new code step.
    w.fake.set_session_lifetime(Some(35));
    let (python, aws) = (venv_bin("python"), venv_bin("aws"));
    // Each round: botocore's container provider fetches the session (its key printed), then
    // the AWS CLI signs a request with it, which the fake refuses once expired.
    let script = format!(
        r#"end=$(( $(date +%s) + 75 ))
while [ "$(date +%s)" -lt "$end" ]; do
  "{python}" -c 'import botocore.session as b; print(b.get_session().get_credentials().access_key)' || exit 10
  "{aws}" sts get-caller-identity --query Account --output text || exit 11
  sleep 5
done
test -z "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY$AWS_SESSION_TOKEN" || exit 12"#,
        python = python.display(),
        aws = aws.display(),
    );
    let endpoint = w.endpoint();
    let mut cmd = w.env.cmd();
    cmd.args([
        "exec",
        "--server",
        "dev",
        "--min-remaining",
        "5s",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .env("AWS_ENDPOINT_URL_STS", &endpoint)
    .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
    .env("PYTHONDONTWRITEBYTECODE", "1")
    // Static keys in the caller's environment must not reach the command.
    .env("AWS_ACCESS_KEY_ID", "AKIASTATICSTATIC")
    .env("AWS_SECRET_ACCESS_KEY", "static");
    let r = run_command(cmd, None, Duration::from_secs(240));
    assert_eq!(r.code, 0, "{r:?}");

    let issued = w.fake.issued_sessions();
    let seen: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("ASIA")).collect();
    let mut distinct = seen.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 3,
        "two expiries, three sessions served: {seen:?}"
    );
    for key in &distinct {
        assert!(
            issued.iter().any(|s| s.access_key_id == *key),
            "{key} was issued by the fake"
        );
    }
    assert_eq!(
        r.stdout.lines().filter(|l| *l == ACCOUNT).count(),
        seen.len(),
        "every AWS CLI call succeeded: {r:?}"
    );
    // One GetSessionToken per expiry, each with its own code.
    assert_eq!(w.fake.action_count("GetSessionToken"), issued.len());
    assert!(issued.len() <= 4, "{issued:?}");
    assert_eq!(w.fake.accepted_steps().len(), issued.len());
}

#[test]
fn exec_server_passes_the_exit_code_on_and_serves_role_profiles() {
    require!(Keyring);
    let (w, _alice) = dev();
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile admin]\nrole_arn = {admin}\nsource_profile = dev\n"
    ));
    let r = w.run_env(
        &[
            "exec",
            "--server",
            "admin",
            "--",
            "sh",
            "-c",
            "echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI ${AWS_ACCESS_KEY_ID-none} ${AWS_PROFILE-none}\"; exit 3",
        ],
        None,
        &[("AWS_ACCESS_KEY_ID", "AKIASTATIC"), ("AWS_PROFILE", "dev")],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.starts_with("http://127.0.0.1:"), "{r:?}");
    assert!(r.stdout.ends_with("/ none none\n"), "{r:?}");
    // The role was assumed from one MFA session, before the command started.
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    assert_eq!(w.fake.action_count("AssumeRole"), 1);
    let serve = Serve::start(&w, &["admin"]);
    let (status, v) = serve.get();
    assert_eq!(status, 200, "{v}");
    let key = v["AccessKeyId"].as_str().unwrap();
    let role = w
        .fake
        .issued_sessions()
        .into_iter()
        .find(|s| s.access_key_id == key)
        .and_then(|s| s.role)
        .expect("a role session");
    assert_eq!(role.0, admin);
    // A command that does not exist costs no code and is reported as shells do.
    let r = w.run(&["exec", "--server", "dev", "--", "no-such-command"], None);
    assert_eq!(r.code, 127, "{r:?}");
}

#[test]
fn sts_down_at_renewal_keeps_the_valid_session_then_answers_503_then_recovers() {
    require!(Keyring);
    let (w, _alice) = dev();
    w.fake.set_session_lifetime(Some(30));
    let serve = Serve::start(&w, &["dev", "--min-remaining", "10s", "--timeout", "3s"]);
    let (status, v) = serve.get();
    assert_eq!(status, 200, "{v}");
    let first = v["AccessKeyId"].as_str().unwrap().to_string();
    let expiration = w.fake.issued_sessions()[0].expiration;
    w.fake.fail_next(1_000_000, Failure::Status(503));

    // Renewal is due 10 s before expiry and fails: the old session is served while valid.
    let mut served_after_due = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    let body = loop {
        assert!(
            Instant::now() < deadline,
            "no 503 after the session expired"
        );
        let (status, v) = serve.get();
        let now = w.fake.now_unix();
        match status {
            200 => {
                assert_eq!(v["AccessKeyId"], first.as_str());
                assert!(now <= expiration, "an expired session was served");
                served_after_due |= now > expiration - 9;
            }
            503 => break v,
            other => panic!("{other}: {v}"),
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(
        served_after_due,
        "the old session was served while STS was down"
    );
    assert!(
        w.fake.now_unix() >= expiration,
        "503 only once the session has expired"
    );
    assert_eq!(body["code"], "CredentialsUnavailable");
    assert!(
        body["message"].as_str().unwrap().contains("mfa-mint"),
        "{body}"
    );

    // STS is back: the next retry (back-off at most a minute) serves a new session.
    w.fake.clear_failures();
    let deadline = Instant::now() + Duration::from_secs(75);
    loop {
        assert!(Instant::now() < deadline, "no recovery after STS came back");
        let (status, v) = serve.get();
        if status == 200 {
            assert_ne!(v["AccessKeyId"], first.as_str());
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let stderr = serve.stop();
    assert!(stderr.contains("could not renew the session"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_sigterm_to_exec_server_reaches_the_command() {
    require!(Keyring);
    let (w, _alice) = dev();
    let endpoint = w.endpoint();
    let mut cmd = w.env.cmd();
    cmd.args([
        "exec",
        "--server",
        "dev",
        "--",
        "sh",
        "-c",
        "trap 'kill $!; exit 42' TERM; echo ready; sleep 30 & wait",
    ])
    .env("AWS_ENDPOINT_URL_STS", &endpoint)
    .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start mfa-mint exec --server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    // As `timeout` or a supervisor would: to mfa-mint alone, not to its process group.
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = crate::support::wait_until(&mut child, Instant::now() + Duration::from_secs(20))
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("mfa-mint did not end after SIGTERM")
        });
    assert_eq!(status.code(), Some(42), "the command's own exit code");
}
