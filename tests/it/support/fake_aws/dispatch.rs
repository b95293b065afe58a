//! Serving one request: failure injection, SigV4 authentication, permission checks, routing to
//! the STS or IAM actions, and AWS's XML envelopes for answers and errors.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    AwsError, Call, Caller, Failure, Spoil, State, access_keys, http, iam, sigv4, sts, wire,
};

/// Form or query parameters, last value wins.
fn parse_params(request: &http::Request) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(request.query.as_bytes()) {
        params.insert(k.into_owned(), v.into_owned());
    }
    if request.method == "POST" {
        for (k, v) in url::form_urlencoded::parse(&request.body) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    params
}

pub(super) fn namespace(service: &str) -> &'static str {
    if service == "iam" {
        "https://iam.amazonaws.com/doc/2010-05-08/"
    } else {
        "https://sts.amazonaws.com/doc/2011-06-15/"
    }
}

/// `<{action}Response><{action}Result>{result}</…Result><ResponseMetadata>…` (no Result when
/// `result` is `None`, as for EnableMFADevice).
pub(super) fn success_xml(
    service: &str,
    action: &str,
    result: Option<&str>,
    request_id: &str,
) -> String {
    let result = result
        .map(|r| format!("  <{action}Result>\n{r}  </{action}Result>\n"))
        .unwrap_or_default();
    format!(
        "<{action}Response xmlns=\"{}\">\n{result}  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        namespace(service)
    )
}

fn error_xml(service: &str, error: &AwsError, request_id: &str) -> String {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        namespace(service),
        error.code,
        wire::xml_escape(&error.message)
    )
}

fn reply(now: i64, request_id: &str, status: u16, body: String) -> http::Reply {
    http::Reply::Respond {
        status,
        headers: vec![
            ("x-amzn-RequestId".to_string(), request_id.to_string()),
            ("Content-Type".to_string(), "text/xml".to_string()),
            ("Date".to_string(), wire::http_date(now)),
        ],
        body: body.into_bytes(),
    }
}

pub(super) fn handle(shared: &Mutex<State>, request: http::Request) -> http::Reply {
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    if request.path == "/federation" {
        return super::signin::federation(shared, &request);
    }
    let params = parse_params(&request);
    let action = params.get("Action").cloned().unwrap_or_default();
    let request_id = wire::request_id();
    let service = request
        .header("authorization")
        .and_then(|a| sigv4::parse_authorization(&a).ok())
        .map(|a| a.service)
        .unwrap_or_else(|| "sts".to_string());

    let (failure, hook) = {
        let mut state = lock();
        state.requests += 1;
        let host = request.header("host").unwrap_or_default();
        state.hosts.push(host);
        *state.actions.entry(action.clone()).or_insert(0) += 1;
        access_keys::observe(&mut state, &action, &params);
        let failure = state
            .failures
            .iter()
            .position(|(only, _)| only.as_ref().is_none_or(|a| *a == action))
            .and_then(|i| state.failures.remove(i))
            .map(|(_, failure)| failure);
        (failure, state.hook.clone())
    };
    if let Some(hook) = hook {
        hook(&action);
    }
    let mut after = None;
    match failure {
        None => {}
        Some(Failure::Delay(d)) => std::thread::sleep(d),
        Some(Failure::CloseConnection) => return http::Reply::Close,
        Some(Failure::Hang) => return http::Reply::Hang,
        Some(failure @ (Failure::ResetAfterServe | Failure::Spoiled(_))) => after = Some(failure),
        Some(Failure::MalformedXml) => {
            let now = lock().now();
            // Cut inside the root tag's attribute, so no XML reader can make sense of it.
            let ns = namespace(&service);
            let body = format!("<{action}Response xmlns=\"{}", &ns[..ns.len() / 2]);
            return reply(now, &request_id, 200, body);
        }
        Some(failure) => {
            let now = lock().now();
            let error = match failure {
                Failure::Throttle => AwsError::new(400, "Throttling", "Rate exceeded"),
                Failure::Status(503) => AwsError::new(
                    503,
                    "ServiceUnavailable",
                    "Service is unable to handle request.",
                ),
                Failure::Status(status) => AwsError::new(
                    status,
                    "InternalFailure",
                    "The request processing has failed because of an unknown error, exception or failure.",
                ),
                _ => unreachable!("handled above"),
            };
            return reply(
                now,
                &request_id,
                error.status,
                error_xml(&service, &error, &request_id),
            );
        }
    }

    let mut state = lock();
    let now = state.now();
    let outcome = serve(
        &mut state,
        &request,
        &params,
        &action,
        &service,
        now,
        &request_id,
    );
    drop(state);
    match (outcome, after) {
        (_, Some(Failure::ResetAfterServe)) => http::Reply::Close,
        (Ok(body), Some(Failure::Spoiled(how))) => {
            reply(now, &request_id, 200, spoil(&body, &how, now))
        }
        (Ok(body), _) => reply(now, &request_id, 200, body),
        (Err(error), _) => reply(
            now,
            &request_id,
            error.status,
            error_xml(&service, &error, &request_id),
        ),
    }
}

