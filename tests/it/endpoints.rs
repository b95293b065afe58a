//! Where requests go (issue 14): partitions, FIPS, regional or global STS, an endpoint override,
//! and enroll's IAM, each checked at the host:port the request is really sent to, and against
//! the real AWS CLI (v1, the test venv's) with the same settings.
//!
//! No `AWS_ENDPOINT_URL_*` is set (except where the override itself is tested): mfa-mint and the
//! CLI resolve the endpoint themselves and reach it through `HTTPS_PROXY`, a recording CONNECT
//! proxy ([`ConnectProxy`]) that notes `CONNECT host:443` and tunnels to the fake AWS on
//! 127.0.0.1 without ever resolving the name. The fake presents a certificate for the asked-for
//! name from its private CA (trusted through `AWS_CA_BUNDLE`) and checks that the request was
//! signed for that host's partition, service and region, as AWS does.

use crate::support::{self, ConnectProxy, DEFAULT_TIMEOUT, Run, User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A world in one partition, seen through a recording proxy.
struct Rig {
    w: World,
    alice: User,
    proxy: ConnectProxy,
    /// How many CONNECTs earlier steps made (see [`Rig::connects_since`]).
    seen: std::cell::Cell<usize>,
}

impl Rig {
    /// Alice in `partition` (with a device when `device`), her keys in `[dev-long-term]`,
    /// `config` as `~/.aws/config` and, with a device, the seed imported for `[dev]`.
    fn new(partition: &str, config: &str, device: bool) -> Rig {
        let w = World::new();
        w.fake.set_partition(partition);
        let alice = w.user("alice", device.then_some(SEED));
        w.write_credentials(&alice.long_term("dev"));
        w.write_config(config);
        if device {
            w.import("dev", &alice.serial, SEED);
        }
        let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], w.fake.port()));
        let proxy = ConnectProxy::start(upstream);
        Rig {
            w,
            alice,
            proxy,
            seen: std::cell::Cell::new(0),
        }
    }

    /// The proxy and the fake's CA, and `extra`: what both mfa-mint and the CLI get.
    fn vars<'a>(&'a self, proxy: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut vars = vec![
            ("HTTPS_PROXY", proxy),
            ("AWS_CA_BUNDLE", self.w.fake.ca_bundle()),
        ];
        vars.extend_from_slice(extra);
        vars
    }

    /// `mfa-mint ARGS` with [`Rig::vars`]; the CONNECTs it made.
    #[track_caller]
    fn mfa_mint(&self, args: &[&str], extra: &[(&str, &str)]) -> (Run, Vec<String>) {
        let url = self.proxy.url();
        let r = self.w.env.run_env(args, None, &self.vars(&url, extra));
        (r, self.connects_since())
    }

    /// The venv's `aws ARGS` with [`Rig::vars`] (and nothing else: no region unless given);
    /// the CONNECTs it made.
    #[track_caller]
    fn aws(&self, args: &[&str], extra: &[(&str, &str)]) -> (Run, Vec<String>) {
        let url = self.proxy.url();
        let mut cmd = self.w.env.command(support::venv_bin("aws"));
        cmd.args(args)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(self.vars(&url, extra));
        let r = support::run_command(cmd, None, DEFAULT_TIMEOUT);
        (r, self.connects_since())
    }

    /// The CONNECT targets since the last call, without repeats (a client may open more
    /// than one connection).
    fn connects_since(&self) -> Vec<String> {
        let all = self.proxy.connects();
        let mut new: Vec<String> = all[self.seen.get()..].to_vec();
        self.seen.set(all.len());
        new.dedup();
        new
    }

    /// Mints `[dev]` with `mint_env`, then has the AWS CLI call GetCallerIdentity with the
    /// minted profile (`cli_args` after it, `cli_env`); both must succeed at the fake. Returns
    /// where each went.
    #[track_caller]
    fn mint_and_compare(
        &self,
        mint_env: &[(&str, &str)],
        cli_args: &[&str],
        cli_env: &[(&str, &str)],
    ) -> (Vec<String>, Vec<String>) {
        let (r, mint) = self.mfa_mint(&["dev"], mint_env);
        r.success();
        assert_eq!(self.w.fake.action_count("GetSessionToken"), 1, "{r:?}");
        let mut args = vec!["sts", "get-caller-identity", "--profile", "dev"];
        args.extend_from_slice(cli_args);
        let (r, cli) = self.aws(&args, cli_env);
        r.success();
        assert!(r.stdout.contains(&self.alice.name), "{r:?}");
        (mint, cli)
    }
}

