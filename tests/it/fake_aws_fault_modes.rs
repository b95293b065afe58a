//! Self-tests of the fake AWS's misbehaviour modes (issue 22): answers whose credentials are
//! spoiled, a connection dropped after the request was served, a request never answered, one
//! action targeted, and session tokens of realistic size.

use std::time::{Duration, Instant};

use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::error::SdkError;

use crate::fake_aws_selftest::{SEED, client, code, raw_call, runtime, setup, tag};
use crate::support::fake_aws::{self, Failure, Spoil};

/// A signed GetSessionToken sent raw (status, body): the body exactly as the fake wrote it.
fn raw_get_session_token(s: &crate::fake_aws_selftest::Setup, unix: i64) -> (u16, String) {
    let token = code(SEED, unix);
    let (status, _, body) = raw_call(
        &s.fake,
        "sts",
        "us-east-1",
        &s.keys,
        None,
        &[
            ("Action", "GetSessionToken"),
            ("Version", "2011-06-15"),
            ("SerialNumber", s.serial.as_str()),
            ("TokenCode", token.as_str()),
            ("DurationSeconds", "3600"),
        ],
        unix,
    );
    (status, body)
}

/// What a spoiled answer's body must show.
type Check = Box<dyn Fn(&str)>;

#[test]
fn spoiled_answers_damage_only_the_credentials_after_using_the_code() {
    let s = setup();
    let now = s.fake.now_unix();
    let cases: Vec<(Spoil, Check)> = vec![
        (
            Spoil::Omit("SessionToken"),
            Box::new(|body| {
                assert_eq!(tag(body, "SessionToken"), None, "{body}");
                assert!(tag(body, "AccessKeyId").is_some_and(|k| k.starts_with("ASIA")));
            }),
        ),
        (
            Spoil::Empty("AccessKeyId"),
            Box::new(|body| assert_eq!(tag(body, "AccessKeyId").as_deref(), Some(""))),
        ),
        (
            Spoil::Replace("SecretAccessKey", "a b".into()),
            Box::new(|body| assert_eq!(tag(body, "SecretAccessKey").as_deref(), Some("a b"))),
        ),
        (
            Spoil::ExpiresIn(-3600),
            Box::new(move |body| {
                let expiration = tag(body, "Expiration").expect("an Expiration");
                assert!(
                    expiration.ends_with('Z') && expiration.len() == 20,
                    "{expiration}"
                );
                assert!(expiration.as_str() < "2100", "{expiration}");
            }),
        ),
        (
            Spoil::ExpiresIn(100 * 365 * 86_400),
            Box::new(|body| {
                let expiration = tag(body, "Expiration").expect("an Expiration");
                assert!(expiration.as_str() > "2100", "{expiration}");
            }),
        ),
        (
            Spoil::Truncate,
            Box::new(|body| {
                assert!(body.contains("<Credentials>"), "{body}");
                assert!(!body.contains("</GetSessionTokenResponse>"), "{body}");
            }),
        ),
    ];
    // One code per case (each served request uses its step up), all accepted now.
    let first = now as u64 - 30;
    s.fake
        .set_accept_any_step_within(Some(first..first + 30 * 10));
    for (i, (spoil, check)) in cases.into_iter().enumerate() {
        let at = first as i64 + 30 * i as i64;
        s.fake.fail_next(1, Failure::Spoiled(spoil.clone()));
        let (status, body) = raw_get_session_token(&s, at);
        assert_eq!(status, 200, "{spoil:?}: {body}");
        check(&body);
        assert_eq!(
            s.fake.accepted_steps_for(&s.serial).len(),
            i + 1,
            "{spoil:?} used the code"
        );
    }
    // Unspoiled answers again.
    let (status, body) = raw_get_session_token(&s, first as i64 + 30 * 8);
    assert_eq!(status, 200, "{body}");
    assert!(tag(&body, "SessionToken").is_some_and(|t| !t.is_empty()));
    assert_eq!(s.fake.pending_failures(), 0);
}

