//! End to end against moto (a third-party AWS stand-in): proves wire compatibility of the STS
//! request and that the real AWS CLI accepts the profile we write. moto validates no MFA code,
//! so code handling is tested against the in-repo fake instead.

use crate::support;

use support::{Moto, TestEnv};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[test]
fn mint_against_moto_and_use_the_profile_with_the_aws_cli() {
    require!(Keyring, Venv);
    let env = TestEnv::new();
    let moto = Moto::start();
    env.write_file(
        ".aws/credentials",
        "[dev-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    env.write_file(".aws/config", "[default]\nregion = eu-west-1\n");
    let endpoint = moto.endpoint();
    let with_endpoint = [("AWS_ENDPOINT_URL_STS", endpoint.as_str())];
    let r = env.run(
        &[
            "import",
            "dev",
            "--serial",
            "arn:aws:iam::123456789012:mfa/alice",
        ],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run_env(&["dev", "--json", "--duration", "1h"], None, &with_endpoint);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["outcome"], "minted");

    let creds = env.read_file(".aws/credentials").unwrap();
    // moto hands out fixed example credentials; the shape is what matters here.
    assert!(creds.contains("\n[dev]\naws_access_key_id = "), "{creds}");
    assert!(creds.contains("aws_session_token = "), "{creds}");
    // The config file kept its bytes and gained only our section.
    let config = env.read_file(".aws/config").unwrap();
    assert!(
        config.starts_with("[default]\nregion = eu-west-1\n"),
        "{config}"
    );

    let r = support::aws_cli(
        &env,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "dev",
            "--output",
            "json",
        ],
        &with_endpoint,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["Account"].is_string(), "{v}");

    // The CLI sees exactly the values we wrote.
    for (key, field) in [
        ("aws_access_key_id", "access_key"),
        ("aws_secret_access_key", "secret_key"),
    ] {
        let r = support::aws_cli(&env, &["configure", "get", key, "--profile", "dev"], &[]);
        assert_eq!(r.code, 0, "{field}: {r:?}");
        let line = creds
            .lines()
            .skip_while(|l| *l != "[dev]")
            .find(|l| l.starts_with(key))
            .unwrap();
        assert_eq!(line, format!("{key} = {}", r.stdout.trim()));
    }
}
