//! The fake's console sign-in: STS GetFederationToken (a federated user's session from an IAM
//! user's long-term keys) and the federation endpoint's `getSigninToken` (`GET /federation`,
//! unsigned: the session travels in the query), as `login` uses them.
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html>

use std::collections::HashMap;
use std::sync::Mutex;

use super::{AwsError, Call, FakeAws, IssuedSession, State, Validation, http, success_xml, wire};

pub fn get_federation_token(call: &mut Call<'_>) -> Result<String, AwsError> {
    if call.caller.session.is_some() {
        return Err(AwsError::access_denied(
            "Cannot call GetFederationToken with session credentials",
        ));
    }
    let name = call.param("Name").map(str::to_string);
    let mut v = Validation::default();
    v.required(name.as_deref(), "name");
    v.string(
        name.as_deref(),
        "name",
        2..33,
        |c| c.is_alphanumeric() || "_+=,.@-".contains(c),
        "[\\w+=,.@-]*",
    );
    let seconds = match call.param("DurationSeconds") {
        None => 43_200,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (900..=129_600).contains(&n) => n,
            _ => {
                v.fail(
                    Some(d),
                    "durationSeconds",
                    "have value between 900 and 129600",
                );
                0
            }
        },
    };
    v.finish()?;
    let name = name.unwrap_or_default();
    let identity = call.identity();
    let session = IssuedSession {
        access_key_id: format!("ASIA{}", wire::random_string(wire::UPPER_ALNUM, 16)),
        secret_access_key: wire::random_string(wire::SECRET_CHARS, 40),
        session_token: format!("FQoGZXIvYXdzE{}", wire::base64(&wire::random_bytes(300))),
        expiration: call.now + call.state.session_lifetime.unwrap_or(seconds),
        user: identity.user.clone(),
        serial: None,
        role: None,
    };
    let arn = call
        .state
        .arn("sts", &identity.account, &format!("federated-user/{name}"));
    let result = format!(
        "    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>\n    <FederatedUser>\n      <FederatedUserId>{}:{}</FederatedUserId>\n      <Arn>{}</Arn>\n    </FederatedUser>\n    <PackedPolicySize>6</PackedPolicySize>\n",
        session.access_key_id,
        session.secret_access_key,
        session.session_token,
        wire::iso8601(session.expiration),
        identity.account,
        wire::xml_escape(&name),
        wire::xml_escape(&arn),
    );
    call.state.federated.insert(session.access_key_id.clone());
    call.state
        .sessions
        .insert(session.access_key_id.clone(), session);
    Ok(success_xml(
        "sts",
        "GetFederationToken",
        Some(&result),
        call.request_id,
    ))
}

/// `GET /federation?Action=getSigninToken[&SessionDuration=N]&Session={json}`: a role or
/// federated user's session, unexpired, gets `{"SigninToken": …}`; anything else 400 (as the
/// real endpoint, which also refuses GetSessionToken sessions).
pub fn federation(shared: &Mutex<State>, request: &http::Request) -> http::Reply {
    let params: HashMap<String, String> = url::form_urlencoded::parse(request.query.as_bytes())
        .into_owned()
        .collect();
    let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
    let now = state.now();
    let answer = |status: u16, body: String| http::Reply::Respond {
        status,
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body: body.into_bytes(),
    };
    if request.method != "GET" || params.get("Action").map(String::as_str) != Some("getSigninToken")
    {
        return answer(400, "unsupported federation request".into());
    }
    let json: Option<serde_json::Value> = params
        .get("Session")
        .and_then(|s| serde_json::from_str(s).ok());
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let (Some(id), Some(key), Some(token)) = (
        field("sessionId"),
        field("sessionKey"),
        field("sessionToken"),
    ) else {
        return answer(400, "malformed Session".into());
    };
    let Some(session) = state.sessions.get(&id).cloned() else {
        return answer(400, "unknown session".into());
    };
    if session.secret_access_key != key || session.session_token != token {
        return answer(400, "session does not match".into());
    }
    if session.expiration <= now {
        return answer(400, "session expired".into());
    }
    let federated = state.federated.contains(&id);
    if session.role.is_none() && !federated {
        return answer(400, "GetSessionToken sessions cannot sign in".into());
    }
    if let Some(d) = params.get("SessionDuration") {
        let ok = d.parse::<i64>().is_ok_and(|n| (900..=43_200).contains(&n));
        if federated || !ok {
            return answer(400, "SessionDuration not allowed".into());
        }
    }
    let signin = wire::random_string(wire::SECRET_CHARS, 120);
    state.signin_tokens.insert(signin.clone(), id);
    answer(
        200,
        serde_json::json!({ "SigninToken": signin }).to_string(),
    )
}

impl FakeAws {
    /// The session a sign-in token was issued for.
    pub fn signin_session(&self, token: &str) -> Option<IssuedSession> {
        let state = self.lock();
        let id = state.signin_tokens.get(token)?;
        state.sessions.get(id).cloned()
    }

    /// Whether `access_key_id` belongs to a GetFederationToken session.
    pub fn is_federated(&self, access_key_id: &str) -> bool {
        self.lock().federated.contains(access_key_id)
    }
}
