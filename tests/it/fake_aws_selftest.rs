//! Self-tests of the fake AWS in `tests/it/support/fake_aws.rs`: it must accept what the real SDK
//! sends and refuse, with AWS's codes and texts, what AWS refuses.

use crate::support::fake_aws;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use base64::Engine as _;
use fake_aws::{Failure, FakeAws, Keys};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub(crate) const ACCOUNT: &str = "123456789012";
/// RFC 6238's SHA-1 test secret "12345678901234567890" in base32.
pub(crate) const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

pub(crate) fn code(seed_base32: &str, unix: i64) -> String {
    let seed = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, seed_base32)
        .expect("base32 seed");
    totp_rs::Builder::new()
        .with_secret(seed)
        .build_noncompliant()
        .generate(unix as u64)
        .to_string()
}

/// A six-digit code that is none of the device's codes near `unix`.
fn wrong_code(seed_base32: &str, unix: i64) -> String {
    let near: Vec<String> = (-3..=3).map(|k| code(seed_base32, unix + 30 * k)).collect();
    (0..)
        .map(|n| format!("{:06}", (123_456 + n * 7919) % 1_000_000))
        .find(|c| !near.contains(c))
        .expect("some code is wrong")
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The STS client as the app builds it; retries off unless asked for.
pub(crate) fn sts(
    fake: &FakeAws,
    akid: &str,
    secret: &str,
    token: Option<&str>,
    retries: bool,
) -> aws_sdk_sts::Client {
    let retry = if retries {
        RetryConfig::standard()
    } else {
        RetryConfig::disabled()
    };
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            akid,
            secret,
            token.map(str::to_string),
            None,
            "test",
        ))
        .endpoint_url(fake.endpoint())
        .retry_config(retry)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

pub(crate) fn client(fake: &FakeAws, keys: &Keys) -> aws_sdk_sts::Client {
    sts(
        fake,
        &keys.access_key_id,
        &keys.secret_access_key,
        None,
        false,
    )
}

pub(crate) struct Setup {
    pub fake: FakeAws,
    pub keys: Keys,
    pub serial: String,
}

/// Plain HTTP: these tests check what the fake checks, and some speak raw HTTP to it.
pub(crate) fn setup() -> Setup {
    let fake = FakeAws::start_http();
    let keys = fake.add_user("alice", ACCOUNT);
    let serial = fake.add_mfa_device("alice", "alice-phone", SEED);
    Setup { fake, keys, serial }
}

/// (code, message, HTTP status) of a failed SDK call.
fn failure<E: ProvideErrorMetadata>(
    err: aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
) -> (String, String, u16) {
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (
        err.code().unwrap_or_default().to_string(),
        err.message().unwrap_or_default().to_string(),
        status,
    )
}

#[test]
fn get_session_token_with_valid_code_returns_working_session() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    let out = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .duration_seconds(3600)
                .send(),
        )
        .expect("GetSessionToken succeeds");
    let creds = out.credentials().expect("credentials");
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert_eq!(creds.access_key_id().len(), 20);
    assert_eq!(creds.secret_access_key().len(), 40);
    assert!(creds.session_token().len() > 100);
    let expires = creds.expiration().secs();
    assert!((expires - (now + 3600)).abs() <= 2, "expiration {expires}");
    assert!(s.fake.is_valid_session(
        creds.access_key_id(),
        creds.secret_access_key(),
        creds.session_token()
    ));
    assert_eq!(
        s.fake.accepted_steps(),
        vec![(s.serial.clone(), now as u64 / 30)]
    );

    // The session signs later requests.
    let session = sts(
        &s.fake,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
        false,
    );
    let who = rt
        .block_on(session.get_caller_identity().send())
        .expect("GetCallerIdentity with the session");
    assert_eq!(who.arn(), Some("arn:aws:iam::123456789012:user/alice"));
    assert_eq!(who.account(), Some(ACCOUNT));
    assert!(who.user_id().is_some_and(|id| id.starts_with("AIDA")));

    // But cannot mint another session.
    let err = rt
        .block_on(
            session
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now + 30))
                .send(),
        )
        .expect_err("session credentials cannot call GetSessionToken");
    assert_eq!(
        failure(err),
        (
            "AccessDenied".into(),
            "Cannot call GetSessionToken with session credentials".into(),
            403
        )
    );
    assert_eq!(s.fake.action_count("GetSessionToken"), 2);
    assert_eq!(s.fake.action_count("GetCallerIdentity"), 1);
    assert_eq!(s.fake.request_count(), 3);
}

