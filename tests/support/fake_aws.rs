//! An in-process fake of AWS STS and IAM (Query protocol, SigV4) on 127.0.0.1 for behaviour
//! tests, the demo and the benchmark. It checks what AWS checks and answers with AWS's error
//! codes and texts, so the app's error translation can be tested without the network.
//!
//! Include it with `#[path = "support/fake_aws.rs"] mod fake_aws;` (tests) or
//! `#[path = "../tests/support/fake_aws.rs"] mod fake_aws;` (examples).
//!
//! # API
//! - [`FakeAws::start`] / [`FakeAws::start_on`]: serve on a free / given port until dropped;
//!   [`FakeAws::endpoint`] is `http://127.0.0.1:PORT` for both STS and IAM.
//! - Setup: [`FakeAws::add_user`] (returns long-term `AKIA…` [`Keys`]), [`FakeAws::add_access_key`],
//!   [`FakeAws::add_mfa_device`] (an enabled virtual device from a base32 seed, returns its serial
//!   ARN), [`FakeAws::set_mfa_required`] (default true: GetSessionToken without MFA is denied).
//! - Clock: the fake's time is system time + [`FakeAws::set_clock_offset`] seconds
//!   ([`FakeAws::now_unix`]). It drives the `Date` response header, the ±5 min signature window,
//!   TOTP steps and session expiry. [`FakeAws::set_accept_any_step_within`] widens the accepted
//!   TOTP steps to every step in a range of unix times (for concurrency tests).
//! - Failures: [`FakeAws::fail_next`] with a [`Failure`], [`FakeAws::set_permission_denied`].
//! - Introspection: [`FakeAws::request_count`], [`FakeAws::action_count`],
//!   [`FakeAws::accepted_steps`], [`FakeAws::issued_sessions`], [`FakeAws::is_valid_session`],
//!   [`FakeAws::identity`], [`FakeAws::mfa_devices`], [`FakeAws::code_at`],
//!   [`FakeAws::on_request`].
//! - [`random_seed_base32`]: a seed like the ones IAM makes (40 bytes, 64 base32 characters).
//!
//! # What is checked, like AWS
//! - SigV4 on every request (scope service `sts` or `iam`, IAM only in `us-east-1`; payload hash
//!   from `x-amz-content-sha256` or the body; `X-Amz-Date` within 5 min of the fake's clock).
//!   Session keys (`ASIA…`) need the matching `X-Amz-Security-Token`.
//! - GetSessionToken: long-term keys only, `DurationSeconds` 900..=129600 (default 43200),
//!   `SerialNumber` must be an MFA device enabled for the caller, `TokenCode` six digits equal to
//!   the TOTP (SHA-1, 30 s) at step t-1, t or t+1; a step once accepted for a serial is refused
//!   again. Codes accepted by EnableMFADevice count as used too (as with AWS: wait for a fresh
//!   code after enrolling).
//! - IAM CreateVirtualMFADevice, EnableMFADevice (two consecutive codes, the later one at step
//!   t-1, t or t+1), DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, GetUser.
//!
//! User names are unique across the whole fake (whatever their account).
#![allow(dead_code)]

