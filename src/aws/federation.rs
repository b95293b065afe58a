//! What `login` asks of AWS: STS GetFederationToken with an IAM user's long-term keys (a user
//! profile's console session, as aws-vault makes it), and one GET of the sign-in federation
//! endpoint (`getSigninToken`), over the same HTTPS client, trust and proxy as STS.
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html>

use std::time::Duration;

use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use super::client::Target;
use super::sts::{self, DateProbe, Error};
use super::trust::{self, Roots, Trust};
use crate::credentials::{LongTermKeys, Session};
use crate::secret::SecretText;

/// "Allow everything": the federated user's permissions are then exactly the IAM user's (the
/// intersection of this and the user's policies). Without a policy the session could do nothing.
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Calls GetFederationToken once with the user's long-term keys (AWS refuses session keys).
pub fn get_federation_token(
    target: &Target,
    keys: &LongTermKeys,
    name: &str,
    duration_secs: u32,
) -> Result<Session, Error> {
    let endpoint = sts::endpoint_label(target);
    let probe = DateProbe::default();
    let client = sts::client(target, keys, &probe);
    let request = client
        .get_federation_token()
        .name(name)
        .policy(ALLOW_ALL)
        .duration_seconds(duration_secs as i32);
    let output = sts::runtime()?
        .block_on(request.send())
        .map_err(|e| sts::classify(e, &probe.endpoint().unwrap_or(endpoint.clone())))?;
    let creds = output.credentials.ok_or_else(|| Error::Malformed {
        endpoint: endpoint.clone(),
        detail: "no Credentials in the response".into(),
    })?;
    Ok(Session {
        expiration: creds.expiration.secs(),
        access_key_id: creds.access_key_id,
        secret_access_key: SecretText::from_string(creds.secret_access_key),
        session_token: SecretText::from_string(creds.session_token),
    })
}

/// GETs `url` (which carries the session: a secret) and returns the status and body. The
/// bundled roots first, then the system's when they do not know the issuer (as for STS), or
/// only the CA bundle when one is set.
pub fn get(url: &SecretText, trust: &Trust, timeout: Duration) -> Result<(u16, String), Error> {
    let endpoint = url::Url::parse(url.expose_secret())
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| "the sign-in endpoint".into());
    let runtime = sts::runtime()?;
    let first = runtime.block_on(fetch(url, trust, Roots::Bundled, timeout, &endpoint));
    match first {
        Err(Failure::UnknownIssuer(_)) if matches!(trust, Trust::Default) => runtime
            .block_on(fetch(url, trust, Roots::System, timeout, &endpoint))
            .map_err(Failure::into_error),
        other => other.map_err(Failure::into_error),
    }
}

enum Failure {
    UnknownIssuer(Error),
    Other(Error),
}

impl Failure {
    fn into_error(self) -> Error {
        match self {
            Failure::UnknownIssuer(e) | Failure::Other(e) => e,
        }
    }
}

async fn fetch(
    url: &SecretText,
    trust: &Trust,
    roots: Roots,
    timeout: Duration,
    endpoint: &str,
) -> Result<(u16, String), Failure> {
    let mut builder = aws_smithy_http_client::ConnectorBuilder::default()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(trust::tls_context(trust, roots));
    builder.set_connector_settings(Some(
        HttpConnectorSettings::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build(),
    ));
    builder.set_proxy_config(Some(aws_smithy_http_client::proxy::ProxyConfig::from_env()));
    let connector = builder.build();
    let request = http::Request::builder()
        .method("GET")
        .uri(url.expose_secret())
        .header("accept", "application/json")
        .body(SdkBody::empty())
        .map_err(|e| {
            Failure::Other(Error::Malformed {
                endpoint: endpoint.to_string(),
                detail: format!("cannot build the request: {e}"),
            })
        })?;
    let request = HttpRequest::try_from(request).map_err(|e| {
        Failure::Other(Error::Malformed {
            endpoint: endpoint.to_string(),
            detail: format!("cannot build the request: {e}"),
        })
    })?;
    let answer = async {
        let response = connector.call(request).await.map_err(|e| {
            if trust::is_unknown_issuer(&e) {
                Failure::UnknownIssuer(Error::UntrustedCertificate {
                    endpoint: endpoint.to_string(),
                    reason: e.to_string(),
                })
            } else {
                Failure::Other(Error::Network {
                    endpoint: endpoint.to_string(),
                    detail: e.to_string(),
                })
            }
        })?;
        let status = response.status().as_u16();
        let body = aws_smithy_types::byte_stream::ByteStream::new(response.into_body())
            .collect()
            .await
            .map_err(|e| {
                Failure::Other(Error::Network {
                    endpoint: endpoint.to_string(),
                    detail: e.to_string(),
                })
            })?;
        Ok((
            status,
            String::from_utf8_lossy(&body.into_bytes()).into_owned(),
        ))
    };
    tokio::time::timeout(timeout, answer).await.map_err(|_| {
        Failure::Other(Error::Timeout {
            endpoint: endpoint.to_string(),
        })
    })?
}
