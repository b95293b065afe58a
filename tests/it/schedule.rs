//! `schedule install|show|remove` (issues 12, 13, 15): profiles add up in one job, `remove` takes
//! out the named ones, bad input changes nothing, a failed install leaves the previous job, and
//! the same on every platform. The schedulers are stand-ins that keep their state in files:
//! `crontab` through `MFA_MINT_CRONTAB`, `systemctl`, `launchctl` and `schtasks` first on PATH.
//! `systemd-analyze` (calendar timers) and Python's plist and XML parsers check what is written;
//! the real crontab is used when opted in (`MFA_MINT_TEST_REAL_CRONTAB=1`, as `scripts/test` does).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::support::{self, Pin, Run, TestEnv};

const CONFIG: &str = "[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n\
[profile web]\nmfa_serial = arn:aws:iam::123456789012:mfa/carol\n\n\
[profile prod]\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\nmfa_mint_duration = 1h\n\n\
[profile ops]\nmfa_serial = arn:aws:iam::123456789012:mfa/dave\nmfa_mint_duration = 36h\n\n\
[profile plain]\nregion = eu-west-1\n";

/// The `crontab` stand-in: the table is `$FAKE_DIR/table`; "no crontab for USER" and exit 1
/// when there is none, as cron's crontab says.
const CRONTAB: &str = r#"#!/bin/sh
echo "crontab $*" >> "$FAKE_DIR/calls"
table="$FAKE_DIR/table"
case "$1" in
  -l) [ -f "$table" ] || { echo "no crontab for tester" >&2; exit 1; }; cat "$table" ;;
  -) input=$(cat; echo x)
     if [ "$(cat "$FAKE_DIR/fail" 2>/dev/null)" = "crontab -" ]; then
       echo "crontab: installing new crontab failed" >&2; exit 1
     fi
     printf %s "${input%x}" > "$table" ;;
  *) echo "usage: crontab [-l | -]" >&2; exit 1 ;;
esac
"#;

/// `systemctl` and `launchctl` stand-ins: they log each call and fail the one named in
/// `$FAKE_DIR/fail` (`systemctl restart`, `launchctl bootstrap`).
const SYSTEMCTL: &str = r#"#!/bin/sh
echo "systemctl $*" >> "$FAKE_DIR/calls"
if [ "$(cat "$FAKE_DIR/fail" 2>/dev/null)" = "systemctl $2" ]; then
  echo "Failed to $2 unit: simulated" >&2; exit 1
fi
"#;

const LAUNCHCTL: &str = r#"#!/bin/sh
echo "launchctl $*" >> "$FAKE_DIR/calls"
if [ "$(cat "$FAKE_DIR/fail" 2>/dev/null)" = "launchctl $1" ]; then
  echo "Bootstrap failed: 5: Input/output error" >&2; exit 1
fi
"#;

/// `schtasks`: /Create /TN NAME /XML FILE /F keeps a copy of the file; /Query /TN NAME /XML
/// prints it (nothing at all, exit 0, with `$FAKE_DIR/silent-query`: wine 8's schtasks);
/// /Delete removes it.
const SCHTASKS: &str = r#"#!/bin/sh
echo "schtasks $*" >> "$FAKE_DIR/calls"
store="$FAKE_DIR/task.xml"
if [ "$(cat "$FAKE_DIR/fail" 2>/dev/null)" = "schtasks $1" ]; then
  echo "ERROR: simulated" >&2; exit 1
fi
case "$1" in
  /Create) [ "$2" = /TN ] && [ "$3" = "mfa-mint refresh" ] && [ "$4" = /XML ] && [ "$6" = /F ] \
             || { echo "ERROR: Invalid syntax." >&2; exit 1; }
           cp "$5" "$store" ;;
  /Query) [ -f "$FAKE_DIR/silent-query" ] && exit 0
          [ -f "$store" ] || { echo "ERROR: The system cannot find the file specified." >&2; exit 1; }
          cat "$store" ;;
  /Delete) [ -f "$store" ] || { echo "ERROR: The system cannot find the file specified." >&2; exit 1; }
           rm "$store" ;;
  *) echo "ERROR: Invalid argument/option - '$1'." >&2; exit 1 ;;
