//! The STS client: GetSessionToken with explicit long-term keys, AssumeRole from a session, and
//! GetCallerIdentity for the clock check; nothing else.
//!
//! The client is built from `aws_sdk_sts::Config::builder()` with static credentials, an explicit
//! region and (optionally) an endpoint: no default provider chain, no IMDS, no SSO, no profile
//! re-parse, no retries, so a mint is exactly one HTTP request. AWS errors are classified here so
//! the error renderer can give each its own hint.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sts::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_sts::config::{ConfigBag, Credentials, Intercept, RuntimeComponents};
use aws_sdk_sts::error::{BoxError, ProvideErrorMetadata, SdkError};

use crate::aws::answer;
use crate::secret::SecretText;

pub use crate::aws::client::Target;
use crate::credentials::{LongTermKeys, Session};

/// What AWS (or the network) said, classified.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("AWS rejected the MFA code: {message}")]
    InvalidCode { message: String },
    #[error("AWS does not accept this MFA device for these keys: {message}")]
    SerialNotValid { message: String },
    #[error("AWS rejected the long-term access key: {message}")]
    InvalidKeys { message: String },
    #[error("AWS rejected the request signature: {message}")]
    BadSignature { message: String },
    #[error("AWS says the request time is too far from its clock: {message}")]
    ClockSkew { message: String },
    #[error("AWS says the credentials have expired: {message}")]
    Expired { message: String },
    #[error("AWS denied the request: {message}")]
    AccessDenied { message: String },
    #[error("AWS rejected a parameter: {message}")]
    Validation { message: String },
    #[error("AWS is throttling requests: {message}")]
    Throttled { message: String },
    #[error("AWS answered with a server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("the certificate of {endpoint} is not trusted: {reason}")]
    UntrustedCertificate { endpoint: String, reason: String },
    #[error("cannot reach the proxy {proxy} (for {endpoint}): {detail}")]
    ProxyUnreachable {
        proxy: String,
        endpoint: String,
        detail: String,
    },
    #[error("the proxy {proxy} would not connect to {endpoint}: {reason}")]
    ProxyRefused {
        proxy: String,
        endpoint: String,
        reason: String,
    },
    #[error("the request to {endpoint} timed out")]
    Timeout { endpoint: String },
    #[error("cannot reach {endpoint}: {detail}")]
    Network { endpoint: String, detail: String },
    #[error("the answer from {endpoint} could not be understood: {detail}")]
    Malformed { endpoint: String, detail: String },
    /// The request left, then the connection broke before the answer came: AWS may have
    /// accepted (and so used up) the code.
    #[error(
        "the connection to {endpoint} broke after the request was sent, so its answer was lost: {detail}"
    )]
    AnswerLost { endpoint: String, detail: String },
    /// A well-formed answer whose credentials are unusable (see [`crate::aws::answer`]).
    #[error("the answer from {endpoint} is not a usable session: {what}")]
    BadAnswer { endpoint: String, what: String },
    #[error("AWS returned {code}: {message}")]
    Other { code: String, message: String },
}

impl Error {
    /// Transient failures: a retry later may succeed without the user changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Throttled { .. }
                | Error::Server { .. }
                | Error::Timeout { .. }
                | Error::Network { .. }
                | Error::Malformed { .. }
                | Error::AnswerLost { .. }
                | Error::BadAnswer { .. }
                | Error::ProxyUnreachable { .. }
        )
    }

    /// Failures only a change of settings fixes (trust, proxy login): a configuration problem.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Error::UntrustedCertificate { .. } | Error::ProxyRefused { .. }
        )
    }
}

impl Error {
    /// Whether AWS may have accepted (and so used up) the code: it rejected it, or the request
    /// left and its answer was lost or unusable (a code counts as spent once its request has
    /// left). Any other failure happened before the code was checked.
    pub fn code_may_be_used(&self) -> bool {
        matches!(
            self,
            Error::InvalidCode { .. }
                | Error::Timeout { .. }
                | Error::Malformed { .. }
                | Error::AnswerLost { .. }
                | Error::BadAnswer { .. }
        )
    }
}