/// `host:443` as a CONNECT target.
fn at(host: &str) -> Vec<String> {
    vec![format!("{host}:443")]
}

#[test]
fn with_no_region_sts_goes_to_the_regional_endpoint_of_us_east_1() {
    require!(Keyring, Venv);
    let rig = Rig::new("aws", "", true);
    let (mint, cli) = rig.mint_and_compare(&[], &["--region", "us-east-1"], &[]);
    assert_eq!(mint, at("sts.us-east-1.amazonaws.com"));
    // The AWS CLI v1 (botocore 1.43: `regional` by default) goes there in us-east-1.
    assert_eq!(cli, mint);
    // The fake saw the request under that name (and checked it was signed for us-east-1).
    let hosts = rig.w.fake.hosts();
    assert!(
        hosts.iter().all(|h| h == "sts.us-east-1.amazonaws.com"),
        "{hosts:?}"
    );

    // Deliberately not the CLI's behaviour: with no region at all, botocore falls back to
    // its `aws-global` pseudo-region, the global sts.amazonaws.com. mfa-mint falls back to
    // us-east-1 and its regional endpoint: AWS's best practice is "to use Regional endpoints
    // whenever possible" (SDKs and Tools Reference Guide, "AWS STS Regional endpoints"), and
    // both are signed for us-east-1.
    let (r, global) = rig.aws(&["sts", "get-caller-identity", "--profile", "dev"], &[]);
    r.success();
    assert_eq!(global, at("sts.amazonaws.com"));
}

#[test]
fn a_china_serial_mints_in_cn_north_1_with_no_region_set() {
    require!(Keyring, Venv);
    let rig = Rig::new("aws-cn", "", true);
    assert!(rig.alice.serial.starts_with("arn:aws-cn:iam::"));
    // Even with a region of the aws partition in the environment (common on a laptop that
    // also works in other accounts): the serial's partition decides.
    let (mint, cli) = rig.mint_and_compare(
        &[("AWS_DEFAULT_REGION", "us-east-1")],
        &["--region", "cn-north-1"],
        &[],
    );
    assert_eq!(mint, at("sts.cn-north-1.amazonaws.com.cn"));
    // Deliberately not the CLI's behaviour: the CLI knows no partition but the region's, so it
    // needs `--region cn-north-1`; with us-east-1 it goes to the aws partition, where China's
    // keys do not exist (the fake answers InvalidClientTokenId, as AWS does).
    assert_eq!(cli, mint);
    let (r, wrong) = rig.aws(
        &["sts", "get-caller-identity", "--profile", "dev"],
        &[("AWS_DEFAULT_REGION", "us-east-1")],
    );
    assert_eq!(wrong, at("sts.us-east-1.amazonaws.com"));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("InvalidClientTokenId"), "{r:?}");
}

#[test]
fn a_china_serial_keeps_a_configured_china_region() {
    require!(Keyring, Venv);
    let rig = Rig::new("aws-cn", "[profile dev]\nregion = cn-northwest-1\n", true);
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    assert_eq!(mint, at("sts.cn-northwest-1.amazonaws.com.cn"));
    assert_eq!(cli, mint);
}

#[test]
fn a_govcloud_serial_mints_in_us_gov_west_1_with_no_region_set() {
    require!(Keyring, Venv);
    let rig = Rig::new("aws-us-gov", "", true);
    assert!(rig.alice.serial.starts_with("arn:aws-us-gov:iam::"));
    let (mint, cli) = rig.mint_and_compare(&[], &["--region", "us-gov-west-1"], &[]);
    assert_eq!(mint, at("sts.us-gov-west-1.amazonaws.com"));
    // The CLI needs the region named (see the China case).
    assert_eq!(cli, mint);
}

