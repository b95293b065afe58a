//! The integration tests: one test binary (built and linked once, instead of once per file) whose
//! modules each cover one area, all sharing the harness in `support/`.
//!
//!   cargo test --test it                    every behaviour test
//!   cargo test --test it mint_flow::        one area
//!   cargo test --test it mint_flow::name    one test

#[macro_use]
mod support;

mod bad_input;
mod cli_text;
mod concurrency;
mod drift_regressions;
mod enroll;
mod fake_aws_selftest;
mod harness_selftest;
mod import_formats;
mod keyutils;
mod mint_flow;
mod moto_e2e;
mod no_plaintext;
mod readme_ja;
mod secrets;
mod unattended;
