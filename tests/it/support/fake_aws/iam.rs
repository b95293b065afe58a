//! The fake's IAM actions (API version 2010-05-08) for virtual MFA devices, plus GetUser.
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html>

use super::{AwsError, Call, Device, Identity, Validation, success_xml, totp, wire};

pub const ACTIONS: &[&str] = &[
    "CreateVirtualMFADevice",
    "EnableMFADevice",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "ListMFADevices",
    "GetUser",
];

/// IAM's quota of MFA devices per user.
const MAX_DEVICES_PER_USER: usize = 8;

pub fn handle(call: &mut Call<'_>, action: &str) -> Result<String, AwsError> {
    let result = match action {
        "CreateVirtualMFADevice" => create_virtual_mfa_device(call)?,
        "EnableMFADevice" => enable_mfa_device(call)?,
        "DeactivateMFADevice" => deactivate_mfa_device(call)?,
        "DeleteVirtualMFADevice" => delete_virtual_mfa_device(call)?,
        "ListMFADevices" => list_mfa_devices(call)?,
        "GetUser" => get_user(call)?,
        _ => unreachable!("checked against ACTIONS"),
    };
    Ok(success_xml(
        "iam",
        action,
        result.as_deref(),
        call.request_id,
    ))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || "_+=,.@-".contains(c)
}

fn no_such_user(name: &str) -> AwsError {
    AwsError::new(
        404,
        "NoSuchEntity",
        format!("The user with name {name} cannot be found."),
    )
}

fn no_such_device(serial: &str) -> AwsError {
    AwsError::new(
        404,
        "NoSuchEntity",
        format!("VirtualMFADevice with serial number {serial} doesn't exist."),
    )
}

/// The user named by `UserName` (the caller when absent), in the caller's account.
fn target_user(call: &Call<'_>, v: &mut Validation) -> Result<Option<Identity>, AwsError> {
    let name = call.param("UserName");
    v.string(name, "userName", 1..129, is_name_char, "[\\w+=,.@-]+");
    let me = call.identity();
    let Some(name) = name else {
        return Ok(Some(me));
    };
    match call.state.identity_of(name) {
        Some(id) if id.account == me.account => Ok(Some(id.clone())),
        _ => Ok(None),
    }
}

fn create_virtual_mfa_device(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let name = call.param("VirtualMFADeviceName");
    let path = call.param("Path").unwrap_or("/");
    let mut v = Validation::default();
    v.required(name, "virtualMFADeviceName");
    v.string(
        name,
        "virtualMFADeviceName",
        1..227,
        is_name_char,
        "[\\w+=,.@-]+",
    );
    let path_ok = path == "/"
        || (path.len() >= 3
            && path.starts_with('/')
            && path.ends_with('/')
            && path[1..path.len() - 1]
                .chars()
                .all(|c| ('\u{21}'..='\u{7E}').contains(&c)));
    if !path_ok || path.len() > 512 {
        v.fail(
            Some(path),
            "path",
            "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        );
    }
    v.finish()?;
    let name = name.unwrap_or_default().to_string();
    let account = call.identity().account;
    if call
        .state
        .devices
        .values()
        .any(|d| d.account == account && d.name == name)
    {
        return Err(AwsError::new(
            409,
            "EntityAlreadyExists",
            "MFADevice entity at the same path and name already exists.",
        ));
    }
    let serial = call.state.arn("iam", &account, &format!("mfa{path}{name}"));
    let seed_base32 = super::random_seed_base32();
    let seed = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &seed_base32)
        .expect("base32 we just made");
    // Not a real PNG: the PNG signature followed by the otpauth URI, enough for a client that
    // only base64-decodes and saves it.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(
        format!("otpauth://totp/Amazon%20Web%20Services:{name}@{account}?secret={seed_base32}&issuer=Amazon%20Web%20Services").as_bytes(),
    );
    call.state.devices.insert(
        serial.clone(),
        Device {
            serial: serial.clone(),
            account,
            name,
            seed,
            user: None,
            enabled_at: None,
        },
    );
    Ok(Some(format!(
        "    <VirtualMFADevice>\n      <SerialNumber>{}</SerialNumber>\n      <Base32StringSeed>{}</Base32StringSeed>\n      <QRCodePNG>{}</QRCodePNG>\n    </VirtualMFADevice>\n",
        wire::xml_escape(&serial),
        wire::base64(seed_base32.as_bytes()),
        wire::base64(&png)
    )))
}

