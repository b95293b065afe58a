//! The fake's STS actions (API version 2011-06-15): GetSessionToken, AssumeRole and
//! GetCallerIdentity.
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html>
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>

use super::{AwsError, Call, IssuedSession, Validation, success_xml, totp, wire};

pub const ACTIONS: &[&str] = &[
    "GetSessionToken",
    "AssumeRole",
    "GetCallerIdentity",
    "GetFederationToken",
];

const INVALID_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";
const UNKNOWN_SERIAL: &str = "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";

pub fn handle(call: &mut Call<'_>, action: &str) -> Result<String, AwsError> {
    match action {
        "GetSessionToken" => get_session_token(call),
        "GetCallerIdentity" => get_caller_identity(call),
        "AssumeRole" => assume_role(call),
        "GetFederationToken" => super::signin::get_federation_token(call),
        _ => unreachable!("checked against ACTIONS"),
    }
}

fn get_caller_identity(call: &mut Call<'_>) -> Result<String, AwsError> {
    let id = call.identity();
    let (arn, user_id) = match call.caller.session.as_ref().and_then(|s| s.role.clone()) {
        Some((role, name)) => (
            assumed_role_arn(&role, &name),
            format!("{}:{name}", role_id(&role)),
        ),
        None => (id.arn.clone(), id.user_id.clone()),
    };
    let result = format!(
        "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
        wire::xml_escape(&arn),
        user_id,
        id.account
    );
    Ok(success_xml(
        "sts",
        "GetCallerIdentity",
        Some(&result),
        call.request_id,
    ))
}

