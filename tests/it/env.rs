//! `mfa-mint env`: lines that export what `exec` sets (the session, the profile's region, the
//! marker), in each shell's syntax and in `--format env|json|ini`.

use crate::support::{Pin, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// `env` for every shell it knows (and the default one), pinned.
#[test]
fn env_text_of_every_shell_is_pinned() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    w.write_config(&format!("{config}region = eu-west-3\n"));
    let pin = Pin::of(&w, "env").user(&alice);
    w.pinned(&pin, "default", &["env", "dev"], None).success();
    for shell in ["sh", "fish", "powershell"] {
        w.pinned(&pin, shell, &["env", "dev", "--shell", shell], None)
            .success();
    }
    for format in ["env", "json", "ini"] {
        w.pinned(
            &pin,
            &format!("format-{format}"),
            &["env", "dev", "--format", format],
            None,
        )
        .success();
    }
}

/// alice's seed imported as `dev`, with `region = eu-west-3` in `[profile dev]`.
fn setup() -> World {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let config = w.config().unwrap();
    w.write_config(&format!("{config}region = eu-west-3\n"));
    w
}

/// Issue 23 row 5: `env` sets what `exec` sets (the region from the profile, the marker), in
/// every shell syntax and `--format`.
#[test]
fn env_sets_what_exec_sets_in_every_shell_and_format() {
    require!(Keyring);
    let w = setup();
    let r = w.run_env(
        &[
            "exec",
            "dev",
            "--",
            "sh",
            "-c",
            "echo $AWS_REGION $AWS_DEFAULT_REGION $MFA_MINT_PROFILE",
        ],
        None,
        &[("AWS_REGION", "")],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "eu-west-3 eu-west-3 dev\n"),
        "{r:?}"
    );
    let r = w.run(&["env", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    // The lines work in sh: the region is there and AWS_PROFILE is gone.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{}\necho \"$AWS_REGION $AWS_DEFAULT_REGION $MFA_MINT_PROFILE ${{AWS_PROFILE-unset}}\"",
            r.stdout
        ))
        .env("AWS_PROFILE", "dev")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "eu-west-3 eu-west-3 dev unset\n"
    );
    for (shell, line) in [
        ("sh", "export AWS_DEFAULT_REGION='eu-west-3'"),
        ("fish", "set -gx AWS_REGION 'eu-west-3'"),
        ("powershell", "$Env:AWS_DEFAULT_REGION = 'eu-west-3'"),
    ] {
        let r = w.run(&["env", "dev", "--shell", shell], None);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.lines().any(|l| l == line), "{shell}: {r:?}");
    }
    let r = w.run(&["env", "dev", "--format", "env"], None);
    assert!(
        r.stdout.lines().any(|l| l == "AWS_REGION=eu-west-3"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("AWS_SESSION_TOKEN=")),
        "{r:?}"
    );
    let r = w.run(&["env", "dev", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["AWS_DEFAULT_REGION"], "eu-west-3", "{r:?}");
    assert!(
        json["AWS_ACCESS_KEY_ID"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    let r = w.run(&["env", "dev", "--format", "ini"], None);
    assert!(
        r.stdout.starts_with("[dev]\naws_access_key_id = ASIA"),
        "{r:?}"
    );
    assert!(r.stdout.lines().any(|l| l == "region = eu-west-3"), "{r:?}");
    // One session served all of these.
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
}
