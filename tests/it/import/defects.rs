//! Issue 16's defects, one behaviour test each, on inputs made here (`import_corpus` runs the
//! published files): the real binary and keyring; a refusal is exit 4, one `error:` line and one
//! `hint:` line, and nothing stored.

use super::{migration, qr_png, write};
use crate::support::{self, TestEnv};

/// RFC 6238's SHA-1 seed "12345678901234567890".
const RAW: &[u8] = b"12345678901234567890";
const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn serial(profile: &str) -> String {
    format!("arn:aws:iam::123456789012:mfa/{profile}")
}

fn import(env: &TestEnv, profile: &str, args: &[&str], stdin: &[u8]) -> support::Run {
    let serial = serial(profile);
    let mut full = vec!["import", profile, "--serial", serial.as_str()];
    full.extend_from_slice(args);
    env.run_bytes(&full, stdin)
}

#[track_caller]
fn assert_refused(env: &TestEnv, profile: &str, r: &support::Run, needle: &str) {
    assert_eq!(r.code, 4, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines.len() == 2 && lines[0].starts_with("error: ") && lines[1].starts_with("hint: "),
        "{r:?}"
    );
    assert!(lines[0].contains(needle), "{needle:?}: {r:?}");
    assert!(
        env.secret_tool_lookup(&[("service", "mfa-mint"), ("username", &serial(profile))])
            .is_none(),
        "refused, yet stored: {r:?}"
    );
    let config = env.read_file(".aws/config").unwrap_or_default();
    assert!(!config.contains(&serial(profile)), "{config}");
}

/// The code `mfa-mint code PROFILE` shows at unix time 59 (RFC 6238's first vector).
fn code_at_59(env: &TestEnv, profile: &str) -> String {
    let state = tempfile::tempdir().unwrap();
    let state = state.path().display().to_string();
    let r = env.run_env(
        &["code", profile],
        None,
        &[("MFA_MINT_TEST_NOW", "59"), ("MFA_MINT_STATE_DIR", &state)],
    );
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout.trim().to_string()
}

#[test]
fn seeds_aws_cannot_use_are_refused_naming_the_parameter() {
    require!(Keyring);
    let env = TestEnv::new();
    for (n, (params, named)) in [
        ("algorithm=SHA256&digits=7&period=20", "algorithm=SHA256"),
        ("algorithm=SHA512", "algorithm=SHA512"),
        ("digits=8", "digits=8"),
        ("period=60", "period=60"),
    ]
    .into_iter()
    .enumerate()
    {
        let profile = format!("uri{n}");
        let uri = format!("otpauth://totp/AWS:alice?secret={B32}&{params}");
        let r = import(&env, &profile, &[], uri.as_bytes());
        assert_refused(&env, &profile, &r, named);
        assert!(r.stderr.contains("SHA1, 6 digits and 30 s"), "{r:?}");
    }
    // In an export they are listed as unusable, not counted: the one usable entry is taken.
    let aegis = format!(
        r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":2,"entries":[
        {{"type":"totp","name":"James","issuer":"SPDX","info":{{"secret":"{B32}","algo":"SHA256","digits":7,"period":20}}}},
        {{"type":"totp","name":"alice","issuer":"AWS","info":{{"secret":"{B32}","algo":"SHA1","digits":6,"period":30}}}}]}}}}"#
    );
    let r = import(&env, "aegis", &[], aegis.as_bytes());
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("Took \"AWS:alice\""), "{r:?}");
    assert_eq!(code_at_59(&env, "aegis"), "287082");
    // Named, the unusable entry says why, in words that read right.
    let r = import(&env, "spdx", &["--account", "SPDX"], aegis.as_bytes());
    assert_refused(
        &env,
        "spdx",
        &r,
        "\"SPDX:James\" is unusable: algorithm=SHA256",
    );
    assert!(!r.stderr.contains("a unusable"), "{r:?}");
}