#[test]
fn default_duration_is_twelve_hours() {
    let s = setup();
    let now = s.fake.now_unix();
    let out = runtime()
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect("GetSessionToken succeeds");
    let expires = out.credentials().expect("credentials").expiration().secs();
    assert!((expires - (now + 43_200)).abs() <= 2);
    assert_eq!(s.fake.issued_sessions()[0].expiration, expires);
}

const INVALID_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";

#[test]
fn reused_code_is_refused_like_a_wrong_one() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    let c = client(&s.fake, &s.keys);
    let mint = |code: String| {
        rt.block_on(
            c.get_session_token()
                .serial_number(&s.serial)
                .token_code(code)
                .send(),
        )
        .map(|_| ())
        .map_err(failure)
    };
    mint(code(SEED, now)).expect("first use");
    let err = mint(code(SEED, now)).expect_err("reuse refused");
    assert_eq!(err, ("AccessDenied".into(), INVALID_CODE.into(), 403));
    let err = mint(wrong_code(SEED, now)).expect_err("wrong code refused");
    assert_eq!(err, ("AccessDenied".into(), INVALID_CODE.into(), 403));
    // The next step's code still works.
    mint(code(SEED, now + 30)).expect("next step");
    assert_eq!(s.fake.accepted_steps().len(), 2);
}

#[test]
fn serial_of_another_user_or_unknown_is_refused() {
    let s = setup();
    let bob = s.fake.add_user("bob", ACCOUNT);
    s.fake.add_mfa_device("bob", "bob-phone", SEED);
    let now = s.fake.now_unix();
    let rt = runtime();
    for serial in [
        s.serial.clone(),
        "arn:aws:iam::123456789012:mfa/nobody".to_string(),
    ] {
        let err = rt
            .block_on(
                client(&s.fake, &bob)
                    .get_session_token()
                    .serial_number(if serial == s.serial {
                        &s.serial
                    } else {
                        &serial
                    })
                    .token_code(code(SEED, now))
                    .send(),
            )
            .expect_err("not bob's device");
        assert_eq!(
            failure(err),
            (
                "AccessDenied".into(),
                "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.".into(),
                403
            )
        );
    }
}

#[test]
fn duration_out_of_bounds_gives_aws_validation_texts() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    for (duration, text) in [
        (
            1_444_000,
            "1 validation error detected: Value '1444000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
        ),
        (
            899,
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        ),
    ] {
        let err = rt
            .block_on(
                client(&s.fake, &s.keys)
                    .get_session_token()
                    .serial_number(&s.serial)
                    .token_code(code(SEED, now))
                    .duration_seconds(duration)
                    .send(),
            )
            .expect_err("out of range");
        assert_eq!(failure(err), ("ValidationError".into(), text.into(), 400));
    }
    // Validation comes before MFA, so the code was not spent.
    assert!(s.fake.accepted_steps().is_empty());
    for duration in [900, 129_600] {
        let c = code(SEED, now + if duration == 900 { 0 } else { 30 });
        rt.block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(c)
                .duration_seconds(duration)
                .send(),
        )
        .expect("bounds are inclusive");
    }
}

#[test]
fn malformed_token_code_gives_validation_error() {
    let s = setup();
    let err = runtime()
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code("12345")
                .send(),
        )
        .expect_err("five digits");
    assert_eq!(
        failure(err),
        (
            "ValidationError".into(),
            "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6".into(),
            400
        )
    );
}

#[test]
fn no_mfa_is_denied_unless_the_policy_allows_it() {
    let s = setup();
    let rt = runtime();
    let err = rt
        .block_on(client(&s.fake, &s.keys).get_session_token().send())
        .expect_err("MFA required by default");
    let (code, message, status) = failure(err);
    assert_eq!((code.as_str(), status), ("AccessDenied", 403));
    assert!(message.contains("sts:GetSessionToken"), "{message}");
    s.fake.set_mfa_required("alice", false);
    rt.block_on(client(&s.fake, &s.keys).get_session_token().send())
        .expect("allowed without MFA");
}

