//! Credentials below everything else: long-term IAM user keys, a session, and the session's
//! `credential_process` JSON (Version 1), the form the AWS CLI and SDKs read from
//! `mfa-mint credential-process`. `config` reads keys into these types, `aws` sends and returns
//! them, `vault` stores them, so none of those needs another.

use serde_json::json;

use crate::clock::{format_rfc3339, parse_timestamp};
use crate::secret::SecretText;

/// Long-term IAM user keys (`AKIA…`).
pub struct LongTermKeys {
    pub access_key_id: String,
    pub secret_access_key: SecretText,
}

/// A session from GetSessionToken.
pub struct Session {
    pub access_key_id: String,
    pub secret_access_key: SecretText,
    pub session_token: SecretText,
    /// Unix seconds.
    pub expiration: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("access_key_id", &crate::secret::mask(&self.access_key_id))
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// The AWS credential_process JSON (Version 1).
pub fn to_json(session: &Session) -> SecretText {
    SecretText::from_string(
        json!({
            "Version": 1,
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key.expose_secret(),
            "SessionToken": session.session_token.expose_secret(),
            "Expiration": format_rfc3339(session.expiration),
        })
        .to_string(),
    )
}

pub fn from_json(text: &str) -> Option<Session> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let field = |k: &str| v.get(k)?.as_str().map(str::to_string);
    Some(Session {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: SecretText::from_string(field("SecretAccessKey")?),
        session_token: SecretText::from_string(field("SessionToken")?),
        expiration: parse_timestamp(&field("Expiration")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretText::new("se'cret"),
            session_token: SecretText::new("tok"),
            expiration: 1_795_993_373,
        }
    }

    #[test]
    fn credential_process_json_round_trips() {
        let json = to_json(&session());
        let v: serde_json::Value = serde_json::from_str(json.expose_secret()).unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["Expiration"], "2026-11-29T23:02:53Z");
        let back = from_json(json.expose_secret()).unwrap();
        assert_eq!(back.secret_access_key.expose_secret(), "se'cret");
        assert_eq!(back.expiration, 1_795_993_373);
    }
}