esac
"#;

/// A HOME with four profiles set up for mfa-mint (prod with a 1 h session, ops 36 h), one with
/// long-term keys but no MFA device (plain), and stand-ins for
/// every scheduler.
struct Sched {
    env: TestEnv,
    fakes: PathBuf,
}

fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

impl Sched {
    fn new() -> Sched {
        let env = TestEnv::new_without_keyring();
        env.write_file(".aws/config", CONFIG);
        let mut creds = String::new();
        for p in ["dev", "web", "prod", "ops", "plain"] {
            creds.push_str(&format!(
                "[{p}-long-term]\naws_access_key_id = AKIA{:0>16}\naws_secret_access_key = secret-{p}\n",
                p.len()
            ));
        }
        env.write_file(".aws/credentials", &creds);
        let fakes = env.root().join("fakes");
        let bin = fakes.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        write_script(&fakes.join("crontab"), CRONTAB);
        write_script(&bin.join("systemctl"), SYSTEMCTL);
        write_script(&bin.join("launchctl"), LAUNCHCTL);
        write_script(&bin.join("schtasks"), SCHTASKS);
        Sched { env, fakes }
    }

    #[track_caller]
    fn run(&self, args: &[&str]) -> Run {
        let path = format!(
            "{}:{}",
            self.fakes.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let crontab = self.fakes.join("crontab").display().to_string();
        let fakes = self.fakes.display().to_string();
        self.env.run_env(
            args,
            None,
            &[
                ("PATH", path.as_str()),
                ("MFA_MINT_CRONTAB", crontab.as_str()),
                ("FAKE_DIR", fakes.as_str()),
            ],
        )
    }

    fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.fakes.join(name)).ok()
    }

    fn crontab(&self) -> String {
        self.file("table").unwrap_or_default()
    }

    fn set_crontab(&self, text: &str) {
        std::fs::write(self.fakes.join("table"), text).unwrap();
    }

    /// Makes the stand-in call `what` (e.g. `crontab -`) fail from now on.
    fn fail(&self, what: &str) {
        std::fs::write(self.fakes.join("fail"), what).unwrap();
    }

    fn calls(&self) -> String {
        self.file("calls").unwrap_or_default()
    }

    /// The marked crontab lines.
    fn cron_jobs(&self) -> Vec<String> {
        self.crontab()
            .lines()
            .filter(|l| l.ends_with("# mfa-mint-schedule"))
            .map(str::to_string)
            .collect()
    }
}

