//! Shared test harness for behaviour tests that run the real `mfa-mint` binary: [`World`] (the
//! fixture tests start from: a [`TestEnv`] and a fake AWS), a hermetic
//! [`TestEnv`] (temp HOME, its own D-Bus session bus and gnome-keyring Secret Service), a
//! recording CONNECT proxy ([`ConnectProxy`]), a local
//! [`Moto`] server and the venv's `aws` CLI as an independent reader of `~/.aws`.
//!
//! Every module of the `it` test binary uses it as `crate::support`. The tools it drives
//! (dbus-daemon, gnome-keyring-daemon, secret-tool, moto_server, aws, keyctl, oathtool,
//! tinyproxy) are installed by `scripts/test`. A test declares what it needs with
//! `require!(Keyring, Venv)` ([`need`]): plain `cargo test` skips it with one line on stderr where a tool is missing;
//! under `scripts/test` or CI a missing tool fails it.
#![allow(dead_code, unused_imports)]

#[macro_use]
pub mod need;
mod connect_proxy;
mod env;
mod extra;
pub mod fake_aws;
mod process;
mod proxy;
mod session_bus;
mod snap;
mod target;
mod venv;
mod world;

pub use connect_proxy::ConnectProxy;
pub use env::{KEYRING_PASSWORD, TestEnv};
pub use extra::decode_terminal_qr;
pub use process::{
    DEFAULT_TIMEOUT, Run, TimedOut, require_tool, run_command, try_run_command, wait_until,
};
pub use proxy::Tinyproxy;
pub use snap::Pin;
pub use target::{Target, target, windows_path};
pub use venv::{Moto, aws_cli, venv_bin};
pub use world::{ACCOUNT, User, World};
