//! Working where companies work (issue 14): a private CA trusted through `AWS_CA_BUNDLE` /
//! `ca_bundle` (or the system store), a real proxy (tinyproxy) with and without a login,
//! `NO_PROXY`, and the errors when any of it is wrong: each its own message, hint and exit code,
//! nothing written, no code used up.

use crate::support::fake_aws::{FakeAws, TestCa};
use crate::support::{Run, TestEnv, Tinyproxy, World};

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

struct Setup {
    env: TestEnv,
    fake: FakeAws,
}

/// Alice with a device, her keys in [dev-long-term] and the seed imported for [dev]; runs
/// trust no CA unless a test says so.
fn setup() -> Setup {
    let (w, alice) = World::with_alice(Some(SEED));
    w.import("dev", &alice.serial, SEED);
    let World { env, fake } = w;
    Setup { env, fake }
}

impl Setup {
    /// `mfa-mint ARGS` against the fake with `vars` (and no CA unless they name one).
    fn run(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let endpoint = self.fake.endpoint();
        let mut all = vec![("AWS_ENDPOINT_URL_STS", endpoint.as_str())];
        all.extend_from_slice(vars);
        self.env.run_env(args, None, &all)
    }

    fn ca(&self) -> &str {
        self.fake.ca_bundle()
    }

    fn credentials(&self) -> Option<String> {
        self.env.read_file(".aws/credentials")
    }

    fn session_written(&self) -> bool {
        self.credentials()
            .is_some_and(|c| c.contains("[dev]") && c.contains("aws_session_token"))
    }
}

#[test]
fn untrusted_certificate_says_so_exits_3_and_uses_no_code() {
    require!(Keyring);
    let s = setup();
    let before = s.credentials();
    let r = s.run(&["dev"], &[]);
    r.code(3);
    let host = s.fake.endpoint();
    assert!(
        r.stderr.starts_with(&format!(
            "error: the certificate of {host} is not trusted: it is issued by a CA that is not trusted here\n"
        )),
        "{r:?}"
    );
    assert!(
        r.stderr.contains(
            "hint: behind a TLS-inspecting proxy, set AWS_CA_BUNDLE to your company's root CA"
        ),
        "{r:?}"
    );
    assert_eq!(s.fake.request_count(), 0, "nothing got past the handshake");
    assert_eq!(s.credentials(), before, "nothing written");

    // Set the variable as for the AWS CLI: the very next run mints, without waiting for a new
    // code (the failed run gave its code step back).
    let started = std::time::Instant::now();
    s.run(&["dev"], &[("AWS_CA_BUNDLE", s.ca())]).success();
    assert!(s.session_written());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the mint waited for a fresh code"
    );
    assert_eq!(s.fake.action_count("GetSessionToken"), 1);
}

#[test]
fn ca_bundle_in_the_source_profile_is_trusted() {
    require!(Keyring);
    let s = setup();
    s.env.write_file(
        ".aws/config",
        &format!(
            "{}\n[profile dev-long-term]\nca_bundle = {}\n",
            s.env.read_file(".aws/config").unwrap(),
            s.ca()
        ),
    );
    s.run(&["dev"], &[]).success();
    assert!(s.session_written());
}

#[test]
fn a_bundle_with_another_ca_replaces_the_roots_and_is_refused() {
    require!(Keyring);
    let s = setup();
    let other = TestCa::new();
    let other_path = other.ca_path().display().to_string();
    // Even with the right CA in the system store: a bundle replaces every other root.
    let r = s.run(
        &["dev"],
        &[("AWS_CA_BUNDLE", &other_path), ("SSL_CERT_FILE", s.ca())],
    );
    r.code(3);
    assert!(r.stderr.contains("is not trusted"), "{r:?}");
    assert!(!s.session_written());
}

#[test]
fn the_system_store_is_the_fallback_when_no_bundle_is_set() {
    require!(Keyring);
    let s = setup();
    // rustls-native-certs reads SSL_CERT_FILE as the system store.
    let r = s.run(&["-v", "dev"], &[("SSL_CERT_FILE", s.ca())]);
    r.success();
    assert!(
        r.stderr
            .contains("the bundled roots do not trust the server; trying the system's"),
        "{r:?}"
    );
    assert!(s.session_written());
    assert_eq!(s.fake.action_count("GetSessionToken"), 1, "one request");
}

#[test]
fn a_missing_or_invalid_bundle_is_its_own_config_error_before_any_request() {
    require!(Keyring);
    let s = setup();
    let before = s.credentials();
    let r = s.run(&["dev"], &[("AWS_CA_BUNDLE", "/nonexistent/corp-root.pem")]);
    r.code(3);
    assert!(
        r.stderr.starts_with(
            "error: cannot read the CA bundle /nonexistent/corp-root.pem (set by AWS_CA_BUNDLE): "
        ),
        "{r:?}"
    );
    assert!(r.stderr.contains("hint: point AWS_CA_BUNDLE at"), "{r:?}");

    let der = s.env.home().join("root.cer");
    std::fs::write(&der, [0x30, 0x82, 0x01, 0x0a, 0x02]).unwrap();
    let der = der.display().to_string();
    let r = s.run(&["dev"], &[("AWS_CA_BUNDLE", &der)]);
    r.code(3);
    assert!(
        r.stderr
            .contains("is not usable: it holds no PEM certificate"),
        "{r:?}"
    );
    assert!(r.stderr.contains("not DER"), "{r:?}");

    assert_eq!(s.fake.request_count(), 0);
    assert_eq!(s.credentials(), before);
}

