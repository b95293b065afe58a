//! The fake's IAM access-key actions (CreateAccessKey, DeleteAccessKey, ListAccessKeys) and what
//! `rotate` and `enroll --replace` test against (issue 25): AWS's two-key limit, a deleted key
//! unusable at once, a propagation delay before a new key is accepted, an optional MFA policy on
//! IAM calls, and a log of every MFA code sent.
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html>

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::{AwsError, Call, Caller, Failure, FakeAws, Keys, State, Validation, wire};

pub const ACTIONS: &[&str] = &["CreateAccessKey", "DeleteAccessKey", "ListAccessKeys"];

/// IAM's quota of access keys per user.
const MAX_KEYS_PER_USER: usize = 2;

/// IAM actions the AWS sample policy "manage your own MFA device" allows without MFA
/// (`DenyAllExceptListedIfNoMFA`); every other IAM action needs an MFA session under it.
const ALLOWED_WITHOUT_MFA: &[&str] = &[
    "CreateVirtualMFADevice",
    "EnableMFADevice",
    "GetUser",
    "ListMFADevices",
    "ResyncMFADevice",
];

/// The state these actions add to the fake.
#[derive(Default)]
pub struct Lifecycle {
    /// Key id → creation time (fake clock); keys added before a time was kept use the user's.
    created: HashMap<String, i64>,
    /// Key id → when AWS starts accepting it (wall clock).
    usable_at: HashMap<String, Instant>,
    /// How long a new key is refused after CreateAccessKey.
    propagation: Duration,
    /// Users under the MFA policy for IAM calls.
    iam_mfa: HashSet<String>,
    /// Every (serial, code) sent in GetSessionToken, AssumeRole or EnableMFADevice, in order.
    codes: Vec<(String, String)>,
    /// Failures to inject once a request for the first action arrives (see
    /// [`FakeAws::fail_after`]).
    armed: Vec<(String, String, Failure)>,
}

/// Sees every request before it is served (after its own injected failure was picked): records
/// its MFA codes and arms the failures waiting for its action.
pub fn observe(state: &mut State, action: &str, params: &HashMap<String, String>) {
    let armed = std::mem::take(&mut state.lifecycle.armed);
    for (trigger, target, failure) in armed {
        if trigger == action {
            state.failures.push_back((Some(target), failure));
        } else {
            state.lifecycle.armed.push((trigger, target, failure));
        }
    }
    let Some(serial) = params.get("SerialNumber") else {
        return;
    };
    for name in ["TokenCode", "AuthenticationCode1", "AuthenticationCode2"] {
        if let Some(code) = params.get(name) {
            state.lifecycle.codes.push((serial.clone(), code.clone()));
        }
    }
}

/// A long-term key AWS does not accept yet (still propagating).
pub fn propagating(state: &State, access_key_id: &str) -> bool {
    state
        .lifecycle
        .usable_at
        .get(access_key_id)
        .is_some_and(|at| Instant::now() < *at)
}

/// AccessDenied when the caller's policy requires MFA for this IAM action and the request was
/// signed with long-term keys.
pub fn check_mfa_policy(state: &State, caller: &Caller, action: &str) -> Result<(), AwsError> {
    if !state.lifecycle.iam_mfa.contains(&caller.user)
        || ALLOWED_WITHOUT_MFA.contains(&action)
        || caller.session.as_ref().is_some_and(|s| s.serial.is_some())
    {
        return Ok(());
    }
    let arn = state
        .identity_of(&caller.user)
        .map(|i| i.arn.clone())
        .unwrap_or_default();
    Err(AwsError::access_denied(format!(
        "User: {arn} is not authorized to perform: iam:{action} on resource: {arn} with an explicit deny in an identity-based policy"
    )))
}

pub fn handle(call: &mut Call<'_>, action: &str) -> Result<Option<String>, AwsError> {
    match action {
        "CreateAccessKey" => create_access_key(call),
        "DeleteAccessKey" => delete_access_key(call),
        "ListAccessKeys" => list_access_keys(call),
        _ => unreachable!("checked against ACTIONS"),
    }
}

fn user_of(call: &Call<'_>) -> Result<String, AwsError> {
    let me = call.identity();
    match call.param("UserName") {
        None => Ok(me.user),
        Some(name) => match call.state.identity_of(name) {
            Some(id) if id.account == me.account => Ok(id.user.clone()),
            _ => Err(AwsError::new(
                404,
                "NoSuchEntity",
                format!("The user with name {name} cannot be found."),
            )),
        },
    }
}

fn keys_of(state: &State, user: &str) -> Vec<(String, i64)> {
    let created_user = state.users.get(user).map(|u| u.created).unwrap_or(0);
    let mut keys: Vec<(String, i64)> = state
        .keys
        .iter()
        .filter(|(_, (u, _))| u == user)
        .map(|(id, _)| {
            (
                id.clone(),
                state
                    .lifecycle
                    .created
                    .get(id)
                    .copied()
                    .unwrap_or(created_user),
            )
        })
        .collect();
    keys.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    keys
}

