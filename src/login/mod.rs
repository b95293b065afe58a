//! `login`: the AWS console sign-in URL for a session, through the federation endpoint
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html>):
//! the session goes to `getSigninToken`, and the sign-in token (valid 15 minutes) into a
//! `Action=login` URL that signs the browser in. Hosts follow the partition; the sign-in endpoint
//! can be overridden with `AWS_ENDPOINT_URL_SIGNIN`, like the other endpoints.

use crate::credentials::Session;
use crate::secret::SecretText;

/// The issuer the console shows and returns to on sign-out.
pub const ISSUER: &str = "https://github.com/mfa-mint/mfa-mint";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "AWS refused GetFederationToken for profile {profile:?}, which the console sign-in of a user profile needs: {message}"
    )]
    FederationRefused { profile: String, message: String },
    #[error(
        "--destination {given:?} is neither a console URL (https://…) nor a service name such as s3"
    )]
    BadDestination { given: String },
    #[error("the sign-in endpoint {endpoint} refused the session (HTTP {status}): {detail}")]
    Signin {
        endpoint: String,
        status: u16,
        detail: String,
    },
    #[error("cannot open a browser ({program}): {source}")]
    Browser {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        use crate::exit;
        match self {
            Error::FederationRefused { .. } | Error::Signin { .. } => exit::AWS_REFUSED,
            Error::BadDestination { .. } => exit::INPUT,
            Error::Browser { .. } => exit::IO,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::FederationRefused { profile, .. } => format!(
                "use a role profile for the console (role_arn with source_profile = {profile}): `mfa-mint login ROLE_PROFILE`; a user's policy that requires MFA never allows GetFederationToken"
            ),
            Error::BadDestination { .. } => {
                "pass a service name (--destination s3) or a full console URL".into()
            }
            Error::Signin { .. } => {
                "check AWS_ENDPOINT_URL_SIGNIN if set; a session from GetSessionToken cannot sign in to the console: use a role profile".into()
            }
            Error::Browser { .. } => "pass --print and open the URL yourself".into(),
        })
    }
}

/// The sign-in and console bases of a partition (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hosts {
    pub signin: String,
    pub console: String,
}

/// `aws`, `aws-cn` and `aws-us-gov`; `signin_override` (`AWS_ENDPOINT_URL_SIGNIN`) replaces the
/// sign-in endpoint.
pub fn hosts(partition: &str, signin_override: Option<&str>) -> Hosts {
    let (signin, console) = match partition {
        "aws-cn" => (
            "https://signin.amazonaws.cn",
            "https://console.amazonaws.cn",
        ),
        "aws-us-gov" => (
            "https://signin.amazonaws-us-gov.com",
            "https://console.amazonaws-us-gov.com",
        ),
        _ => (
            "https://signin.aws.amazon.com",
            "https://console.aws.amazon.com",
        ),
    };
    Hosts {
        signin: signin_override
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| signin.to_string()),
        console: console.to_string(),
    }
}

/// Where the console opens: a console URL as given, a service name (`s3`, `ec2`,
/// `cloudformation`) as its home page in `region`, else the console's home in `region`.
pub fn destination(console: &str, given: Option<&str>, region: &str) -> Result<String, Error> {
    let region = encode(region);
    match given.map(str::trim) {
        None | Some("") => Ok(format!("{console}/console/home?region={region}")),
        Some(url) if url.starts_with("https://") => Ok(url.to_string()),
        Some(service)
            if service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            Ok(format!("{console}/{service}/home?region={region}"))
        }
        Some(other) => Err(Error::BadDestination {
            given: other.to_string(),
        }),
    }
}