/// Records the `Date` header of the last response, to measure clock offset against AWS, and
/// where the request went (`scheme://host[:port]`), for messages.
#[derive(Debug, Clone, Default)]
pub struct DateProbe(Arc<Mutex<Option<String>>>, Arc<Mutex<Option<String>>>);

impl DateProbe {
    pub fn last(&self) -> Option<String> {
        self.0.lock().ok().and_then(|g| g.clone())
    }

    /// The endpoint the last request was sent to, as resolved by the SDK.
    pub fn endpoint(&self) -> Option<String> {
        self.1.lock().ok().and_then(|g| g.clone())
    }
}

impl Intercept for DateProbe {
    fn name(&self) -> &'static str {
        "mfa-mint-date-probe"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Ok(uri), Ok(mut slot)) =
            (context.request().uri().parse::<http::Uri>(), self.1.lock())
        {
            *slot = Some(match (uri.scheme_str(), uri.authority()) {
                (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
                _ => uri.to_string(),
            });
        }
        Ok(())
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(date), Ok(mut slot)) =
            (context.response().headers().get("date"), self.0.lock())
        {
            *slot = Some(date.to_string());
        }
        Ok(())
    }
}

/// What every AWS client of mfa-mint is built from: static credentials, no retries (exactly one
/// request; a wrapper decides about retrying transient failures), explicit timeouts.
pub(crate) fn client_parts(
    target: &Target,
    keys: &LongTermKeys,
) -> (Credentials, RetryConfig, TimeoutConfig) {
    let credentials = Credentials::new(
        keys.access_key_id.clone(),
        keys.secret_access_key.expose_secret().to_string(),
        None,
        None,
        "mfa-mint",
    );
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(target.timeout.min(Duration::from_secs(10)))
        .operation_timeout(target.timeout)
        .build();
    (credentials, RetryConfig::disabled(), timeouts)
}

pub(super) fn client(
    target: &Target,
    keys: &LongTermKeys,
    probe: &DateProbe,
) -> aws_sdk_sts::Client {
    let (credentials, retries, timeouts) = client_parts(target, keys);
    client_with(target, credentials, retries, timeouts, probe)
}

fn client_with(
    target: &Target,
    credentials: Credentials,
    retries: RetryConfig,
    timeouts: TimeoutConfig,
    probe: &DateProbe,
) -> aws_sdk_sts::Client {
    let config = crate::aws::client::sts_config_with(target, credentials, retries, timeouts)
        .interceptor(probe.clone());
    aws_sdk_sts::Client::from_conf(config.build())
}

/// The one I/O runtime builder of every AWS call (STS and IAM): one thread, this one.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Network {
            endpoint: "AWS".into(),
            detail: format!("cannot start the I/O runtime: {e}"),
        })
}

/// Calls GetSessionToken once.
pub fn get_session_token(
    target: &Target,
    keys: &LongTermKeys,
    serial: &str,
    code: &str,
    duration_secs: u32,
    probe: &DateProbe,
) -> Result<Session, Error> {
    let endpoint = endpoint_label(target);
    let client = client(target, keys, probe);
    let request = client
        .get_session_token()
        .serial_number(serial)
        .token_code(code)
        .duration_seconds(duration_secs as i32);
    let sent = crate::clock::now();
    let output = runtime()?
        .block_on(request.send())
        .map_err(|e| classify(e, &probe.endpoint().unwrap_or(endpoint.clone())))?;
    let creds = output.credentials.ok_or_else(|| Error::Malformed {
        endpoint: endpoint.clone(),
        detail: "no Credentials in the response".into(),
    })?;
    checked(creds, duration_secs, sent, probe, &endpoint)
}

