//! `import --qr` on crafted and huge images (issue 22): refused from the header, before any
//! decoding, with exit 4 and one line; never minutes of decoding.

use std::time::{Duration, Instant};

use crate::support::TestEnv;

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG whose header says `width`x`height` (8-bit grey) and whose pixel data is a few bytes.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // zlib: an empty stored block, nowhere near the rows the header promises.
    chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
        ],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn huge_and_bomb_images_are_refused_before_decoding() {
    require!(Keyring);
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    // 400 megapixels announced by a 70-byte file.
    let crafted = dir.path().join("crafted.png");
    std::fs::write(&crafted, png_header_only(20000, 20000)).unwrap();
    // A real, valid image: 64 megapixels of black, a decompression bomb of ~60 KB.
    let bomb = dir.path().join("bomb.png");
    image::GrayImage::new(8000, 8000).save(&bomb).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1024 * 1024);
    for (path, needle) in [
        (&crafted, "20000x20000 pixels"),
        (&bomb, "8000x8000 pixels"),
    ] {
        let started = Instant::now();
        let r = env.run(
            &[
                "import",
                "dev",
                "--serial",
                SERIAL,
                "--qr",
                &env.path_arg(path),
            ],
            None,
        );
        let took = started.elapsed();
        assert_eq!(r.code, 4, "{r:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert!(
            lines.len() == 2 && lines[0].starts_with("error: ") && lines[1].starts_with("hint: "),
            "{r:?}"
        );
        assert!(lines[0].contains(needle), "{r:?}");
        assert!(lines[0].contains("more than the 50 megapixels"), "{r:?}");
        assert!(took < Duration::from_secs(20), "took {took:?}");
        assert!(env.read_file(".aws/config").is_none(), "{r:?}");
    }
}