#[test]
fn bad_signature_and_unknown_key_are_refused() {
    let s = setup();
    let rt = runtime();
    let wrong_secret = Keys {
        access_key_id: s.keys.access_key_id.clone(),
        secret_access_key: "x".repeat(40),
    };
    let err = rt
        .block_on(client(&s.fake, &wrong_secret).get_caller_identity().send())
        .expect_err("bad signature");
    assert_eq!(
        failure(err),
        (
            "SignatureDoesNotMatch".into(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
            403
        )
    );
    let unknown = Keys {
        access_key_id: "AKIAAAAAAAAAAAAAAAAA".into(),
        secret_access_key: s.keys.secret_access_key.clone(),
    };
    let err = rt
        .block_on(client(&s.fake, &unknown).get_caller_identity().send())
        .expect_err("unknown key");
    assert_eq!(
        failure(err),
        (
            "InvalidClientTokenId".into(),
            "The security token included in the request is invalid.".into(),
            403
        )
    );
    // A session key without its token is unknown too.
    let now = s.fake.now_unix();
    let out = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect("session");
    let creds = out.credentials().expect("credentials");
    let err = rt
        .block_on(
            sts(
                &s.fake,
                creds.access_key_id(),
                creds.secret_access_key(),
                None,
                false,
            )
            .get_caller_identity()
            .send(),
        )
        .expect_err("no token");
    assert_eq!(failure(err).0, "InvalidClientTokenId");
    let err = rt
        .block_on(
            sts(
                &s.fake,
                creds.access_key_id(),
                creds.secret_access_key(),
                Some("nope"),
                false,
            )
            .get_caller_identity()
            .send(),
        )
        .expect_err("wrong token");
    assert_eq!(failure(err).0, "InvalidClientTokenId");
}

#[test]
fn clock_offset_moves_totp_steps_and_date_header() {
    let s = setup();
    s.fake.set_clock_offset(90);
    let rt = runtime();
    // A code from the client's own clock is three steps behind the fake's.
    let now = fake_aws_unix_now();
    let err = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now - 30))
                .send(),
        )
        .expect_err("skewed code");
    assert_eq!(failure(err).1, INVALID_CODE);
    let (status, headers, _) = raw_call(
        &s.fake,
        "sts",
        "us-east-1",
        &s.keys,
        None,
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        fake_aws_unix_now(),
    );
    assert_eq!(status, 200);
    let date = header(&headers, "date").expect("Date header");
    assert_eq!(
        date,
        http_date(s.fake.now_unix()),
        "Date follows the fake's clock"
    );
}

/// The SDK learns the server's clock from the `Date` header of a "Signature not yet current"
/// answer and retries once with corrected time, as against AWS; without retries it fails.
#[test]
fn sdk_corrects_signature_clock_skew_from_the_date_header() {
    let s = setup();
    s.fake.set_clock_offset(400);
    let rt = runtime();
    let err = rt
        .block_on(client(&s.fake, &s.keys).get_caller_identity().send())
        .expect_err("no retries: skew is fatal");
    let (code, message, status) = failure(err);
    assert_eq!((code.as_str(), status), ("SignatureDoesNotMatch", 403));
    assert!(message.starts_with("Signature expired"), "{message}");
    let before = s.fake.request_count();
    rt.block_on(
        sts(
            &s.fake,
            &s.keys.access_key_id,
            &s.keys.secret_access_key,
            None,
            true,
        )
        .get_caller_identity()
        .send(),
    )
    .expect("retried with the server's clock");
    assert_eq!(s.fake.request_count() - before, 2);
}

#[test]
fn signatures_older_than_five_minutes_expire() {
    let s = setup();
    let signed_at = fake_aws_unix_now() - 301;
    let (status, _, body) = raw_call(
        &s.fake,
        "sts",
        "us-east-1",
        &s.keys,
        None,
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        signed_at,
    );
    assert_eq!(status, 403);
    assert_eq!(tag(&body, "Code").as_deref(), Some("SignatureDoesNotMatch"));
    let message = tag(&body, "Message").expect("message");
    assert!(
        message.starts_with(&format!(
            "Signature expired: {} is now earlier than",
            amz_date(signed_at)
        )),
        "{message}"
    );
    let (status, _, body) = raw_call(
        &s.fake,
        "sts",
        "us-east-1",
        &s.keys,
        None,
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        fake_aws_unix_now() + 400,
    );
    assert_eq!(status, 403);
    assert!(tag(&body, "Message").is_some_and(|m| m.starts_with("Signature not yet current")));
}

