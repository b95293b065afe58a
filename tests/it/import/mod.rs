//! `mfa-mint import`: the seed goes into the keyring and the profile is linked; every place a
//! seed lives today imports, and the imported seed gives the same codes as an independent TOTP
//! implementation (oathtool); what import prints is pinned. Fixtures are made here, never
//! downloaded. `defects` holds issue 16's cases; `import_corpus` runs the published files.

use crate::support;

use crate::mint::{import, setup};
use base64::Engine;
use support::{Pin, TestEnv, World};

mod defects;

/// An AWS-style 64-character base32 seed (40 bytes).
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub(crate) const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
/// 20 random-looking bytes and their base32.
const RAW: &[u8] =
    b"\x3d\xc6\xca\xa4\x82\x4a\x6d\x28\x87\x67\xb2\x33\x1e\x20\xb4\x31\x66\xcb\x85\xd9";

pub(crate) fn b32() -> String {
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, RAW)
}

/// oathtool's codes for the previous, current and next steps.
fn oathtool_codes(secret_b32: &str) -> Vec<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = std::process::Command::new(support::require_tool("oathtool"))
        .args([
            "--totp",
            "-b",
            "-w",
            "2",
            "-N",
            &format!("@{}", now - 30),
            secret_b32,
        ])
        .output()
        .expect("oathtool (installed by scripts/test)");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn import_and_check(env: &TestEnv, args: &[&str], stdin: Option<&[u8]>) {
    let mut full = vec!["import", "dev", "--serial", SERIAL, "--force"];
    full.extend_from_slice(args);
    let r = match stdin {
        Some(bytes) => env.run_bytes(&full, bytes),
        None => env.run(&full, None),
    };
    assert_eq!(r.code, 0, "{args:?}: {r:?}");
    // `code` records the step it shows; a fresh ledger per check keeps the next one from waiting.
    let state = tempfile::tempdir().unwrap();
    let state = env.path_arg(state.path());
    let r = env.run_env(
        &["code", "dev"],
        None,
        &[("MFA_MINT_STATE_DIR", state.as_str())],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let code = r.stdout.trim().to_string();
    assert!(oathtool_codes(&b32()).contains(&code), "{args:?}: {code}");
}

/// Writes `dir/name`; returns the path as the binary under test names it.
pub(super) fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    support::target().path_arg(&path)
}

pub(super) fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn bytes_field(n: u64, data: &[u8], out: &mut Vec<u8>) {
    varint(n << 3 | 2, out);
    varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

pub(super) fn migration(entries: &[(&[u8], &str, &str, u64)]) -> String {
    let mut payload = Vec::new();
    for (secret, name, issuer, kind) in entries {
        let mut p = Vec::new();
        bytes_field(1, secret, &mut p);
        bytes_field(2, name.as_bytes(), &mut p);
        bytes_field(3, issuer.as_bytes(), &mut p);
        for (field, value) in [(4u64, 1u64), (5, 1), (6, *kind)] {
            varint(field << 3, &mut p);
            varint(value, &mut p);
        }
        bytes_field(1, &p, &mut payload);
    }
    let data = base64::engine::general_purpose::STANDARD.encode(payload);
    let data: String = url::form_urlencoded::byte_serialize(data.as_bytes()).collect();
    format!("otpauth-migration://offline?data={data}")
}

/// What `import` prints on each path, pinned as text and as `--json`: a new seed, the same
/// seed again, a different seed replacing it (`--force`), and one entry picked from an export
/// holding several.
#[test]
fn import_text_and_json_are_pinned() {
    require!(Keyring);
    let env = TestEnv::new();
    let pin = Pin::new(&env, "import");
    let seed = b32();
    let other = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let run = |name: &str, args: &[&str], stdin: &str| {
        let r = env.run(args, Some(stdin));
        pin.run(name, &[], args, Some(stdin), &r);
        r.success();
    };
    let import = ["import", "dev", "--serial", SERIAL];
    let json = ["import", "ops", "--serial", SERIAL, "--json"];
    run("new", &import, &seed);
    run("same-seed-again", &import, &seed);
    run("same-seed-again-json", &json, &seed);
    run("replaced", &[&import[..], &["--force"]].concat(), other);
    run("replaced-json", &[&json[..], &["--force"]].concat(), &seed);
    let export = migration(&[
        (RAW, "alice@123456789012", "Amazon Web Services", 2),
        (b"other-secret-bytes!!", "bob", "GitHub", 2),
    ]);
    let bob = "arn:aws:iam::123456789012:mfa/bob";
    run(
        "picked-from-several",
        &["import", "qa", "--serial", bob, "--account", "Amazon"],
        &export,
    );
    let carol = "arn:aws:iam::123456789012:mfa/carol";
    run(
        "new-json",
        &["import", "ci", "--serial", carol, "--json"],
        &seed,
    );
}

#[test]
fn secrets_uris_and_files() {
    require!(Keyring, Oathtool);
    let env = TestEnv::new();
    let spaced = b32()
        .to_lowercase()
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    import_and_check(&env, &[], Some(spaced.as_bytes()));
    import_and_check(&env, &[], Some(format!("{}===\n", b32()).as_bytes()));
    // What `Get-Clipboard | mfa-mint import …` sends from PowerShell: the text and a CRLF.
    import_and_check(&env, &[], Some(format!("{}\r\n", b32()).as_bytes()));
    let uri = format!(
        "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={}&issuer=Amazon%20Web%20Services",
        b32()
    );
    import_and_check(&env, &[], Some(uri.as_bytes()));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "seed.txt", format!("{}\n", b32()).as_bytes());
    import_and_check(&env, &["--from", &path], None);
}