#[test]
fn anti_aliased_export_qrs_import() {
    require!(Keyring);
    let env = TestEnv::new();
    // A dense Google Authenticator export (version 13) scaled by non-integer factors, as phones
    // and export screens do: anti-aliased module edges (the corpus's 1080x952 export is one such
    // image). Measured when written, at 4.1x to 7.6x in steps of 0.1: rqrr alone read 1 of 36,
    // the import 22. Every fifth of those here (4.1x, 4.6x, … 7.6x): rqrr 0 of 8, import 6.
    let names: Vec<String> = (0..12).map(|i| format!("user{i}@example.com")).collect();
    let mut entries: Vec<(&[u8], &str, &str, u64)> = names
        .iter()
        .map(|n| (b"abcdefghijabcdefghij".as_slice(), n.as_str(), "Other", 2))
        .collect();
    entries.push((RAW, "alice@123456789012", "Amazon Web Services", 2));
    let code = qrcode::QrCode::new(migration(&entries).as_bytes()).unwrap();
    let modules = code
        .render::<image::Luma<u8>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    let dir = tempfile::tempdir().unwrap();
    let (mut plain_read, mut imported) = (0, 0);
    for tenths in (41..77).step_by(5) {
        let side = modules.width() * tenths / 10;
        let soft =
            image::imageops::resize(&modules, side, side, image::imageops::FilterType::Triangle);
        let mut plain = rqrr::PreparedImage::prepare(soft.clone());
        if plain.detect_grids().iter().any(|g| g.decode().is_ok()) {
            plain_read += 1;
        }
        let mut png = std::io::Cursor::new(Vec::new());
        soft.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let path = write(dir.path(), "export.png", png.get_ref());
        let r = import(
            &env,
            "soft",
            &["--qr", &path, "--account", "Amazon", "--force"],
            b"",
        );
        match r.code {
            0 => imported += 1,
            4 => assert!(r.stderr.contains("no readable QR code"), "{r:?}"),
            _ => panic!("{r:?}"),
        }
    }
    assert!(plain_read <= 1, "rqrr alone read {plain_read} of 8");
    assert!(
        imported >= 5,
        "imported {imported} of 8 (rqrr alone: {plain_read})"
    );
    assert_eq!(code_at_59(&env, "soft"), "287082");
}

#[test]
fn export_secrets_pass_the_strict_check() {
    require!(Keyring);
    let env = TestEnv::new();
    // A 17-character secret used to import as its 16-character prefix.
    let twofas = r#"{"services":[{"name":"Code1","secret":"JDJDBDBDDBDBBXBXB","otp":{"tokenType":"TOTP","digits":6,"period":30,"algorithm":"SHA1"}}],"schemaVersion":4}"#;
    let r = import(&env, "short", &[], twofas.as_bytes());
    assert_refused(
        &env,
        "short",
        &r,
        "17 characters cannot encode a whole number of bytes",
    );
    let aegis = format!(
        r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":2,"entries":[{{"type":"totp","name":"a","issuer":"AWS","info":{{"secret":"{}={}","algo":"SHA1","digits":6,"period":30}}}}]}}}}"#,
        &B32[..16],
        &B32[16..]
    );
    let r = import(&env, "padding", &[], aegis.as_bytes());
    assert_refused(&env, "padding", &r, "an '=' padding sign before the end");
}

#[test]
fn an_encrypted_2fas_backup_says_how_to_export_it() {
    require!(Keyring);
    let env = TestEnv::new();
    let backup = r#"{"services":[],"groups":[],"schemaVersion":4,"appOrigin":"android","servicesEncrypted":"PCeJ8H3t2vpQ:JFpdtsTBX31A:abc"}"#;
    let r = import(&env, "enc", &[], backup.as_bytes());
    assert_refused(&env, "enc", &r, "the 2FAS backup is encrypted");
    assert!(r.stderr.contains("hint: in 2FAS,"), "{r:?}");
}

#[test]
fn input_that_is_not_a_seed_says_what_it_is() {
    require!(Keyring);
    let env = TestEnv::new();
    let andotp = format!(r#"[{{"secret":"{B32}","issuer":"AWS","label":"a","type":"TOTP"}}]"#);
    let r = import(&env, "andotp", &[], andotp.as_bytes());
    assert_refused(
        &env,
        "andotp",
        &r,
        "this is a JSON array, not an Aegis or 2FAS export",
    );
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "qr.jpeg", b"This is just a text file.\n");
    let r = import(&env, "text", &["--qr", &text], b"");
    assert_refused(&env, "text", &r, "the input is not a PNG or JPEG image");
    let png = write(dir.path(), "example.png", &qr_png("This is an example"));
    let r = import(&env, "qrtext", &["--qr", &png], b"");
    assert_refused(
        &env,
        "qrtext",
        &r,
        "the QR code holds text, not an otpauth URI",
    );
}

#[test]
fn several_migration_lines_import_from_all_of_them() {
    require!(Keyring);
    let env = TestEnv::new();
    let text = format!(
        "# QR code 1 of 2\n{}\n\n# QR code 2 of 2\n{}\n",
        migration(&[(b"abcdefghijabcdefghij", "bob", "GitHub", 2)]),
        migration(&[(RAW, "alice@123456789012", "Amazon Web Services", 2)]),
    );
    let r = import(&env, "second", &["--account", "Amazon"], text.as_bytes());
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(code_at_59(&env, "second"), "287082");
    let r = import(&env, "first", &["--account", "GitHub"], text.as_bytes());
    assert_eq!(r.code, 0, "{r:?}");
    assert_ne!(code_at_59(&env, "first"), "287082");
    let r = import(&env, "both", &[], text.as_bytes());
    assert_refused(&env, "both", &r, "2 TOTP entries AWS can use");
}
