//! An in-process fake of AWS STS and IAM (Query protocol, SigV4) on 127.0.0.1 for behaviour
//! tests, the demo and the benchmark. It checks what AWS checks and answers with AWS's error
//! codes and texts, so the app's error translation can be tested without the network.
//!
//! The tests use it as `crate::support::fake_aws`; examples include it with
//! `#[path = "../tests/it/support/fake_aws.rs"] mod fake_aws;`.
//!
//! # API
//! - [`FakeAws::start`]: HTTPS on a free port until dropped, with a private CA made for it
//!   ([`FakeAws::ca_bundle`] is its PEM file: pass it as `AWS_CA_BUNDLE`, as a user behind a
//!   TLS-inspecting proxy would); [`FakeAws::start_http`] / [`FakeAws::start_on`]: plain HTTP on
//!   a free / given port, [`FakeAws::start_https_on`]: HTTPS on a given port.
//!   [`FakeAws::endpoint`] is `https://127.0.0.1:PORT` (or `http://`) for both STS and IAM.
//! - Setup: [`FakeAws::add_user`] (returns long-term `AKIA…` [`Keys`]), [`FakeAws::add_access_key`],
//!   [`FakeAws::add_mfa_device`] (an enabled virtual device from a base32 seed, returns its serial
//!   ARN), [`FakeAws::set_mfa_required`] (default true: GetSessionToken without MFA is denied),
//!   [`FakeAws::add_role`] (a role that listed users may assume, optionally only with MFA).
//! - Clock: the fake's time is system time + [`FakeAws::set_clock_offset`] seconds
//!   ([`FakeAws::now_unix`]). It drives the `Date` response header, the ±5 min signature window,
//!   TOTP steps and session expiry. [`FakeAws::set_accept_any_step_within`] widens the accepted
//!   TOTP steps to every step in a range of unix times (for concurrency tests).
//! - Failures: [`FakeAws::fail_next`] (any action) or [`FakeAws::fail_next_of`] (one action) with
//!   a [`Failure`]: error statuses, throttling, truncated XML, a dropped connection before or
//!   after serving ([`Failure::ResetAfterServe`]: the code is used, the answer lost), a request
//!   never answered ([`Failure::Hang`]), a served answer whose credentials are missing a field,
//!   empty, or expire in the past or absurdly late ([`Failure::Spoiled`]);
//!   [`FakeAws::set_permission_denied`].
//! - Token sizes: sessions carry tokens of realistic size, [`SESSION_TOKEN_LEN`] characters from
//!   GetSessionToken and [`ROLE_TOKEN_LEN`] from AssumeRole by default
//!   ([`FakeAws::set_session_token_len`]).
//! - Failures: [`FakeAws::fail_next`] with a [`Failure`] ([`FakeAws::clear_failures`] drops the
//!   rest), [`FakeAws::set_permission_denied`].
//! - Short sessions: [`FakeAws::set_session_lifetime`] (every session lasts that long, whatever
//!   was asked for), so renewal across expiries can be tested.
//! - Console sign-in: GetFederationToken and `GET /federation?Action=getSigninToken`
//!   (`fake_aws/signin.rs`); [`FakeAws::signin_session`] is the session behind a sign-in token,
//!   [`FakeAws::is_federated`] tells federation sessions apart.
//! - Latency: [`FakeAws::set_latency`] delays every answer (a realistic round trip for the
//!   parallel benchmark, or a mint that is surely still running); [`FakeAws::in_flight`] and
//!   [`FakeAws::max_in_flight`] count requests being served at once.
//! - Introspection: [`FakeAws::request_count`], [`FakeAws::action_count`],
//!   [`FakeAws::accepted_steps`], [`FakeAws::issued_sessions`], [`FakeAws::is_valid_session`],
//!   [`FakeAws::identity`], [`FakeAws::mfa_devices`], [`FakeAws::code_at`],
//!   [`FakeAws::on_request`].
//! - [`random_seed_base32`]: a seed like the ones IAM makes (40 bytes, 64 base32 characters).
//!
//! # What is checked, like AWS
//! - SigV4 on every request (scope service `sts` or `iam`; STS in a region of the fake's
//!   partition, IAM only in the partition's IAM signing region: `us-east-1`, `cn-north-1`,
//!   `us-gov-west-1`; payload hash from `x-amz-content-sha256` or the body; `X-Amz-Date` within
//!   5 min of the fake's clock). Session keys (`ASIA…`) need the matching `X-Amz-Security-Token`.
//! - Partitions: [`FakeAws::set_partition`] (`aws` by default) puts the fake's ARNs in
//!   `aws-cn` or `aws-us-gov`. A request whose `Host` is an AWS endpoint name (as it is when the
//!   tests' recording CONNECT proxy tunnels it here) must be for that partition (other keys are
//!   unknown there: `InvalidClientTokenId`), and signed for that host's service and region
//!   (`sts.amazonaws.com` and `iam.amazonaws.com`: `us-east-1`; `iam.us-gov.amazonaws.com`:
//!   `us-gov-west-1`; `sts-fips.us-east-2.amazonaws.com`: `us-east-2`; …), as AWS checks the
//!   credential scope. [`FakeAws::hosts`] lists the `Host` of every request.
//! - GetSessionToken: long-term keys only, `DurationSeconds` 900..=129600 (default 43200),
//!   `SerialNumber` must be an MFA device enabled for the caller, `TokenCode` six digits equal to
//!   the TOTP (SHA-1, 30 s) at step t-1, t or t+1; a step once accepted for a serial is refused
//!   again. Codes accepted by EnableMFADevice count as used too (as with AWS: wait for a fresh
//!   code after enrolling).
//! - AssumeRole: long-term keys or a session as caller; the role must trust the caller's user;
//!   with MFA required, the MFA comes from SerialNumber + TokenCode (checked like
//!   GetSessionToken's) or from the caller's GetSessionToken session (its MFA context);
//!   `RoleSessionName` 2..=64 of `[\w+=,.@-]`, `DurationSeconds` 900..=43200 and at most the
//!   role's MaxSessionDuration (3600), 1 h when chaining from a role session; a refused or
//!   unknown role gets the same AccessDenied text. Role sessions answer GetCallerIdentity with
//!   their `assumed-role` ARN.
//! - IAM CreateVirtualMFADevice, EnableMFADevice (two consecutive codes, the later one at step
//!   t-1, t or t+1), DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices (several
//!   devices per user, up to 8), GetUser.
//! - IAM CreateAccessKey (at most two keys per user: `LimitExceeded`), DeleteAccessKey (the key
//!   is refused at once), ListAccessKeys; [`FakeAws::set_key_propagation`] makes a new key
//!   unknown (`InvalidClientTokenId`) for a while; [`FakeAws::set_iam_mfa_required`] puts a user
//!   under AWS's sample MFA policy (IAM calls other than managing one's own device need an MFA
//!   session); [`FakeAws::codes_sent`] logs every MFA code sent (see `fake_aws/access_keys.rs`).
//!
//! User names are unique across the whole fake (whatever their account).
#![allow(dead_code)]