#[test]
fn unknown_action_is_invalid_action() {
    let s = setup();
    let (status, headers, body) = raw_call(
        &s.fake,
        "sts",
        "us-east-1",
        &s.keys,
        None,
        &[("Action", "AssumeNothing"), ("Version", "2011-06-15")],
        fake_aws_unix_now(),
    );
    assert_eq!(status, 400);
    assert_eq!(tag(&body, "Code").as_deref(), Some("InvalidAction"));
    assert_eq!(tag(&body, "Type").as_deref(), Some("Sender"));
    assert!(
        header(&headers, "x-amzn-requestid").is_some_and(|id| tag(&body, "RequestId") == Some(id))
    );
    assert_eq!(
        header(&headers, "content-type").as_deref(),
        Some("text/xml")
    );
}

#[test]
fn injected_failures_reach_the_client() {
    let s = setup();
    let rt = runtime();
    let c = client(&s.fake, &s.keys);
    s.fake.fail_next(1, Failure::Status(500));
    let err = rt
        .block_on(c.get_caller_identity().send())
        .expect_err("500");
    assert_eq!(failure(err).0, "InternalFailure");
    s.fake.fail_next(1, Failure::Status(503));
    let err = rt
        .block_on(c.get_caller_identity().send())
        .expect_err("503");
    assert_eq!(failure(err).2, 503);
    s.fake.fail_next(1, Failure::Throttle);
    let err = rt
        .block_on(c.get_caller_identity().send())
        .expect_err("throttled");
    assert_eq!(
        failure(err),
        ("Throttling".into(), "Rate exceeded".into(), 400)
    );
    s.fake.fail_next(1, Failure::MalformedXml);
    rt.block_on(c.get_caller_identity().send())
        .expect_err("truncated XML does not parse");
    s.fake.fail_next(1, Failure::CloseConnection);
    rt.block_on(c.get_caller_identity().send())
        .expect_err("connection closed");
    s.fake
        .fail_next(1, Failure::Delay(Duration::from_millis(300)));
    let started = std::time::Instant::now();
    rt.block_on(c.get_caller_identity().send())
        .expect("delayed but fine");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(s.fake.action_count("GetCallerIdentity"), 6);

    // With the SDK's standard retries, one 503 is retried and the same code still works.
    let now = s.fake.now_unix();
    s.fake.fail_next(1, Failure::Status(503));
    rt.block_on(
        sts(
            &s.fake,
            &s.keys.access_key_id,
            &s.keys.secret_access_key,
            None,
            true,
        )
        .get_session_token()
        .serial_number(&s.serial)
        .token_code(code(SEED, now))
        .send(),
    )
    .expect("retried");
    assert_eq!(s.fake.action_count("GetSessionToken"), 2);
}

#[test]
fn lenient_steps_accept_any_step_in_range_but_not_reuse() {
    let s = setup();
    let rt = runtime();
    let base = 1_700_000_000u64;
    s.fake.set_accept_any_step_within(Some(base..base + 300));
    let c = client(&s.fake, &s.keys);
    let mint = |t: u64| {
        rt.block_on(
            c.get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, t as i64))
                .send(),
        )
        .map(|_| ())
        .map_err(failure)
    };
    mint(base + 45).expect("in range");
    mint(base + 200).expect("in range");
    assert_eq!(mint(base + 45).expect_err("reused").1, INVALID_CODE);
    let outside = base + 3000;
    if !(base..base + 300)
        .step_by(30)
        .any(|t| code(SEED, t as i64) == code(SEED, outside as i64))
    {
        mint(outside).expect_err("outside the range");
    }
}

// ---------------------------------------------------------------------------------------------
// IAM, driven with hand-signed requests (aws-sdk-iam is not a dependency).

fn iam(fake: &FakeAws, keys: &Keys, params: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("Version", "2010-05-08")];
    all.extend_from_slice(params);
    let (status, _, body) = raw_call(
        fake,
        "iam",
        "us-east-1",
        keys,
        None,
        &all,
        fake_aws_unix_now(),
    );
    (status, body)
}