/// `body` with its `<Credentials>` damaged as `how` says (unchanged without `<Credentials>`).
fn spoil(body: &str, how: &Spoil, now: i64) -> String {
    let Some(start) = body.find("<Credentials>") else {
        return body.to_string();
    };
    let element = |name: &str| -> Option<(usize, usize)> {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let from = start + body[start..].find(&open)?;
        let to = from + body[from..].find(&close)? + close.len();
        Some((from, to))
    };
    let replace = |name: &str, text: &str| -> String {
        match element(name) {
            Some((from, to)) => format!("{}<{name}>{text}</{name}>{}", &body[..from], &body[to..]),
            None => body.to_string(),
        }
    };
    match how {
        Spoil::Omit(name) => match element(name) {
            Some((from, to)) => format!("{}{}", &body[..from], &body[to..]),
            None => body.to_string(),
        },
        Spoil::Empty(name) => replace(name, ""),
        Spoil::Replace(name, text) => replace(name, &wire::xml_escape(text)),
        Spoil::ExpiresIn(seconds) => replace("Expiration", &wire::iso8601(now + seconds)),
        Spoil::Truncate => body[..start + "<Credentials>".len() + 20].to_string(),
    }
}

fn serve(
    state: &mut State,
    request: &http::Request,
    params: &HashMap<String, String>,
    action: &str,
    service: &str,
    now: i64,
    request_id: &str,
) -> Result<String, AwsError> {
    let caller = authenticate(state, request, now)?;
    if action.is_empty() {
        return Err(AwsError::new(400, "MissingAction", "Missing Action"));
    }
    let known = match service {
        "iam" => iam::ACTIONS.contains(&action) || access_keys::ACTIONS.contains(&action),
        _ => sts::ACTIONS.contains(&action),
    };
    if !known {
        return Err(AwsError::new(
            400,
            "InvalidAction",
            format!(
                "Could not find operation {action} for version {}",
                match service {
                    "iam" => "2010-05-08",
                    _ => "2011-06-15",
                }
            ),
        ));
    }
    if state.denied.contains(action) {
        let identity = state
            .identity_of(&caller.user)
            .cloned()
            .expect("authenticated callers exist");
        let resource = match (service, action) {
            ("iam", "CreateVirtualMFADevice") => state.arn(
                "iam",
                &identity.account,
                &format!(
                    "mfa{}{}",
                    params.get("Path").map(String::as_str).unwrap_or("/"),
                    params
                        .get("VirtualMFADeviceName")
                        .map(String::as_str)
                        .unwrap_or("")
                ),
            ),
            ("iam", "DeleteVirtualMFADevice") => {
                params.get("SerialNumber").cloned().unwrap_or_default()
            }
            ("iam", _) => match params.get("UserName") {
                Some(u) => state.arn("iam", &identity.account, &format!("user/{u}")),
                None => identity.arn.clone(),
            },
            _ => identity.arn.clone(),
        };
        return Err(AwsError::access_denied(format!(
            "User: {} is not authorized to perform: {service}:{action} on resource: {resource} because no identity-based policy allows the {service}:{action} action",
            identity.arn
        )));
    }
    if service == "iam" {
        access_keys::check_mfa_policy(state, &caller, action)?;
    }
    let mut call = Call {
        state,
        caller: &caller,
        params,
        now,
        request_id,
    };
    match service {
        "iam" if access_keys::ACTIONS.contains(&action) => access_keys::handle(&mut call, action)
            .map(|r| success_xml("iam", action, r.as_deref(), request_id)),
        "iam" => iam::handle(&mut call, action),
        _ => sts::handle(&mut call, action),
    }
}

