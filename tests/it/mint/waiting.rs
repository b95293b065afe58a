//! Codes and waiting (issue 13, item 4): a wait says why (who used the current code, when), Ctrl-C
//! during a wait gives the claimed step back, a code AWS refuses although the clock is right is
//! retried once with the next one, and `credential-process` says once why it is silent. On a
//! terminal (util-linux `script` gives one) the countdown line is cleared when Ctrl-C ends it.

use std::io::BufRead;

use crate::support::{User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn setup() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    (w, alice)
}

/// Pins mfa-mint's clock (`MFA_MINT_TEST_NOW`) and the fake's to `before` seconds ahead of a
/// step boundary; returns the variables every run of the test gets and the current step.
fn near_boundary(w: &World, before: f64) -> (Vec<(&'static str, String)>, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let start = ((now / 30.0).floor() + 1.0) * 30.0 - before;
    w.fake.set_clock_offset((start - now).round() as i64);
    (
        vec![
            ("AWS_ENDPOINT_URL_STS", w.endpoint()),
            ("AWS_CA_BUNDLE", w.fake.ca_bundle().to_string()),
            ("MFA_MINT_TEST_NOW", format!("{start}")),
        ],
        (start / 30.0) as u64,
    )
}

fn vars<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The steps the ledger holds for `serial`.
fn ledger_steps(w: &World, serial: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(w.env.state_dir().join("used-steps")).unwrap_or_default();
    text.lines()
        .filter(|l| l.split(' ').nth(1) == Some(serial))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_wait_says_which_command_used_the_code_and_when() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 4.0);
    let env = vars(&env);
    let code = w.env.run_env(&["code", "dev"], None, &env);
    assert_eq!(code.code, 0, "{code:?}");
    let r = w.env.run_env(&["dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("already used"))
        .unwrap_or_else(|| panic!("no reason given for the wait: {r:?}"));
    let (head, tail) = line.split_once(" at ").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(head, "the current code was already used by `mfa-mint code`");
    // TZ=UTC in the tests: the time of the `code` run, in local time with its zone.
    let (time, rest) = tail.split_once(' ').unwrap();
    assert_eq!(time.len(), 8, "{line}");
    assert!(
        time.chars().all(|c| c.is_ascii_digit() || c == ':'),
        "{line}"
    );
    assert!(
        rest.starts_with("UTC; AWS accepts each code once; next code in "),
        "{line}"
    );
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step + 1]);
}

#[test]
fn credential_process_says_once_why_it_waits() {
    require!(Keyring);
    let (w, _) = setup();
    let (env, _) = near_boundary(&w, 3.0);
    let env = vars(&env);
    w.env.run_env(&["code", "dev"], None, &env).success();
    let r = w.env.run_env(&["credential-process", "dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["Version"], 1);
    assert_eq!(r.stderr.lines().count(), 1, "one line, not silence: {r:?}");
    assert!(
        r.stderr.contains("already used by `mfa-mint code`") && r.stderr.contains("next code in "),
        "{r:?}"
    );
}

#[test]
fn ctrl_c_during_a_wait_gives_the_claimed_step_back() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 12.0);
    let env = vars(&env);
    w.env.run_env(&["code", "dev"], None, &env).success();
    let mut child = w
        .env
        .cmd()
        .arg("dev")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("next code in"), "{line}");
    // The run holds the next step while it waits for it.
    assert_eq!(ledger_steps(&w, &alice.serial), [step, step + 1]);
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = crate::support::wait_until(
        &mut child,
        std::time::Instant::now() + std::time::Duration::from_secs(5),
    )
    .expect("Ctrl-C ends the wait at once");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted while waiting"), "{rest}");
    // Given back: the next run takes that step instead of waiting a whole step more.
    assert_eq!(ledger_steps(&w, &alice.serial), [step]);
    assert_eq!(w.fake.request_count(), 0);
}

