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
mod command_line;
mod concurrency;
mod consistency;
mod drift_regressions;
mod endpoints;
mod enroll;
mod exec;
mod fake_aws_selftest;
mod habits;
mod harness_selftest;
mod import_corpus;
mod import_defects;
mod import_formats;
mod keyutils;
mod mint_flow;
mod moto_e2e;
mod network;
mod no_plaintext;
// Shells, file owners and botocore's readers: unix only.
#[cfg(unix)]
mod odd_names;
mod readme_ja;
// Runs the README's PowerShell commands from Linux: natively, or the Windows build under wine.
#[cfg(unix)]
mod readme_windows;
// The schedulers are played by shell-script stand-ins; the Windows task XML is unit-tested.
#[cfg(unix)]
mod schedule;
mod secrets;
mod single_flight;
mod unattended;
mod waiting;
