//! Fault injection (issue 22, "unattended means hostile"): `mfa-mint PROFILE`,
//! `credential-process`, `enroll` and `rotate` against each way the fake STS (and IAM) can misbehave: an
//! answer whose credentials lack a field, are empty or malformed, expire in the past or absurdly
//! late; truncated XML; a connection dropped after the request was served; a request never
//! answered. Each run must end with exit 7, exactly one `error:` line (plus its hint), within a
//! time bound, with the credentials and config files byte for byte as they were and no secret on
//! the terminal. Also here: a code counts as spent once its request has left, and claims left
//! over from a clock that was ahead are dropped, never waited for.

use std::time::{Duration, Instant};

use crate::support::fake_aws::{Failure, Spoil};
use crate::support::{User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// The client timeout the runs get (`--timeout`), so a hang costs little.
const TIMEOUT: &str = "2s";
/// Every faulty run ends within this (the timeout plus start-up, generously).
const BOUND: Duration = Duration::from_secs(15);

/// One way STS misbehaves, and what the error line must say about it.
struct Mode {
    name: &'static str,
    failure: Failure,
    says: &'static str,
}

fn mode(name: &'static str, failure: Failure, says: &'static str) -> Mode {
    Mode {
        name,
        failure,
        says,
    }
}

/// Spoiled answers: 200 and well-formed XML, credentials unusable.
fn spoiled_modes() -> Vec<Mode> {
    use Spoil::*;
    vec![
        mode(
            "no AccessKeyId",
            Failure::Spoiled(Omit("AccessKeyId")),
            "AccessKeyId is missing or empty",
        ),
        mode(
            "no SecretAccessKey",
            Failure::Spoiled(Omit("SecretAccessKey")),
            "SecretAccessKey is missing or empty",
        ),
        mode(
            "no SessionToken",
            Failure::Spoiled(Omit("SessionToken")),
            "SessionToken is missing or empty",
        ),
        mode(
            "no Expiration",
            Failure::Spoiled(Omit("Expiration")),
            "Expiration is missing",
        ),
        mode(
            "empty AccessKeyId",
            Failure::Spoiled(Empty("AccessKeyId")),
            "AccessKeyId is missing or empty",
        ),
        mode(
            "empty SecretAccessKey",
            Failure::Spoiled(Empty("SecretAccessKey")),
            "SecretAccessKey is missing or empty",
        ),
        mode(
            "empty SessionToken",
            Failure::Spoiled(Empty("SessionToken")),
            "SessionToken is missing or empty",
        ),
        mode(
            "not an access key id",
            Failure::Spoiled(Replace("AccessKeyId", "<html>".into())),
            "AccessKeyId is not an access key id",
        ),
        mode(
            "a token that adds a section",
            Failure::Spoiled(Replace(
                "SessionToken",
                "x\n[default]\naws_access_key_id = AKIAEVIL".into(),
            )),
            "SessionToken contains spaces or control characters",
        ),
        mode(
            "expired an hour ago",
            Failure::Spoiled(ExpiresIn(-3600)),
            "is in the past",
        ),
        mode(
            "expires in ten years",
            Failure::Spoiled(ExpiresIn(10 * 365 * 86_400)),
            "is later than the",
        ),
    ]
}

/// Transport faults: an answer that is not XML, one lost after the request was served, none.
fn transport_modes() -> Vec<Mode> {
    vec![
        mode(
            "truncated XML",
            Failure::MalformedXml,
            "could not be understood",
        ),
        mode(
            "credentials cut off",
            Failure::Spoiled(Spoil::Truncate),
            // The SDK's XML reader takes a cut-off answer; its missing fields give it away.
            "is not a usable session",
        ),
        mode(
            "reset after the request was served",
            Failure::ResetAfterServe,
            "broke after the request was sent",
        ),
        mode("hang", Failure::Hang, "timed out"),
    ]
}

fn all_modes() -> Vec<Mode> {
    let mut modes = spoiled_modes();
    modes.extend(transport_modes());
    modes
}

/// alice with a device, its seed imported for `dev`, and a credentials file holding a session
/// for `dev` that is due for renewal (so every command mints) next to a comment and the keys.
fn setup() -> (World, User) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let soon = w.fake.now_unix() + 300;
    let expiration = mfa_mint::clock::format_rfc3339(soon);
    let mut text = String::from("# kept by hand\n");
    text.push_str(&alice.long_term("dev"));
    text.push_str(&format!(
        "\n[dev]\naws_access_key_id = ASIAOLDSESSION000001\naws_secret_access_key = old-secret\naws_session_token = old-token\nexpiration = {expiration}\n"
    ));
    w.write_credentials(&text);
    (w, alice)
}

