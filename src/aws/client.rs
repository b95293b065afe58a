//! The one client config of every AWS call (STS and IAM): where a request goes (region,
//! partition, FIPS, STS regional or global endpoint, endpoint override), whom it trusts
//! ([`Trust`]) and how it gets there (proxies). Resolved from the same settings the AWS CLI
//! reads, environment first, then the profile, then its source profile (issue 14).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::Provider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use super::trust::{self, Roots};
pub use super::trust::{BundleError, CaBundle, Trust};
use crate::credentials::LongTermKeys;

/// Where and how to reach AWS.
#[derive(Debug, Clone)]
pub struct Target {
    pub region: String,
    /// `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL`, when set.
    pub endpoint_url: Option<String>,
    pub timeout: Duration,
    /// `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`.
    pub use_fips: bool,
    /// `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints`.
    pub sts_endpoints: StsEndpoints,
    pub trust: Trust,
    /// The proxy setting for https endpoints (variable, URL with the password masked).
    pub proxy: Option<(&'static str, String)>,
}

impl Target {
    /// One line for `-v` and `doctor`.
    pub fn describe(&self) -> String {
        let trust = match &self.trust {
            Trust::Bundle(b) => format!(
                "the {} certificate(s) of {} ({})",
                b.certificates,
                b.path.display(),
                b.origin
            ),
            Trust::Default => "the bundled Mozilla roots, then the system's".into(),
        };
        let proxy = self
            .proxy
            .as_ref()
            .map(|(var, url)| format!("{var}={url}"))
            .unwrap_or_else(|| "none".into());
        format!(
            "region {}{}{}, endpoint {}, trusting {trust}, proxy {proxy}",
            self.region,
            if self.use_fips { ", FIPS" } else { "" },
            match self.sts_endpoints {
                StsEndpoints::Legacy => ", STS legacy (global) endpoints",
                StsEndpoints::Regional => "",
            },
            self.endpoint_url.as_deref().unwrap_or("default"),
        )
    }
}

/// `sts_regional_endpoints`: `regional` (the default of the AWS CLI v2 and the SDKs) sends STS
/// requests to `sts.REGION.amazonaws.com`; `legacy` sends those of the original regions to the
/// global `sts.amazonaws.com`, as the AWS CLI v1 did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StsEndpoints {
    #[default]
    Regional,
    Legacy,
}

/// Which service a client is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sts,
    Iam,
}

/// A network setting that cannot work (a configuration problem: exit 3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Proxy(#[from] super::proxy::BadProxy),
    #[error("{origin} = {value:?} is invalid: {reason}")]
    Setting {
        origin: String,
        value: String,
        reason: &'static str,
    },
}

impl Error {
    pub fn hint(&self) -> String {
        match self {
            Error::Bundle(BundleError::Unreadable { origin, .. }) => format!(
                "point {origin} at your company's root CA certificate (a PEM file), or unset it"
            ),
            Error::Bundle(BundleError::Invalid { origin, .. }) => format!(
                "{origin} must name a PEM file of CA certificates (-----BEGIN CERTIFICATE-----); export your company's root CA as Base-64 (PEM), not DER"
            ),
            Error::Proxy(_) => {
                "set it as http://HOST:PORT (with USER:PASSWORD@ before the host if the proxy wants a login), or unset it".into()
            }
            Error::Setting { origin, .. } => format!("fix or remove {origin}"),
        }
    }
}

/// The partition a region belongs to (by its name, as the SDK's partition rules do).
pub fn partition_of_region(region: &str) -> &'static str {
    const PREFIXES: &[(&str, &str)] = &[
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// The region to use in a partition when the configured one is elsewhere (or unset). For IAM
/// (a global service) it is also the signing region.
pub fn default_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        "aws-iso-e" => "eu-isoe-west-1",
        "aws-iso-f" => "us-isof-south-1",
        "aws-eusc" => "eusc-de-east-1",
        _ => "us-east-1",
    }
}

/// The STS client configuration of `target`: static keys, no retries, our HTTPS client.
#[cfg(test)]
pub(crate) fn sts_config(target: &Target, keys: &LongTermKeys) -> aws_sdk_sts::config::Builder {
    let (credentials, retries, timeouts) = crate::aws::sts::client_parts(target, keys);
    sts_config_with(target, credentials, retries, timeouts)
}

/// The STS client configuration of `target` with these credentials (long-term keys, or the
/// session AssumeRole is signed with), retries and timeouts.
pub(crate) fn sts_config_with(
    target: &Target,
    credentials: aws_sdk_sts::config::Credentials,
    retries: aws_sdk_sts::config::retry::RetryConfig,
    timeouts: aws_sdk_sts::config::timeout::TimeoutConfig,
) -> aws_sdk_sts::config::Builder {
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(credentials)
        .retry_config(retries)
        .timeout_config(timeouts)
        // A custom endpoint wins over FIPS, as in the AWS CLI (the SDK would refuse both).
        .use_fips(target.use_fips && target.endpoint_url.is_none())
        .http_client(http_client(&target.trust));
    if let Some(url) = &target.endpoint_url {
        config = config.endpoint_url(url.clone());
    } else if target.sts_endpoints == StsEndpoints::Legacy {
        config = config.endpoint_resolver(StsLegacyEndpoints);
    }
    config
}

