//! Issue 12: runs that meet. Concurrent callers of one device make one GetSessionToken and share
//! its session; profiles on different devices mint in parallel with their results in the order
//! given; profiles of one device, keys and duration get one session; a SIGKILLed mint never
//! blocks the next one; nothing temporary is left behind.

use crate::support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A distinct seed per user.
fn seed(i: usize) -> String {
    let raw: Vec<u8> = (0..20)
        .map(|b| (b as u8) ^ (i as u8).wrapping_mul(37).wrapping_add(11))
        .collect();
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &raw)
}

/// `mfa-mint args` pointed at the fake, not yet started.
fn command(w: &World, args: &[&str]) -> Command {
    let mut cmd = w.env.cmd();
    cmd.args(args)
        .env("AWS_ENDPOINT_URL_STS", w.endpoint())
        .env("AWS_CA_BUNDLE", w.fake.ca_bundle())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts `n` runs of `args` at once and returns (exit code, stdout, stderr) of each.
fn at_once(w: &World, n: usize, args: &[&str]) -> Vec<(i32, String, String)> {
    let children: Vec<Child> = (0..n).map(|_| command(w, args).spawn().unwrap()).collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

/// Temporary files (hidden or `.tmp` names) in `dir`, recursively; lock files stay by design.
fn temporary_files(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            found.extend(temporary_files(&path));
        } else if !name.ends_with(".lock") && (name.starts_with('.') || name.contains(".tmp")) {
            found.push(path.display().to_string());
        }
    }
    found
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// The `key = value` of `[profile]` in the credentials file.
fn credential(w: &World, profile: &str, key: &str) -> Option<String> {
    let text = w.credentials()?;
    let section = format!("[{profile}]");
    text.lines()
        .skip_while(|l| l.trim() != section)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix(&format!("{key} = ")).map(str::to_owned))
}

