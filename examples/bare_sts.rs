//! The floor for the benchmark: one GetSessionToken with aws-sdk-sts and static credentials,
//! nothing else (no keyring, no files, no TOTP). Reads its inputs from the environment:
//! `AWS_ENDPOINT_URL_STS`, `BARE_ACCESS_KEY_ID`, `BARE_SECRET_ACCESS_KEY`, `BARE_SERIAL`,
//! `BARE_CODE` (the last two optional).

#![allow(clippy::disallowed_methods)] // test and tool code reads its own environment
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() -> std::process::ExitCode {
    let (Some(akid), Some(secret)) = (var("BARE_ACCESS_KEY_ID"), var("BARE_SECRET_ACCESS_KEY"))
    else {
        eprintln!("set BARE_ACCESS_KEY_ID and BARE_SECRET_ACCESS_KEY");
        return std::process::ExitCode::from(2);
    };
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(akid, secret, None, None, "bare"));
    if let Some(url) = var("AWS_ENDPOINT_URL_STS") {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_sts::Client::from_conf(config.build());
    let mut request = client.get_session_token().duration_seconds(3600);
    if let (Some(serial), Some(code)) = (var("BARE_SERIAL"), var("BARE_CODE")) {
        request = request.serial_number(serial).token_code(code);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(request.send()) {
        Ok(out) => {
            let ok = out.credentials.is_some();
            std::process::ExitCode::from(if ok { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("GetSessionToken failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
