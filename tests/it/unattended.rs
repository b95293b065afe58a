//! Unattended use: cron's environment, several profiles, the log file, status and doctor,
//! clock skew, and installing a schedule (into a stand-in crontab; the real one when opted in).

use crate::support::{self, fake_aws};

use support::{TestEnv, World};

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
    assert_eq!(profiles[0]["last_run"]["outcome"], "fresh");
    assert!(profiles[0]["seconds_remaining"].as_i64().unwrap() > 40_000);
    assert_eq!(profiles[0]["serial"], "arn:aws:iam::****9012:mfa/alice");
}

#[test]
fn failures_keep_going_and_report_the_first_code() {
    require!(Keyring);
    let s = setup();
    s.fake.fail_next(1, fake_aws::Failure::Throttle);
    let r = s.run(&["dev", "prod", "--json"], None);
    assert_eq!(r.code, 7, "{r:?}");
    let outcomes: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outcomes[0]["outcome"], "error");
    assert_eq!(outcomes[0]["exit_code"], 7);
    assert_eq!(outcomes[1]["outcome"], "minted");
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
        &[("AWS_ENDPOINT_URL_STS", endpoint.as_str())],
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
fn doctor_passes_on_a_good_setup_and_fails_with_a_fix() {
    require!(Keyring);
    let s = setup();
    let r = s.run(&["doctor"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("keyring reachable and unlocked"), "{r:?}");
    assert!(r.stdout.contains("dev: seed in keyring"), "{r:?}");
    s.env
        .write_file(".aws/credentials", "[dev-long-term]\nregion = x\n");
    let r = s.run(&["doctor", "dev"], None);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("[FAIL]"), "{r:?}");
    assert!(r.stdout.contains("fix: "), "{r:?}");
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
        assert!(r.stdout.contains(&format!("{offset:+}")), "{r:?}");
    }
}

#[test]
fn schedule_renders_for_every_platform() {
    require!(Keyring);
    let env = TestEnv::new();
    for (platform, needle) in [
        ("cron", "# mfa-mint-schedule"),
        ("systemd", "OnUnitActiveSec=1800s"),
        ("launchd", "<key>StartInterval</key>"),
        ("schtasks", "/SC MINUTE /MO 30"),
    ] {
        let r = env.run(
            &[
                "schedule",
                "install",
                "dev",
                "--every",
                "30m",
                "--platform",
                platform,
                "--print",
            ],
            None,
        );
        assert_eq!(r.code, 0, "{platform}: {r:?}");
        assert!(r.stdout.contains(needle), "{platform}: {r:?}");
        assert!(r.stdout.contains("--min-remaining"), "{platform}: {r:?}");
    }
    let r = env.run(
        &["schedule", "install", "dev", "--every", "30s", "--print"],
        None,
    );
    assert_eq!(r.code, 4, "{r:?}");
}