#[test]
fn iam_virtual_mfa_lifecycle() {
    let s = setup();
    let bob = s.fake.add_user("bob", ACCOUNT);
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "bob-laptop"),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let serial = tag(&body, "SerialNumber").expect("serial");
    assert_eq!(serial, "arn:aws:iam::123456789012:mfa/bob-laptop");
    let seed = base64::engine::general_purpose::STANDARD
        .decode(tag(&body, "Base32StringSeed").expect("seed"))
        .expect("base64");
    let seed = String::from_utf8(seed).expect("base32 text");
    assert_eq!(seed.len(), 64, "40 random bytes in base32");
    let png = base64::engine::general_purpose::STANDARD
        .decode(tag(&body, "QRCodePNG").expect("png"))
        .expect("base64");
    assert!(png.starts_with(b"\x89PNG"));

    // Taken name.
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "bob-laptop"),
        ],
    );
    assert_eq!(status, 409);
    assert_eq!(tag(&body, "Code").as_deref(), Some("EntityAlreadyExists"));
    assert_eq!(
        tag(&body, "Message").as_deref(),
        Some("MFADevice entity at the same path and name already exists.")
    );
    // Invalid name.
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "bad name"),
        ],
    );
    assert_eq!(
        (status, tag(&body, "Code").as_deref()),
        (400, Some("ValidationError"))
    );

    // Two codes that are not consecutive are refused.
    let now = s.fake.now_unix();
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", "bob"),
            ("SerialNumber", &serial),
            ("AuthenticationCode1", &code(&seed, now)),
            ("AuthenticationCode2", &code(&seed, now - 30)),
        ],
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        tag(&body, "Code").as_deref(),
        Some("InvalidAuthenticationCode")
    );
    assert_eq!(
        tag(&body, "Message").as_deref(),
        Some("Authentication code for device is not valid.")
    );
    // Consecutive codes enable it.
    let enable = |keys: &Keys| {
        iam(
            &s.fake,
            keys,
            &[
                ("Action", "EnableMFADevice"),
                ("UserName", "bob"),
                ("SerialNumber", &serial),
                ("AuthenticationCode1", &code(&seed, now - 30)),
                ("AuthenticationCode2", &code(&seed, now)),
            ],
        )
    };
    let (status, body) = enable(&bob);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<EnableMFADeviceResponse"));
    assert_eq!(s.fake.mfa_devices("bob"), vec![serial.clone()]);
    let (status, body) = enable(&bob);
    assert_eq!(
        (status, tag(&body, "Code").as_deref()),
        (409, Some("EntityAlreadyExists"))
    );

    let (status, body) = iam(&s.fake, &bob, &[("Action", "ListMFADevices")]);
    assert_eq!(status, 200);
    assert_eq!(tag(&body, "SerialNumber").as_deref(), Some(serial.as_str()));
    assert_eq!(tag(&body, "UserName").as_deref(), Some("bob"));
    assert_eq!(tag(&body, "IsTruncated").as_deref(), Some("false"));

    // The enabled device mints sessions (with a fresh step: enrolling spent t-1 and t).
    let out = runtime()
        .block_on(
            client(&s.fake, &bob)
                .get_session_token()
                .serial_number(&serial)
                .token_code(code(&seed, now + 30))
                .send(),
        )
        .expect("new device works");
    assert!(out.credentials().is_some());

    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "DeleteVirtualMFADevice"),
            ("SerialNumber", &serial),
        ],
    );
    assert_eq!(
        (status, tag(&body, "Code").as_deref()),
        (409, Some("DeleteConflict"))
    );
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "DeactivateMFADevice"),
            ("UserName", "bob"),
            ("SerialNumber", &serial),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[
            ("Action", "DeleteVirtualMFADevice"),
            ("SerialNumber", &serial),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let (_, body) = iam(&s.fake, &bob, &[("Action", "ListMFADevices")]);
    assert!(tag(&body, "SerialNumber").is_none());
    let (status, body) = iam(&s.fake, &bob, &[("Action", "GetUser")]);
    assert_eq!(status, 200);
    assert_eq!(
        tag(&body, "Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/bob")
    );
    let (status, body) = iam(
        &s.fake,
        &bob,
        &[("Action", "GetUser"), ("UserName", "carol")],
    );
    assert_eq!(
        (status, tag(&body, "Code").as_deref()),
        (404, Some("NoSuchEntity"))
    );
}

