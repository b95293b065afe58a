//! Unattended mints: cron's environment, several profiles, the log file, clock skew. (The
//! schedule command's tests are in `schedule.rs`, doctor's in `doctor.rs`.)

use crate::support::{self, fake_aws};

use support::World;

const SEED_A: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SEED_B: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Two profiles, dev and prod, each with its own user and device, both imported.
fn setup() -> World {
    let w = World::new();
    let mut creds = String::from("# hand-written\n");
    for (profile, user, seed) in [("dev", "alice", SEED_A), ("prod", "bob", SEED_B)] {
        let user = w.user(user, Some(seed));
        creds.push_str(&user.long_term(profile));
        w.import(profile, &user.serial, seed);
    }
    w.write_credentials(&creds);
    w
}

#[test]
fn all_profiles_in_one_run_with_a_log_file_then_fresh() {
    require!(Keyring);
    let s = setup();
    let log = s.env.home().join("refresh.log");
    let log_arg = s.env.path_arg(&log);
    let r = s.run(&["--all", "--json", "--log-file", &log_arg], None);
    assert_eq!(r.code, 0, "{r:?}");
    let outcomes: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outcomes.len(), 2, "{r:?}");
    assert!(outcomes.iter().all(|o| o["outcome"] == "minted"));
    assert_eq!(s.fake.action_count("GetSessionToken"), 2);

    let r = s.run(&["dev", "prod", "--quiet", "--log-file", &log_arg], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stderr, "", "--quiet prints nothing on success");
    assert_eq!(
        s.fake.action_count("GetSessionToken"),
        2,
        "fresh: no request"
    );

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].contains("profile=dev outcome=minted expiration="),
        "{text}"
    );
    assert!(lines[3].contains("profile=prod outcome=fresh"), "{text}");
    assert!(!text.contains("ASIA") && !text.contains("aws_session_token"));

    let r = s.run(&["status", "--json"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0]["profile"], "dev");
    assert_eq!(profiles[0]["seed_in_keyring"], true);
    // A fresh skip writes nothing (issue 26): the last recorded run stays the mint; the
    // scheduled job's log above is where every run shows.
    assert_eq!(profiles[0]["last_run"]["outcome"], "minted");
    assert!(profiles[0]["seconds_remaining"].as_i64().unwrap() > 40_000);
    assert_eq!(profiles[0]["serial"], "arn:aws:iam::****9012:mfa/alice");
}

#[test]
fn failures_keep_going_and_report_the_failures_code() {
    require!(Keyring);
    let s = setup();
    // dev and prod mint in parallel: whichever request arrives first is throttled.
    s.fake.fail_next(1, fake_aws::Failure::Throttle);
    let r = s.run(&["dev", "prod", "--json"], None);
    assert_eq!(r.code, 7, "{r:?}");
    let outcomes: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outcomes[0]["profile"], "dev");
    assert_eq!(outcomes[1]["profile"], "prod");
    let errors: Vec<_> = outcomes
        .iter()
        .filter(|o| o["outcome"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{r:?}");
    assert_eq!(errors[0]["exit_code"], 7);
    assert_eq!(
        outcomes.iter().filter(|o| o["outcome"] == "minted").count(),
        1,
        "{r:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_mint_with_crons_minimal_environment() {
    require!(Keyring);
    let s = setup();
    // cron gives HOME, PATH, SHELL and little else; the Secret Service is found through the
    // runtime dir's bus socket, as on a logged-in desktop.
    let endpoint = s.fake.endpoint();
    let r = s.env.run_minimal_env(
        &["dev", "--json"],
        &[
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_CA_BUNDLE", s.fake.ca_bundle()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"minted\""), "{r:?}");

    // Stricter, like `env -i HOME=… PATH=…`: no XDG_RUNTIME_DIR either. mfa-mint then finds the
    // bus at /run/user/$UID/bus, where a login session keeps it. When this machine has no such
    // session, stand one in for this test by linking that path to our bus.
    let uid = String::from_utf8(
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let run_dir = std::path::PathBuf::from(format!("/run/user/{uid}"));
    let link = run_dir.join("bus");
    if link.exists() {
        eprintln!(
            "{} exists (a real login session): skipping the env -i variant",
            link.display()
        );
        return;
    }
    let made_dir = !run_dir.exists() && std::fs::create_dir_all(&run_dir).is_ok();
    if std::os::unix::fs::symlink(s.env.runtime_dir().join("bus"), &link).is_err() {
        panic!(
            "cannot create {} to stand in for a login session's bus (run the tests as root, as CI does)",
            link.display()
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mfa-mint"))
        .env_clear()
        .env("HOME", s.env.home())
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_ENDPOINT_URL_STS", &endpoint)
        .env("AWS_CA_BUNDLE", s.fake.ca_bundle())
        .args(["dev", "--force", "--json"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&link);
    if made_dir {
        let _ = std::fs::remove_dir(&run_dir);
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"minted\""));
}

#[test]
fn clock_skew_is_measured_and_corrected() {
    require!(Keyring);
    for offset in [90i64, -90] {
        let s = setup();
        s.fake.set_clock_offset(offset);
        // First run: the code is generated at the wrong time; AWS's Date header shows the
        // offset and the one retry uses AWS's time.
        let r = s.run(&["dev"], None);
        assert_eq!(r.code, 0, "offset {offset}: {r:?}");
        assert!(
            r.stderr.contains("clock is"),
            "offset {offset}: warns: {r:?}"
        );
        // Next runs use the remembered offset: one request.
        let before = s.fake.action_count("GetSessionToken");
        let r = s.run(&["prod"], None);
        assert_eq!(r.code, 0, "offset {offset}: {r:?}");
        assert_eq!(s.fake.action_count("GetSessionToken"), before + 1);
        let r = s.run(&["doctor", "--clock", "dev"], None);
        // The Date header has whole seconds and the request takes a moment (a TLS handshake
        // more over HTTPS): the measured offset may be a second off either way.
        assert!(
            [offset - 1, offset, offset + 1]
                .iter()
                .any(|o| r.stdout.contains(&format!("clock is {o:+} s off AWS"))),
            "{r:?}"
        );
    }
}
