//! Proxies, the way curl, the AWS CLI and the SDK's client read them: `HTTPS_PROXY` /
//! `https_proxy` (else `ALL_PROXY`) for https endpoints, `HTTP_PROXY` for http ones, `NO_PROXY`
//! for hosts that go direct, and `http://user:password@host:port` for a proxy that wants a
//! login (percent-encode special characters). The SDK's client does the tunnelling; this module
//! checks the setting up front and tells proxy failures apart from AWS's.

use hyper_util::client::proxy::matcher::Matcher;

/// A proxy setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[error("{var} = {value} is not a usable proxy URL: {reason}")]
pub struct BadProxy {
    pub var: &'static str,
    /// With any password masked.
    pub value: String,
    pub reason: String,
}

/// The proxy setting that applies to https endpoints (`(variable, value)`, the first of
/// [`crate::env_vars::HTTPS_PROXY_VARS`] that is set), checked. Returns the URL with any password masked.
pub fn check(
    setting: Option<&(&'static str, String)>,
) -> Result<Option<(&'static str, String)>, BadProxy> {
    let Some((name, value)) = setting else {
        return Ok(None);
    };
    let name = *name;
    let masked = mask(value);
    let bad = |reason: &str| BadProxy {
        var: name,
        value: masked.clone(),
        reason: reason.to_string(),
    };
    // Like curl and the SDK's client: no scheme means http://.
    let with_scheme = if value.contains("://") {
        value.clone()
    } else {
        format!("http://{value}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(
            "only http:// and https:// proxies are supported (CONNECT tunnels)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it names no host"));
    }
    Ok(Some((name, masked)))
}

/// The proxy a request to `endpoint` goes through (password masked), as the SDK's client
/// decides from the environment, `NO_PROXY` included; `None` when it goes direct.
pub fn for_endpoint(endpoint: &str) -> Option<String> {
    let uri: http::Uri = endpoint.parse().ok()?;
    Matcher::from_env()
        .intercept(&uri)
        .map(|intercept| mask(&intercept.uri().to_string()))
}

/// `scheme://user:****@host:port`: a proxy URL fit for messages.
pub fn mask(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let prefix = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{prefix}{user}:****@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// How a proxied connection failed.
pub(crate) enum Failure {
    /// The proxy could not be reached (down, wrong host or port).
    Unreachable(String),
    /// It answered but would not open the tunnel.
    Refused(String),
}

/// Classifies a connection failure of a proxied request (`proxied`: the environment sends this
/// endpoint through a proxy) that the proxy caused. hyper-util's `TunnelError` is not exported,
/// so its messages are matched (pinned by the behaviour tests against tinyproxy).
pub(crate) fn failure(err: &(dyn std::error::Error + 'static), proxied: bool) -> Option<Failure> {
    if !proxied {
        return None;
    }
    for e in super::trust::chain(err) {
        let display = e.to_string();
        let Some(text) = display.strip_prefix("tunnel error: ") else {
            continue;
        };
        if text == "proxy authorization required" {
            return Some(Failure::Refused(
                "it wants a login (HTTP 407 Proxy Authentication Required)".into(),
            ));
        }
        if text == "unsuccessful" {
            return Some(Failure::Refused(
                "it refused to open a tunnel (CONNECT)".into(),
            ));
        }
        if text == "failed to create underlying connection" {
            let cause = e
                .source()
                .map_or_else(|| text.to_string(), |c| c.to_string());
            return Some(Failure::Unreachable(cause));
        }
    }
    // A plain-HTTP endpoint is proxied without a tunnel: its connect error is the proxy's.
    super::trust::chain(err).find_map(|e| {
        let io = e.downcast_ref::<std::io::Error>()?;
        matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::HostUnreachable
                | std::io::ErrorKind::NetworkUnreachable
        )
        .then(|| Failure::Unreachable(io.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_password_only() {
        assert_eq!(
            mask("http://alice:s3cr%40t@proxy.corp:3128/"),
            "http://alice:****@proxy.corp:3128/"
        );
        assert_eq!(mask("http://proxy.corp:3128"), "http://proxy.corp:3128");
        assert_eq!(mask("bob:pw@10.0.0.1:8080"), "bob:****@10.0.0.1:8080");
    }

    #[test]
    fn connect_errors_count_only_for_proxied_requests() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(failure(&refused, false).is_none());
        assert!(matches!(
            failure(&refused, true),
            Some(Failure::Unreachable(_))
        ));
    }

    /// Stands in for hyper-util's unexported `TunnelError` (same texts).
    #[derive(Debug)]
    struct Tunnel(&'static str, Option<std::io::Error>);

    impl std::fmt::Display for Tunnel {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "tunnel error: {}", self.0)
        }
    }

    impl std::error::Error for Tunnel {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn tunnel_failures_are_told_apart() {
        let auth = Tunnel("proxy authorization required", None);
        assert!(matches!(failure(&auth, true), Some(Failure::Refused(r)) if r.contains("407")));
        let denied = Tunnel("unsuccessful", None);
        assert!(
            matches!(failure(&denied, true), Some(Failure::Refused(r)) if r.contains("CONNECT"))
        );
        let down = Tunnel(
            "failed to create underlying connection",
            Some(std::io::Error::other("connection refused")),
        );
        assert!(
            matches!(failure(&down, true), Some(Failure::Unreachable(d)) if d == "connection refused")
        );
        assert!(
            failure(&auth, false).is_none(),
            "a direct request has no proxy to blame"
        );
    }
}