#[path = "fake_aws/http.rs"]
mod http;
#[path = "fake_aws/iam.rs"]
mod iam;
#[path = "fake_aws/sigv4.rs"]
mod sigv4;
#[path = "fake_aws/sts.rs"]
mod sts;
#[path = "fake_aws/wire.rs"]
mod wire;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A long-term access key pair (`AKIA…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// A failure to inject in place of the next answers (see [`FakeAws::fail_next`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// 500 answers `InternalFailure`, 503 `ServiceUnavailable`, anything else `InternalFailure`.
    Status(u16),
    /// 400 `Throttling` "Rate exceeded".
    Throttle,
    /// 200 with a truncated XML body.
    MalformedXml,
    /// Sleep this long, then answer normally.
    Delay(Duration),
    /// Close the connection without answering.
    CloseConnection,
}

/// Who a key belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub account: String,
    pub arn: String,
    /// `AIDA…`, the IAM unique id.
    pub user_id: String,
}

/// A session GetSessionToken handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedSession {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Unix time (fake clock).
    pub expiration: i64,
    pub user: String,
    /// The MFA serial used, if any.
    pub serial: Option<String>,
}

struct User {
    identity: Identity,
    created: i64,
    mfa_required: bool,
}

struct Device {
    serial: String,
    account: String,
    name: String,
    seed: Vec<u8>,
    /// The user it is enabled for.
    user: Option<String>,
    enabled_at: Option<i64>,
}

type Hook = Arc<dyn Fn(&str) + Send + Sync>;

struct State {
    clock_offset: i64,
    lenient_steps: Option<Range<u64>>,
    users: BTreeMap<String, User>,
    /// Long-term key id → (user, secret).
    keys: HashMap<String, (String, String)>,
    sessions: HashMap<String, IssuedSession>,
    devices: BTreeMap<String, Device>,
    used_steps: HashSet<(String, u64)>,
    accepted: Vec<(String, u64)>,
    failures: VecDeque<Failure>,
    denied: HashSet<String>,
    requests: usize,
    actions: HashMap<String, usize>,
    hook: Option<Hook>,
}

impl State {
    fn now(&self) -> i64 {
        wire::unix_now() + self.clock_offset
    }

    fn identity_of(&self, user: &str) -> Option<&Identity> {
        self.users.get(user).map(|u| &u.identity)
    }

    /// TOTP steps a code may come from right now.
    fn step_window(&self) -> Vec<u64> {
        match &self.lenient_steps {
            Some(range) => (range.start / 30..=range.end.saturating_sub(1) / 30).collect(),
            None => {
                let t = (self.now().max(0) as u64) / 30;
                (t.saturating_sub(1)..=t + 1).collect()
            }
        }
    }

    fn mark_used(&mut self, serial: &str, step: u64) {
        self.used_steps.insert((serial.to_string(), step));
        self.accepted.push((serial.to_string(), step));
    }

    fn is_used(&self, serial: &str, step: u64) -> bool {
        self.used_steps.contains(&(serial.to_string(), step))
    }
}

/// A fresh random seed like IAM's: 40 bytes as 64 base32 characters.
pub fn random_seed_base32() -> String {
    base32::encode(
        base32::Alphabet::Rfc4648 { padding: false },
        &wire::random_bytes(40),
    )
}

/// The TOTP code (SHA-1, 6 digits, 30 s) of `seed` at time step `step`.
fn totp(seed: &[u8], step: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(seed.to_vec())
        .build_noncompliant()
        .generate(step * 30)
        .to_string()
}

/// An AWS error answer.
struct AwsError {
    status: u16,
    code: &'static str,
    message: String,
}

impl AwsError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> AwsError {
        AwsError {
            status,
            code,
            message: message.into(),
        }
    }

    fn access_denied(message: impl Into<String>) -> AwsError {
        AwsError::new(403, "AccessDenied", message)
    }

    fn invalid_token() -> AwsError {
        AwsError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    fn signature_mismatch(message: impl Into<String>) -> AwsError {
        AwsError::new(403, "SignatureDoesNotMatch", message)
    }
}

/// AWS's "N validation error(s) detected: …" accumulator.
#[derive(Default)]
struct Validation(Vec<String>);

impl Validation {
    fn fail(&mut self, value: Option<&str>, field: &str, constraint: &str) {
        let value = match value {
            Some(v) => format!("'{v}'"),
            None => "null".to_string(),
        };
        self.0.push(format!(
            "Value {value} at '{field}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    /// Length and character-class checks on an optional string member.
    fn string(
        &mut self,
        value: Option<&str>,
        field: &str,
        len: Range<usize>,
        allowed: impl Fn(char) -> bool,
        pattern: &str,
    ) {
        let Some(v) = value else { return };
        let n = v.chars().count();
        if n < len.start {
            self.fail(
                value,
                field,
                &format!("have length greater than or equal to {}", len.start),
            );
        }
        if n >= len.end {
            self.fail(
                value,
                field,
                &format!("have length less than or equal to {}", len.end - 1),
            );
        }
        if !v.chars().all(allowed) {
            self.fail(
                value,
                field,
                &format!("satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    fn required(&mut self, value: Option<&str>, field: &str) {
        if value.is_none() {
            self.fail(None, field, "not be null");
        }
    }

    fn finish(self) -> Result<(), AwsError> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(AwsError::new(
                400,
                "ValidationError",
                format!(
                    "{n} validation error{} detected: {}",
                    if n == 1 { "" } else { "s" },
                    self.0.join("; ")
                ),
            )),
        }
    }
}

/// The authenticated caller of one request.
struct Caller {
    user: String,
    /// Signed with session credentials from GetSessionToken.
    session: Option<IssuedSession>,
}

/// What an action handler needs.
struct Call<'a> {
    state: &'a mut State,
    caller: &'a Caller,
    params: &'a HashMap<String, String>,
    now: i64,
    request_id: &'a str,
}

impl Call<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    fn identity(&self) -> Identity {
        self.state
            .identity_of(&self.caller.user)
            .cloned()
            .expect("authenticated callers exist")
    }
}

/// A running fake; the server stops when this is dropped.
pub struct FakeAws {
    state: Arc<Mutex<State>>,
    server: http::Server,
}

impl FakeAws {
    /// Starts on a free loopback port. Panics if no socket can be bound.
    pub fn start() -> FakeAws {
        FakeAws::start_on(0).expect("bind 127.0.0.1:0 for the fake AWS")
    }

    /// Starts on 127.0.0.1:`port` (0 = any free port).
    pub fn start_on(port: u16) -> std::io::Result<FakeAws> {
        let state = Arc::new(Mutex::new(State {
            clock_offset: 0,
            lenient_steps: None,
            users: BTreeMap::new(),
            keys: HashMap::new(),
            sessions: HashMap::new(),
            devices: BTreeMap::new(),
            used_steps: HashSet::new(),
            accepted: Vec::new(),
            failures: VecDeque::new(),
            denied: HashSet::new(),
            requests: 0,
            actions: HashMap::new(),
            hook: None,
        }));
        let shared = Arc::clone(&state);
        let handler: Arc<http::Handler> = Arc::new(move |request| handle(&shared, request));
        let server = http::Server::start(port, handler)?;
        Ok(FakeAws { state, server })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `http://127.0.0.1:PORT`, the endpoint for STS and IAM alike.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// Adds an IAM user `arn:aws:iam::ACCOUNT:user/NAME` with one long-term access key.
    /// MFA is required for GetSessionToken by default. Panics if the name is taken.
    pub fn add_user(&self, user: &str, account: &str) -> Keys {
        {
            let mut state = self.lock();
            assert!(
                !state.users.contains_key(user),
                "fake AWS: user {user} exists"
            );
            let created = state.now();
            state.users.insert(
                user.to_string(),
                User {
                    identity: Identity {
                        user: user.to_string(),
                        account: account.to_string(),
                        arn: format!("arn:aws:iam::{account}:user/{user}"),
                        user_id: format!("AIDA{}", wire::random_string(wire::UPPER_ALNUM, 17)),
                    },
                    created,
                    mfa_required: true,
                },
            );
        }
        self.add_access_key(user)
    }

    /// Another long-term key for an existing user.
    pub fn add_access_key(&self, user: &str) -> Keys {
        let mut state = self.lock();
        assert!(state.users.contains_key(user), "fake AWS: no user {user}");
        let keys = Keys {
            access_key_id: format!("AKIA{}", wire::random_string(wire::UPPER_ALNUM, 16)),
            secret_access_key: wire::random_string(wire::SECRET_CHARS, 40),
        };
        state.keys.insert(
            keys.access_key_id.clone(),
            (user.to_string(), keys.secret_access_key.clone()),
        );
        keys
    }

    /// Adds a virtual MFA device `arn:aws:iam::ACCOUNT:mfa/NAME` enabled for `user`, with the
    /// given base32 seed (case, spaces and `=` padding ignored). Returns the serial.
    pub fn add_mfa_device(&self, user: &str, name: &str, seed_base32: &str) -> String {
        let normalised: String = seed_base32
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let seed = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &normalised)
            .expect("fake AWS: seed is not base32");
        let mut state = self.lock();
        let now = state.now();
        let account = state
            .identity_of(user)
            .unwrap_or_else(|| panic!("fake AWS: no user {user}"))
            .account
            .clone();
        let serial = format!("arn:aws:iam::{account}:mfa/{name}");
        assert!(
            !state.devices.contains_key(&serial),
            "fake AWS: device {serial} exists"
        );
        state.devices.insert(
            serial.clone(),
            Device {
                serial: serial.clone(),
                account,
                name: name.to_string(),
                seed,
                user: Some(user.to_string()),
                enabled_at: Some(now),
            },
        );
        serial
    }

    /// Whether the user's policy denies GetSessionToken without MFA (default true).
    pub fn set_mfa_required(&self, user: &str, required: bool) {
        let mut state = self.lock();
        let u = state
            .users
            .get_mut(user)
            .unwrap_or_else(|| panic!("fake AWS: no user {user}"));
        u.mfa_required = required;
    }

    /// The fake's clock is system time + `seconds`.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.lock().clock_offset = seconds;
    }

    /// The fake's clock, unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.lock().now()
    }

    /// Accept a TOTP code from any 30 s step overlapping `unix_times` instead of t-1..=t+1
    /// (`None` restores the normal window). Reuse of a (serial, step) is still refused.
    pub fn set_accept_any_step_within(&self, unix_times: Option<Range<u64>>) {
        self.lock().lenient_steps = unix_times;
    }

    /// The next `n` requests (of any action) fail with `failure` instead of being served.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        let mut state = self.lock();
        state.failures.extend(std::iter::repeat_n(failure, n));
    }

    /// Every caller gets AccessDenied for `action` (`"CreateVirtualMFADevice"` or
    /// `"iam:CreateVirtualMFADevice"`), after authentication.
    pub fn set_permission_denied(&self, action: &str) {
        let name = action.rsplit(':').next().unwrap_or(action);
        self.lock().denied.insert(name.to_string());
    }

    /// Called with the action name (`""` if none) of every request, before it is served.
    pub fn on_request(&self, hook: impl Fn(&str) + Send + Sync + 'static) {
        self.lock().hook = Some(Arc::new(hook));
    }

    /// Requests received, including failed and injected-failure ones.
    pub fn request_count(&self) -> usize {
        self.lock().requests
    }

    /// Requests received with this `Action`.
    pub fn action_count(&self, action: &str) -> usize {
        self.lock().actions.get(action).copied().unwrap_or(0)
    }

    /// (serial, TOTP step) pairs accepted so far, in order (GetSessionToken and EnableMFADevice).
    pub fn accepted_steps(&self) -> Vec<(String, u64)> {
        self.lock().accepted.clone()
    }

    /// Sessions issued by GetSessionToken, oldest first.
    pub fn issued_sessions(&self) -> Vec<IssuedSession> {
        let state = self.lock();
        let mut sessions: Vec<IssuedSession> = state.sessions.values().cloned().collect();
        sessions.sort_by_key(|s| s.expiration);
        sessions
    }

    /// Whether these are the three parts of one issued, unexpired session.
    pub fn is_valid_session(&self, access_key_id: &str, secret: &str, token: &str) -> bool {
        let state = self.lock();
        state.sessions.get(access_key_id).is_some_and(|s| {
            s.secret_access_key == secret && s.session_token == token && s.expiration > state.now()
        })
    }

    /// The identity a long-term or session key id belongs to.
    pub fn identity(&self, access_key_id: &str) -> Option<Identity> {
        let state = self.lock();
        let user = match state.keys.get(access_key_id) {
            Some((user, _)) => user.clone(),
            None => state.sessions.get(access_key_id)?.user.clone(),
        };
        state.identity_of(&user).cloned()
    }

    /// The identity of a user by name.
    pub fn user(&self, user: &str) -> Option<Identity> {
        self.lock().identity_of(user).cloned()
    }

    /// Serials of the MFA devices enabled for `user`.
    pub fn mfa_devices(&self, user: &str) -> Vec<String> {
        self.lock()
            .devices
            .values()
            .filter(|d| d.user.as_deref() == Some(user))
            .map(|d| d.serial.clone())
            .collect()
    }

    /// The code a device shows at `unix` time (any device the fake knows, enabled or not).
    pub fn code_at(&self, serial: &str, unix: u64) -> Option<String> {
        let state = self.lock();
        state.devices.get(serial).map(|d| totp(&d.seed, unix / 30))
    }
}

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