#[path = "fake_aws/access_keys.rs"]
mod access_keys;
#[path = "fake_aws/dispatch.rs"]
mod dispatch;
#[path = "fake_aws/http.rs"]
mod http;
#[path = "fake_aws/iam.rs"]
mod iam;
#[path = "fake_aws/signin.rs"]
mod signin;
#[path = "fake_aws/sigv4.rs"]
mod sigv4;
#[path = "fake_aws/sts.rs"]
mod sts;
#[path = "fake_aws/tls.rs"]
mod tls;
#[path = "fake_aws/wire.rs"]
mod wire;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use dispatch::success_xml;
pub use tls::TestCa;

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
    /// Close the connection without answering (before serving: nothing was done).
    CloseConnection,
    /// Serve the request (a code is used up, a session issued), then drop the connection
    /// without answering: the answer is lost after AWS acted on it.
    ResetAfterServe,
    /// Read the request and never answer; the connection stays open until the fake is dropped.
    Hang,
    /// Serve the request, then answer 200 with its `<Credentials>` spoiled (as a broken proxy or
    /// captive portal might): see [`Spoil`]. An answer without `<Credentials>` is sent as is.
    Spoiled(Spoil),
}

/// How [`Failure::Spoiled`] damages a served answer's `<Credentials>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spoil {
    /// Leave out this element (`AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`).
    Omit(&'static str),
    /// This element present but empty.
    Empty(&'static str),
    /// This element's text replaced (XML-escaped: the answer stays well-formed).
    Replace(&'static str, String),
    /// `Expiration` this many seconds from the fake's now (negative: in the past).
    ExpiresIn(i64),
    /// The answer cut off in the middle of `<Credentials>` (not XML any more).
    Truncate,
}

/// Default `SessionToken` length of GetSessionToken sessions (AWS's run past 1,000 characters).
pub const SESSION_TOKEN_LEN: usize = 1200;
/// Default `SessionToken` length of AssumeRole sessions (AWS says "typically under 4,096 bytes").
pub const ROLE_TOKEN_LEN: usize = 2000;

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
    /// The MFA serial used, if any (for a role session: the one of the session it came from).
    pub serial: Option<String>,
    /// For an AssumeRole session: the role's ARN and the session name.
    pub role: Option<(String, String)>,
}

/// An IAM role of the fake (see [`FakeAws::add_role`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub arn: String,
    /// Users its trust policy allows.
    pub trusted: Vec<String>,
    /// The trust policy's `aws:MultiFactorAuthPresent` condition.
    pub requires_mfa: bool,
    /// MaxSessionDuration (3600 by default, as in IAM).
    pub max_session: i64,
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
    /// `aws`, `aws-cn` or `aws-us-gov`: the partition of every ARN and of the endpoints served.
    partition: String,
    /// The `Host` header of every request, in order.
    hosts: Vec<String>,
    clock_offset: i64,
    /// Tests of renewal: every session lasts this long, whatever was asked for.
    session_lifetime: Option<i64>,
    /// Key ids of GetFederationToken sessions; sign-in tokens → the key id they were made for.
    federated: HashSet<String>,
    signin_tokens: HashMap<String, String>,
    lenient_steps: Option<Range<u64>>,
    /// Benchmarks only: accept a code step again (real AWS never does).
    reuse_allowed: bool,
    users: BTreeMap<String, User>,
    /// Long-term key id → (user, secret).
    keys: HashMap<String, (String, String)>,
    sessions: HashMap<String, IssuedSession>,
    devices: BTreeMap<String, Device>,
    roles: BTreeMap<String, Role>,
    used_steps: HashSet<(String, u64)>,
    accepted: Vec<(String, u64)>,
    /// Injected failures in order, each for one action or (`None`) any.
    failures: VecDeque<(Option<String>, Failure)>,
    /// `SessionToken` lengths: GetSessionToken, AssumeRole.
    token_len: (usize, usize),
    denied: HashSet<String>,
    requests: usize,
    actions: HashMap<String, usize>,
    hook: Option<Hook>,
    latency: Duration,
    in_flight: usize,
    max_in_flight: usize,
    /// Access keys' life and the MFA code log (see `access_keys.rs`).
    lifecycle: access_keys::Lifecycle,
}

