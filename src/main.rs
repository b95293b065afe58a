//! The `mfa-mint` binary: everything lives in the library; this only turns its result into an exit code.
fn main() -> std::process::ExitCode {
    mfa_mint::run()
}