#[test]
fn iam_permission_denied_and_region_scope() {
    let s = setup();
    s.fake.set_permission_denied("iam:CreateVirtualMFADevice");
    let (status, body) = iam(
        &s.fake,
        &s.keys,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "x"),
        ],
    );
    assert_eq!(status, 403);
    assert_eq!(tag(&body, "Code").as_deref(), Some("AccessDenied"));
    assert!(tag(&body, "Message").is_some_and(|m| m.starts_with(
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateVirtualMFADevice on resource: arn:aws:iam::123456789012:mfa/x"
    )));
    let (status, _, body) = raw_call(
        &s.fake,
        "iam",
        "eu-west-1",
        &s.keys,
        None,
        &[("Action", "GetUser"), ("Version", "2010-05-08")],
        fake_aws_unix_now(),
    );
    assert_eq!(
        (status, tag(&body, "Code").as_deref()),
        (403, Some("SignatureDoesNotMatch"))
    );
}

/// Requests to an AWS endpoint name (as they arrive through the endpoint tests' CONNECT proxy)
/// must be signed for that host's service and region, and for the fake's partition; ARNs are
/// in that partition.
#[test]
fn aws_host_names_are_checked_against_the_credential_scope_and_partition() {
    let call = |fake: &FakeAws, keys: &Keys, host: &str, service: &str, region: &str| {
        let action = match service {
            "iam" => [("Action", "GetUser"), ("Version", "2010-05-08")],
            _ => [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        };
        let (status, _, body) = raw_call_as(
            fake,
            host,
            service,
            region,
            keys,
            None,
            &action,
            fake_aws_unix_now(),
        );
        (status, tag(&body, "Code").unwrap_or_default())
    };
    let ok = (200, String::new());
    let refused = |code: &str| (403, code.to_string());

    let s = setup();
    let (fake, keys) = (&s.fake, &s.keys);
    for (host, service, region) in [
        ("sts.amazonaws.com", "sts", "us-east-1"),
        ("sts.eu-west-1.amazonaws.com:443", "sts", "eu-west-1"),
        ("sts-fips.us-east-2.amazonaws.com", "sts", "us-east-2"),
        ("iam.amazonaws.com", "iam", "us-east-1"),
        ("iam-fips.amazonaws.com", "iam", "us-east-1"),
        ("sts.vpce.example", "sts", "eu-west-1"),
    ] {
        assert_eq!(call(fake, keys, host, service, region), ok, "{host}");
    }
    let mismatch = refused("SignatureDoesNotMatch");
    for (host, service, region) in [
        // The global endpoint is us-east-1's.
        ("sts.amazonaws.com", "sts", "eu-west-1"),
        ("sts.eu-west-1.amazonaws.com", "sts", "us-east-1"),
        ("iam.amazonaws.com", "sts", "us-east-1"),
        // STS in a region of another partition, at an address that is no AWS name.
        ("sts.vpce.example", "sts", "cn-north-1"),
    ] {
        assert_eq!(call(fake, keys, host, service, region), mismatch, "{host}");
    }
    // Keys of the aws partition are unknown in China.
    assert_eq!(
        call(
            fake,
            keys,
            "sts.cn-north-1.amazonaws.com.cn",
            "sts",
            "cn-north-1"
        ),
        refused("InvalidClientTokenId")
    );
    assert!(
        fake.hosts()
            .iter()
            .any(|h| h == "sts.cn-north-1.amazonaws.com.cn"),
        "{:?}",
        fake.hosts()
    );

    let gov = FakeAws::start_http();
    gov.set_partition("aws-us-gov");
    let keys = gov.add_user("bob", ACCOUNT);
    assert_eq!(
        gov.user("bob").unwrap().arn,
        format!("arn:aws-us-gov:iam::{ACCOUNT}:user/bob")
    );
    assert_eq!(
        call(
            &gov,
            &keys,
            "iam.us-gov.amazonaws.com",
            "iam",
            "us-gov-west-1"
        ),
        ok
    );
    assert_eq!(
        call(
            &gov,
            &keys,
            "sts.us-gov-east-1.amazonaws.com",
            "sts",
            "us-gov-east-1"
        ),
        ok
    );
    assert_eq!(
        call(&gov, &keys, "iam.us-gov.amazonaws.com", "iam", "us-east-1"),
        mismatch
    );
    assert_eq!(
        call(&gov, &keys, "127.0.0.1", "iam", "us-east-1"),
        mismatch,
        "IAM is signed for the partition's region at any address"
    );
    assert_eq!(
        call(
            &gov,
            &keys,
            "sts.us-east-1.amazonaws.com",
            "sts",
            "us-east-1"
        ),
        refused("InvalidClientTokenId")
    );
}

// ---------------------------------------------------------------------------------------------
// A minimal SigV4 signer and HTTP/1.1 client, independent of the fake's own code.

fn fake_aws_unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// (year, month, day, weekday with Sunday = 0) of a unix day number.
fn ymd(days: i64) -> (i64, i64, i64, usize) {
    let weekday = (days + 4).rem_euclid(7) as usize;
    let (mut year, mut rest) = (1970, days);
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    while rest >= if leap(year) { 366 } else { 365 } {
        rest -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while rest >= lengths[month] {
        rest -= lengths[month];
        month += 1;
    }
    (year, month as i64 + 1, rest + 1, weekday)
}

fn amz_date(unix: i64) -> String {
    let (y, m, d, _) = ymd(unix / 86_400);
    let s = unix % 86_400;
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn http_date(unix: i64) -> String {
    let (y, m, d, wd) = ymd(unix / 86_400);
    let s = unix % 86_400;
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        days[wd],
        months[m as usize - 1],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// POSTs `params` form-encoded to the fake, signed at `unix` time. Returns status, headers, body.
pub(crate) fn raw_call(
    fake: &FakeAws,
    service: &str,
    region: &str,
    keys: &Keys,
    token: Option<&str>,
    params: &[(&str, &str)],
    unix: i64,
) -> (u16, Vec<(String, String)>, String) {
    let host = format!("127.0.0.1:{}", fake.port());
    raw_call_as(fake, &host, service, region, keys, token, params, unix)
}

/// [`raw_call`] with `host` as the `Host` header (as a client reaching an AWS endpoint name
/// through a proxy sends it); the bytes still go to the fake.
#[allow(clippy::too_many_arguments)]
fn raw_call_as(
    fake: &FakeAws,
    host: &str,
    service: &str,
    region: &str,
    keys: &Keys,
    token: Option<&str>,
    params: &[(&str, &str)],
    unix: i64,
) -> (u16, Vec<(String, String)>, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let host = host.to_string();
    let date = amz_date(unix);
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
        ("host".to_string(), host.clone()),
        ("x-amz-date".to_string(), date.clone()),
    ];
    if let Some(token) = token {
        headers.push(("x-amz-security-token".to_string(), token.to_string()));
    }
    let signed: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let canonical = format!(
        "POST\n/\n\n{}\n{}\n{}",
        headers
            .iter()
            .map(|(n, v)| format!("{n}:{v}\n"))
            .collect::<String>(),
        signed.join(";"),
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{}/{region}/{service}/aws4_request", &date[..8]);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", keys.secret_access_key).as_bytes(),
        &date[..8],
    );
    for part in [region, service, "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let signature = hex::encode(hmac_sha256(&key, &to_sign));
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (n, v) in &headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str(&format!(
        "authorization: AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={signature}\r\n",
        keys.access_key_id,
        signed.join(";")
    ));
    request.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = TcpStream::connect(("127.0.0.1", fake.port())).expect("connect to the fake");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The text of the first `<name>` element.
pub(crate) fn tag(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[test]
fn assume_role_takes_the_mfa_context_of_the_callers_session() {
    let s = setup();
    let role = s.fake.add_role(ACCOUNT, "admin", &["alice"], true);
    let now = s.fake.now_unix();
    let rt = runtime();
    let denied = format!(
        "User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: {role}"
    );
    // Long-term keys without a code: the trust policy's MFA condition fails.
    let err = rt
        .block_on(
            client(&s.fake, &s.keys)
                .assume_role()
                .role_arn(&role)
                .role_session_name("s1")
                .send(),
        )
        .expect_err("no MFA");
    assert_eq!(failure(err), ("AccessDenied".into(), denied.clone(), 403));

    // A session from GetSessionToken with MFA carries it: no code needed.
    let base = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect("GetSessionToken");
    let base = base.credentials().expect("credentials");
    let session = sts(
        &s.fake,
        base.access_key_id(),
        base.secret_access_key(),
        Some(base.session_token()),
        false,
    );
    let out = rt
        .block_on(
            session
                .assume_role()
                .role_arn(&role)
                .role_session_name("alice@laptop")
                .send(),
        )
        .expect("AssumeRole from the MFA session");
    let user = out.assumed_role_user().expect("AssumedRoleUser");
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice@laptop")
    );
    assert!(user.assumed_role_id().starts_with("AROA"));
    assert!(user.assumed_role_id().ends_with(":alice@laptop"));
    let creds = out.credentials().expect("credentials");
    assert!(
        ((creds.expiration().secs() - now) - 3600).abs() <= 2,
        "default 1 h"
    );
    let as_role = sts(
        &s.fake,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
        false,
    );
    let who = rt
        .block_on(as_role.get_caller_identity().send())
        .expect("GetCallerIdentity as the role");
    assert_eq!(who.arn(), Some(user.arn()));

    // AWS's validation texts and the role's MaxSessionDuration.
    let err = rt
        .block_on(
            session
                .assume_role()
                .role_arn(&role)
                .role_session_name("x")
                .duration_seconds(600)
                .send(),
        )
        .expect_err("too short, name too short");
    let (code_, message, status) = failure(err);
    assert_eq!((code_.as_str(), status), ("ValidationError", 400));
    assert!(
        message.starts_with("2 validation errors detected: "),
        "{message}"
    );
    assert!(message.contains("Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"), "{message}");
    let err = rt
        .block_on(
            session
                .assume_role()
                .role_arn(&role)
                .role_session_name("s2")
                .duration_seconds(7200)
                .send(),
        )
        .expect_err("over MaxSessionDuration");
    assert_eq!(
        failure(err),
        (
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into(),
            400
        )
    );
    // A role the user is not trusted by answers exactly like a missing one.
    let other = s.fake.add_role(ACCOUNT, "other", &["bob"], false);
    let err = rt
        .block_on(
            session
                .assume_role()
                .role_arn(&other)
                .role_session_name("s3")
                .send(),
        )
        .expect_err("not trusted");
    assert_eq!(
        failure(err).1,
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: {other}"
        )
    );
    assert_eq!(s.fake.accepted_steps().len(), 1, "one code in all");
}

/// An SDK client whose only trusted root is `ca_pem`.
fn https_sts(fake: &FakeAws, keys: &Keys, ca_pem: &str) -> aws_sdk_sts::Client {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    let tls_context = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(ca_pem.as_bytes()))
        .build()
        .unwrap();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(tls_context)
        .build_https();
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            &keys.access_key_id,
            &keys.secret_access_key,
            None,
            None,
            "test",
        ))
        .endpoint_url(fake.endpoint())
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[test]
fn https_fake_serves_clients_that_trust_its_ca_and_only_those() {
    let fake = FakeAws::start();
    assert!(
        fake.endpoint().starts_with("https://127.0.0.1:"),
        "{}",
        fake.endpoint()
    );
    let keys = fake.add_user("alice", ACCOUNT);
    let ca = fake.ca().expect("an HTTPS fake has a CA");
    assert_eq!(
        std::fs::read_to_string(fake.ca_bundle()).unwrap(),
        ca.ca_pem()
    );
    let rt = runtime();
    let who = rt
        .block_on(
            https_sts(&fake, &keys, ca.ca_pem())
                .get_caller_identity()
                .send(),
        )
        .expect("GetCallerIdentity over TLS");
    assert_eq!(who.account(), Some(ACCOUNT));

    // Another CA's client refuses the certificate before sending anything.
    let other = fake_aws::TestCa::new();
    let before = fake.request_count();
    let err = rt
        .block_on(
            https_sts(&fake, &keys, other.ca_pem())
                .get_caller_identity()
                .send(),
        )
        .expect_err("an unknown CA is refused");
    let text = format!("{:?}", err);
    assert!(text.contains("UnknownIssuer"), "{text}");
    assert_eq!(fake.request_count(), before, "no request got through");
}