/// `schedule show`'s lines as `key: value` pairs.
fn shown(r: &Run) -> Vec<(String, String)> {
    r.stdout
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn shown_value(r: &Run, key: &str) -> Option<String> {
    shown(r).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// What `schedule install|show|remove` say on every scheduler (its stand-in), pinned: a first
/// install, one that adds a profile, `show`, `--print`, removing one profile, removing the job,
/// and `show` with no job.
#[test]
fn schedule_text_of_every_scheduler_is_pinned() {
    for platform in ["cron", "systemd", "launchd", "schtasks"] {
        let s = Sched::new();
        let pin = Pin::new(&s.env, "schedule").redact(&s.fakes.display().to_string(), "[FAKES]");
        let run = |name: &str, args: &[&str]| {
            let mut args = args.to_vec();
            args.extend(["--platform", platform]);
            let r = s.run(&args);
            pin.run(&format!("{platform}-{name}"), &[], &args, None, &r);
            r.success();
        };
        run("install", &["schedule", "install", "dev", "--every", "30m"]);
        run("install-another", &["schedule", "install", "web"]);
        run("show", &["schedule", "show"]);
        run("print", &["schedule", "install", "prod", "--print"]);
        run("remove-one", &["schedule", "remove", "dev"]);
        run("remove", &["schedule", "remove"]);
        run("show-none", &["schedule", "show"]);
    }
}

#[test]
fn installs_add_up_and_remove_takes_out_the_named_profiles() {
    let s = Sched::new();
    s.set_crontab("MAILTO=me\n0 1 * * * backup\n");
    let r = s.run(&["schedule", "install", "dev"]);
    r.success();
    assert!(r.stderr.contains("scheduled dev every 1h"), "{r:?}");
    assert_eq!(s.cron_jobs().len(), 1);
    assert!(
        s.cron_jobs()[0].starts_with("7 * * * * "),
        "{}",
        s.crontab()
    );
    // The bug of issue 12: this used to replace dev's job.
    let r = s.run(&["schedule", "install", "--profile", "web"]);
    r.success();
    assert!(r.stderr.contains("added web to the schedule"), "{r:?}");
    let jobs = s.cron_jobs();
    assert_eq!(jobs.len(), 1, "one job for all: {}", s.crontab());
    assert!(
        jobs[0].contains(" mint --min-remaining 70m --quiet --non-interactive --log-file ")
            && jobs[0].ends_with("/schedule.log -- dev web # mfa-mint-schedule"),
        "{jobs:?}"
    );
    assert!(s.crontab().starts_with("MAILTO=me\n0 1 * * * backup\n"));

    let r = s.run(&["schedule", "show"]);
    r.success();
    assert_eq!(shown_value(&r, "profiles").as_deref(), Some("dev web"));
    assert_eq!(shown_value(&r, "every").as_deref(), Some("1h"));
    assert_eq!(
        shown_value(&r, "scheduler").as_deref(),
        Some("cron (your crontab)")
    );
    let command = shown_value(&r, "command").unwrap();
    assert!(command.contains("/schedule.log -- "), "{command}");
    assert!(
        command.contains(" mint --min-remaining 70m ") && command.ends_with(" -- dev web"),
        "{command}"
    );

    // Installing a scheduled profile again changes nothing and says so.
    let before = s.crontab();
    let r = s.run(&["schedule", "install", "dev"]);
    r.success();
    assert!(r.stderr.contains("already scheduled"), "{r:?}");
    assert_eq!(s.crontab(), before);

    let r = s.run(&["schedule", "remove", "-p", "dev"]);
    r.success();
    assert!(
        r.stderr
            .contains("removed dev from the schedule; the job refreshes web"),
        "{r:?}"
    );
    let jobs = s.cron_jobs();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].contains(" -- web #"), "{jobs:?}");
    assert!(!jobs[0].contains(" dev "), "{jobs:?}");

    s.run(&["schedule", "install", "dev"]).success();
    let r = s.run(&["schedule", "remove"]);
    r.success();
    assert!(
        r.stderr
            .contains("removed the mfa-mint schedule for web, dev"),
        "{r:?}"
    );
    assert_eq!(s.crontab(), "MAILTO=me\n0 1 * * * backup\n");

    // Nothing installed: said on stderr, exit 0, nothing on stdout (README, "schedule show").
    let r = s.run(&["schedule", "show"]);
    r.success();
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("no mfa-mint schedule is installed"),
        "{r:?}"
    );
    let r = s.run(&["schedule", "remove"]);
    r.success();
    assert!(
        r.stderr.contains("no mfa-mint schedule was installed"),
        "{r:?}"
    );
}

