//! The credentials server of `exec --server` and `serve` (issue 24): the container credentials
//! provider protocol that every AWS SDK and the AWS CLI speak, on loopback, renewing its session
//! before expiry with the stored seed.
//!
//! The SDKs read `AWS_CONTAINER_CREDENTIALS_FULL_URI` (plain http is allowed for loopback) and
//! send `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header; the answer is JSON with
//! `AccessKeyId`, `SecretAccessKey`, `Token` and `Expiration`
//! (<https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html>).
//!
//! Guards: 127.0.0.1 and a port the OS picks; a random 256-bit token compared in constant time
//! on every request (401 without it); a `Host` other than `127.0.0.1:PORT` refused (403), so a web
//! page that rebinds a DNS name to 127.0.0.1 gets nothing even if it learnt the token; one
//! request per connection with a 5 s read deadline and at most [`MAX_CONNECTIONS`] at a time, so
//! a stuck client never blocks the others. Requests never wait for a mint: renewal runs on its
//! own thread ([`refresh`]) and answers use whatever session is current.

pub(crate) mod http;
pub(crate) mod refresh;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::credentials::Session;
use crate::secret::SecretText;
use http::{Request, Response};

/// The variable naming the server's URL for the SDKs.
pub const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The variable holding the token the SDKs send as `Authorization`.
pub const AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// Variables that would make an SDK in the child use other credentials than the server's (the
/// static keys win over the container provider; a relative URI or a token file over ours).
pub const CONFLICTING: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Connections served at once; more are closed unanswered.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send its request (and to read the answer).
const IO_DEADLINE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on 127.0.0.1 for the credentials server: {0}")]
    Bind(#[source] std::io::Error),
    #[error("cannot make a random token for the credentials server")]
    Random,
    #[error("cannot start the credentials server's thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        crate::exit::IO
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Bind(_) => {
                "check that loopback networking (127.0.0.1) works on this machine".into()
            }
            Error::Random | Error::Thread(_) => return None,
        })
    }
}

/// What the server answers with: the current session, and why renewing it failed last.
pub struct Served {
    pub session: Option<Session>,
    pub failure: Option<String>,
}

/// A running server: the two variables a client needs. The threads end with the process.
pub struct Running {
    pub url: String,
    pub token: SecretText,
}

