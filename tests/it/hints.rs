//! Issue 23 row 13: every hint is a command or an edit that works in that situation. Each case
//! runs what the hint (or an import's "Next:" line) names and checks that it gets further.

use crate::support::{ACCOUNT, Run, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The `mfa-mint …` commands between backticks in `text`, as argument lists, with `CMD` made
/// `true`, `PROFILE` (a long-term keys profile) made `dev-long-term` and `--print` added to
/// `schedule install` (the test installs nothing).
fn named_commands(text: &str) -> Vec<Vec<String>> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|quoted| quoted.strip_prefix("mfa-mint "))
        .map(|rest| {
            let mut args: Vec<String> = rest
                .split_whitespace()
                .map(|w| match w {
                    "CMD" => "true".into(),
                    "PROFILE" => "dev-long-term".into(),
                    _ => w.into(),
                })
                .collect();
            if args.starts_with(&["schedule".into(), "install".into()]) {
                args.push("--print".into());
            }
            args
        })
        .collect()
}

/// Runs `args` with a crontab stand-in that has no jobs (a `schedule` command reads it).
#[track_caller]
fn run(w: &World, args: &[&str]) -> Run {
    let crontab = w.env.home().join("crontab-stand-in");
    std::fs::write(&crontab, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(
        &crontab,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    w.run_env(
        args,
        None,
        &[("MFA_MINT_CRONTAB", crontab.to_str().unwrap())],
    )
}

#[track_caller]
fn run_all(w: &World, text: &str) -> usize {
    let commands = named_commands(text);
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(w, &args);
        assert_eq!(r.code, 0, "named in {text:?}: {args:?}: {r:?}");
    }
    commands.len()
}

fn hint(r: &Run) -> &str {
    r.stderr
        .lines()
        .find_map(|l| l.strip_prefix("hint: "))
        .unwrap_or_else(|| panic!("no hint: {r:?}"))
}

#[test]
fn import_of_a_role_profile_names_commands_that_work() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    w.write_config(&format!(
        "[profile admin]\nrole_arn = {admin}\nsource_profile = dev-long-term\nmfa_serial = {}\n",
        alice.serial
    ));
    let r = w.run(&["import", "admin"], Some(SEED));
    assert_eq!(r.code, 0, "{r:?}");
    let next = r.stderr.lines().find(|l| l.starts_with("Next: ")).unwrap();
    assert!(
        !next.contains("`mfa-mint admin`"),
        "minting a role is refused: {next}"
    );
    assert!(run_all(&w, next) >= 3, "{next}");
}

#[test]
fn import_without_long_term_keys_says_where_they_go() {
    require!(Keyring);
    let w = World::new();
    let alice = w.user("alice", Some(SEED));
    let r = w.run(&["import", "dev", "--serial", &alice.serial], Some(SEED));
    assert_eq!(r.code, 0, "{r:?}");
    let next = r.stderr.lines().find(|l| l.starts_with("Next: ")).unwrap();
    assert!(next.contains("[dev-long-term]"), "{next}");
    w.write_credentials(&alice.long_term("dev"));
    assert_eq!(run_all(&w, next), 3, "{next}");
}

#[test]
fn role_hints_name_what_works() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let ops = w.fake.add_role(ACCOUNT, "ops", &["alice"], true);
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile ops]\nrole_arn = {ops}\nsource_profile = dev\n\n[profile admin]\nrole_arn = {admin}\nsource_profile = dev\nmfa_serial = {}\n",
        alice.serial
    ));
    // `code` of a role without its own device: the device of the profile it is assumed from.
    let r = w.run(&["code", "ops"], None);
    assert_eq!(r.code, 0, "{r:?}");
    // `schedule install` of a role: schedule its base.
    let r = run(&w, &["schedule", "install", "ops", "--print"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        hint(&r).contains("`mfa-mint schedule install dev`"),
        "{r:?}"
    );
    run_all(&w, hint(&r));
    // Minting a role that prompts, whose source_profile is already the base: only the
    // mfa_serial is in the way, and the hint says so.
    let r = w.run(&["admin"], None);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(!hint(&r).contains("set source_profile"), "{r:?}");
    assert!(hint(&r).contains("delete mfa_serial"), "{r:?}");
    run_all(&w, hint(&r));
    let r = w.run(&["doctor", "admin"], None);
    assert!(!r.stdout.contains("set source_profile = dev"), "{r:?}");
}

#[test]
fn keys_export_twice_has_nothing_left_to_do() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    w.run(&["keys", "import", "dev-long-term"], None).success();
    w.run(&["keys", "export", "dev-long-term"], None).success();
    let r = w.run(&["keys", "export", "dev-long-term"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("nothing to do"), "{r:?}");
    w.run(&["dev"], None).success();
}