#[test]
fn the_shortest_interval_asked_for_wins() {
    let s = Sched::new();
    s.run(&["schedule", "install", "dev", "--every", "1h"])
        .success();
    let r = s.run(&["schedule", "install", "web", "--every", "30m"]);
    r.success();
    assert!(
        r.stderr
            .contains("the job now runs every 30m (was every 1h)"),
        "{r:?}"
    );
    assert!(
        s.cron_jobs()[0].starts_with("*/30 * * * * "),
        "{}",
        s.crontab()
    );
    assert!(s.cron_jobs()[0].contains("--min-remaining 40m"));
    // A longer --every for one profile keeps the shorter interval.
    let r = s.run(&["schedule", "install", "dev", "--every", "2h"]);
    r.success();
    assert!(r.stderr.contains("keeps running every 30m"), "{r:?}");
    assert!(s.cron_jobs()[0].starts_with("*/30 * * * * "));
    // Naming every scheduled profile sets a longer one.
    let r = s.run(&["schedule", "install", "web", "dev", "--every", "2h"]);
    r.success();
    assert!(
        r.stderr
            .contains("the job now runs every 2h (was every 30m)"),
        "{r:?}"
    );
    assert!(
        s.cron_jobs()[0].starts_with("7 */2 * * * "),
        "{}",
        s.crontab()
    );
    // Without --every the job keeps its interval.
    s.run(&["schedule", "remove", "web"]).success();
    s.run(&["schedule", "install", "web"]).success();
    let r = s.run(&["schedule", "show"]);
    assert_eq!(shown_value(&r, "every").as_deref(), Some("2h"), "{r:?}");
    assert_eq!(shown_value(&r, "profiles").as_deref(), Some("dev web"));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let s = Sched::new();
    s.set_crontab("MAILTO=me\n");
    s.run(&["schedule", "install", "dev", "--every", "30m"])
        .success();
    let before = s.crontab();
    let state_before = std::fs::read_dir(s.env.state_dir()).unwrap().count();
    for (args, code, error, hint) in [
        (
            &["schedule", "install", "dve"][..],
            3,
            "profile dve is not set up for mfa-mint; did you mean dev?",
            "hint: ",
        ),
        (
            &["schedule", "install", "nobody"][..],
            3,
            "profile nobody is not set up for mfa-mint",
            "hint: ",
        ),
        // A profile the files know, but with no MFA device.
        (
            &["schedule", "install", "plain"][..],
            3,
            "profile \"plain\" has no MFA device",
            "hint: ",
        ),
        // 45m used to run every 30 minutes without a word (issue 13).
        (
            &["schedule", "install", "web", "--every", "45m"][..],
            4,
            "--every 45m cannot be scheduled exactly",
            "hint: use --every 30m or --every 1h",
        ),
        (
            &["schedule", "install", "web", "--every", "30s"][..],
            4,
            "--every 30s cannot be scheduled exactly",
            "hint: use --every 1m or more",
        ),
        (
            &["schedule", "install", "web", "--every", "2d"][..],
            4,
            "--every 2d cannot be scheduled exactly",
            "hint: use --every 24h or less",
        ),
        (
            &["schedule", "install", "web", "--every", "soon"][..],
            4,
            "invalid --every",
            "hint:",
        ),
        // prod's session lasts 1h: a run every 1h would come after it expired. (Naming every
        // scheduled profile is what makes the interval longer.)
        (
            &["schedule", "install", "dev", "prod", "--every", "1h"][..],
            4,
            "the job would run every 1h, but a session of profile \"prod\" lasts 1h",
            "hint: use --every 30m or less",
        ),
        (
            &["schedule", "install", "dev", "--every", "12h"][..],
            4,
            "the job would run every 12h, but a session of profile \"dev\" lasts 12h",
            "hint: use --every 8h or less",
        ),
        (
            &["schedule", "remove", "web"][..],
            4,
            "profile \"web\" is not scheduled (scheduled: dev)",
            "hint: `mfa-mint schedule show` lists the scheduled profiles",
        ),
        (
            &["schedule", "install", "[x]"][..],
            4,
            "invalid profile name",
            "hint:",
        ),
    ] {
        let r = s.run(args);
        assert_eq!(r.code, code, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "one error and one hint line: {args:?}: {r:?}"
        );
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(error),
            "{args:?}: {r:?}"
        );
        assert!(lines[1].starts_with(hint), "{args:?}: {r:?}");
        assert_eq!(s.crontab(), before, "{args:?} changed the crontab");
    }
    assert_eq!(
        std::fs::read_dir(s.env.state_dir()).unwrap().count(),
        state_before,
        "bad input wrote into the state dir"
    );
    // prod fits the job's 30m, so it is added.
    s.run(&["schedule", "install", "prod"]).success();
    assert!(s.cron_jobs()[0].contains(" mint --min-remaining 40m "));
    assert!(s.cron_jobs()[0].contains(" -- dev prod #"));
}