fn create_access_key(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let user = user_of(call)?;
    if keys_of(call.state, &user).len() >= MAX_KEYS_PER_USER {
        return Err(AwsError::new(
            409,
            "LimitExceeded",
            format!("Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"),
        ));
    }
    let keys = new_keys();
    let now = call.now;
    let lifecycle = &mut call.state.lifecycle;
    lifecycle.created.insert(keys.access_key_id.clone(), now);
    lifecycle.usable_at.insert(
        keys.access_key_id.clone(),
        Instant::now() + lifecycle.propagation,
    );
    call.state.keys.insert(
        keys.access_key_id.clone(),
        (user.clone(), keys.secret_access_key.clone()),
    );
    Ok(Some(format!(
        "    <AccessKey>\n      <UserName>{}</UserName>\n      <AccessKeyId>{}</AccessKeyId>\n      <Status>Active</Status>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <CreateDate>{}</CreateDate>\n    </AccessKey>\n",
        wire::xml_escape(&user),
        keys.access_key_id,
        wire::xml_escape(&keys.secret_access_key),
        wire::iso8601(now)
    )))
}

fn delete_access_key(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let id = call.param("AccessKeyId").map(str::to_string);
    let mut v = Validation::default();
    v.required(id.as_deref(), "accessKeyId");
    v.finish()?;
    let id = id.unwrap_or_default();
    let user = user_of(call)?;
    match call.state.keys.get(&id) {
        Some((owner, _)) if *owner == user => {
            call.state.keys.remove(&id);
            call.state.lifecycle.usable_at.remove(&id);
            Ok(None)
        }
        _ => Err(AwsError::new(
            404,
            "NoSuchEntity",
            format!("The Access Key with id {id} cannot be found."),
        )),
    }
}

fn list_access_keys(call: &mut Call<'_>) -> Result<Option<String>, AwsError> {
    let user = user_of(call)?;
    let mut members = String::new();
    for (id, created) in keys_of(call.state, &user) {
        members.push_str(&format!(
            "      <member>\n        <UserName>{}</UserName>\n        <AccessKeyId>{id}</AccessKeyId>\n        <Status>Active</Status>\n        <CreateDate>{}</CreateDate>\n      </member>\n",
            wire::xml_escape(&user),
            wire::iso8601(created)
        ));
    }
    Ok(Some(format!(
        "    <UserName>{}</UserName>\n    <AccessKeyMetadata>\n{members}    </AccessKeyMetadata>\n    <IsTruncated>false</IsTruncated>\n",
        wire::xml_escape(&user)
    )))
}

fn new_keys() -> Keys {
    Keys {
        access_key_id: format!("AKIA{}", wire::random_string(wire::UPPER_ALNUM, 16)),
        secret_access_key: wire::random_string(wire::SECRET_CHARS, 40),
    }
}

impl FakeAws {
    /// New keys (CreateAccessKey) are refused as unknown for `delay` after they were made, as
    /// IAM's eventual consistency does for a few seconds.
    pub fn set_key_propagation(&self, delay: Duration) {
        self.lock().lifecycle.propagation = delay;
    }

    /// Puts `user` under the AWS sample MFA policy: IAM actions other than managing one's own
    /// MFA device (and GetUser) are denied unless signed with an MFA session.
    pub fn set_iam_mfa_required(&self, user: &str) {
        self.lock().lifecycle.iam_mfa.insert(user.to_string());
    }

    /// Once a request for `trigger` arrives, the next request for `action` fails with `failure`
    /// (e.g. the GetCallerIdentity that checks a key CreateAccessKey just made).
    pub fn fail_after(&self, trigger: &str, action: &str, failure: Failure) {
        self.lock()
            .lifecycle
            .armed
            .push((trigger.to_string(), action.to_string(), failure));
    }

    /// [`FakeAws::add_access_key`] with a CreateDate `seconds` from the fake's now.
    pub fn add_access_key_created_in(&self, user: &str, seconds: i64) -> Keys {
        let keys = self.add_access_key(user);
        let mut state = self.lock();
        let at = state.now() + seconds;
        state
            .lifecycle
            .created
            .insert(keys.access_key_id.clone(), at);
        keys
    }

    /// The long-term access key ids of `user`, oldest first.
    pub fn access_keys(&self, user: &str) -> Vec<String> {
        keys_of(&self.lock(), user)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// The secret of a long-term key, if the key exists.
    pub fn secret_of(&self, access_key_id: &str) -> Option<String> {
        self.lock()
            .keys
            .get(access_key_id)
            .map(|(_, secret)| secret.clone())
    }

    /// Every (serial, code) sent to the fake so far (GetSessionToken, AssumeRole,
    /// EnableMFADevice), whether accepted or not, in order.
    pub fn codes_sent(&self) -> Vec<(String, String)> {
        self.lock().lifecycle.codes.clone()
    }

    /// Panics when any (serial, code) was sent twice.
    #[track_caller]
    pub fn assert_no_code_sent_twice(&self) {
        let codes = self.codes_sent();
        let mut seen = HashSet::new();
        for code in &codes {
            assert!(seen.insert(code), "code sent twice: {code:?} in {codes:?}");
        }
    }
}