/// The session of an answer, if it passes [`answer::check`] against AWS's time: local time
/// corrected by the answer's own `Date` header (the expiration is in AWS's time).
fn checked(
    creds: aws_sdk_sts::types::Credentials,
    duration_secs: u32,
    sent: f64,
    probe: &DateProbe,
    endpoint: &str,
) -> Result<Session, Error> {
    let received = crate::clock::now();
    let offset = probe
        .last()
        .and_then(|date| crate::state::skew::measure(&date, sent, received))
        .unwrap_or(0.0);
    let session = Session {
        expiration: creds.expiration.secs(),
        access_key_id: creds.access_key_id,
        secret_access_key: SecretText::from_string(creds.secret_access_key),
        session_token: SecretText::from_string(creds.session_token),
    };
    let fields = answer::Fields {
        access_key_id: &session.access_key_id,
        secret_access_key: session.secret_access_key.expose_secret(),
        session_token: session.session_token.expose_secret(),
        expiration: session.expiration,
    };
    answer::check(&fields, duration_secs, (received + offset) as i64).map_err(|what| {
        Error::BadAnswer {
            endpoint: probe.endpoint().unwrap_or_else(|| endpoint.to_string()),
            what,
        }
    })?;
    Ok(session)
}

/// What AssumeRole needs besides the caller's session (the AWS CLI's profile keys).
#[derive(Debug, Clone)]
pub struct RoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: u32,
    pub external_id: Option<String>,
}

/// Calls AssumeRole once, signed with `caller`: a session from GetSessionToken with MFA, whose
/// MFA context AWS carries into the role (so no code is sent again).
/// <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>
pub fn assume_role(
    target: &Target,
    caller: &Session,
    role: &RoleRequest,
    probe: &DateProbe,
) -> Result<Session, Error> {
    let endpoint = endpoint_label(target);
    let keys = LongTermKeys {
        access_key_id: caller.access_key_id.clone(),
        secret_access_key: caller.secret_access_key.clone(),
    };
    let (_, retries, timeouts) = client_parts(target, &keys);
    let credentials = Credentials::new(
        caller.access_key_id.clone(),
        caller.secret_access_key.expose_secret().to_string(),
        Some(caller.session_token.expose_secret().to_string()),
        None,
        "mfa-mint",
    );
    let client = client_with(target, credentials, retries, timeouts, probe);
    let request = client
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(&role.session_name)
        .duration_seconds(role.duration_secs as i32)
        .set_external_id(role.external_id.clone());
    let sent = crate::clock::now();
    let output = runtime()?
        .block_on(request.send())
        .map_err(|e| classify(e, &probe.endpoint().unwrap_or(endpoint.clone())))?;
    let creds = output.credentials.ok_or_else(|| Error::Malformed {
        endpoint: endpoint.clone(),
        detail: "no Credentials in the response".into(),
    })?;
    checked(creds, role.duration_secs, sent, probe, &endpoint)
}

/// Measures AWS's clock against ours with one GetCallerIdentity request (seconds, AWS minus local).
pub fn clock_offset(target: &Target, keys: &LongTermKeys) -> Result<f64, Error> {
    let endpoint = endpoint_label(target);
    let probe = DateProbe::default();
    let client = client(target, keys, &probe);
    let sent = crate::clock::now();
    let result = runtime()?.block_on(client.get_caller_identity().send());
    let received = crate::clock::now();
    // Any answer from AWS carries its Date header, even an error.
    if let Some(offset) = probe
        .last()
        .and_then(|d| crate::state::skew::measure(&d, sent, received))
    {
        return Ok(offset);
    }
    result.map_err(|e| classify(e, &probe.endpoint().unwrap_or(endpoint.clone())))?;
    Err(Error::Malformed {
        endpoint,
        detail: "the response has no Date header".into(),
    })
}

/// GetCallerIdentity signed with `keys`: the ARN they belong to (`rotate` checks a new key with
/// it before deleting the old one).
pub fn caller_arn(target: &Target, keys: &LongTermKeys) -> Result<String, Error> {
    let endpoint = endpoint_label(target);
    let probe = DateProbe::default();
    let client = client(target, keys, &probe);
    let out = runtime()?
        .block_on(client.get_caller_identity().send())
        .map_err(|e| classify(e, &probe.endpoint().unwrap_or(endpoint.clone())))?;
    out.arn.ok_or_else(|| Error::Malformed {
        endpoint,
        detail: "no Arn in GetCallerIdentity".into(),
    })
}

pub(super) fn endpoint_label(target: &Target) -> String {
    target
        .endpoint_url
        .clone()
        .unwrap_or_else(|| format!("sts.{}.amazonaws.com", target.region))
}

