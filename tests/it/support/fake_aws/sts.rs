//! The fake's STS actions (API version 2011-06-15): GetSessionToken and GetCallerIdentity.
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html>

use super::{AwsError, Call, IssuedSession, Validation, success_xml, totp, wire};

pub const ACTIONS: &[&str] = &["GetSessionToken", "GetCallerIdentity"];

const INVALID_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";
const UNKNOWN_SERIAL: &str = "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";

pub fn handle(call: &mut Call<'_>, action: &str) -> Result<String, AwsError> {
    match action {
        "GetSessionToken" => get_session_token(call),
        "GetCallerIdentity" => get_caller_identity(call),
        _ => unreachable!("checked against ACTIONS"),
    }
}

fn get_caller_identity(call: &mut Call<'_>) -> Result<String, AwsError> {
    let id = call.identity();
    let result = format!(
        "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
        wire::xml_escape(&id.arn),
        id.user_id,
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
        session_token: format!(
            "IQoJb3JpZ2luX2VjE{}",
            wire::base64(&wire::random_bytes(300))
        ),
        expiration: call.now + seconds,
        user: identity.user.clone(),
        serial: used_serial,
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