fn enable_mfa_device(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let serial = call.param("SerialNumber").map(str::to_string);
    let code1 = call.param("AuthenticationCode1").map(str::to_string);
    let code2 = call.param("AuthenticationCode2").map(str::to_string);
    let mut v = Validation::default();
    v.required(call.param("UserName"), "userName");
    let user = target_user(call, &mut v)?;
    v.required(serial.as_deref(), "serialNumber");
    v.string(
        serial.as_deref(),
        "serialNumber",
        9..257,
        |c| c.is_alphanumeric() || "_+=/:,.@-".contains(c),
        "[\\w+=/:,.@-]+",
    );
    for (value, field) in [
        (code1.as_deref(), "authenticationCode1"),
        (code2.as_deref(), "authenticationCode2"),
    ] {
        v.required(value, field);
        v.string(value, field, 6..7, |c| c.is_ascii_digit(), "[\\d]+");
    }
    v.finish()?;
    let user = user.ok_or_else(|| no_such_user(call.param("UserName").unwrap_or_default()))?;
    let (serial, code1, code2) = (
        serial.unwrap_or_default(),
        code1.unwrap_or_default(),
        code2.unwrap_or_default(),
    );
    let Some(device) = call
        .state
        .devices
        .get(&serial)
        .filter(|d| d.account == user.account)
    else {
        return Err(no_such_device(&serial));
    };
    if device.user.is_some() {
        return Err(AwsError::new(
            409,
            "EntityAlreadyExists",
            "MFA Device is already in use.",
        ));
    }
    let count = call
        .state
        .devices
        .values()
        .filter(|d| d.user.as_deref() == Some(user.user.as_str()))
        .count();
    if count >= MAX_DEVICES_PER_USER {
        return Err(AwsError::new(
            409,
            "LimitExceeded",
            format!("Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"),
        ));
    }
    let seed = device.seed.clone();
    // The later code must be from an accepted step and the earlier one from the step before.
    let step = call.state.step_window().into_iter().find(|&later| {
        later >= 1
            && totp(&seed, later - 1) == code1
            && totp(&seed, later) == code2
            && !call.state.is_used(&serial, later - 1)
            && !call.state.is_used(&serial, later)
    });
    let Some(later) = step else {
        return Err(AwsError::new(
            403,
            "InvalidAuthenticationCode",
            "Authentication code for device is not valid.",
        ));
    };
    call.state.mark_used(&serial, later - 1);
    call.state.mark_used(&serial, later);
    let now = call.now;
    if let Some(device) = call.state.devices.get_mut(&serial) {
        device.user = Some(user.user);
        device.enabled_at = Some(now);
    }
    Ok(None)
}

fn deactivate_mfa_device(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let serial = call.param("SerialNumber").map(str::to_string);
    let mut v = Validation::default();
    let user = target_user(call, &mut v)?;
    v.required(serial.as_deref(), "serialNumber");
    v.finish()?;
    let user = user.ok_or_else(|| no_such_user(call.param("UserName").unwrap_or_default()))?;
    let serial = serial.unwrap_or_default();
    match call.state.devices.get_mut(&serial) {
        Some(device) if device.user.as_deref() == Some(user.user.as_str()) => {
            device.user = None;
            device.enabled_at = None;
            Ok(None)
        }
        _ => Err(AwsError::new(
            404,
            "NoSuchEntity",
            format!(
                "MFA Device with serial number {serial} does not exist for user {}.",
                user.user
            ),
        )),
    }
}

fn delete_virtual_mfa_device(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let serial = call.param("SerialNumber").map(str::to_string);
    let mut v = Validation::default();
    v.required(serial.as_deref(), "serialNumber");
    v.finish()?;
    let serial = serial.unwrap_or_default();
    let account = call.identity().account;
    match call.state.devices.get(&serial) {
        Some(d) if d.account == account => {
            if d.user.is_some() {
                return Err(AwsError::new(
                    409,
                    "DeleteConflict",
                    "MFA device is still in use.",
                ));
            }
            call.state.devices.remove(&serial);
            Ok(None)
        }
        _ => Err(no_such_device(&serial)),
    }
}

fn list_mfa_devices(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let mut v = Validation::default();
    let user = target_user(call, &mut v)?;
    v.finish()?;
    let user = user.ok_or_else(|| no_such_user(call.param("UserName").unwrap_or_default()))?;
    let mut members = String::new();
    for d in call
        .state
        .devices
        .values()
        .filter(|d| d.user.as_deref() == Some(user.user.as_str()))
    {
        members.push_str(&format!(
            "      <member>\n        <UserName>{}</UserName>\n        <SerialNumber>{}</SerialNumber>\n        <EnableDate>{}</EnableDate>\n      </member>\n",
            wire::xml_escape(&user.user),
            wire::xml_escape(&d.serial),
            wire::iso8601(d.enabled_at.unwrap_or(call.now))
        ));
    }
    Ok(Some(format!(
        "    <IsTruncated>false</IsTruncated>\n    <MFADevices>\n{members}    </MFADevices>\n"
    )))
}

fn get_user(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let mut v = Validation::default();
    let user = target_user(call, &mut v)?;
    v.finish()?;
    let user = user.ok_or_else(|| no_such_user(call.param("UserName").unwrap_or_default()))?;
    let created = call
        .state
        .users
        .get(&user.user)
        .map(|u| u.created)
        .unwrap_or(call.now);
    Ok(Some(format!(
        "    <User>\n      <Path>/</Path>\n      <UserName>{}</UserName>\n      <UserId>{}</UserId>\n      <Arn>{}</Arn>\n      <CreateDate>{}</CreateDate>\n    </User>\n",
        wire::xml_escape(&user.user),
        user.user_id,
        wire::xml_escape(&user.arn),
        wire::iso8601(created)
    )))
}