impl State {
    fn now(&self) -> i64 {
        wire::unix_now() + self.clock_offset
    }

    /// `arn:PARTITION:SERVICE::ACCOUNT:RESOURCE`.
    fn arn(&self, service: &str, account: &str, resource: &str) -> String {
        format!("arn:{}:{service}::{account}:{resource}", self.partition)
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
        !self.reuse_allowed && self.used_steps.contains(&(serial.to_string(), step))
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
    ca: Option<TestCa>,
}

impl FakeAws {
    /// Starts HTTPS on a free loopback port, with a new private CA. Panics if no socket can be
    /// bound.
    pub fn start() -> FakeAws {
        FakeAws::start_https_on(0).expect("bind 127.0.0.1:0 for the fake AWS")
    }

    /// Starts plain HTTP on a free loopback port.
    pub fn start_http() -> FakeAws {
        FakeAws::start_on(0).expect("bind 127.0.0.1:0 for the fake AWS")
    }

    /// Starts plain HTTP on 127.0.0.1:`port` (0 = any free port).
    pub fn start_on(port: u16) -> std::io::Result<FakeAws> {
        FakeAws::start_with(port, None)
    }

    /// Starts HTTPS on 127.0.0.1:`port` (0 = any free port) with a new private CA.
    pub fn start_https_on(port: u16) -> std::io::Result<FakeAws> {
        FakeAws::start_with(port, Some(TestCa::new()))
    }