fn namespace(service: &str) -> &'static str {
    if service == "iam" {
        "https://iam.amazonaws.com/doc/2010-05-08/"
    } else {
        "https://sts.amazonaws.com/doc/2011-06-15/"
    }
}

/// `<{action}Response><{action}Result>{result}</…Result><ResponseMetadata>…` (no Result when
/// `result` is `None`, as for EnableMFADevice).
fn success_xml(service: &str, action: &str, result: Option<&str>, request_id: &str) -> String {
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

fn handle(shared: &Mutex<State>, request: http::Request) -> http::Reply {
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
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
        *state.actions.entry(action.clone()).or_insert(0) += 1;
        (state.failures.pop_front(), state.hook.clone())
    };
    if let Some(hook) = hook {
        hook(&action);
    }
    match failure {
        None => {}
        Some(Failure::Delay(d)) => std::thread::sleep(d),
        Some(Failure::CloseConnection) => return http::Reply::Close,
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
    match outcome {
        Ok(body) => reply(now, &request_id, 200, body),
        Err(error) => reply(
            now,
            &request_id,
            error.status,
            error_xml(&service, &error, &request_id),
        ),
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
        "iam" => iam::ACTIONS.contains(&action),
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
            ("iam", "CreateVirtualMFADevice") => format!(
                "arn:aws:iam::{}:mfa{}{}",
                identity.account,
                params.get("Path").map(String::as_str).unwrap_or("/"),
                params
                    .get("VirtualMFADeviceName")
                    .map(String::as_str)
                    .unwrap_or("")
            ),
            ("iam", "DeleteVirtualMFADevice") => {
                params.get("SerialNumber").cloned().unwrap_or_default()
            }
            ("iam", _) => match params.get("UserName") {
                Some(u) => format!("arn:aws:iam::{}:user/{u}", identity.account),
                None => identity.arn.clone(),
            },
            _ => identity.arn.clone(),
        };
        return Err(AwsError::access_denied(format!(
            "User: {} is not authorized to perform: {service}:{action} on resource: {resource} because no identity-based policy allows the {service}:{action} action",
            identity.arn
        )));
    }
    let mut call = Call {
        state,
        caller: &caller,
        params,
        now,
        request_id,
    };
    match service {
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
    match auth.service.as_str() {
        "sts" => {}
        "iam" if auth.region == "us-east-1" => {}
        "iam" => {
            return Err(AwsError::signature_mismatch(format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                auth.region
            )));
        }
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
        if token.is_some() {
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