#[test]
fn govclouds_sts_endpoints_are_its_fips_endpoints() {
    require!(Keyring, Venv);
    let rig = Rig::new(
        "aws-us-gov",
        "[profile dev]\nregion = us-gov-east-1\n",
        true,
    );
    let fips = [("AWS_USE_FIPS_ENDPOINT", "true")];
    let (mint, cli) = rig.mint_and_compare(&fips, &[], &fips);
    // No sts-fips host in GovCloud: the regional endpoint is FIPS-validated already.
    assert_eq!(mint, at("sts.us-gov-east-1.amazonaws.com"));
    assert_eq!(cli, mint);
}

#[test]
fn aws_use_fips_endpoint_sends_sts_to_its_fips_host() {
    require!(Keyring, Venv);
    let rig = Rig::new("aws", "[profile dev]\nregion = us-east-1\n", true);
    let fips = [("AWS_USE_FIPS_ENDPOINT", "true")];
    let (mint, cli) = rig.mint_and_compare(&fips, &[], &fips);
    assert_eq!(mint, at("sts-fips.us-east-1.amazonaws.com"));
    assert_eq!(cli, mint);
}

#[test]
fn use_fips_endpoint_in_the_profile_sends_sts_to_its_fips_host() {
    require!(Keyring, Venv);
    let rig = Rig::new(
        "aws",
        "[profile dev]\nregion = us-east-2\nuse_fips_endpoint = true\n",
        true,
    );
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    assert_eq!(mint, at("sts-fips.us-east-2.amazonaws.com"));
    assert_eq!(cli, mint);
}

#[test]
fn sts_regional_endpoints_legacy_in_the_profile_uses_the_global_endpoint() {
    require!(Keyring, Venv);
    let rig = Rig::new(
        "aws",
        "[profile dev]\nregion = eu-west-1\nsts_regional_endpoints = legacy\n",
        true,
    );
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    // Signed for us-east-1, which the fake checks for this host.
    assert_eq!(mint, at("sts.amazonaws.com"));
    assert_eq!(cli, mint);
}

#[test]
fn aws_sts_regional_endpoints_legacy_uses_the_global_endpoint_for_the_original_regions_only() {
    require!(Keyring, Venv);
    let legacy = [("AWS_STS_REGIONAL_ENDPOINTS", "legacy")];
    let rig = Rig::new("aws", "[profile dev]\nregion = us-east-1\n", true);
    let (mint, cli) = rig.mint_and_compare(&legacy, &[], &legacy);
    assert_eq!(mint, at("sts.amazonaws.com"));
    assert_eq!(cli, mint);
    // A region opened after the global endpoint stays regional (eu-south-2, 2022), as in the
    // CLI.
    let rig = Rig::new("aws", "[profile dev]\nregion = eu-south-2\n", true);
    let (mint, cli) = rig.mint_and_compare(&legacy, &[], &legacy);
    assert_eq!(mint, at("sts.eu-south-2.amazonaws.com"));
    assert_eq!(cli, mint);
    // The global endpoint is the aws partition's: China stays regional.
    let rig = Rig::new("aws-cn", "[profile dev]\nregion = cn-north-1\n", true);
    let (mint, cli) = rig.mint_and_compare(&legacy, &[], &legacy);
    assert_eq!(mint, at("sts.cn-north-1.amazonaws.com.cn"));
    assert_eq!(cli, mint);
}

#[test]
fn an_explicit_aws_endpoint_url_sts_wins_over_fips_and_legacy() {
    require!(Keyring, Venv);
    let rig = Rig::new(
        "aws",
        "[profile dev]\nregion = us-east-1\nuse_fips_endpoint = true\nsts_regional_endpoints = legacy\n",
        true,
    );
    // A private (VPC) endpoint, reached through the proxy; the name is never resolved.
    let url = [("AWS_ENDPOINT_URL_STS", "https://sts.vpce.example")];
    let (mint, cli) = rig.mint_and_compare(&url, &[], &url);
    assert_eq!(mint, at("sts.vpce.example"));
    assert_eq!(cli, mint);
}

