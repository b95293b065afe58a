//! More ways to run the binary (raw bytes on stdin, cron's minimal environment) and a decoder
//! for the QR codes mfa-mint prints in the terminal.

use std::process::Command;

use super::env::TestEnv;
use super::process::{DEFAULT_TIMEOUT, Run, run_command};

impl TestEnv {
    /// Runs `mfa-mint args` with raw bytes (an image, say) on stdin.
    #[track_caller]
    pub fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        run_command(cmd, Some(stdin), DEFAULT_TIMEOUT)
    }

    /// Like cron: HOME, PATH, SHELL, LOGNAME and the login session's XDG_RUNTIME_DIR, nothing
    /// else (no DBUS_SESSION_BUS_ADDRESS, no MFA_MINT_STATE_DIR), plus `extra_env`.
    #[track_caller]
    pub fn run_minimal_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mfa-mint"));
        cmd.env_clear()
            .current_dir(self.home())
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("SHELL", "/bin/sh")
            .env("LOGNAME", "tester")
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .args(args)
            .envs(extra_env.iter().copied());
        run_command(cmd, None, DEFAULT_TIMEOUT)
    }
}

/// Decodes a QR code printed with half-block characters (two modules per character cell).
pub fn decode_terminal_qr(text: &str) -> String {
    let rows: Vec<Vec<char>> = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| " █▀▄".contains(c)))
        .map(|l| l.chars().collect())
        .collect();
    assert!(!rows.is_empty(), "no QR code in {text:?}");
    let width = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let scale = 6u32;
    let margin = 4u32;
    let mut img = image::GrayImage::from_pixel(
        (width + 2 * margin) * scale,
        (rows.len() as u32 * 2 + 2 * margin) * scale,
        image::Luma([255]),
    );
    for (y, row) in rows.iter().enumerate() {
        for (x, c) in row.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            for (half, dark) in [(0u32, top), (1, bottom)] {
                if !dark {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        img.put_pixel(
                            (x as u32 + margin) * scale + dx,
                            (y as u32 * 2 + half + margin) * scale + dy,
                            image::Luma([0]),
                        );
                    }
                }
            }
        }
    }
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert!(!grids.is_empty(), "no QR grid found in the terminal output");
    grids[0].decode().expect("the terminal QR decodes").1
}
