//! The URL each setting sends a request to, captured from the real client configuration just
//! before it would be sent (an interceptor stops it there: no network).

use std::sync::{Arc, Mutex};

use aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sts::error::BoxError;

use super::*;
use crate::aws::client::*;
use crate::aws_files::Document;
use crate::credentials::LongTermKeys;
use crate::secret::SecretText;

#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<String>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "capture-url"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        *self.0.lock().unwrap() = Some(context.request().uri().to_string());
        Err("captured, not sent".into())
    }
}

fn keys() -> LongTermKeys {
    LongTermKeys {
        access_key_id: "AKIAEXAMPLEEXAMPLE12".into(),
        secret_access_key: SecretText::from_string("secret".to_string()),
    }
}

fn files(config: &str) -> Files {
    Files {
        config_path: "/nonexistent/config".into(),
        credentials_path: "/nonexistent/credentials".into(),
        credentials_stamp: None,
        config: Some(Document::parse(config).unwrap()),
        credentials: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The URL a GetSessionToken request goes to.
fn sts_url(target: &Target) -> String {
    let capture = Capture::default();
    let config = sts_config(target, &keys())
        .interceptor(capture.clone())
        .build();
    let client = aws_sdk_sts::Client::from_conf(config);
    let result = runtime().block_on(client.get_session_token().send());
    assert!(result.is_err(), "the capture stops the request");
    let url = capture.0.lock().unwrap().clone();
    url.expect("the request reached the transmit stage")
}

/// The URL an IAM GetUser request goes to.
fn iam_url(target: &Target) -> String {
    let capture = Capture::default();
    let config = iam_config(target, &keys())
        .interceptor(capture.clone())
        .build();
    let client = aws_sdk_iam::Client::from_conf(config);
    let result = runtime().block_on(client.get_user().send());
    assert!(result.is_err(), "the capture stops the request");
    let url = capture.0.lock().unwrap().clone();
    url.expect("the request reached the transmit stage")
}

/// [`resolve`] for profile dev (source dev-long-term unless `source` says otherwise) in `env`.
fn resolve_with(
    config: &str,
    source: Option<&str>,
    partition: Option<&str>,
    service: Service,
    env: &Env,
) -> Result<Target, Error> {
    let files = files(config);
    let scope = Scope {
        profile: "dev",
        source,
        region: crate::config::region(&files, "dev", source.unwrap_or("dev"), env),
        endpoint_url: None,
        partition: partition.map(str::to_string),
        service,
    };
    resolve(&files, scope, Duration::from_secs(5), env)
}

fn resolved(config: &str, partition: Option<&str>, service: Service) -> Target {
    // No variable set: the unit tests must not depend on the developer's environment.
    resolve_with(
        config,
        Some("dev-long-term"),
        partition,
        service,
        &Env::default(),
    )
    .unwrap()
}

#[test]
fn sts_goes_to_the_regional_endpoint_by_default() {
    let target = resolved(
        "[profile dev]\nregion = eu-west-1\n",
        Some("aws"),
        Service::Sts,
    );
    assert_eq!(sts_url(&target), "https://sts.eu-west-1.amazonaws.com/");
}

#[test]
fn a_china_serial_mints_against_the_china_partition_whatever_the_region() {
    for config in ["", "[profile dev]\nregion = us-east-1\n"] {
        let target = resolved(config, Some("aws-cn"), Service::Sts);
        assert_eq!(target.region, "cn-north-1");
        assert_eq!(sts_url(&target), "https://sts.cn-north-1.amazonaws.com.cn/");
    }
    // A China region that is configured is kept.
    let target = resolved(
        "[profile dev]\nregion = cn-northwest-1\n",
        Some("aws-cn"),
        Service::Sts,
    );
    assert_eq!(
        sts_url(&target),
        "https://sts.cn-northwest-1.amazonaws.com.cn/"
    );
}

#[test]
fn a_govcloud_serial_mints_against_govcloud() {
    let target = resolved("", Some("aws-us-gov"), Service::Sts);
    assert_eq!(sts_url(&target), "https://sts.us-gov-west-1.amazonaws.com/");
    let target = resolved(
        "[profile dev]\nregion = us-gov-east-1\n",
        Some("aws-us-gov"),
        Service::Sts,
    );
    assert_eq!(sts_url(&target), "https://sts.us-gov-east-1.amazonaws.com/");
}

#[test]
fn use_fips_endpoint_selects_the_fips_host_from_the_profile_or_its_source() {
    let target = resolved(
        "[profile dev]\nregion = us-east-2\nuse_fips_endpoint = true\n",
        Some("aws"),
        Service::Sts,
    );
    assert!(target.use_fips);
    assert_eq!(
        sts_url(&target),
        "https://sts-fips.us-east-2.amazonaws.com/"
    );
    let target = resolved(
        "[profile dev-long-term]\nuse_fips_endpoint = TRUE\n",
        Some("aws"),
        Service::Sts,
    );
    assert_eq!(
        sts_url(&target),
        "https://sts-fips.us-east-1.amazonaws.com/"
    );
    let target = resolved(
        "[profile dev]\nuse_fips_endpoint = true\n",
        None,
        Service::Iam,
    );
    assert_eq!(iam_url(&target), "https://iam-fips.amazonaws.com/");
}

#[test]
fn sts_regional_endpoints_legacy_uses_the_global_endpoint_for_the_original_regions_only() {
    let legacy = |region: &str| {
        resolved(
            &format!("[profile dev]\nregion = {region}\nsts_regional_endpoints = legacy\n"),
            Some("aws"),
            Service::Sts,
        )
    };
    assert_eq!(sts_url(&legacy("eu-west-1")), "https://sts.amazonaws.com/");
    assert_eq!(sts_url(&legacy("us-east-1")), "https://sts.amazonaws.com/");
    // Regions opened after the global endpoint always were regional.
    assert_eq!(
        sts_url(&legacy("eu-south-2")),
        "https://sts.eu-south-2.amazonaws.com/"
    );
    let regional = resolved(
        "[profile dev]\nregion = us-east-1\nsts_regional_endpoints = regional\n",
        Some("aws"),
        Service::Sts,
    );
    assert_eq!(sts_url(&regional), "https://sts.us-east-1.amazonaws.com/");
}

#[test]
fn iam_goes_to_its_partitions_global_endpoint() {
    let target = resolved("[profile dev]\nregion = eu-west-1\n", None, Service::Iam);
    assert_eq!(target.region, "us-east-1");
    assert_eq!(iam_url(&target), "https://iam.amazonaws.com/");
    let target = resolved("[profile dev]\nregion = cn-north-1\n", None, Service::Iam);
    assert_eq!(iam_url(&target), "https://iam.cn-north-1.amazonaws.com.cn/");
}

#[test]
fn an_endpoint_override_wins_over_every_other_setting() {
    let mut target = resolved(
        "[profile dev]\nuse_fips_endpoint = true\nsts_regional_endpoints = legacy\n",
        Some("aws-cn"),
        Service::Sts,
    );
    target.endpoint_url = Some("https://127.0.0.1:4443".into());
    assert_eq!(sts_url(&target), "https://127.0.0.1:4443/");
}

#[test]
fn invalid_settings_are_configuration_errors_naming_their_origin() {
    let err = resolve_with(
        "[profile dev-long-term]\nuse_fips_endpoint = yes\n",
        Some("dev-long-term"),
        None,
        Service::Sts,
        &Env::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "use_fips_endpoint in [profile dev-long-term] = \"yes\" is invalid: use true or false"
    );
    let err = resolve_with(
        "[profile dev]\nsts_regional_endpoints = global\n",
        None,
        None,
        Service::Sts,
        &Env::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("use regional or legacy"), "{err}");
}

#[test]
fn ca_bundle_in_the_profile_is_loaded_and_a_missing_one_is_an_error() {
    let err = resolve_with(
        "[profile dev]\nca_bundle = /nonexistent/corp-root.pem\n",
        None,
        None,
        Service::Sts,
        &Env::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "cannot read the CA bundle /nonexistent/corp-root.pem (set by ca_bundle in [profile dev])"
        ),
        "{err}"
    );
    assert!(err.hint().contains("PEM"), "{}", err.hint());
}

#[test]
fn regions_map_to_their_partitions() {
    for (region, partition) in [
        ("us-east-1", "aws"),
        ("eu-central-2", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ] {
        assert_eq!(partition_of_region(region), partition, "{region}");
        assert_eq!(partition_of_region(default_region(partition)), partition);
    }
}

#[test]
fn variables_win_over_the_profile_as_in_the_aws_cli() {
    let pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pem.path(), crate::aws::trust::tests_support::one_root_pem()).unwrap();
    let env = Env {
        use_fips_endpoint: Some("true".into()),
        ca_bundle: Some(pem.path().display().to_string()),
        ..Env::default()
    };
    let target = resolve_with(
        "[profile dev]\nuse_fips_endpoint = false\nca_bundle = /nonexistent.pem\n",
        None,
        Some("aws"),
        Service::Sts,
        &env,
    )
    .unwrap();
    assert!(target.use_fips);
    match &target.trust {
        Trust::Bundle(b) => {
            assert_eq!(b.origin, "AWS_CA_BUNDLE");
            assert_eq!(b.certificates, 1);
        }
        Trust::Default => panic!("AWS_CA_BUNDLE ignored"),
    }
}

#[test]
fn an_unusable_proxy_setting_is_a_configuration_error() {
    let env = Env {
        https_proxy: Some(("https_proxy", "socks5://u:pw@127.0.0.1:1080".into())),
        ..Env::default()
    };
    let err = resolve_with("", None, None, Service::Sts, &env).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("https_proxy = socks5://u:****@127.0.0.1:1080 is not a usable proxy URL"),
        "{text}"
    );
    assert!(!text.contains("pw"), "{text}");
}