/// The bytes of `~/.aws/credentials` and `~/.aws/config` (`None` where missing).
fn files(w: &World) -> [Option<Vec<u8>>; 2] {
    [".aws/credentials", ".aws/config"].map(|rel| std::fs::read(w.env.home().join(rel)).ok())
}

/// Runs `args` with the fault armed and checks the promise: exit 7, one `error:` line naming
/// `mode.says` (plus a hint), in time, files untouched, no secret shown.
#[track_caller]
fn check_fault(w: &World, args: &[&str], mode: &Mode) {
    let before = files(w);
    let started = Instant::now();
    let r = w.run(args, None);
    let took = started.elapsed();
    let what = format!("{args:?} against {}", mode.name);
    assert_eq!(r.code, 7, "{what}: {r:?}");
    assert!(took < BOUND, "{what} took {took:?}");
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{what}: one error line: {r:?}");
    assert!(errors[0].contains(mode.says), "{what}: {r:?}");
    for line in r.stderr.lines() {
        assert!(
            line.starts_with("error:") || line.starts_with("hint:"),
            "{what}: only the error and its hint: {r:?}"
        );
    }
    assert_eq!(r.stdout, "", "{what}: nothing on stdout");
    assert!(files(w) == before, "{what}: the files changed");
    for session in w.fake.issued_sessions() {
        for secret in [&session.secret_access_key, &session.session_token] {
            assert!(
                !r.stderr.contains(secret.as_str()),
                "{what}: a secret on stderr"
            );
        }
    }
    assert!(!r.stderr.contains("AKIAEVIL"), "{what}: {r:?}");
}

#[test]
fn mint_against_each_sts_fault_keeps_the_good_session() {
    require!(Keyring);
    for mode in all_modes() {
        let (w, _) = setup();
        w.fake
            .fail_next_of("GetSessionToken", 1, mode.failure.clone());
        check_fault(&w, &["dev", "--timeout", TIMEOUT], &mode);
        assert_eq!(w.fake.action_count("GetSessionToken"), 1, "{}", mode.name);
    }
}

#[test]
fn credential_process_against_each_sts_fault_prints_nothing() {
    require!(Keyring);
    for mode in all_modes() {
        let (w, _) = setup();
        w.fake
            .fail_next_of("GetSessionToken", 1, mode.failure.clone());
        check_fault(
            &w,
            &["credential-process", "dev", "--timeout", TIMEOUT],
            &mode,
        );
        let cached = w.env.stored_secret("session/dev");
        assert_eq!(cached, None, "{}: nothing cached", mode.name);
    }
}

#[test]
fn assume_role_against_each_sts_fault_prints_nothing() {
    require!(Keyring);
    for mode in all_modes() {
        let (w, alice) = setup();
        let role = w
            .fake
            .add_role(crate::support::ACCOUNT, "admin", &["alice"], true);
        let mut config = w.config().unwrap_or_default();
        config.push_str(&format!(
            "\n[profile admin]\nrole_arn = {role}\nsource_profile = dev\nmfa_serial = {}\n",
            alice.serial
        ));
        w.write_config(&config);
        w.fake.fail_next_of("AssumeRole", 1, mode.failure.clone());
        let before = files(&w);
        let r = w.run(&["credential-process", "admin", "--timeout", TIMEOUT], None);
        assert_eq!(r.code, 7, "{}: {r:?}", mode.name);
        assert_eq!(r.stdout, "", "{r:?}");
        let errors = r.stderr.lines().filter(|l| l.starts_with("error:")).count();
        assert_eq!(errors, 1, "{}: {r:?}", mode.name);
        assert!(r.stderr.contains(mode.says), "{}: {r:?}", mode.name);
        assert!(files(&w) == before, "{}: files changed", mode.name);
        assert_eq!(w.fake.action_count("AssumeRole"), 1);
        assert_eq!(
            w.env.stored_secret("session/admin"),
            None,
            "{}: nothing cached",
            mode.name
        );
    }
}