#[test]
fn ten_credential_processes_at_once_make_one_request_and_share_its_session() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    // A slow STS keeps the first mint running while the others arrive.
    w.fake.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let runs = at_once(&w, 10, &["credential-process", "dev"]);
    let elapsed = started.elapsed();
    let mut key_ids = std::collections::BTreeSet::new();
    for (code, stdout, stderr) in &runs {
        assert_eq!(*code, 0, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
        key_ids.insert(v["AccessKeyId"].as_str().unwrap().to_owned());
    }
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    assert_eq!(key_ids.len(), 1, "every caller gets the same session");
    assert!(
        elapsed < Duration::from_secs(5),
        "no caller waited for a code of its own: {elapsed:?}"
    );
    let left = temporary_files(w.env.home());
    assert!(left.is_empty(), "left behind: {left:?}");
    let left = temporary_files(w.env.state_dir());
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn four_mints_at_once_make_one_request_and_the_others_report_fresh() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.fake.set_latency(Duration::from_millis(800));
    let runs = at_once(&w, 4, &["-v", "dev", "--json"]);
    let mut outcomes = Vec::new();
    for (code, stdout, stderr) in &runs {
        assert_eq!(*code, 0, "{stderr}");
        outcomes.push(
            json_lines(stdout)[0]["outcome"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    outcomes.sort();
    assert_eq!(outcomes, ["fresh", "fresh", "fresh", "minted"]);
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    // The waiting runs said why at -v (the first mint was still in its 800 ms request).
    let waited = runs
        .iter()
        .filter(|(_, _, stderr)| stderr.contains("another mfa-mint run is minting with"))
        .count();
    assert!(waited >= 1, "{runs:?}");
    let left = temporary_files(w.env.home());
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Eight profiles, each its own IAM user and device.
fn eight_accounts(w: &World) -> Vec<User> {
    let mut creds = String::new();
    let users: Vec<User> = (0..8)
        .map(|i| w.user(&format!("user{i}"), Some(&seed(i))))
        .collect();
    for (i, user) in users.iter().enumerate() {
        creds.push_str(&user.long_term(&format!("p{i}")));
    }
    w.write_credentials(&creds);
    for (i, user) in users.iter().enumerate() {
        w.import(&format!("p{i}"), &user.serial, &seed(i));
    }
    users
}

#[test]
fn accounts_on_different_devices_mint_in_parallel_in_the_order_given() {
    require!(Keyring);
    let w = World::new();
    eight_accounts(&w);
    w.fake.set_latency(Duration::from_millis(400));
    let order = ["p5", "p0", "p7", "p2", "p1", "p6", "p3", "p4"];
    let mut args = order.to_vec();
    args.push("--json");
    let r = w.run(&args, None);
    assert_eq!(r.code, 0, "{r:?}");
    let lines = json_lines(&r.stdout);
    let profiles: Vec<&str> = lines
        .iter()
        .map(|l| l["profile"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, order, "output in the order given");
    assert!(lines.iter().all(|l| l["outcome"] == "minted"), "{r:?}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 8);
    assert!(
        w.fake.max_in_flight() >= 2,
        "requests overlapped: {} at most",
        w.fake.max_in_flight()
    );
    // One edit per profile under the file lock: every session is complete and valid.
    for p in order {
        let get = |k| credential(&w, p, k).unwrap_or_else(|| panic!("{p} lacks {k}"));
        assert!(w.fake.is_valid_session(
            &get("aws_access_key_id"),
            &get("aws_secret_access_key"),
            &get("aws_session_token")
        ));
    }
}

#[test]
fn an_error_in_one_account_does_not_stop_the_others_and_the_most_severe_code_wins() {
    require!(Keyring);
    let w = World::new();
    eight_accounts(&w);
    // p8 has a device but no long-term keys anywhere: exit 3 (config). One request is throttled:
    // exit 7 (transient). 3 is the more severe (a retry cannot fix it).
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile p8]\nmfa_serial = arn:aws:iam::123456789012:mfa/user0\n"
    ));
    w.fake.fail_next(1, support::fake_aws::Failure::Throttle);
    let r = w.run(&["p0", "p1", "p8", "p2", "p3", "--json"], None);
    assert_eq!(r.code, 3, "{r:?}");
    let lines = json_lines(&r.stdout);
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["profile"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes.iter().map(|o| o.0).collect::<Vec<_>>(),
        ["p0", "p1", "p8", "p2", "p3"]
    );
    assert_eq!(lines[2]["exit_code"], 3, "{r:?}");
    let errors: Vec<i64> = lines
        .iter()
        .filter(|l| l["outcome"] == "error")
        .map(|l| l["exit_code"].as_i64().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "p8 and the throttled one: {r:?}");
    assert!(errors.contains(&7), "{r:?}");
    assert_eq!(
        lines.iter().filter(|l| l["outcome"] == "minted").count(),
        3,
        "{r:?}"
    );
    assert!(r.stderr.contains("p8: error:"), "{r:?}");
}

#[test]
fn a_single_profile_error_is_one_json_object_too() {
    require!(Keyring);
    let (w, _alice) = World::with_alice(Some(SEED));
    // No seed imported, no mfa_serial: a config error for the one profile.
    let r = w.run(&["dev", "--json"], None);
    assert_eq!(r.code, 3, "{r:?}");
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 1, "{r:?}");
    assert_eq!(lines[0]["profile"], "dev");
    assert_eq!(lines[0]["outcome"], "error");
    assert_eq!(lines[0]["exit_code"], 3);
}

#[test]
fn two_profiles_of_one_device_get_one_request_and_the_same_session() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}\n[profile dev-eu]\nregion = eu-west-1\nmfa_serial = {}\nmfa_mint_source_profile = dev-long-term\n",
        alice.serial
    ));
    let started = Instant::now();
    let r = w.run(&["dev", "dev-eu", "--json"], None);
    let elapsed = started.elapsed();
    assert_eq!(r.code, 0, "{r:?}");
    let lines = json_lines(&r.stdout);
    assert!(lines.iter().all(|l| l["outcome"] == "minted"), "{r:?}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    let dev = credential(&w, "dev", "aws_access_key_id").unwrap();
    assert!(dev.starts_with("ASIA"), "{dev}");
    assert_eq!(credential(&w, "dev-eu", "aws_access_key_id"), Some(dev));
    assert_eq!(
        credential(&w, "dev", "aws_session_token"),
        credential(&w, "dev-eu", "aws_session_token")
    );
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");

    // Forced again: again one request, and again one session for both.
    let r = w.run(&["dev", "dev-eu", "--force", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 2);
    assert_eq!(
        credential(&w, "dev", "aws_session_token"),
        credential(&w, "dev-eu", "aws_session_token")
    );
}

#[test]
fn a_sigkilled_mint_does_not_block_the_next_one() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    // Any step within the next ten minutes is accepted, so the second run can live a minute
    // later (MFA_MINT_TEST_NOW) and need not wait for the step after the killed run's.
    let now = w.fake.now_unix() as u64;
    w.fake.set_accept_any_step_within(Some(now - 60..now + 600));
    w.fake.set_latency(Duration::from_secs(30));
    let mut holder = command(&w, &["dev"]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while w.fake.in_flight() == 0 {
        assert!(
            Instant::now() < deadline,
            "the first mint never reached STS"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let locks = w.env.state_dir().join("locks");
    assert!(
        std::fs::read_dir(&locks).unwrap().count() == 1,
        "the holder took its device lock"
    );
    holder.kill().unwrap();
    holder.wait().unwrap();

    w.fake.set_latency(Duration::ZERO);
    let later = format!("{}", now + 60);
    let started = Instant::now();
    let r = w.run_env(&["dev", "--json"], None, &[("MFA_MINT_TEST_NOW", &later)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(json_lines(&r.stdout)[0]["outcome"], "minted");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the killed holder's lock was released: {:?}",
        started.elapsed()
    );
}

#[test]
fn six_credential_processes_for_a_role_at_once_make_one_assume_role() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let admin = w.fake.add_role(support::ACCOUNT, "admin", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile admin]\nrole_arn = {admin}\nsource_profile = dev\n"
    ));
    // A slow STS keeps the first AssumeRole running while the others arrive.
    w.fake.set_latency(Duration::from_millis(300));
    let runs = at_once(&w, 6, &["credential-process", "admin"]);
    let mut key_ids = std::collections::BTreeSet::new();
    for (code, stdout, stderr) in &runs {
        assert_eq!(*code, 0, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
        key_ids.insert(v["AccessKeyId"].as_str().unwrap().to_owned());
    }
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
    assert_eq!(w.fake.action_count("AssumeRole"), 1);
    assert_eq!(key_ids.len(), 1, "every caller gets the same role session");
    let left = temporary_files(w.env.state_dir());
    assert!(left.is_empty(), "left behind: {left:?}");
}