    fn start_with(port: u16, ca: Option<TestCa>) -> std::io::Result<FakeAws> {
        let state = Arc::new(Mutex::new(State {
            partition: "aws".to_string(),
            hosts: Vec::new(),
            clock_offset: 0,
            session_lifetime: None,
            federated: HashSet::new(),
            signin_tokens: HashMap::new(),
            lenient_steps: None,
            reuse_allowed: false,
            users: BTreeMap::new(),
            keys: HashMap::new(),
            sessions: HashMap::new(),
            devices: BTreeMap::new(),
            roles: BTreeMap::new(),
            used_steps: HashSet::new(),
            accepted: Vec::new(),
            failures: VecDeque::new(),
            token_len: (SESSION_TOKEN_LEN, ROLE_TOKEN_LEN),
            denied: HashSet::new(),
            requests: 0,
            actions: HashMap::new(),
            hook: None,
            latency: Duration::ZERO,
            in_flight: 0,
            max_in_flight: 0,
            lifecycle: access_keys::Lifecycle::default(),
        }));
        let shared = Arc::clone(&state);
        let handler: Arc<http::Handler> = Arc::new(move |request| {
            let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
            let latency = {
                let mut state = lock();
                state.in_flight += 1;
                state.max_in_flight = state.max_in_flight.max(state.in_flight);
                state.latency
            };
            // Outside the state lock: concurrent requests wait side by side, as on a network.
            std::thread::sleep(latency);
            let reply = dispatch::handle(&shared, request);
            lock().in_flight -= 1;
            reply
        });
        let tls = ca.as_ref().map(|ca| Arc::clone(&ca.server_config));
        let server = http::Server::start(port, handler, tls)?;
        Ok(FakeAws { state, server, ca })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `https://127.0.0.1:PORT` (`http://` for a plain fake), the endpoint for STS and IAM alike.
    pub fn endpoint(&self) -> String {
        let scheme = if self.ca.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.server.addr())
    }

    /// The private CA's PEM file (for `AWS_CA_BUNDLE`); `""` for a plain-HTTP fake, which
    /// needs none (and where the variable, set empty, counts as unset).
    pub fn ca_bundle(&self) -> &str {
        self.ca
            .as_ref()
            .map(|ca| ca.ca_path().to_str().expect("UTF-8 temp path"))
            .unwrap_or("")
    }

    /// The private CA, for a plain-HTTP fake `None`.
    pub fn ca(&self) -> Option<&TestCa> {
        self.ca.as_ref()
    }

    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// Puts the fake in `partition` (`aws`, `aws-cn`, `aws-us-gov`): the ARNs of users, devices
    /// and roles added afterwards, and which AWS endpoint names and signing regions it serves.
    pub fn set_partition(&self, partition: &str) {
        assert!(
            matches!(partition, "aws" | "aws-cn" | "aws-us-gov"),
            "fake AWS: unknown partition {partition}"
        );
        self.lock().partition = partition.to_string();
    }