#[test]
fn a_failed_install_leaves_the_previous_job() {
    let s = Sched::new();
    s.set_crontab("MAILTO=me\n");
    s.run(&["schedule", "install", "dev"]).success();
    let before = s.crontab();
    s.fail("crontab -");
    let r = s.run(&["schedule", "install", "web"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("installing new crontab failed"), "{r:?}");
    assert_eq!(s.crontab(), before);
    let r = s.run(&["schedule", "remove", "dev"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_eq!(s.crontab(), before);
    // A crontab that cannot be read is never replaced by one line.
    std::fs::write(s.fakes.join("fail"), "").unwrap();
    write_script(
        &s.fakes.join("crontab"),
        "#!/bin/sh\necho 'crontab: cannot open /var/spool/cron: Permission denied' >&2\nexit 1\n",
    );
    let r = s.run(&["schedule", "install", "web"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("Permission denied"), "{r:?}");
    assert_eq!(s.crontab(), before);
}

#[test]
fn a_job_edited_by_hand_is_not_overwritten_but_can_be_removed() {
    let s = Sched::new();
    s.set_crontab("MAILTO=me\n*/7 * * * * /usr/bin/mfa-mint dev --quiet # mfa-mint-schedule\n");
    let before = s.crontab();
    for args in [
        &["schedule", "install", "web"][..],
        &["schedule", "show"][..],
        &["schedule", "remove", "dev"][..],
    ] {
        let r = s.run(args);
        assert_eq!(r.code, 8, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains("is not in a form mfa-mint wrote"),
            "{args:?}: {r:?}"
        );
        assert_eq!(s.crontab(), before, "{args:?}");
    }
    let r = s.run(&["schedule", "remove"]);
    r.success();
    assert!(r.stderr.contains("removed the mfa-mint schedule"), "{r:?}");
    assert_eq!(s.crontab(), "MAILTO=me\n");
}

/// The add-up story on one platform, named as people type it; returns the env for more checks.
fn add_up_on(platform: &str) -> Sched {
    let s = Sched::new();
    let with = |args: &[&str]| {
        let mut v = args.to_vec();
        v.extend(["--platform", platform]);
        s.run(&v)
    };
    with(&["schedule", "install", "dev", "--every", "30m"]).success();
    with(&["schedule", "install", "web"]).success();
    let r = with(&["schedule", "show"]);
    r.success();
    assert_eq!(
        shown_value(&r, "profiles").as_deref(),
        Some("dev web"),
        "{platform}: {r:?}"
    );
    assert_eq!(
        shown_value(&r, "every").as_deref(),
        Some("30m"),
        "{platform}: {r:?}"
    );
    with(&["schedule", "remove", "dev"]).success();
    let r = with(&["schedule", "show"]);
    assert_eq!(
        shown_value(&r, "profiles").as_deref(),
        Some("web"),
        "{platform}: {r:?}"
    );
    with(&["schedule", "install", "dev", "web"]).success();
    s
}

#[test]
fn same_on_every_platform_systemd() {
    let s = add_up_on("systemd");
    let dir = s.env.home().join(".config/systemd/user");
    let service = std::fs::read_to_string(dir.join("mfa-mint-refresh.service")).unwrap();
    let timer = std::fs::read_to_string(dir.join("mfa-mint-refresh.timer")).unwrap();
    assert!(
        service.contains(" mint --min-remaining 40m --quiet --non-interactive --log-file ")
            && service.contains("/schedule.log -- web dev\n"),
        "{service}"
    );
    // A calendar timer that catches up runs missed while the machine was off (issue 15).
    assert!(timer.contains("\nOnCalendar=*-*-* *:00/30:00\n"), "{timer}");
    assert!(timer.contains("\nPersistent=true\n"), "{timer}");
    let calls = s.calls();
    assert!(calls.contains("systemctl --user daemon-reload\nsystemctl --user enable mfa-mint-refresh.timer\nsystemctl --user restart mfa-mint-refresh.timer\n"), "{calls}");

    // A failed start puts the previous units back.
    s.fail("systemctl restart");
    let r = s.run(&[
        "schedule",
        "install",
        "prod",
        "--every",
        "5m",
        "--platform",
        "systemd",
    ]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("mfa-mint-refresh.service")).unwrap(),
        service
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("mfa-mint-refresh.timer")).unwrap(),
        timer
    );

    std::fs::write(s.fakes.join("fail"), "").unwrap();
    s.run(&["schedule", "remove", "--platform", "systemd"])
        .success();
    assert!(!dir.join("mfa-mint-refresh.service").exists());
    assert!(!dir.join("mfa-mint-refresh.timer").exists());
    assert!(s.calls().ends_with("systemctl --user disable --now mfa-mint-refresh.timer\nsystemctl --user daemon-reload\n"), "{}", s.calls());
}

#[test]
fn same_on_every_platform_launchd() {
    require!(Python);
    let s = add_up_on("macos");
    let plist_path = s
        .env
        .home()
        .join("Library/LaunchAgents/io.mfa-mint.refresh.plist");
    let plist = std::fs::read_to_string(&plist_path).unwrap();
    // The uid comes from the system (issue 13: never a guessed 501).
    let uid = std::fs::metadata(s.env.home()).unwrap().uid();
    let calls = s.calls();
    assert!(
        calls.contains(&format!(
            "launchctl bootout gui/{uid}/io.mfa-mint.refresh\nlaunchctl bootstrap gui/{uid} {}\n",
            plist_path.display()
        )),
        "{calls}"
    );
    assert!(
        !calls.contains(" load ") && !calls.contains(" unload "),
        "{calls}"
    );
    // Python's plistlib reads what launchd would.
    let python = std::process::Command::new(support::require_tool("python3"))
        .args([
            "-c",
            "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        ])
        .arg(&plist_path)
        .output()
        .unwrap();
    assert!(python.status.success(), "{python:?}");
    let parsed: serde_json::Value = serde_json::from_slice(&python.stdout).unwrap();
    assert_eq!(parsed["Label"], "io.mfa-mint.refresh");
    assert_eq!(parsed["StartInterval"], 1800);
    assert_eq!(parsed["RunAtLoad"], true);
    let args = parsed["ProgramArguments"].as_array().unwrap();
    assert_eq!(args[1..3], ["mint", "--min-remaining"]);
    assert_eq!(args[args.len() - 3..], ["--", "web", "dev"]);

    // A failed bootstrap puts the previous plist back (and loads it again).
    s.fail("launchctl bootstrap");
    let r = s.run(&[
        "schedule",
        "install",
        "prod",
        "--every",
        "5m",
        "--platform",
        "launchd",
    ]);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("Bootstrap failed"), "{r:?}");
    assert_eq!(std::fs::read_to_string(&plist_path).unwrap(), plist);

    std::fs::write(s.fakes.join("fail"), "").unwrap();
    s.run(&["schedule", "remove", "--platform", "launchd"])
        .success();
    assert!(!plist_path.exists());
}

#[test]
fn same_on_every_platform_windows() {
    require!(Python);
    let s = add_up_on("windows");
    let bytes = std::fs::read(s.fakes.join("task.xml")).unwrap();
    // UTF-16 with a byte-order mark, as the declaration says.
    assert_eq!(bytes[..2], [0xff, 0xfe]);
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    let xml = String::from_utf16(&units).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-16\"?>"),
        "{xml}"
    );
    for needle in [
        "<Interval>PT30M</Interval>",
        "<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
        "<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
        "<StartWhenAvailable>true</StartWhenAvailable>",
        "<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
        "<ExecutionTimeLimit>PT5M</ExecutionTimeLimit>",
        "<LogonType>InteractiveToken</LogonType>",
        r"<Command>%SystemRoot%\System32\conhost.exe</Command>",
        " mint --min-remaining 40m --quiet --non-interactive --log-file ",
        "schedule.log -- web dev</Arguments>",
    ] {
        assert!(xml.contains(needle), "{needle}\n{xml}");
    }
    assert!(
        xml.contains("<Arguments>--headless "),
        "no console window: {xml}"
    );
    // An independent XML parser accepts the file as written (encoding and all).
    let python = std::process::Command::new(support::require_tool("python3"))
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); \
             ns = {'t': 'http://schemas.microsoft.com/windows/2004/02/mit/task'}; \
             print(r.find('t:Actions/t:Exec/t:Arguments', ns).text)",
        ])
        .arg(s.fakes.join("task.xml"))
        .output()
        .unwrap();
    assert!(python.status.success(), "{python:?}");
    assert!(String::from_utf8_lossy(&python.stdout).starts_with("--headless "));
    // The temporary XML file is gone.
    let created = s.calls();
    let path = created
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("schtasks /Create /TN mfa-mint refresh /XML "))
        .and_then(|rest| rest.strip_suffix(" /F"))
        .unwrap()
        .to_string();
    assert!(!Path::new(&path).exists(), "{path} left behind");

    // Wine 8's schtasks answers /Query with nothing and exit 0: that is not "installed".
    std::fs::write(s.fakes.join("silent-query"), "").unwrap();
    let r = s.run(&["schedule", "show", "--platform", "windows"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("printed nothing and exited 0"), "{r:?}");
    let r = s.run(&[
        "schedule",
        "install",
        "prod",
        "--every",
        "5m",
        "--platform",
        "windows",
    ]);
    assert_eq!(r.code, 8, "{r:?}");
    std::fs::remove_file(s.fakes.join("silent-query")).unwrap();

    s.run(&["schedule", "remove", "--platform", "schtasks"])
        .success();
    assert!(!s.fakes.join("task.xml").exists());
    let r = s.run(&["schedule", "show", "--platform", "windows"]);
    r.success();
    assert!(
        r.stderr
            .contains("no mfa-mint schedule is installed (schtasks)"),
        "{r:?}"
    );
}