#[test]
fn enroll_against_each_transport_fault_leaves_everything_as_it_was() {
    require!(Keyring);
    // IAM answers carry no session, so only the transport faults apply.
    let modes = transport_modes()
        .into_iter()
        .filter(|m| !matches!(m.failure, Failure::Spoiled(_)));
    for mode in modes {
        // No device yet: enroll makes one. The fault hits its first request.
        let (w, _) = World::with_alice(None);
        w.fake.fail_next(1, mode.failure.clone());
        let before = files(&w);
        let started = Instant::now();
        let r = w.run(
            &[
                "enroll",
                "dev",
                "--device-name",
                "alice-laptop",
                "--timeout",
                TIMEOUT,
            ],
            None,
        );
        let what = format!("enroll against {}", mode.name);
        assert_eq!(r.code, 7, "{what}: {r:?}");
        assert!(started.elapsed() < BOUND, "{what}");
        let errors = r.stderr.lines().filter(|l| l.starts_with("error:")).count();
        assert_eq!(errors, 1, "{what}: {r:?}");
        assert!(files(&w) == before, "{what}: files changed");
        assert!(!w.env.keyring_has_entries(), "{what}: nothing stored");
        assert!(w.fake.mfa_devices("alice").is_empty(), "{what}");
    }
}

/// `rotate` with each transport fault on CreateAccessKey: when the answer was lost after AWS made
/// the key (reset after serving), the key it never received is found by listing and deleted;
/// either way exit 7, one error line, the files as they were and only the old key left.
#[test]
fn rotate_against_each_transport_fault_at_create_leaves_only_the_old_key() {
    require!(Keyring);
    let modes = transport_modes()
        .into_iter()
        .filter(|m| !matches!(m.failure, Failure::Spoiled(_)));
    for mode in modes {
        let (w, alice) = World::with_alice(Some(SEED));
        w.import("dev", &alice.serial, SEED);
        w.fake
            .fail_next_of("CreateAccessKey", 1, mode.failure.clone());
        let before = files(&w);
        let started = Instant::now();
        let r = w.run(&["rotate", "dev", "--timeout", TIMEOUT], None);
        let what = format!("rotate against {}", mode.name);
        assert_eq!(r.code, 7, "{what}: {r:?}");
        assert!(started.elapsed() < BOUND, "{what}");
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{what}: {r:?}");
        assert!(errors[0].contains(mode.says), "{what}: {r:?}");
        assert!(
            errors[0].contains("nothing"),
            "{what}: says what changed: {r:?}"
        );
        assert!(files(&w) == before, "{what}: files changed");
        assert_eq!(
            w.fake.access_keys("alice"),
            std::slice::from_ref(&alice.keys.access_key_id),
            "{what}"
        );
        if matches!(mode.failure, Failure::ResetAfterServe) {
            assert!(errors[0].contains("was deleted again"), "{what}: {r:?}");
            assert_eq!(w.fake.action_count("DeleteAccessKey"), 1, "{what}");
        }
    }
}