fn get_session_token(call: &mut Call<'_>) -> Result<String, AwsError> {
    if call.caller.session.is_some() {
        return Err(AwsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let duration = call.param("DurationSeconds").map(str::to_string);
    let serial = call.param("SerialNumber").map(str::to_string);
    let code = call.param("TokenCode").map(str::to_string);

    let mut v = Validation::default();
    let seconds = match duration.as_deref() {
        None => 43_200,
        Some(d) => match d.trim().parse::<i64>() {
            Ok(n) => {
                if n < 900 {
                    v.fail(
                        Some(d),
                        "durationSeconds",
                        "have value greater than or equal to 900",
                    );
                } else if n > 129_600 {
                    v.fail(
                        Some(d),
                        "durationSeconds",
                        "have value less than or equal to 129600",
                    );
                }
                n
            }
            Err(_) => {
                return Err(AwsError::new(
                    400,
                    "MalformedInput",
                    format!("Invalid value '{d}' for DurationSeconds"),
                ));
            }
        },
    };
    v.string(
        serial.as_deref(),
        "serialNumber",
        9..257,
        |c| c.is_alphanumeric() || "_+=/:,.@-".contains(c),
        "[\\w+=/:,.@-]*",
    );
    v.string(
        code.as_deref(),
        "tokenCode",
        6..7,
        |c| c.is_ascii_digit(),
        "[\\d]*",
    );
    v.finish()?;

    let identity = call.identity();
    let used_serial = match (serial, code) {
        (Some(serial), Some(code)) => {
            check_code(call, &identity.user, &serial, &code)?;
            Some(serial)
        }
        (Some(_), None) => return Err(AwsError::access_denied(INVALID_CODE)),
        (None, Some(_)) => return Err(AwsError::access_denied(UNKNOWN_SERIAL)),
        (None, None) => {
            let required = call
                .state
                .users
                .get(&identity.user)
                .is_none_or(|u| u.mfa_required);
            if required {
                return Err(AwsError::access_denied(format!(
                    "User: {} is not authorized to perform: sts:GetSessionToken with an explicit deny in an identity-based policy",
                    identity.arn
                )));
            }
            None
        }
    };

    let session = IssuedSession {
        access_key_id: format!("ASIA{}", wire::random_string(wire::UPPER_ALNUM, 16)),
        secret_access_key: wire::random_string(wire::SECRET_CHARS, 40),
        session_token: session_token(call.state.token_len.0),
        expiration: call.now + call.state.session_lifetime.unwrap_or(seconds),
        user: identity.user.clone(),
        serial: used_serial,
        role: None,
    };
    let result = format!(
        "    <Credentials>\n      <SessionToken>{}</SessionToken>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <Expiration>{}</Expiration>\n      <AccessKeyId>{}</AccessKeyId>\n    </Credentials>\n",
        session.session_token,
        session.secret_access_key,
        wire::iso8601(session.expiration),
        session.access_key_id
    );
    call.state
        .sessions
        .insert(session.access_key_id.clone(), session);
    Ok(success_xml(
        "sts",
        "GetSessionToken",
        Some(&result),
        call.request_id,
    ))
}

/// A session token of `len` characters: STS's prefix, then base64 (as real tokens look).
fn session_token(len: usize) -> String {
    let mut token = format!(
        "IQoJb3JpZ2luX2VjE{}",
        wire::base64(&wire::random_bytes(len * 3 / 4 + 3))
    );
    token.truncate(len);
    token
}

/// The serial must be a device enabled for `user`; the code must match an unused step.
fn check_code(call: &mut Call<'_>, user: &str, serial: &str, code: &str) -> Result<(), AwsError> {
    let Some(device) = call.state.devices.get(serial) else {
        return Err(AwsError::access_denied(UNKNOWN_SERIAL));
    };
    if device.user.as_deref() != Some(user) {
        return Err(AwsError::access_denied(UNKNOWN_SERIAL));
    }
    let seed = device.seed.clone();
    let step = call
        .state
        .step_window()
        .into_iter()
        .find(|&step| totp(&seed, step) == code && !call.state.is_used(serial, step));
    match step {
        Some(step) => {
            call.state.mark_used(serial, step);
            Ok(())
        }
        None => Err(AwsError::access_denied(INVALID_CODE)),
    }
}

/// `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION` (the role's partition).
fn assumed_role_arn(role_arn: &str, session_name: &str) -> String {
    let partition = role_arn.split(':').nth(1).unwrap_or("aws");
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let name = role_arn.rsplit('/').next().unwrap_or_default();
    format!("arn:{partition}:sts::{account}:assumed-role/{name}/{session_name}")
}

/// A stable `AROA…` id per role.
fn role_id(role_arn: &str) -> String {
    let digits: String = role_arn
        .bytes()
        .map(|b| char::from(b'A' + b % 26))
        .take(17)
        .collect();
    format!("AROA{digits}")
}

/// AssumeRole: long-term keys or a session as caller; the role's trust policy must name the
/// caller's user, and with `requires_mfa` the MFA must come from the call (SerialNumber +
/// TokenCode) or from the caller's GetSessionToken session. A role session as caller (role
/// chaining) is limited to 1 h, as AWS does.
fn assume_role(call: &mut Call<'_>) -> Result<String, AwsError> {
    let role_arn = call.param("RoleArn").map(str::to_string);
    let session_name = call.param("RoleSessionName").map(str::to_string);
    let duration = call.param("DurationSeconds").map(str::to_string);
    let serial = call.param("SerialNumber").map(str::to_string);
    let code = call.param("TokenCode").map(str::to_string);

    let mut v = Validation::default();
    v.required(role_arn.as_deref(), "roleArn");
    v.required(session_name.as_deref(), "roleSessionName");
    v.string(
        role_arn.as_deref(),
        "roleArn",
        20..2049,
        |c| c.is_ascii_graphic(),
        "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
    );
    v.string(
        session_name.as_deref(),
        "roleSessionName",
        2..65,
        |c| c.is_alphanumeric() || "_+=,.@-".contains(c),
        "[\\w+=,.@-]*",
    );
    let seconds = match duration.as_deref() {
        None => 3600,
        Some(d) => match d.trim().parse::<i64>() {
            Ok(n) => {
                if n < 900 {
                    v.fail(
                        Some(d),
                        "durationSeconds",
                        "have value greater than or equal to 900",
                    );
                } else if n > 43_200 {
                    v.fail(
                        Some(d),
                        "durationSeconds",
                        "have value less than or equal to 43200",
                    );
                }
                n
            }
            Err(_) => {
                return Err(AwsError::new(
                    400,
                    "MalformedInput",
                    format!("Invalid value '{d}' for DurationSeconds"),
                ));
            }
        },
    };
    v.finish()?;
    let (role_arn, session_name) = (
        role_arn.unwrap_or_default(),
        session_name.unwrap_or_default(),
    );

    let identity = call.identity();
    let caller_session = call.caller.session.clone();
    let caller_arn = match caller_session.as_ref().and_then(|s| s.role.clone()) {
        Some((role, name)) => assumed_role_arn(&role, &name),
        None => identity.arn.clone(),
    };
    let denied = || {
        AwsError::access_denied(format!(
            "User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        ))
    };
    let Some(role) = call.state.roles.get(&role_arn).cloned() else {
        return Err(denied());
    };
    if !role.trusted.contains(&identity.user) {
        return Err(denied());
    }
    let mfa_serial = match (serial, code) {
        (Some(serial), Some(code)) => {
            check_code(call, &identity.user, &serial, &code)?;
            Some(serial)
        }
        (Some(_), None) => return Err(AwsError::access_denied(INVALID_CODE)),
        (None, Some(_)) => return Err(AwsError::access_denied(UNKNOWN_SERIAL)),
        (None, None) => caller_session.as_ref().and_then(|s| s.serial.clone()),
    };
    if role.requires_mfa && mfa_serial.is_none() {
        return Err(denied());
    }
    let chained = caller_session.as_ref().is_some_and(|s| s.role.is_some());
    if seconds > role.max_session || (chained && seconds > 3600) {
        return Err(AwsError::new(
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }

    let session = IssuedSession {
        access_key_id: format!("ASIA{}", wire::random_string(wire::UPPER_ALNUM, 16)),
        secret_access_key: wire::random_string(wire::SECRET_CHARS, 40),
        session_token: session_token(call.state.token_len.1),
        expiration: call.now + call.state.session_lifetime.unwrap_or(seconds),
        user: identity.user.clone(),
        serial: mfa_serial,
        role: Some((role_arn.clone(), session_name.clone())),
    };
    let result = format!(
        "    <AssumedRoleUser>\n      <AssumedRoleId>{}:{}</AssumedRoleId>\n      <Arn>{}</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>\n",
        role_id(&role_arn),
        wire::xml_escape(&session_name),
        wire::xml_escape(&assumed_role_arn(&role_arn, &session_name)),
        session.access_key_id,
        session.secret_access_key,
        session.session_token,
        wire::iso8601(session.expiration),
    );
    call.state
        .sessions
        .insert(session.access_key_id.clone(), session);
    Ok(success_xml(
        "sts",
        "AssumeRole",
        Some(&result),
        call.request_id,
    ))
}