/// Seconds since the epoch of `YYYY-MM-DD HH:MM:SS` (UTC).
fn epoch(date: &str, time: &str) -> i64 {
    let d: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let t: Vec<i64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]
}

#[test]
fn systemd_calendar_timers_run_at_the_interval() {
    let s = Sched::new();
    require!(SystemdAnalyze);
    let analyze = support::require_tool("systemd-analyze");
    for (every, secs) in [
        ("1m", 60),
        ("5m", 300),
        ("12m", 720),
        ("30m", 1800),
        ("1h", 3600),
        ("3h", 10_800),
        ("8h", 28_800),
        ("24h", 86_400),
    ] {
        let r = s.run(&[
            "schedule",
            "install",
            "ops",
            "--every",
            every,
            "--platform",
            "systemd",
            "--print",
        ]);
        let on_calendar = r
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("OnCalendar="))
            .unwrap_or_else(|| panic!("{every}: {r:?}"));
        let out = std::process::Command::new(&analyze)
            .args(["calendar", "--iterations=4", on_calendar])
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{on_calendar}: {out:?}");
        let times: Vec<i64> = text
            .lines()
            .filter(|l| l.contains("Next elapse:") || l.contains("Iter. #"))
            .map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                let n = words.len();
                epoch(words[n - 3], words[n - 2])
            })
            .collect();
        assert_eq!(times.len(), 4, "{text}");
        for pair in times.windows(2) {
            assert_eq!(pair[1] - pair[0], secs, "{every} as {on_calendar}:\n{text}");
        }
    }
}