#[test]
fn a_code_used_by_another_tool_is_retried_with_the_next_one() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 3.0);
    // The other tool: a run with its own ledger uses the current code first.
    let other = tempfile::tempdir().unwrap();
    let mut other_env = vars(&env);
    other_env.push(("MFA_MINT_STATE_DIR", other.path().to_str().unwrap()));
    w.env
        .run_env(&["dev", "--quiet"], None, &other_env)
        .success();
    let r = w.env.run_env(&["dev", "--force"], None, &vars(&env));
    assert_eq!(r.code, 0, "retried with the next code, not failed: {r:?}");
    assert!(
        r.stderr
            .contains("AWS refused the current code although the clock is right"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("check the system clock"), "{r:?}");
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step, step + 1]);
}

#[test]
fn on_a_terminal_the_countdown_line_is_cleared_when_ctrl_c_ends_the_wait() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 12.0);
    let env = vars(&env);
    w.env.run_env(&["code", "dev"], None, &env).success();
    // util-linux's `script` runs mfa-mint on a pseudo-terminal; a ^C byte written to it is the
    // terminal's Ctrl-C (SIGINT to the foreground process group), as a person would press it.
    let command = format!("{} dev", env!("CARGO_BIN_EXE_mfa-mint"));
    let mut child = w
        .env
        .command("script")
        .args(["-qfec", &command, "/dev/null"])
        .envs(env.iter().copied())
        .env("MFA_MINT_STATE_DIR", w.env.state_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("next code in") {
        let n = std::io::Read::read(&mut stdout, &mut buf).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"\x03").unwrap();
    std::io::Read::read_to_end(&mut stdout, &mut seen).unwrap();
    let status = child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen).into_owned();
    assert_eq!(status.code(), Some(130), "{text:?}");
    // The reason on its own line, then the countdown, cleared before the error.
    assert!(
        text.contains("the current code was already used by `mfa-mint code`"),
        "{text:?}"
    );
    let countdown = text.find("\rnext code in").expect("a countdown");
    let cleared = text[countdown..]
        .find("\r\x1b[2K")
        .expect("the line cleared");
    let error = text.find("interrupted while waiting").expect("the error");
    assert!(countdown + cleared < error, "{text:?}");
    assert_eq!(ledger_steps(&w, &alice.serial), [step]);
}

/// Issue 23 row 15: the AWS CLI swallows `credential-process`'s stderr, so a wait for a fresh
/// code was 30 silent seconds. While it lasts, `status` shows it (since when, and why), and the
/// state directory's `waits.log` gets one line.
#[test]
fn a_wait_the_caller_hides_shows_in_status_and_the_log() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, _) = near_boundary(&w, 12.0);
    let env = vars(&env);
    w.env.run_env(&["code", "dev"], None, &env).success();
    let mut child = w
        .env
        .cmd()
        .args(["credential-process", "dev"])
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("next code in"), "the wait began: {line}");
    let r = w.env.run_env(&["status", "dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    let shown = r
        .stdout
        .lines()
        .find(|l| l.starts_with("dev: a run has been waiting for a fresh MFA code since "))
        .unwrap_or_else(|| panic!("status shows no wait: {r:?}"));
    assert!(shown.contains("already used by `mfa-mint code`"), "{shown}");
    let r = w.env.run_env(&["status", "dev", "--json"], None, &env);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let waiting = &v["profiles"][0]["waiting"];
    assert!(waiting["since"].as_str().unwrap().ends_with('Z'), "{v}");
    assert!(
        waiting["reason"]
            .as_str()
            .unwrap()
            .contains("already used by `mfa-mint code`"),
        "{v}"
    );
    let status = crate::support::wait_until(
        &mut child,
        std::time::Instant::now() + std::time::Duration::from_secs(30),
    )
    .expect("the wait ends");
    assert!(status.success());
    // Over: status shows no wait; the log keeps one line of it.
    let r = w.env.run_env(&["status", "dev"], None, &env);
    assert!(!r.stdout.contains("has been waiting"), "{r:?}");
    let r = w.env.run_env(&["status", "dev", "--json"], None, &env);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["profiles"][0]["waiting"].is_null(), "{v}");
    let log = std::fs::read_to_string(w.env.state_dir().join("waits.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.contains(&format!(
            "waiting for a fresh code of {} until ",
            alice.serial
        )) && log.contains("already used by `mfa-mint code`"),
        "{log}"
    );
}