    /// The `Host` header of every request so far, in order.
    pub fn hosts(&self) -> Vec<String> {
        self.lock().hosts.clone()
    }

    /// Adds an IAM user `arn:PARTITION:iam::ACCOUNT:user/NAME` with one long-term access key.
    /// MFA is required for GetSessionToken by default. Panics if the name is taken.
    pub fn add_user(&self, user: &str, account: &str) -> Keys {
        {
            let mut state = self.lock();
            assert!(
                !state.users.contains_key(user),
                "fake AWS: user {user} exists"
            );
            let created = state.now();
            let arn = state.arn("iam", account, &format!("user/{user}"));
            state.users.insert(
                user.to_string(),
                User {
                    identity: Identity {
                        user: user.to_string(),
                        account: account.to_string(),
                        arn,
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

    /// Adds a virtual MFA device `arn:PARTITION:iam::ACCOUNT:mfa/NAME` enabled for `user`, with the
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
        let serial = state.arn("iam", &account, &format!("mfa/{name}"));
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

    /// Adds a role `arn:PARTITION:iam::ACCOUNT:role/NAME` that `trusted` users may assume, with MFA
    /// when `requires_mfa` (a code in the call, or a caller session from GetSessionToken with
    /// MFA). Returns its ARN.
    pub fn add_role(
        &self,
        account: &str,
        name: &str,
        trusted: &[&str],
        requires_mfa: bool,
    ) -> String {
        let mut state = self.lock();
        let arn = state.arn("iam", account, &format!("role/{name}"));
        state.roles.insert(
            arn.clone(),
            Role {
                arn: arn.clone(),
                trusted: trusted.iter().map(|u| u.to_string()).collect(),
                requires_mfa,
                max_session: 3600,
            },
        );
        arn
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

    /// Sessions (GetSessionToken, AssumeRole) last `seconds` whatever DurationSeconds asked for
    /// (after checking it as usual), so tests can watch sessions expire; `None` restores AWS's.
    pub fn set_session_lifetime(&self, seconds: Option<i64>) {
        self.lock().session_lifetime = seconds;
    }

    /// Drops the failures [`FakeAws::fail_next`] queued and not yet served (STS is back).
    pub fn clear_failures(&self) {
        self.lock().failures.clear();
    }

    /// Every request is answered `latency` later (served after the wait, concurrently).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Requests being served right now (including their latency wait).
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// The most requests served at the same time so far.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
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

    /// The accepted code steps of one device, in order.
    pub fn accepted_steps_for(&self, serial: &str) -> Vec<u64> {
        self.accepted_steps()
            .into_iter()
            .filter(|(s, _)| s == serial)
            .map(|(_, step)| step)
            .collect()
    }

    /// Benchmarks only: let a code step be used again, so repeated timed runs never wait.
    pub fn set_reuse_allowed(&self, allowed: bool) {
        self.lock().reuse_allowed = allowed;
    }

    /// The next `n` requests (of any action) fail with `failure` instead of being served.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        let mut state = self.lock();
        state
            .failures
            .extend(std::iter::repeat_n((None, failure), n));
    }

    /// The next `n` requests for `action` (e.g. `"AssumeRole"`) fail with `failure`; other
    /// actions are served as usual.
    pub fn fail_next_of(&self, action: &str, n: usize, failure: Failure) {
        let mut state = self.lock();
        state
            .failures
            .extend(std::iter::repeat_n((Some(action.to_string()), failure), n));
    }

    /// Injected failures not used yet.
    pub fn pending_failures(&self) -> usize {
        self.lock().failures.len()
    }

    /// `SessionToken` lengths (characters) of new GetSessionToken and AssumeRole sessions.
    pub fn set_session_token_len(&self, get_session_token: usize, assume_role: usize) {
        assert!(
            get_session_token >= 20 && assume_role >= 20,
            "fake AWS: tokens of at least 20 characters"
        );
        self.lock().token_len = (get_session_token, assume_role);
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