impl Running {
    /// `(name, value)` of the two variables, the token last.
    pub fn variables(&self) -> [(&'static str, &str); 2] {
        [
            (FULL_URI, self.url.as_str()),
            (AUTHORIZATION_TOKEN, self.token.expose_secret()),
        ]
    }
}

/// What a request must carry to get an answer.
struct Gate {
    /// `127.0.0.1:PORT`.
    host: String,
    token: SecretText,
}

/// Starts serving `initial` on 127.0.0.1 and renewing it `window` seconds before expiry with
/// `source`, which fails with the line to show (the error with its causes and hint). `who` names
/// the session in warnings (`profile dev`).
pub fn start<S>(initial: Session, window: u64, who: &str, source: S) -> Result<Running, Error>
where
    S: FnMut() -> Result<Session, String> + Send + 'static,
{
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(Error::Bind)?;
    let port = listener.local_addr().map_err(Error::Bind)?.port();
    let gate = Arc::new(Gate {
        host: format!("127.0.0.1:{port}"),
        token: random_token()?,
    });
    let shared = Arc::new(Mutex::new(Served {
        session: Some(initial),
        failure: None,
    }));
    let running = Running {
        url: format!("http://127.0.0.1:{port}/"),
        token: gate.token.clone(),
    };
    let refresher = refresh::Refresher {
        shared: Arc::clone(&shared),
        window,
        source,
        failures: 0,
        who: who.to_string(),
    };
    std::thread::Builder::new()
        .name("refresh".into())
        .spawn(move || refresh::run(refresher))
        .map_err(Error::Thread)?;
    std::thread::Builder::new()
        .name("serve".into())
        .spawn(move || accept(listener, gate, shared))
        .map_err(Error::Thread)?;
    crate::output::debug(1, || {
        format!("{who}: credentials server on http://127.0.0.1:{port}/")
    });
    Ok(running)
}

fn accept(listener: TcpListener, gate: Arc<Gate>, shared: Arc<Mutex<Served>>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, say: let the open connections finish first.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let (gate, shared, done) = (Arc::clone(&gate), Arc::clone(&shared), Arc::clone(&active));
        let spawned = std::thread::Builder::new().spawn(move || {
            serve_connection(stream, &gate, &shared);
            done.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn serve_connection(mut stream: TcpStream, gate: &Gate, shared: &Mutex<Served>) {
    let _ = stream.set_read_timeout(Some(IO_DEADLINE));
    let _ = stream.set_write_timeout(Some(IO_DEADLINE));
    let request = match http::read_head(&mut stream) {
        Ok(Some(head)) => http::parse(&head),
        // Closed, too big or too slow: nothing worth answering.
        _ => return,
    };
    let response = answer(
        request.as_ref(),
        gate,
        shared,
        crate::clock::now_secs() as i64,
    );
    if response.status != 200 {
        crate::output::debug(1, || {
            format!(
                "credentials server: answered {} to {}",
                response.status,
                request
                    .as_ref()
                    .map_or("a malformed request".to_string(), |r| format!(
                        "{} {}",
                        r.method, r.target
                    ))
            )
        });
    }
    let _ = http::write(&mut stream, &response);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// The answer to one request: checks in order Host, token, method and path, then the session.
fn answer(request: Option<&Request>, gate: &Gate, shared: &Mutex<Served>, now: i64) -> Response {
    let Some(request) = request.filter(|r| !r.repeated) else {
        return Response::error(400, "BadRequest", "malformed request");
    };
    if request.host.as_deref() != Some(gate.host.as_str()) {
        return Response::error(
            403,
            "InvalidHost",
            &format!("this server answers requests for {} only", gate.host),
        );
    }
    let authorized = request.authorization.as_ref().is_some_and(|given| {
        crate::secret::ct_eq(
            given.expose_secret().as_bytes(),
            gate.token.expose_secret().as_bytes(),
        )
    });
    if !authorized {
        return Response::error(
            401,
            "Unauthorized",
            "missing or wrong Authorization: send AWS_CONTAINER_AUTHORIZATION_TOKEN",
        );
    }
    if request.method != "GET" {
        return Response::error(405, "MethodNotAllowed", "only GET is served");
    }
    if request.target != "/" {
        return Response::error(404, "NotFound", "credentials are served at /");
    }
    let served = shared.lock().unwrap_or_else(|e| e.into_inner());
    match &served.session {
        Some(session) if session.expiration > now => Response {
            status: 200,
            body: container_json(session),
        },
        _ => Response::error(
            503,
            "CredentialsUnavailable",
            &format!(
                "mfa-mint could not renew the expired session: {}",
                served.failure.as_deref().unwrap_or("no session yet")
            ),
        ),
    }
}

/// The container provider's answer.
fn container_json(session: &Session) -> SecretText {
    SecretText::from_string(
        serde_json::json!({
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key.expose_secret(),
            "Token": session.session_token.expose_secret(),
            "Expiration": crate::clock::format_rfc3339(session.expiration),
        })
        .to_string(),
    )
}

/// 32 bytes from the OS's random source (through the TLS stack mfa-mint already ships),
/// base64url without padding: 43 characters.
fn random_token() -> Result<SecretText, Error> {
    use base64::Engine;
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(bytes.as_mut())
        .map_err(|_| Error::Random)?;
    Ok(SecretText::from_string(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        Gate {
            host: "127.0.0.1:4321".into(),
            token: SecretText::new("the-token"),
        }
    }

    fn served(expiration: i64) -> Mutex<Served> {
        Mutex::new(Served {
            session: Some(Session {
                access_key_id: "ASIAKEY".into(),
                secret_access_key: SecretText::new("secret"),
                session_token: SecretText::new("token"),
                expiration,
            }),
            failure: Some("STS is down".into()),
        })
    }

    fn ask(raw: &str, now: i64) -> (u16, serde_json::Value) {
        let request = http::parse(raw.as_bytes());
        let r = answer(request.as_ref(), &gate(), &served(1_000), now);
        (
            r.status,
            serde_json::from_str(r.body.expose_secret()).unwrap(),
        )
    }

    const GOOD: &str = "GET / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAuthorization: the-token";

    #[test]
    fn a_good_request_gets_the_session_in_the_container_shape() {
        let (status, v) = ask(GOOD, 999);
        assert_eq!(status, 200);
        assert_eq!(v["AccessKeyId"], "ASIAKEY");
        assert_eq!(v["SecretAccessKey"], "secret");
        assert_eq!(v["Token"], "token");
        assert_eq!(v["Expiration"], "1970-01-01T00:16:40Z");
    }

    #[test]
    fn wrong_host_token_method_or_path_get_nothing() {
        for (raw, status) in [
            (
                "GET / HTTP/1.1\r\nHost: evil.example:4321\r\nAuthorization: the-token",
                403,
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost:4321\r\nAuthorization: the-token",
                403,
            ),
            ("GET / HTTP/1.1\r\nAuthorization: the-token", 403),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1:4321", 401),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAuthorization: the-tokeN",
                401,
            ),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAuthorization: Bearer the-token",
                401,
            ),
            (
                "POST / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAuthorization: the-token",
                405,
            ),
            (
                "GET /x HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nAuthorization: the-token",
                404,
            ),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nHost: evil\r\nAuthorization: the-token",
                400,
            ),
        ] {
            let (got, v) = ask(raw, 999);
            assert_eq!(got, status, "{raw:?}");
            assert!(v.get("AccessKeyId").is_none());
            assert!(!v.to_string().contains("secret"), "{v}");
        }
    }

    #[test]
    fn an_expired_session_gets_503_with_why() {
        let (status, v) = ask(GOOD, 1_000);
        assert_eq!(status, 503);
        assert_eq!(v["code"], "CredentialsUnavailable");
        assert!(
            v["message"].as_str().unwrap().contains("STS is down"),
            "{v}"
        );
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.expose_secret().len(), 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