/// Pins mfa-mint's clock and the fake's `before` seconds ahead of a step boundary; returns the
/// variables every run gets and the current step.
fn near_boundary(w: &World, before: f64) -> (Vec<(&'static str, String)>, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let start = ((now / 30.0).floor() + 1.0) * 30.0 - before;
    w.fake.set_clock_offset((start - now).round() as i64);
    (
        vec![("MFA_MINT_TEST_NOW", format!("{start}"))],
        (start / 30.0) as u64,
    )
}

fn vars<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn a_code_whose_answer_was_lost_is_spent_and_the_next_run_uses_the_next_one() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 5.0);
    let env = vars(&env);
    w.fake
        .fail_next_of("GetSessionToken", 1, Failure::ResetAfterServe);
    let r = w.run_env(&["dev", "--timeout", TIMEOUT], None, &env);
    assert_eq!(r.code, 7, "{r:?}");
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step]);
    // Same time again (another process): the spent code is not sent again.
    let r = w.run_env(&["dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        w.fake.action_count("GetSessionToken"),
        2,
        "no request with the spent code: {r:?}"
    );
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step, step + 1]);
}

#[test]
fn a_code_refused_after_a_lost_answer_is_retried_once_with_the_next_code() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 5.0);
    let env = vars(&env);
    w.fake
        .fail_next_of("GetSessionToken", 1, Failure::ResetAfterServe);
    let r = w.run_env(&["dev", "--timeout", TIMEOUT], None, &env);
    assert_eq!(r.code, 7, "{r:?}");
    // The record of the spent code is gone (another machine, a wiped state directory): AWS
    // refuses the code, and the run tries the next one once.
    std::fs::remove_file(w.env.state_dir().join("used-steps")).unwrap();
    let r = w.run_env(&["dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 3, "{r:?}");
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step, step + 1]);
    assert!(r.stderr.contains("trying the next code"), "{r:?}");
}

#[test]
fn codes_claimed_while_the_clock_was_two_hours_ahead_are_not_waited_for() {
    require!(Keyring);
    let (w, alice) = setup();
    let ahead = format!("{}", w.fake.now_unix() + 7200);
    let r = w
        .env
        .run_env(&["code", "dev"], None, &[("MFA_MINT_TEST_NOW", &ahead)]);
    assert_eq!(r.code, 0, "{r:?}");
    // The clock is right again: the mint uses the current code at once.
    let started = Instant::now();
    let r = crate::support::try_run_command(
        {
            let mut cmd = w.env.cmd();
            cmd.args(["dev"]).envs([
                ("AWS_ENDPOINT_URL_STS", w.endpoint().as_str()),
                ("AWS_CA_BUNDLE", w.fake.ca_bundle()),
            ]);
            cmd
        },
        None,
        Duration::from_secs(40),
    )
    .unwrap_or_else(|t| panic!("the mint waited for the code claimed 2 h ahead: {t:?}"));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no wait: {:?}",
        started.elapsed()
    );
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning: {r:?}");
    assert!(
        warnings[0].contains("ignoring 1 record of codes used up to 2 h ahead"),
        "{r:?}"
    );
    assert_eq!(w.fake.accepted_steps_for(&alice.serial).len(), 1);
    // Said once: the record is gone.
    let r = w.run(&["dev", "--force"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains("ignoring"), "{r:?}");
}

#[test]
fn a_connection_that_never_stood_leaves_the_code_unspent() {
    require!(Keyring);
    let (w, alice) = setup();
    let (env, step) = near_boundary(&w, 20.0);
    let env = vars(&env);
    // A port nobody listens on: the request never left.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("https://{}", listener.local_addr().unwrap())
    };
    let mut unreachable = env.clone();
    unreachable.push(("AWS_ENDPOINT_URL_STS", closed.as_str()));
    let before = files(&w);
    let r = w.run_env(&["dev", "--timeout", TIMEOUT], None, &unreachable);
    assert_eq!(r.code, 7, "{r:?}");
    assert!(r.stderr.contains("cannot reach"), "{r:?}");
    assert!(files(&w) == before);
    // The same code is still good: the next run sends it at once.
    let started = Instant::now();
    let r = w.run_env(&["dev"], None, &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{r:?}");
    assert!(!r.stderr.contains("next code in"), "no wait: {r:?}");
    assert_eq!(w.fake.accepted_steps_for(&alice.serial), [step]);
}