pub(crate) fn classify<E>(err: SdkError<E>, endpoint: &str) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let e = ctx.err();
            classify_service(
                status,
                e.code(),
                e.message().unwrap_or("(no message)"),
                endpoint,
            )
        }
        SdkError::TimeoutError(_) => Error::Timeout {
            endpoint: endpoint.into(),
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => Error::Timeout {
            endpoint: endpoint.into(),
        },
        SdkError::DispatchFailure(d)
            if let Some(e) = d
                .as_connector_error()
                .and_then(|c| crate::aws::client::classify_connect(c, endpoint)) =>
        {
            e
        }
        SdkError::DispatchFailure(d)
            if d.as_connector_error()
                .is_some_and(|c| broke_after_connecting(c)) =>
        {
            Error::AnswerLost {
                endpoint: endpoint.into(),
                detail: d
                    .as_connector_error()
                    .map(|c| source_chain(c))
                    .unwrap_or_default(),
            }
        }
        SdkError::DispatchFailure(d) => Error::Network {
            endpoint: endpoint.into(),
            detail: d
                .as_connector_error()
                .map(|c| source_chain(c))
                .unwrap_or_else(|| "connection failed".into()),
        },
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            if status >= 500 {
                Error::Server {
                    status,
                    message: "unreadable response".into(),
                }
            } else {
                Error::Malformed {
                    endpoint: endpoint.into(),
                    detail: format!("HTTP {status}, body is not AWS XML"),
                }
            }
        }
        other => Error::Malformed {
            endpoint: endpoint.into(),
            detail: source_chain(&other),
        },
    }
}

/// Whether a transport failure came after the connection stood (hyper's client says whether it
/// failed while connecting: DNS, TCP, TLS handshake, proxy tunnel). Past that point the request
/// may have been sent, and AWS may have acted on it.
fn broke_after_connecting(err: &(dyn std::error::Error + 'static)) -> bool {
    crate::aws::trust::chain(err)
        .find_map(|e| e.downcast_ref::<hyper_util::client::legacy::Error>())
        .is_some_and(|e| !e.is_connect())
}

fn classify_service(status: u16, code: Option<&str>, message: &str, endpoint: &str) -> Error {
    let message = message.to_string();
    let lower = message.to_ascii_lowercase();
    match code {
        Some("AccessDenied") if lower.contains("one time pass code") => {
            Error::InvalidCode { message }
        }
        Some("AccessDenied") if lower.contains("serial number") => {
            Error::SerialNotValid { message }
        }
        Some("AccessDenied") => Error::AccessDenied { message },
        Some("InvalidClientTokenId") => Error::InvalidKeys { message },
        Some("SignatureDoesNotMatch") if lower.contains("expired") => Error::ClockSkew { message },
        Some("SignatureDoesNotMatch") => Error::BadSignature { message },
        Some("RequestExpired") => Error::ClockSkew { message },
        Some("ExpiredToken") => Error::Expired { message },
        Some("ValidationError") => Error::Validation { message },
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            Error::Throttled { message }
        }
        _ if status >= 500 => Error::Server { status, message },
        Some(code) => Error::Other {
            code: code.to_string(),
            message,
        },
        None => Error::Malformed {
            endpoint: endpoint.into(),
            detail: format!("HTTP {status} without an AWS error code"),
        },
    }
}

fn source_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_aws_error_texts() {
        let e = classify_service(
            403,
            Some("AccessDenied"),
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            "x",
        );
        assert!(matches!(e, Error::InvalidCode { .. }));
        let e = classify_service(
            403,
            Some("AccessDenied"),
            "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
            "x",
        );
        assert!(matches!(e, Error::SerialNotValid { .. }));
        let e = classify_service(400, Some("Throttling"), "Rate exceeded", "x");
        assert!(e.is_transient());
        let e = classify_service(503, None, "", "x");
        assert!(matches!(e, Error::Server { status: 503, .. }));
        let e = classify_service(403, Some("InvalidClientTokenId"), "bad", "x");
        assert!(matches!(e, Error::InvalidKeys { .. }) && !e.is_transient());
        let e = classify_service(418, None, "", "x");
        assert!(matches!(e, Error::Malformed { .. }));
    }
}
