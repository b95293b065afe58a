//! mfa-mint: import a virtual-MFA seed into the OS keyring, generate TOTP codes and mint AWS
//! session credentials with STS GetSessionToken.
#![forbid(unsafe_code)]

pub mod aws_files;
pub mod cli;
pub mod clock;
pub mod error;
pub mod ledger;
pub mod secret;
pub mod store;
pub mod totp;

pub fn run() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
