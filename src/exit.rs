//! Stable exit codes, documented in the README (a small module below everything, so any layer
//! can name a code without depending on the error type).

pub const OK: u8 = 0;
pub const INTERNAL: u8 = 1;
pub const USAGE: u8 = 2;
pub const CONFIG: u8 = 3;
pub const INPUT: u8 = 4;
pub const KEYRING: u8 = 5;
pub const AWS_REFUSED: u8 = 6;
pub const TRANSIENT: u8 = 7;
pub const IO: u8 = 8;
pub const NEEDS_CONFIRMATION: u8 = 9;
/// `exec`: the command was found but could not be run (as shells report it).
pub const CANNOT_RUN: u8 = 126;
/// `exec`: no such command (as shells report it).
pub const COMMAND_NOT_FOUND: u8 = 127;
/// Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

/// When profiles of one run fail differently, the run exits with the most severe code, most
/// severe first: Ctrl-C, a bug, then what is broken on this machine (file I/O, keyring), then what
/// must be fixed in the setup (config, input, what AWS refused, a confirmation), and last what
/// a retry may cure (transient).
pub const SEVERITY: [u8; 9] = [
    INTERRUPTED,
    INTERNAL,
    IO,
    KEYRING,
    CONFIG,
    INPUT,
    AWS_REFUSED,
    NEEDS_CONFIRMATION,
    TRANSIENT,
];

/// The more severe of two exit codes (see [`SEVERITY`]); 0 only when both are 0.
pub fn most_severe(a: u8, b: u8) -> u8 {
    let rank = |code: u8| match code {
        OK => usize::MAX,
        code => SEVERITY
            .iter()
            .position(|&c| c == code)
            .unwrap_or(SEVERITY.len()),
    };
    if rank(b) < rank(a) { b } else { a }
}