/// SigV4 checks in AWS's order: header present and well-formed, scope, known key (and token),
/// time window, then the signature itself.
fn authenticate(state: &State, request: &http::Request, now: i64) -> Result<Caller, AwsError> {
    let Some(header) = request.header("authorization") else {
        return Err(AwsError::new(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let auth = sigv4::parse_authorization(&header)
        .map_err(|m| AwsError::new(400, "IncompleteSignature", m))?;
    let partition = state.partition.as_str();
    let wrong_region = || {
        AwsError::signature_mismatch(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        ))
    };
    // Sent to an AWS endpoint name (through the tests' CONNECT proxy): the partition, service
    // and region that name stands for.
    if let Some(expected) = request.header("host").as_deref().and_then(aws_host) {
        if expected.partition != partition {
            // Keys live in one partition: the others do not know them.
            return Err(AwsError::invalid_token());
        }
        if auth.service != expected.service {
            return Err(AwsError::signature_mismatch(format!(
                "Credential should be scoped to correct service: '{}'. ",
                expected.service
            )));
        }
        if auth.region != expected.region {
            return Err(wrong_region());
        }
    }
    match auth.service.as_str() {
        "sts" if partition_of_region(&auth.region) == partition => {}
        "iam" if auth.region == iam_region(partition) => {}
        "sts" | "iam" => return Err(wrong_region()),
        other => {
            return Err(AwsError::signature_mismatch(format!(
                "Credential should be scoped to correct service: 'sts'. Found '{other}'. "
            )));
        }
    }
    let Some(amz_date) = request.header("x-amz-date") else {
        return Err(AwsError::new(
            400,
            "IncompleteSignature",
            format!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}"
            ),
        ));
    };
    let amz_date = amz_date.trim().to_string();
    let token = request.header("x-amz-security-token");
    let (user, secret, session) = if let Some((user, secret)) = state.keys.get(&auth.access_key_id)
    {
        if token.is_some() || access_keys::propagating(state, &auth.access_key_id) {
            return Err(AwsError::invalid_token());
        }
        (user.clone(), secret.clone(), None)
    } else if let Some(session) = state.sessions.get(&auth.access_key_id) {
        if token.as_deref() != Some(session.session_token.as_str()) {
            return Err(AwsError::invalid_token());
        }
        if session.expiration <= now {
            return Err(AwsError::new(
                400,
                "ExpiredToken",
                "The security token included in the request is expired",
            ));
        }
        (
            session.user.clone(),
            session.secret_access_key.clone(),
            Some(session.clone()),
        )
    } else {
        return Err(AwsError::invalid_token());
    };
    let Some(signed_at) = wire::parse_amz_date(&amz_date) else {
        return Err(AwsError::new(
            400,
            "IncompleteSignature",
            format!(
                "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ),
        ));
    };
    if !amz_date.starts_with(&auth.date) {
        return Err(AwsError::signature_mismatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            &amz_date[..8]
        )));
    }
    if signed_at < now - 300 {
        return Err(AwsError::signature_mismatch(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
            wire::amz_date(now - 300),
            wire::amz_date(now)
        )));
    }
    if signed_at > now + 300 {
        return Err(AwsError::signature_mismatch(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
            wire::amz_date(now + 300),
            wire::amz_date(now)
        )));
    }
    let canonical = sigv4::canonical_request(request, &auth.signed_headers);
    let expected = sigv4::expected_signature(&auth, &secret, &amz_date, &canonical);
    if !sigv4::same(&expected, &auth.signature) {
        return Err(AwsError::signature_mismatch(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    // IAM takes session credentials only when they carry MFA.
    if auth.service == "iam" && session.as_ref().is_some_and(|s| s.serial.is_none()) {
        return Err(AwsError::invalid_token());
    }
    Ok(Caller { user, session })
}

/// What an AWS endpoint name stands for.
pub(super) struct AwsHost {
    pub partition: &'static str,
    pub service: String,
    /// The region its requests must be signed for.
    pub region: String,
}

/// The partition, service and signing region of an AWS endpoint name (`Host`, port allowed):
/// `sts.amazonaws.com` (the global endpoint: `us-east-1`), `sts.REGION.amazonaws.com`,
/// `sts-fips.REGION.amazonaws.com`, `sts.REGION.amazonaws.com.cn`, `iam.amazonaws.com`,
/// `iam-fips.amazonaws.com`, `iam.cn-north-1.amazonaws.com.cn`, `iam.us-gov.amazonaws.com`
/// (`us-gov-west-1`). `None` for any other host (127.0.0.1, a custom endpoint).
pub(super) fn aws_host(host: &str) -> Option<AwsHost> {
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
    .to_ascii_lowercase();
    let (labels, suffix_partition) = if let Some(labels) = host.strip_suffix(".amazonaws.com.cn") {
        (labels, "aws-cn")
    } else {
        (host.strip_suffix(".amazonaws.com")?, "aws")
    };
    let mut parts = labels.split('.');
    let service = parts.next()?;
    let service = service.strip_suffix("-fips").unwrap_or(service).to_string();
    let region = match (service.as_str(), parts.next()) {
        ("iam", Some("us-gov")) => "us-gov-west-1".to_string(),
        (_, Some(region)) => region.to_string(),
        (_, None) => iam_region(suffix_partition).to_string(),
    };
    if parts.next().is_some() {
        return None;
    }
    let partition = partition_of_region(&region);
    let gov = partition == "aws-us-gov" && suffix_partition == "aws";
    (partition == suffix_partition || gov).then_some(AwsHost {
        partition,
        service,
        region,
    })
}

/// The partition of a region, by its name.
pub(super) fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The region IAM requests of a partition are signed for (IAM is global within a partition).
pub(super) fn iam_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}