#[test]
fn https_proxy_with_aws_ca_bundle_mints_on_the_first_try() {
    require!(Keyring, Tinyproxy);
    let s = setup();
    let proxy = Tinyproxy::start(None);
    let url = proxy.url(None);
    s.run(
        &["dev"],
        &[("AWS_CA_BUNDLE", s.ca()), ("HTTPS_PROXY", &url)],
    )
    .success();
    assert!(s.session_written());
    let target = format!("127.0.0.1:{}", s.fake.port());
    assert_eq!(
        proxy.connects(),
        vec![target.clone()],
        "the proxy tunnelled it"
    );

    // Lower case works too, and NO_PROXY sends the request direct.
    s.run(
        &["dev", "--force"],
        &[
            ("AWS_CA_BUNDLE", s.ca()),
            ("https_proxy", &url),
            ("NO_PROXY", "127.0.0.1"),
        ],
    )
    .success();
    assert_eq!(proxy.connects(), vec![target], "NO_PROXY went direct");
    assert_eq!(s.fake.action_count("GetSessionToken"), 2);
}

#[test]
fn a_proxy_login_from_the_url_is_used_and_never_shown() {
    require!(Keyring, Tinyproxy);
    let s = setup();
    let login = ("alice", "Pr0xyPassw0rd");
    let proxy = Tinyproxy::start(Some(login));
    let before = s.credentials();

    let r = s.run(
        &["dev"],
        &[("AWS_CA_BUNDLE", s.ca()), ("HTTPS_PROXY", &proxy.url(None))],
    );
    r.code(3);
    let proxy_url = proxy.url(None);
    assert!(
        r.stderr.starts_with(&format!(
            "error: the proxy {proxy_url}/ would not connect to {}: it wants a login (HTTP 407 Proxy Authentication Required)",
            s.fake.endpoint()
        )),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("hint: put the proxy login into the URL: HTTPS_PROXY=http://USER:PASSWORD@"),
        "{r:?}"
    );
    assert_eq!(s.credentials(), before);

    let r = s.run(
        &["-vv", "dev"],
        &[
            ("AWS_CA_BUNDLE", s.ca()),
            ("HTTPS_PROXY", &proxy.url(Some(login))),
        ],
    );
    r.success();
    assert!(
        !r.stderr.contains(login.1) && !r.stdout.contains(login.1),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("proxy HTTPS_PROXY=http://alice:****@127.0.0.1:"),
        "-v shows the proxy, masked: {r:?}"
    );
    assert!(s.session_written());
}

#[test]
fn an_unreachable_proxy_is_its_own_transient_error() {
    require!(Keyring);
    let s = setup();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = format!("http://127.0.0.1:{closed}");
    let r = s.run(
        &["dev"],
        &[("AWS_CA_BUNDLE", s.ca()), ("HTTPS_PROXY", &proxy)],
    );
    r.code(7);
    assert!(
        r.stderr.starts_with(&format!(
            "error: cannot reach the proxy {proxy}/ (for {}): ",
            s.fake.endpoint()
        )),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("hint: check that the proxy in HTTPS_PROXY is running"),
        "{r:?}"
    );
    assert_eq!(s.fake.request_count(), 0);

    let r = s.run(&["dev"], &[("HTTPS_PROXY", "ftp://proxy.corp:21")]);
    r.code(3);
    assert!(
        r.stderr
            .starts_with("error: HTTPS_PROXY = ftp://proxy.corp:21 is not a usable proxy URL"),
        "{r:?}"
    );
}

#[test]
fn doctor_explains_the_trust_settings_and_an_untrusted_certificate() {
    require!(Keyring);
    let s = setup();
    let r = s.run(&["doctor", "dev"], &[("AWS_CA_BUNDLE", s.ca())]);
    assert!(
        r.stdout.contains(&format!(
            "dev: STS region us-east-1, endpoint {}, trusting the 1 certificate(s) of {} (AWS_CA_BUNDLE), proxy none",
            s.fake.endpoint(),
            s.ca()
        )),
        "{r:?}"
    );
    let r = s.run(&["doctor", "dev", "--clock"], &[]);
    r.code(3);
    assert!(
        r.stdout.contains(&format!(
            "[FAIL] clock: the certificate of {} is not trusted",
            s.fake.endpoint()
        )),
        "{r:?}"
    );
    assert!(
        r.stdout.contains(
            "fix: behind a TLS-inspecting proxy, set AWS_CA_BUNDLE to your company's root CA"
        ),
        "{r:?}"
    );
    let r = s.run(&["doctor", "dev"], &[("AWS_CA_BUNDLE", "/nonexistent.pem")]);
    r.code(3);
    assert!(
        r.stdout.contains(
            "[FAIL] dev: cannot read the CA bundle /nonexistent.pem (set by AWS_CA_BUNDLE)"
        ),
        "{r:?}"
    );
}