/// The `getSigninToken` request for `session` (a secret: it carries the session).
/// `duration` (console session seconds) is for role sessions only: AWS refuses it with a
/// federation token.
pub fn token_request(signin: &str, session: &Session, duration: Option<u64>) -> SecretText {
    let json = SecretText::from_string(
        serde_json::json!({
            "sessionId": session.access_key_id,
            "sessionKey": session.secret_access_key.expose_secret(),
            "sessionToken": session.session_token.expose_secret(),
        })
        .to_string(),
    );
    let duration = duration
        .map(|d| format!("&SessionDuration={d}"))
        .unwrap_or_default();
    SecretText::from_string(format!(
        "{signin}/federation?Action=getSigninToken{duration}&Session={}",
        encode(json.expose_secret())
    ))
}

/// The `SigninToken` of a `getSigninToken` answer.
pub fn signin_token(body: &str) -> Option<SecretText> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(SecretText::new(v.get("SigninToken")?.as_str()?))
}

/// The URL that signs a browser in (a secret until used: whoever opens it gets the session).
pub fn login_url(signin: &str, destination: &str, token: &SecretText) -> SecretText {
    SecretText::from_string(format!(
        "{signin}/federation?Action=login&Issuer={}&Destination={}&SigninToken={}",
        encode(ISSUER),
        encode(destination),
        encode(token.expose_secret())
    ))
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A federated user's name for `profile`: 2–32 characters of `[\w+=,.@-]`.
pub fn federated_name(profile: &str) -> String {
    let mut name: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    while name.len() < 2 {
        name.push('-');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_the_partition_and_the_override() {
        assert_eq!(hosts("aws", None).signin, "https://signin.aws.amazon.com");
        assert_eq!(
            hosts("aws-cn", None).console,
            "https://console.amazonaws.cn"
        );
        assert_eq!(
            hosts("aws-us-gov", None).signin,
            "https://signin.amazonaws-us-gov.com"
        );
        assert_eq!(
            hosts("aws", Some("https://127.0.0.1:9/ ")).signin,
            "https://127.0.0.1:9"
        );
    }

    #[test]
    fn destinations_take_a_service_or_a_url() {
        let c = "https://console.aws.amazon.com";
        assert_eq!(
            destination(c, None, "eu-west-1").unwrap(),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            destination(c, Some("s3"), "eu-west-1").unwrap(),
            "https://console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            destination(c, Some("https://console.aws.amazon.com/iam/"), "x").unwrap(),
            "https://console.aws.amazon.com/iam/"
        );
        assert!(destination(c, Some("http://evil"), "x").is_err());
        assert!(destination(c, Some("S3 please"), "x").is_err());
    }

    #[test]
    fn urls_encode_the_session_and_token() {
        let session = Session {
            access_key_id: "ASIAKEY".into(),
            secret_access_key: SecretText::new("se/cr+et"),
            session_token: SecretText::new("to&ken="),
            expiration: 0,
        };
        let request = token_request("https://s", &session, Some(3600));
        let url = url::Url::parse(request.expose_secret()).unwrap();
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["Action"], "getSigninToken");
        assert_eq!(pairs["SessionDuration"], "3600");
        let json: serde_json::Value = serde_json::from_str(&pairs["Session"]).unwrap();
        assert_eq!(json["sessionKey"], "se/cr+et");
        assert_eq!(json["sessionToken"], "to&ken=");
        let token = signin_token(r#"{"SigninToken":"a+b/c"}"#).unwrap();
        let login = login_url("https://s", "https://c/x?region=y", &token);
        let url = url::Url::parse(login.expose_secret()).unwrap();
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["Action"], "login");
        assert_eq!(pairs["SigninToken"], "a+b/c");
        assert_eq!(pairs["Destination"], "https://c/x?region=y");
        assert_eq!(pairs["Issuer"], ISSUER);
        assert!(signin_token("{}").is_none());
    }

    #[test]
    fn federated_names_fit_aws_rules() {
        assert_eq!(federated_name("dev"), "dev");
        assert_eq!(federated_name("a"), "a-");
        assert_eq!(federated_name("my dev/profile"), "my-dev-profile");
        assert_eq!(federated_name(&"x".repeat(40)).len(), 32);
    }
}
