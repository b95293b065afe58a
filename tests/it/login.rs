//! `login` (issue 24): the console sign-in URL through the federation endpoint, which the fake
//! serves (`AWS_ENDPOINT_URL_SIGNIN`), checked whole: role profiles with their role session, user
//! profiles with GetFederationToken, destinations, partitions, and a refused federation token.

use std::collections::HashMap;

use crate::support::{ACCOUNT, User, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// alice's `dev` with a role `admin` assumed from it.
fn with_admin() -> (World, User, String) {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}[profile admin]\nrole_arn = {admin}\nsource_profile = dev\nregion = eu-west-1\n"
    ));
    (w, alice, admin)
}

/// Runs `login args` with the sign-in endpoint at the fake; the URL's query when it succeeds.
fn login(w: &World, args: &[&str]) -> (crate::support::Run, Option<HashMap<String, String>>) {
    let endpoint = w.endpoint();
    let mut all = vec!["login"];
    all.extend_from_slice(args);
    let r = w.run_env(
        &all,
        None,
        &[("AWS_ENDPOINT_URL_SIGNIN", endpoint.as_str())],
    );
    let query = (r.code == 0).then(|| {
        let line = r.stdout.trim();
        let url = url::Url::parse(line).unwrap_or_else(|e| panic!("not a URL ({e}): {r:?}"));
        assert_eq!(
            url.origin().ascii_serialization(),
            endpoint,
            "the sign-in endpoint: {r:?}"
        );
        assert_eq!(url.path(), "/federation");
        url.query_pairs().into_owned().collect()
    });
    (r, query)
}

#[test]
fn a_role_profile_signs_in_with_its_role_session() {
    require!(Keyring);
    let (w, _alice, admin) = with_admin();
    // No display in the tests' environment: the URL is printed, as with --print.
    let (r, query) = login(&w, &["admin", "--destination", "s3"]);
    assert_eq!(r.code, 0, "{r:?}");
    let q = query.unwrap();
    assert_eq!(q["Action"], "login");
    assert_eq!(q["Issuer"], "https://github.com/mfa-mint/mfa-mint");
    assert_eq!(
        q["Destination"],
        "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    );
    let session = w
        .fake
        .signin_session(&q["SigninToken"])
        .expect("a sign-in token the federation endpoint issued");
    assert_eq!(session.role.map(|r| r.0), Some(admin));
    assert!(r.stderr.contains("within 15 minutes"), "{r:?}");
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);

    // A console URL as destination, another region, --print: the cached role session again.
    let (r, query) = login(
        &w,
        &[
            "admin",
            "--print",
            "--region",
            "us-west-2",
            "--destination",
            "https://console.aws.amazon.com/iam/home#/roles",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let q = query.unwrap();
    assert_eq!(
        q["Destination"],
        "https://console.aws.amazon.com/iam/home#/roles"
    );
    let (r, query) = login(&w, &["admin", "--region", "us-west-2"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        query.unwrap()["Destination"],
        "https://console.aws.amazon.com/console/home?region=us-west-2"
    );
    assert_eq!(w.fake.action_count("AssumeRole"), 1);
    assert_eq!(w.fake.action_count("GetSessionToken"), 1);
}

#[test]
fn a_user_profile_signs_in_with_a_federation_token_from_its_long_term_keys() {
    require!(Keyring);
    let (w, _alice, _admin) = with_admin();
    let (r, query) = login(&w, &["dev"]);
    assert_eq!(r.code, 0, "{r:?}");
    let q = query.unwrap();
    assert_eq!(
        q["Destination"],
        "https://console.aws.amazon.com/console/home?region=us-east-1"
    );
    let session = w.fake.signin_session(&q["SigninToken"]).unwrap();
    assert!(w.fake.is_federated(&session.access_key_id));
    assert_eq!(session.user, "alice");
    // No MFA code is spent on it (GetFederationToken takes none).
    assert_eq!(w.fake.action_count("GetSessionToken"), 0);
    assert_eq!(w.fake.action_count("GetFederationToken"), 1);
}

#[test]
fn a_refused_federation_token_says_to_use_a_role_profile() {
    require!(Keyring);
    let (w, _alice, _admin) = with_admin();
    w.fake.set_permission_denied("GetFederationToken");
    let (r, _) = login(&w, &["dev"]);
    assert_eq!(r.code, 6, "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    assert!(
        r.stderr.contains("error: AWS refused GetFederationToken"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("hint: use a role profile for the console"),
        "{r:?}"
    );
}

#[test]
fn a_bad_destination_is_refused_before_any_request() {
    require!(Keyring);
    let (w, _alice, _admin) = with_admin();
    let (r, _) = login(&w, &["admin", "--destination", "http://console.example"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("hint: pass a service name"), "{r:?}");
    assert_eq!(w.fake.request_count(), 0);
}

#[test]
fn the_console_host_follows_the_partition() {
    require!(Keyring);
    let w = World::new();
    w.fake.set_partition("aws-cn");
    let alice = w.user("alice", Some(SEED));
    w.write_credentials(&alice.long_term("dev"));
    w.import("dev", &alice.serial, SEED);
    let admin = w.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    assert!(admin.starts_with("arn:aws-cn:"), "{admin}");
    let config = w.config().unwrap();
    w.write_config(&format!(
        "{config}region = cn-north-1\n[profile admin]\nrole_arn = {admin}\nsource_profile = dev\nregion = cn-northwest-1\n"
    ));
    let (r, query) = login(&w, &["admin", "--destination", "ec2"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        query.unwrap()["Destination"],
        "https://console.amazonaws.cn/ec2/home?region=cn-northwest-1"
    );
}

#[cfg(unix)]
#[test]
fn with_a_display_the_url_goes_to_the_browser_not_stdout() {
    require!(Keyring);
    use std::os::unix::fs::PermissionsExt;
    let (w, _alice, admin) = with_admin();
    // A stand-in xdg-open that records what it was asked to open.
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened");
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let endpoint = w.endpoint();
    let r = w.run_env(
        &["login", "admin"],
        None,
        &[
            ("AWS_ENDPOINT_URL_SIGNIN", endpoint.as_str()),
            ("DISPLAY", ":99"),
            ("PATH", path.as_str()),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "", "the URL is not printed: {r:?}");
    assert!(
        r.stderr.contains("Opened the AWS console as admin"),
        "{r:?}"
    );
    let url = url::Url::parse(&std::fs::read_to_string(&opened).unwrap()).unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let session = w.fake.signin_session(&q["SigninToken"]).unwrap();
    assert_eq!(session.role.map(|r| r.0), Some(admin));
}