/// Issue 23 row 17: `endpoint_url` in the profile and `[services NAME]` sections were ignored
/// (only the variables were read). They are read as the SDKs read them, below the variables,
/// and `ignore_configured_endpoint_urls` turns them off; the AWS CLI agrees in every case.
#[test]
fn a_profile_s_endpoint_url_and_services_section_are_read_as_the_sdks_read_them() {
    require!(Keyring, Venv);
    let config = "[profile dev]\nregion = us-east-1\nendpoint_url = https://sts.vpce.example\n";
    let rig = Rig::new("aws", config, true);
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    assert_eq!(mint, at("sts.vpce.example"));
    assert_eq!(cli, mint);
    let rig = Rig::new(
        "aws",
        &format!("{config}ignore_configured_endpoint_urls = true\n"),
        true,
    );
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    assert_eq!(mint, at("sts.us-east-1.amazonaws.com"));
    assert_eq!(cli, mint);
    // A `[services NAME]` section's STS endpoint comes before the profile's endpoint_url.
    let rig = Rig::new(
        "aws",
        "[profile dev]\nregion = us-east-1\nendpoint_url = https://global.vpce.example\n\
         services = private\n\n[services private]\nsts =\n  endpoint_url = https://sts.vpce.example\n",
        true,
    );
    let (mint, cli) = rig.mint_and_compare(&[], &[], &[]);
    assert_eq!(mint, at("sts.vpce.example"));
    assert_eq!(cli, mint);
}

/// `mfa-mint enroll dev` in a world whose source profile has `config`, then the AWS CLI's
/// `aws iam get-user` with the source profile: where each went.
fn enroll_and_compare(
    partition: &str,
    config: &str,
    env: &[(&str, &str)],
) -> (Vec<String>, Vec<String>) {
    let rig = Rig::new(partition, config, false);
    let (r, enroll) = rig.mfa_mint(&["enroll", "dev", "--device-name", "alice-laptop"], env);
    r.success();
    assert_eq!(rig.w.fake.action_count("EnableMFADevice"), 1);
    let serial = format!("arn:{partition}:iam::{}:mfa/alice-laptop", support::ACCOUNT);
    assert_eq!(rig.w.fake.mfa_devices("alice"), vec![serial]);
    let (r, cli) = rig.aws(&["iam", "get-user", "--profile", "dev-long-term"], env);
    r.success();
    assert!(r.stdout.contains("alice"), "{r:?}");
    (enroll, cli)
}

#[test]
fn enroll_goes_to_the_global_iam_endpoint() {
    require!(Keyring, Venv);
    let (enroll, cli) = enroll_and_compare("aws", "", &[]);
    assert_eq!(enroll, at("iam.amazonaws.com"));
    assert_eq!(cli, enroll);
}

#[test]
fn enroll_in_china_goes_to_chinas_iam() {
    require!(Keyring, Venv);
    let (enroll, cli) = enroll_and_compare(
        "aws-cn",
        "[profile dev-long-term]\nregion = cn-north-1\n",
        &[],
    );
    assert_eq!(enroll, at("iam.cn-north-1.amazonaws.com.cn"));
    assert_eq!(cli, enroll);
}

#[test]
fn enroll_in_govcloud_goes_to_govclouds_iam() {
    require!(Keyring, Venv);
    let (enroll, cli) = enroll_and_compare(
        "aws-us-gov",
        "[profile dev-long-term]\nregion = us-gov-west-1\n",
        &[],
    );
    assert_eq!(enroll, at("iam.us-gov.amazonaws.com"));
    assert_eq!(cli, enroll);
}

#[test]
fn enroll_in_govcloud_with_fips_stays_at_govclouds_iam() {
    require!(Keyring, Venv);
    let (enroll, cli) = enroll_and_compare(
        "aws-us-gov",
        "[profile dev-long-term]\nregion = us-gov-east-1\nuse_fips_endpoint = true\n",
        &[],
    );
    assert_eq!(enroll, at("iam.us-gov.amazonaws.com"));
    assert_eq!(cli, enroll);
}

#[test]
fn enroll_with_fips_goes_to_iams_fips_endpoint() {
    require!(Keyring, Venv);
    let (enroll, cli) = enroll_and_compare("aws", "", &[("AWS_USE_FIPS_ENDPOINT", "true")]);
    assert_eq!(enroll, at("iam-fips.amazonaws.com"));
    assert_eq!(cli, enroll);
}
