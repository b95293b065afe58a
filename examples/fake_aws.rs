//! Runs the in-repo fake AWS (STS + IAM) as a process for scripts/demo and scripts/bench.
//!
//! `cargo run --example fake_aws -- [--port N] [--https] [--user NAME] [--account ID]
//! [--clock-offset SECS] [--requests-file PATH] [--allow-reuse] [--latency-ms MS] [--users N] [--session-lifetime SECS]`
//!
//! Creates one user with a long-term key and an enabled virtual MFA device with a random seed,
//! prints one line of JSON (`endpoint`, `access_key_id`, `secret_access_key`, `serial`, `seed`,
//! `account`, `user`) on stdout, then serves until killed. With `--requests-file` every request's
//! action name is appended to PATH as one line. `--latency-ms` answers every request that much
//! later (a realistic round trip: the parallel benchmark uses 150). `--users N` (default 1) makes
//! N users, the first named NAME and the others NAME2 … NAMEN, each with its own key and device;
//! the JSON line then also has `users`: the same fields for each of them. `--https` serves HTTPS
//! with a private CA made at start-up; the JSON line then has `ca_bundle`, the CA's PEM file,
//! which lives while the fake runs. `--session-lifetime SECS` makes every session last that long,
//! whatever was asked for (the credentials server's renewal benchmark).

#![allow(clippy::disallowed_methods)] // test and tool code reads its own environment
#[path = "../tests/it/support/fake_aws.rs"]
mod fake_aws;

use std::fs::OpenOptions;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

struct Options {
    port: u16,
    user: String,
    account: String,
    clock_offset: i64,
    requests_file: Option<String>,
    allow_reuse: bool,
    latency_ms: u64,
    users: usize,
    https: bool,
    session_lifetime: Option<i64>,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        user: "demo".to_string(),
        account: "123456789012".to_string(),
        clock_offset: 0,
        requests_file: None,
        allow_reuse: false,
        latency_ms: 0,
        users: 1,
        https: false,
        session_lifetime: None,
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--user" => options.user = value()?,
            "--account" => {
                options.account = value()?;
                if options.account.len() != 12
                    || !options.account.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err("--account must be 12 digits".to_string());
                }
            }
            "--clock-offset" => {
                options.clock_offset = value()?
                    .parse()
                    .map_err(|e| format!("--clock-offset: {e}"))?
            }
            "--requests-file" => options.requests_file = Some(value()?),
            "--allow-reuse" => options.allow_reuse = true,
            "--latency-ms" => {
                options.latency_ms = value()?.parse().map_err(|e| format!("--latency-ms: {e}"))?
            }
            "--users" => {
                options.users = value()?.parse().map_err(|e| format!("--users: {e}"))?;
                if options.users == 0 {
                    return Err("--users must be at least 1".to_string());
                }
            }
            "--https" => options.https = true,
            "--session-lifetime" => {
                options.session_lifetime = Some(
                    value()?
                        .parse()
                        .map_err(|e| format!("--session-lifetime: {e}"))?,
                )
            }
            "-h" | "--help" => {
                return Err("usage: fake_aws [--port N] [--https] [--user NAME] [--account ID] [--clock-offset SECS] [--requests-file PATH] [--allow-reuse] [--latency-ms MS] [--users N] [--session-lifetime SECS]".to_string());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fake_aws: {message}");
            return ExitCode::from(2);
        }
    };
    let started = if options.https {
        fake_aws::FakeAws::start_https_on(options.port)
    } else {
        fake_aws::FakeAws::start_on(options.port)
    };
    let fake = match started {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake_aws: cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    fake.set_clock_offset(options.clock_offset);
    fake.set_reuse_allowed(options.allow_reuse);
    fake.set_session_lifetime(options.session_lifetime);
    if let Some(path) = &options.requests_file {
        let file = match OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => Mutex::new(file),
            Err(e) => {
                eprintln!("fake_aws: cannot open {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        fake.on_request(move |action| {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(file, "{}", if action.is_empty() { "-" } else { action });
        });
    }
    fake.set_latency(std::time::Duration::from_millis(options.latency_ms));
    let users: Vec<serde_json::Value> = (1..=options.users)
        .map(|n| {
            let user = match n {
                1 => options.user.clone(),
                n => format!("{}{n}", options.user),
            };
            let keys = fake.add_user(&user, &options.account);
            let seed = fake_aws::random_seed_base32();
            let serial = fake.add_mfa_device(&user, &format!("{user}-mfa"), &seed);
            serde_json::json!({
                "access_key_id": keys.access_key_id,
                "secret_access_key": keys.secret_access_key,
                "serial": serial,
                "seed": seed,
                "user": user,
            })
        })
        .collect();
    let mut line = users[0].clone();
    line["endpoint"] = fake.endpoint().into();
    line["account"] = options.account.clone().into();
    line["users"] = users.into();
    if options.https {
        line["ca_bundle"] = fake.ca_bundle().into();
    }
    println!("{line}");
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