#[test]
fn qr_screenshots() {
    require!(Keyring, Oathtool);
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("otpauth://totp/AWS:alice?secret={}&issuer=AWS", b32());
    let png = qr_png(&uri);
    let path = write(dir.path(), "qr.png", &png);
    import_and_check(&env, &["--qr", &path], None);
    // Piped on stdin, auto-detected.
    import_and_check(&env, &[], Some(&png));
    // A JPEG screenshot.
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let path = write(dir.path(), "qr.jpg", jpeg.get_ref());
    import_and_check(&env, &["--qr", &path], None);
}

#[test]
fn google_authenticator_export_with_several_accounts() {
    require!(Keyring, Oathtool);
    let env = TestEnv::new();
    let uri = migration(&[
        (RAW, "alice@123456789012", "Amazon Web Services", 2),
        (b"other-secret-bytes!!", "bob", "GitHub", 2),
        (RAW, "counter", "Bank", 1),
    ]);
    let r = env.run(&["import", "dev", "--serial", SERIAL], Some(&uri));
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("2 TOTP entries"), "{r:?}");
    assert!(
        r.stderr.contains("Amazon Web Services:alice@123456789012"),
        "{r:?}"
    );
    assert!(r.stderr.contains("--account"), "{r:?}");
    import_and_check(&env, &["--account", "Amazon"], Some(uri.as_bytes()));
    // From its QR code too.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "export.png", &qr_png(&uri));
    import_and_check(&env, &["--qr", &path, "--account", "alice"], None);
    let r = env.run(
        &[
            "import",
            "dev",
            "--serial",
            SERIAL,
            "--account",
            "Bank",
            "--force",
        ],
        Some(&uri),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("HOTP"), "{r:?}");
}

#[test]
fn winauth_aegis_and_2fas_exports() {
    require!(Keyring, Oathtool);
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let winauth = format!(
        "otpauth://totp/WinAuth:AWS?secret={}\r\notpauth://totp/WinAuth:Other?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\r\n",
        b32()
    );
    let path = write(dir.path(), "winauth.txt", winauth.as_bytes());
    let r = env.run(
        &["import", "dev", "--serial", SERIAL, "--from", &path],
        None,
    );
    assert_eq!(r.code, 4, "{r:?}");
    import_and_check(&env, &["--from", &path, "--account", "WinAuth:AWS"], None);

    let aegis = format!(
        r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":2,"entries":[{{"type":"totp","uuid":"a","name":"alice","issuer":"AWS","info":{{"secret":"{}","algo":"SHA1","digits":6,"period":30}}}},{{"type":"steam","uuid":"b","name":"g","issuer":"Steam","info":{{"secret":"{}","algo":"SHA1","digits":5,"period":30}}}}]}}}}"#,
        b32(),
        b32()
    );
    let path = write(dir.path(), "aegis.json", aegis.as_bytes());
    import_and_check(&env, &["--from", &path], None);

    let twofas = format!(
        r#"{{"services":[{{"name":"AWS","secret":"{}","otp":{{"account":"alice","issuer":"AWS","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}}}}],"schemaVersion":4}}"#,
        b32()
    );
    let path = write(dir.path(), "2fas.json", twofas.as_bytes());
    import_and_check(&env, &["--from", &path], None);
}

#[test]
fn import_takes_the_profiles_mfa_serial_when_serial_is_absent() {
    require!(Keyring);
    let (w, alice) = World::with_alice(Some(SEED));
    w.write_config(&format!("[profile dev]\nmfa_serial = {}\n", alice.serial));
    let r = w.run(&["import", "dev"], Some(SEED));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        w.env
            .secret_tool_lookup(&[("service", "mfa-mint"), ("username", &alice.serial)])
            .is_some()
    );
    let r = w.run(&["dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.run(&["import", "other"], Some(SEED));
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("hint: pass the device ARN: --serial"),
        "{r:?}"
    );
}

#[test]
fn import_stores_the_seed_in_the_keyring_and_links_the_profile() {
    require!(Keyring);
    let (s, alice) = setup();
    import(&s, &alice);
    let stored = s
        .env
        .stored_secret(&alice.serial)
        .expect("seed in the OS keyring");
    assert!(
        stored.starts_with("otpauth://totp/"),
        "stored form is a URI"
    );
    assert!(stored.contains(&format!("secret={SEED}")));
    let config = s.env.read_file(".aws/config").unwrap();
    assert_eq!(
        config,
        format!(
            "[profile dev]\nmfa_serial = {}\nmfa_mint_wrote = mfa_serial\n",
            alice.serial
        )
    );
    // The seed is on no output.
    let r = s.run(
        &["import", "dev", "--serial", &alice.serial, "-vv"],
        Some(SEED),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains(SEED) && !r.stderr.contains(SEED));
    assert_eq!(s.fake.request_count(), 0, "import makes no AWS request");
}