#[test]
fn print_shows_the_exact_job_for_every_platform_and_installs_nothing() {
    let s = Sched::new();
    s.run(&["schedule", "install", "dev"]).success();
    let before = s.crontab();
    for (platform, needles) in [
        ("linux", ["7 * * * * ", "--min-remaining 70m"]),
        (
            "systemd",
            ["OnCalendar=*-*-* *:07:00", "--min-remaining 70m"],
        ),
        (
            "launchd",
            [
                "<key>StartInterval</key>\n  <integer>3600</integer>",
                "<string>--min-remaining</string>\n    <string>70m</string>",
            ],
        ),
        (
            "schtasks",
            ["<Interval>PT1H</Interval>", "--min-remaining 70m"],
        ),
    ] {
        let r = s.run(&[
            "schedule",
            "install",
            "web",
            "--platform",
            platform,
            "--print",
        ]);
        r.success();
        for needle in needles {
            assert!(r.stdout.contains(needle), "{platform}: {needle}: {r:?}");
        }
        assert_eq!(r.stderr, "", "{platform}");
    }
    // A scheduler this machine does not have: the job for the named profiles, and no noise.
    let r = s.env.run_env(
        &[
            "schedule",
            "install",
            "web",
            "--platform",
            "windows",
            "--print",
        ],
        None,
        &[("PATH", "/usr/bin:/bin")],
    );
    r.success();
    assert!(r.stdout.contains("<Interval>PT1H</Interval>"), "{r:?}");
    assert_eq!(r.stderr, "");
    // For cron the printed line holds the profiles already scheduled too.
    let r = s.run(&["schedule", "install", "web", "--print"]);
    assert!(
        r.stdout.contains(" -- dev web # mfa-mint-schedule"),
        "{r:?}"
    );
    assert_eq!(s.crontab(), before);
    assert!(!s.env.home().join(".config/systemd").exists());
    assert!(!s.env.home().join("Library").exists());
    assert!(!s.fakes.join("task.xml").exists());
    assert!(!s.calls().contains("systemctl") && !s.calls().contains("launchctl"));
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
    require!(Crontab);
    let restore = RealCrontab::take();
    let s = Sched::new();
    let run = |args: &[&str]| {
        s.env
            .run_env(args, None, &[("MFA_MINT_CRONTAB", "crontab")])
    };
    // With no crontab at all, cron's own "no crontab for USER" reads as empty.
    real_crontab(&["-r"], None);
    run(&["schedule", "install", "dev"]).success();
    assert_eq!(real_crontab(&["-l"], None).unwrap().lines().count(), 1);

    let base = format!(
        "{}# kept by the mfa-mint test\n",
        restore.saved.as_deref().unwrap_or_default()
    );
    real_crontab(&["-"], Some(&base)).expect("crontab - failed");
    run(&["schedule", "install", "dev", "--every", "1h"]).success();
    run(&["schedule", "install", "web", "--every", "30m"]).success();
    let now = real_crontab(&["-l"], None).unwrap_or_default();
    let ours: Vec<&str> = now
        .lines()
        .filter(|l| l.ends_with("# mfa-mint-schedule"))
        .collect();
    assert!(now.starts_with(&base), "other lines kept: {now}");
    assert_eq!(ours.len(), 1, "{now}");
    assert!(ours[0].starts_with("*/30 * * * * "), "{now}");
    let r = run(&["schedule", "show"]);
    assert_eq!(
        shown_value(&r, "profiles").as_deref(),
        Some("dev web"),
        "{r:?}"
    );
    run(&["schedule", "remove", "web"]).success();
    let r = run(&["schedule", "show"]);
    assert_eq!(shown_value(&r, "profiles").as_deref(), Some("dev"), "{r:?}");
    run(&["schedule", "remove"]).success();
    assert_eq!(real_crontab(&["-l"], None).unwrap_or_default(), base);
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
