//! The integration tests: one test binary (built and linked once, instead of once per file) whose
//! modules each cover one command (`mint/`, `import/`, `status`, …; `cli` for help and usage),
//! plus the few checks that cut across commands (`secrets`, `bad_input`, `import_corpus`, the
//! network and endpoint tests, the README's, the harness's and the fake AWS's self-tests), all
//! sharing the harness in `support/`. What each command prints is pinned in `snapshots/`.
//!
//!   cargo test --test it                    every behaviour test
//!   cargo test --test it mint::             one area
//!   cargo test --test it mint::name         one test

#![allow(clippy::disallowed_methods)] // the harness reads and sets its own environment

#[macro_use]
mod support;

mod architecture;
mod bad_input;
mod clear;
mod cli;
mod code;
mod completions;
mod credential_process;
mod doctor;
mod endpoints;
mod enroll;
mod env;
mod exec;
mod export;
mod fake_aws_fault_modes;
mod fake_aws_selftest;
mod faults;
mod hardening;
mod harness_selftest;
#[cfg(unix)]
mod hints;
mod import;
mod import_corpus;
mod import_qr_bounds;
mod keyring_faults;
mod keys;
mod keyutils;
mod login;
mod manage;
mod mint;
mod moto_e2e;
mod network;
// Shells, file owners and botocore's readers: unix only.
#[cfg(unix)]
mod odd_names;
mod readme_ja;
mod rotate;
// Runs the README's PowerShell commands from Linux: natively, or the Windows build under wine.
#[cfg(unix)]
mod readme_windows;
// The schedulers are played by shell-script stand-ins; the Windows task XML is unit-tested.
#[cfg(unix)]
mod schedule;
mod secrets;
mod server;
mod status;