#[test]
fn reset_after_serve_uses_the_code_and_loses_the_answer() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    s.fake.fail_next(1, Failure::ResetAfterServe);
    let err = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect_err("no answer");
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    // AWS acted on it: the step is used and a session exists that nobody received.
    assert_eq!(s.fake.accepted_steps_for(&s.serial), vec![now as u64 / 30]);
    assert_eq!(s.fake.issued_sessions().len(), 1);
}

#[test]
fn a_hanging_request_is_never_answered_until_the_fake_stops() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    s.fake.fail_next(1, Failure::Hang);
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            &s.keys.access_key_id,
            &s.keys.secret_access_key,
            None,
            None,
            "test",
        ))
        .endpoint_url(s.fake.endpoint())
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(1500))
                .build(),
        )
        .build();
    let started = Instant::now();
    let err = rt
        .block_on(
            aws_sdk_sts::Client::from_conf(config)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect_err("no answer");
    assert!(matches!(err, SdkError::TimeoutError(_)), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(1400));
    assert_eq!(
        s.fake.action_count("GetSessionToken"),
        1,
        "the request arrived"
    );
    assert!(s.fake.accepted_steps().is_empty(), "but was not served");

    // Raw: the connection stays open with nothing to read, and ends when the fake is dropped.
    use std::io::{Read, Write};
    s.fake.fail_next(1, Failure::Hang);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", s.fake.port())).unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 64];
    let kind = stream.read(&mut buf).expect_err("nothing to read").kind();
    assert!(
        matches!(
            kind,
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{kind:?}"
    );
    drop(s);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let ended = Instant::now();
    assert!(matches!(stream.read(&mut buf), Ok(0) | Err(_)));
    assert!(ended.elapsed() < Duration::from_secs(4), "closed on drop");
}

#[test]
fn failures_for_one_action_leave_the_others_alone() {
    let s = setup();
    let now = s.fake.now_unix();
    let rt = runtime();
    s.fake
        .fail_next_of("GetSessionToken", 1, Failure::Status(503));
    rt.block_on(client(&s.fake, &s.keys).get_caller_identity().send())
        .expect("another action is served");
    assert_eq!(s.fake.pending_failures(), 1);
    let err = rt
        .block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, now))
                .send(),
        )
        .expect_err("503");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(503));
    assert_eq!(s.fake.pending_failures(), 0);
}

#[test]
fn session_tokens_have_realistic_sizes() {
    let s = setup();
    let role = s
        .fake
        .add_role(crate::fake_aws_selftest::ACCOUNT, "admin", &["alice"], true);
    let now = s.fake.now_unix();
    let rt = runtime();
    let gst = |unix: i64| {
        rt.block_on(
            client(&s.fake, &s.keys)
                .get_session_token()
                .serial_number(&s.serial)
                .token_code(code(SEED, unix))
                .send(),
        )
        .expect("GetSessionToken")
        .credentials
        .expect("credentials")
    };
    let base = gst(now - 30);
    assert_eq!(base.session_token.len(), fake_aws::SESSION_TOKEN_LEN);
    const { assert!(fake_aws::SESSION_TOKEN_LEN >= 1000 && fake_aws::SESSION_TOKEN_LEN <= 4096) };
    assert!(base.session_token.starts_with("IQoJb3JpZ2luX2VjE"));
    assert!(
        base.session_token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'),
        "base64 characters only"
    );
    let session = crate::fake_aws_selftest::sts(
        &s.fake,
        &base.access_key_id,
        &base.secret_access_key,
        Some(&base.session_token),
        false,
    );
    let assumed = rt
        .block_on(
            session
                .assume_role()
                .role_arn(&role)
                .role_session_name("alice")
                .send(),
        )
        .expect("AssumeRole")
        .credentials
        .expect("credentials");
    assert_eq!(assumed.session_token.len(), fake_aws::ROLE_TOKEN_LEN);
    const { assert!(fake_aws::ROLE_TOKEN_LEN > fake_aws::SESSION_TOKEN_LEN) };

    s.fake.set_session_token_len(4096, 4096);
    let big = gst(now);
    assert_eq!(big.session_token.len(), 4096);
    assert!(s.fake.is_valid_session(
        &big.access_key_id,
        &big.secret_access_key,
        &big.session_token
    ));
}