/// `schedule install`, `show` and `remove` with cron, on the crontab that `read` and `write`
/// reach: the lines already there survive, a second install replaces ours, remove takes only ours.
fn cron_install_show_remove(
    env: &TestEnv,
    extra_env: &[(&str, &str)],
    read: &dyn Fn() -> Option<String>,
    write: &dyn Fn(&str),
) {
    let base = format!(
        "{}# kept by the mfa-mint test\n",
        read().unwrap_or_default()
    );
    write(&base);

    let r = env.run_env(
        &["schedule", "install", "dev", "prod", "--every", "1h"],
        None,
        extra_env,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let now = read().unwrap_or_default();
    assert!(now.starts_with(&base), "other lines kept: {now}");
    let ours: Vec<&str> = now
        .lines()
        .filter(|l| l.ends_with("# mfa-mint-schedule"))
        .collect();
    assert_eq!(ours.len(), 1, "{now}");
    assert!(ours[0].starts_with("7 */1 * * * "), "{now}");
    assert!(
        ours[0].contains(" dev prod --min-remaining 70m --quiet --non-interactive --log-file "),
        "{now}"
    );
    // Installing again replaces, never duplicates.
    assert_eq!(
        env.run_env(
            &["schedule", "install", "dev", "--every", "30m"],
            None,
            extra_env
        )
        .code,
        0
    );
    let now = read().unwrap_or_default();
    assert_eq!(
        now.lines()
            .filter(|l| l.ends_with("# mfa-mint-schedule"))
            .count(),
        1
    );
    let r = env.run_env(&["schedule", "show"], None, extra_env);
    assert!(r.stdout.starts_with("*/30 * * * * "), "{r:?}");
    assert_eq!(
        env.run_env(&["schedule", "remove"], None, extra_env).code,
        0
    );
    assert_eq!(read().unwrap_or_default(), base);
}

#[test]
fn cron_install_show_remove_keeps_other_lines() {
    require!(Keyring);
    // The env's stand-in crontab (MFA_MINT_CRONTAB), holding someone's own jobs.
    let env = TestEnv::new();
    let theirs = "MAILTO=me\n0 1 * * * backup\n";
    env.set_crontab(theirs);
    cron_install_show_remove(&env, &[], &|| env.crontab(), &|text| env.set_crontab(text));
    assert!(env.crontab().unwrap().starts_with(theirs));
}

/// Enables [`cron_install_show_remove_with_the_real_crontab`] (`scripts/test` sets it).
const REAL_CRONTAB_VAR: &str = "MFA_MINT_TEST_REAL_CRONTAB";

#[test]
fn cron_install_show_remove_with_the_real_crontab() {
    // Opt-in: it edits the crontab of the user running the tests (and restores it).
    if std::env::var(REAL_CRONTAB_VAR).as_deref() != Ok("1") {
        support::need::skip(&format!("set {REAL_CRONTAB_VAR}=1 to use the real crontab"));
        return;
    }
    require!(Keyring, Crontab);
    let _restore = RealCrontab::take();
    let env = TestEnv::new();
    cron_install_show_remove(
        &env,
        &[("MFA_MINT_CRONTAB", "crontab")],
        &|| real_crontab(&["-l"], None),
        &|text| {
            real_crontab(&["-"], Some(text)).expect("crontab - failed");
        },
    );
}

/// `crontab args` with `stdin`: its stdout when it succeeded, `None` when it failed (as
/// `crontab -l` does when the user has no crontab).
fn real_crontab(args: &[&str], stdin: Option<&str>) -> Option<String> {
    let mut cmd = std::process::Command::new(support::require_tool("crontab"));
    cmd.args(args);
    let r = support::run_command(cmd, stdin.map(str::as_bytes), support::DEFAULT_TIMEOUT);
    (r.code == 0).then_some(r.stdout)
}

/// The user's crontab as it was, put back on drop however the test ends (a failed assertion
/// included), while holding a lock that keeps other checkouts' runs of this test out.
struct RealCrontab {
    saved: Option<String>,
    _lock: std::fs::File,
}

impl RealCrontab {
    /// Waits for the lock (`/tmp/mfa-mint-real-crontab.lock`, shared by every checkout of
    /// the same user), then saves the crontab.
    fn take() -> RealCrontab {
        let path = std::env::temp_dir().join("mfa-mint-real-crontab.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
        lock.lock()
            .unwrap_or_else(|e| panic!("locking {}: {e}", path.display()));
        RealCrontab {
            saved: real_crontab(&["-l"], None),
            _lock: lock,
        }
    }
}

impl Drop for RealCrontab {
    fn drop(&mut self) {
        match &self.saved {
            Some(text) => {
                real_crontab(&["-"], Some(text));
            }
            None => {
                real_crontab(&["-r"], None);
            }
        }
        // Still under the lock (fields drop after this): check that it took.
        let now = real_crontab(&["-l"], None);
        if now != self.saved {
            let msg = format!(
                "could not restore your crontab; it was:\n{}",
                self.saved.as_deref().unwrap_or("(none)")
            );
            if std::thread::panicking() {
                let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
            } else {
                panic!("{msg}");
            }
        }
    }
}