/// The IAM client configuration of `target`, built like the STS one.
pub(crate) fn iam_config(target: &Target, keys: &LongTermKeys) -> aws_sdk_iam::config::Builder {
    let (credentials, retries, timeouts) = crate::aws::sts::client_parts(target, keys);
    let mut config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new(target.region.clone()))
        .credentials_provider(credentials)
        .retry_config(retries)
        .timeout_config(timeouts)
        // A custom endpoint wins over FIPS, as in the AWS CLI (the SDK would refuse both).
        .use_fips(target.use_fips && target.endpoint_url.is_none())
        .http_client(http_client(&target.trust));
    if let Some(url) = &target.endpoint_url {
        config = config.endpoint_url(url.clone());
    }
    config
}

/// The SDK's endpoint rules with `UseGlobalEndpoint` on: what `sts_regional_endpoints = legacy`
/// means (the SDK for Rust has no setting for it).
#[derive(Debug)]
struct StsLegacyEndpoints;

impl aws_sdk_sts::config::endpoint::ResolveEndpoint for StsLegacyEndpoints {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_sts::config::endpoint::Params,
    ) -> aws_sdk_sts::config::endpoint::EndpointFuture<'a> {
        use aws_sdk_sts::config::endpoint::{DefaultResolver, Params};
        let global = Params::builder()
            .set_region(params.region().map(str::to_string))
            .set_use_fips(params.use_fips())
            .set_use_dual_stack(params.use_dual_stack())
            .set_endpoint(params.endpoint().map(str::to_string))
            .use_global_endpoint(true)
            .build();
        aws_sdk_sts::config::endpoint::EndpointFuture::new(async move {
            let global = global?;
            DefaultResolver::new().resolve_endpoint(&global).await
        })
    }
}

/// The SDK's HTTPS client (rustls with aws-lc-rs, proxies from the environment as the SDK's
/// default client reads them) with our trust anchors.
pub(crate) fn http_client(trust: &Trust) -> SharedHttpClient {
    match trust {
        Trust::Bundle(_) => sdk_client(trust, Roots::Bundled),
        Trust::Default => SharedHttpClient::new(FallbackClient {
            bundled: sdk_client(trust, Roots::Bundled),
            system: sdk_client(trust, Roots::System),
        }),
    }
}

fn sdk_client(trust: &Trust, roots: Roots) -> SharedHttpClient {
    let tls = trust::tls_context(trust, roots);
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut builder = ConnectorBuilder::default()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(tls.clone());
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder.set_proxy_config(Some(ProxyConfig::from_env()));
        builder.build()
    })
}

/// Tries the bundled roots; when they do not know the server's issuer, builds the client with
/// the system's roots (only then paying for reading them) and sends the request again. The
/// handshake failed before a byte of the request went out, so AWS never saw it (or its code).
#[derive(Debug)]
struct FallbackClient {
    bundled: SharedHttpClient,
    system: SharedHttpClient,
}

impl HttpClient for FallbackClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FallbackConnector {
            bundled: self.bundled.http_connector(settings, components),
            system: Arc::new(LazyConnector {
                client: self.system.clone(),
                settings: settings.clone(),
                components: components.clone(),
                connector: OnceLock::new(),
            }),
        })
    }
}

#[derive(Debug)]
struct LazyConnector {
    client: SharedHttpClient,
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
    connector: OnceLock<SharedHttpConnector>,
}

impl LazyConnector {
    fn get(&self) -> &SharedHttpConnector {
        self.connector
            .get_or_init(|| self.client.http_connector(&self.settings, &self.components))
    }
}

#[derive(Debug)]
struct FallbackConnector {
    bundled: SharedHttpConnector,
    system: Arc<LazyConnector>,
}

impl HttpConnector for FallbackConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let again = request.try_clone();
        let first = self.bundled.call(request);
        let system = Arc::clone(&self.system);
        HttpConnectorFuture::new(async move {
            match (first.await, again) {
                (Err(e), Some(request)) if trust::is_unknown_issuer(&e) => {
                    crate::output::debug(1, || {
                        "the bundled roots do not trust the server; trying the system's".into()
                    });
                    system.get().call(request).await
                }
                (result, _) => result,
            }
        })
    }
}

/// A connection failure the user can act on: an untrusted certificate, or the proxy.
pub(crate) fn classify_connect(
    err: &(dyn std::error::Error + 'static),
    endpoint: &str,
) -> Option<crate::aws::sts::Error> {
    use crate::aws::sts::Error as S;
    if let Some(reason) = trust::certificate_rejection(err) {
        return Some(S::UntrustedCertificate {
            endpoint: endpoint.to_string(),
            reason,
        });
    }
    let proxy = super::proxy::for_endpoint(endpoint);
    match super::proxy::failure(err, proxy.is_some())? {
        super::proxy::Failure::Unreachable(detail) => Some(S::ProxyUnreachable {
            proxy: proxy.unwrap_or_default(),
            endpoint: endpoint.to_string(),
            detail,
        }),
        super::proxy::Failure::Refused(reason) => Some(S::ProxyRefused {
            proxy: proxy.unwrap_or_default(),
            endpoint: endpoint.to_string(),
            reason,
        }),
    }
}
