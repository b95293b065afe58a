//! Every case of the real-world import corpus (`../shared/fixtures/import/SOURCES.md`: exports
//! and QR images published by Aegis, Proton Pass, extract_otp_secrets, mintotp, WinAuth users, the
//! Key Uri Format page, pyotp and RFC 6238) against the real binary and a real keyring. A seed
//! that must import is checked by its codes: the `code` command at pinned times against oathtool
//! (an independent TOTP) given the secret SOURCES.md names, and against the codes the source
//! projects publish. A file that must be refused exits 4 with its message, and nothing is stored.
//!
//! The corpus is read where it lies, never copied here: `$MFA_MINT_IMPORT_CORPUS`, else
//! `../shared/fixtures/import`; without it the test is skipped with one line (also under
//! `scripts/test` and in CI: a clean clone has no corpus beside it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{self, TestEnv};

/// How the case hands the fixture to `mfa-mint import`.
#[derive(Clone, Copy, Debug)]
enum How {
    /// `--from FILE`.
    From,
    /// `--qr FILE`.
    Qr,
    /// The file's bytes on stdin.
    Stdin,
    /// The file converted to CRLF line ends, on stdin (WinAuth's own export writes CRLF).
    StdinCrlf,
    /// Only this line (from 1) of the file, on stdin.
    Line(usize),
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Imports, and the stored seed is this base32 secret (SHA1, 6 digits, 30 s).
    Secret(&'static str),
    /// Refused with exit 4 and this text on stderr; nothing stored.
    Refused(&'static str),
}

use Expect::{Refused, Secret};
use How::{From, Line, Qr, Stdin, StdinCrlf};

struct Case {
    file: &'static str,
    how: How,
    account: Option<&'static str>,
    expect: Expect,
}

const fn case(file: &'static str, how: How, account: Option<&'static str>, expect: Expect) -> Case {
    Case {
        file,
        how,
        account,
        expect,
    }
}

const DENO: &str = "4SJHB4GSD43FZBAI7C2HLRJGPQ";
const AMAZON: &str = "IUIUCFKMTXQZUV5U7LE664BVXQ4K7PDSDKHZ4QTZAC5GVIBMMZ6A";
const PROTON: &str = "AQI55ICZEMJW2W67PAUVQ3BFN7LJBOQD";
const CODE1: &str = "NXJDBXJDBDSJDBBXNXJBXBCB";
const HELLO: &str = "JBSWY3DPEHPK3PXP";
const PI: &str = "7KSQL2JTUDIS5EF65KLMRQIIGY";
const NOT_AWS_SHA256: &str = "algorithm=SHA256 cannot work with AWS";
const NOT_AWS_SHA512: &str = "algorithm=SHA512 cannot work with AWS";
const HOTP: &str = "is unusable: it is HOTP (counter-based)";
const STEAM: &str = "is unusable: it is a Steam Guard entry";
const AMBIGUOUS: &str = "TOTP entries AWS can use";
const NO_TOTP: &str = "the input holds no TOTP entry AWS can use";

/// SOURCES.md, row by row: each expectation it states is one case (or a few).
#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- Aegis importer test resources ---
    case("aegis--aegis_plain.json", From, Some("Deno"), Secret(DENO)),
    // SOURCES.md expects "ambiguous (3 TOTP)" here; issue 16 says entries AWS cannot use are
    // not candidates, so Deno is the only one (SPDX and Airbnb are listed as unusable).
    case("aegis--aegis_plain.json", From, None, Secret(DENO)),
    case("aegis--aegis_plain.json", Stdin, Some("SPDX"), Refused(NOT_AWS_SHA256)),
    case("aegis--aegis_plain.json", From, Some("Airbnb"), Refused(NOT_AWS_SHA512)),
    case("aegis--aegis_plain.json", From, Some("Issuu"), Refused(HOTP)),
    case("aegis--aegis_plain.json", From, Some("Boeing"), Refused(STEAM)),
    case("aegis--aegis_plain_grouped_v2.json", From, Some("Deno"), Secret(DENO)),
    case("aegis--aegis_encrypted.json", From, None, Refused("the Aegis vault is encrypted")),
    case("aegis--plain.txt", From, Some("Deno"), Secret(DENO)),
    case("aegis--plain.txt", Line(1), None, Secret(DENO)),
    case("aegis--plain.txt", Line(2), None, Refused(NOT_AWS_SHA256)),
    case("aegis--plain.txt", Line(4), None, Refused("otpauth://hotp URIs are not supported")),
    case("aegis--plain.txt", Line(7), None, Refused("unsupported one-time password type \"steam\"")),
    case("aegis--plain.txt", From, Some("Issuu"), Refused(HOTP)),
    case("aegis--plain.txt", From, Some("Boeing"), Refused(STEAM)),
    case("aegis--ente_auth.txt", From, Some("Deno"), Secret(DENO)),
    case("aegis--ente_auth.txt", From, Some("WWE"), Refused(HOTP)),
    case("aegis--2fas_authenticator.json", From, Some("Deno"), Secret(DENO)),
    case("aegis--2fas_authenticator.json", From, Some("SPDX"), Secret("5OM4WOOGPLQEF6UGN3CPEOOLWU")),
    case("aegis--2fas_authenticator_plain.2fas", From, Some("Deno"), Secret(DENO)),
    case("aegis--2fas_authenticator_plain.2fas", From, Some("Airbnb"), Refused(NOT_AWS_SHA512)),
    case("aegis--2fas_authenticator_plain_v3.2fas", From, Some("Deno"), Secret(DENO)),
    case("aegis--2fas_authenticator_plain_v3.2fas", From, Some("Issuu"), Refused(HOTP)),
    case("aegis--2fas_authenticator_plain_v4.2fas", From, None, Secret(DENO)),
    case("aegis--2fas_authenticator_plain_v4.2fas", From, Some("Boeing"), Refused(STEAM)),
    case("aegis--2fas_authenticator_encrypted_v4.2fas", From, None, Refused("the 2FAS backup is encrypted")),
    case("aegis--andotp_plain.json", From, None, Refused("this is a JSON array, not an Aegis or 2FAS export")),
    case("aegis--freeotp_plus.json", From, None, Refused("this is a FreeOTP+ backup")),
    // --- extract_otp_secrets ---
    case("scito--example_export.txt", From, Some("encoding"), Secret(PI)),
    case("scito--example_export.txt", From, Some("raspberrypi:pi@raspberrypi"), Secret(PI)),
    case("scito--example_export.txt", From, Some("pi@raspberrypi"), Secret(PI)),
    case("scito--example_export.txt", Line(5), None, Secret(PI)),
    case("scito--example_export.txt", Line(8), None, Secret(PI)),
    case("scito--example_export.txt", From, Some("hotp demo"), Refused(HOTP)),
    case("scito--test_plus_problem_export.txt", From, Some("test1"), Secret("A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM")),
    case("scito--test_plus_problem_export.txt", Stdin, Some("test2"), Secret("SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX")),
    case("scito--test_plus_problem_export.txt", From, Some("test3"), Secret("TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4")),
    case("scito--test_plus_problem_export.txt", From, Some("test4"), Secret("N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN")),
    case("scito--test_plus_problem_export.txt", From, None, Refused(AMBIGUOUS)),
    case("scito--test_googleauth_export.png", Qr, Some("Test1"), Secret(HELLO)),
    case("scito--test_googleauth_export.png", Stdin, Some("Test2"), Secret("JBSWY3DPEHPK3PXQ")),
    case("scito--test_googleauth_export.png", From, Some("test3@example3.com"), Secret("JBSWY3DPEHPK3PXR")),
    case("scito--qr_but_without_otp.png", Qr, None, Refused("the QR code holds text, not an otpauth URI")),
    case("scito--text_masquerading_as_image.jpeg", Qr, None, Refused("the input is not a PNG or JPEG image")),
    case("scito--lena_std.tif", Qr, None, Refused("the input is not a PNG or JPEG image")),
    case("scito--lena_std.tif", From, None, Refused("the input is neither text nor a PNG or JPEG image")),
    // --- Proton Pass (Proton Authenticator test data) ---
    case("proton--GoogleAuthImportScreenshotCropped.jpg", Qr, None, Secret("KRUGS42TNBXXK3DEIJZGKYLLGEZDGNBV")),
    case("proton--GoogleAuthenticator_ScreenshotBigQR.jpeg", Qr, Some("code 1"), Secret(CODE1)),
    case("proton--GoogleAuthenticator_ScreenshotBigQR.jpeg", Qr, Some("hotpitem"), Refused(HOTP)),
    case("proton--GoogleAuthenticator_ScreenshotBigQR.jpeg", Qr, Some("TestApp:user@example.com"), Secret(HELLO)),
    case("proton--GoogleAuthenticator_ScreenshotBigQR.jpeg", Qr, Some("Google4"), Refused(NOT_AWS_SHA256)),
    case("proton--GoogleAuthenticatorExport_1.png", Qr, Some("new10"), Secret("NUNINUBUNUNUNUNUBUBUBUBUBUBUBUVUBUBUBUBUBU")),
    case("proton--GoogleAuthenticatorExport_1.png", Qr, None, Refused(AMBIGUOUS)),
    case("proton--GoogleAuthenticatorExport_2.png", Qr, Some("new0"), Secret("INNUNUNUNUBUBUBUBUBUBUBUBYBUBUBUVUBUBUBUBUBUBYBUBYVUBYA")),
    case("proton--GoogleAuthenticatorExport_3.png", Qr, Some("fbcncnh"), Secret("FJJFJFNCJCJXBNFFJDJDJJCJ")),
    // SOURCES.md: four "TestApp:user@example.com" entries, ambiguous; three are SHA256, so
    // (issue 16) the one SHA1 entry is the only candidate.
    case("proton--GoogleAuthenticatorExport_3.png", Qr, Some("TestApp:user@example.com"), Secret(HELLO)),
    case("proton--GoogleAuthenticatorExport_3.png", Qr, None, Refused(AMBIGUOUS)),
    case("proton--GoogleAuthenticatorExport_3.png", Qr, Some("Google4"), Refused(NOT_AWS_SHA256)),
    case("proton--GoogleAuthenticatorExport_3.png", Qr, Some("cncnncncn"), Refused(HOTP)),
    case("proton--example.png", Qr, None, Refused("the QR code holds text, not an otpauth URI")),
    case("proton--2fas-decrypted_with_manual_entries.2fas", From, Some("Amazon"), Secret(AMAZON)),
    case("proton--2fas-decrypted_with_manual_entries.2fas", From, Some("Google"), Secret("V4YX7JV5YNQADQGR2UO753CQC5RWKRN7")),
    case("proton--2fas-decrypted_with_manual_entries.2fas", From, Some("Reddit"), Secret("OAL6R5T5CBSYUZSLO356EBGSJWZ7JLO2")),
    case("proton--2fas-decrypted_with_manual_entries.2fas", From, Some("Service name hotp"), Refused(HOTP)),
    case("proton--2fas-decrypted_with_missing_fields.2fas", From, None, Secret(AMAZON)),
    case("proton--2fas-decrypted_ios.2fas", From, None, Refused(NO_TOTP)),
    case("proton--2fas-decrypted_ios.2fas", From, Some("Code1"), Refused("17 characters cannot encode a whole number of bytes")),
    case("proton--2fas-decrypted_ios.2fas", From, Some("Code2"), Refused("19 characters cannot encode a whole number of bytes")),
    case("proton--2fas-encrypted.2fas", From, None, Refused("the 2FAS backup is encrypted")),
    case("proton--aegis-json-unencrypted-with-missing-fields.json", From, Some("Amazon"), Secret(AMAZON)),
    case("proton--aegis-json-unencrypted-with-missing-fields.json", From, Some("Proton"), Secret(PROTON)),
    case("proton--aegis-json-unencrypted-with-missing-fields.json", From, Some("Somename"), Refused("is unusable")),
    case("proton--aegis-json-encrypted-test.json", From, None, Refused("the Aegis vault is encrypted")),
    case("proton--bitwarden.json", From, None, Refused("this is a Bitwarden export")),
    case("proton--ente-plain_with_steam_and_hotp.txt", From, None, Refused(NO_TOTP)),
    case("proton--ente-plain_with_steam_and_hotp.txt", From, Some("Item3"), Refused("is unusable")),
    case("proton--google-parser-test-uris.txt", From, Some("Amazon"), Secret(AMAZON)),
    case("proton--google-parser-test-uris.txt", From, Some("Proton"), Secret(PROTON)),
    case("proton--google-parser-test-uris.txt", From, Some("code 1"), Secret(CODE1)),
    case("proton--google-parser-test-uris.txt", From, Some("MYLABEL"), Refused("is unusable")),
    case("proton--google-parser-test-uris.txt", Line(1), None, Refused("is unusable")),
    case("proton--google-parser-test-uris.txt", Line(2), None, Refused("the Google Authenticator export is damaged: no data parameter")),
    case("proton--google-parser-test-uris.txt", Line(3), None, Refused("the Google Authenticator export is damaged")),
    case("proton--google-parser-test-uris.txt", Line(4), None, Refused("the Google Authenticator export is damaged")),
    case("proton--google-parser-test-uris.txt", Line(6), Some("Proton"), Secret(PROTON)),
    // --- mintotp ---
    case("mintotp--secret1.png", Qr, None, Secret("ZYTYYE5FOAGW5ML7LRWUL4WTZLNJAMZS")),
    case("mintotp--secret2.png", Qr, None, Secret("PW4YAYYZVDE5RK2AOLKUATNZIKAFQLZO")),
    case("mintotp--secret2.png", Stdin, None, Secret("PW4YAYYZVDE5RK2AOLKUATNZIKAFQLZO")),
    // --- WinAuth-format exports ---
    case("winauth-totp-clip--winauth_export.txt", From, Some("AWSRootAccount"), Secret("JBSWY3DPFQQFO33S")),
    case("winauth-totp-clip--winauth_export.txt", StdinCrlf, Some("AWSRootAccount"), Secret("JBSWY3DPFQQFO33S")),
    case("winauth-totp-clip--winauth_export.txt", From, Some("Bitwarden"), Secret(HELLO)),
    case("winauth-totp-clip--winauth_export.txt", From, Some("ProtonMail"), Refused("an '=' padding sign before the end")),
    case("winauth-totp-clip--winauth_export.txt", From, Some("AzureTenant"), Refused("the secret is only 48 bits long")),
    case("winotp--winauth-test-lines.txt", From, Some("[Demo] TestService"), Secret(HELLO)),
    case("winotp--winauth-test-lines.txt", StdinCrlf, Some("GitHub"), Secret("HXDMVJECJJWSRB3H")),
    case("winotp--winauth-test-lines.txt", From, Some("AWS:admin"), Refused(NOT_AWS_SHA512)),
    // --- Key Uri Format, pyotp, RFC 6238 ---
    case("keyuriformat--wiki-examples.txt", From, Some("Example"), Secret(HELLO)),
    case("keyuriformat--wiki-examples.txt", From, Some("ACME Co"), Secret("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")),
    case("keyuriformat--wiki-examples.txt", Line(2), None, Secret("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")),
    case("pyotp--test-uris.txt", From, Some("Text: More Text"), Secret("FFFFFFFAAAAAABBBBBBB")),
    case("pyotp--test-uris.txt", From, Some("Secret"), Secret("S46SQCPPTCNPROMHWYBDCTBZXV")),
    case("pyotp--test-uris.txt", Line(3), None, Refused("the secret is only 40 bits long")),
    case("rfc6238--sha1-seed-base32.txt", From, None, Secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")),
    case("rfc6238--sha1-seed-base32.txt", Stdin, None, Secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")),
];

/// Codes the source projects publish for their seeds: (file, unix time, code).
const PUBLISHED_CODES: &[(&str, u64, &str)] = &[
    ("mintotp--secret1.png", 10, "549419"),
    ("mintotp--secret1.png", 1260, "626854"),
    ("mintotp--secret2.png", 10, "009551"),
    ("mintotp--secret2.png", 1270, "093610"),
    ("rfc6238--sha1-seed-base32.txt", 59, "287082"),
    ("rfc6238--sha1-seed-base32.txt", 1111111109, "081804"),
    ("rfc6238--sha1-seed-base32.txt", 1111111111, "050471"),
    ("rfc6238--sha1-seed-base32.txt", 1234567890, "005924"),
    ("rfc6238--sha1-seed-base32.txt", 2000000000, "279037"),
    ("rfc6238--sha1-seed-base32.txt", 20000000000, "353130"),
];

/// `$MFA_MINT_IMPORT_CORPUS` (which must then hold the corpus), else
/// `../shared/fixtures/import` from the repository root, else `None` after one line on stderr:
/// a clone without the corpus beside it skips this test, under `scripts/test` and in CI too
/// (issue 23 row 16); a run that must check it names it.
fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MFA_MINT_IMPORT_CORPUS").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("SOURCES.md").is_file(),
            "MFA_MINT_IMPORT_CORPUS={} holds no SOURCES.md",
            dir.display()
        );
        return Some(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/import");
    if dir.join("SOURCES.md").is_file() {
        return Some(dir);
    }
    support::need::skip(&format!(
        "no import corpus at {} (set MFA_MINT_IMPORT_CORPUS to check one elsewhere)",
        dir.display()
    ));
    None
}

/// oathtool's 6-digit SHA-1 TOTP of `secret` at `unix`.
fn oathtool(secret: &str, unix: u64) -> String {
    let out = std::process::Command::new(support::require_tool("oathtool"))
        .args(["--totp", "-b", "-N", &format!("@{unix}"), secret])
        .output()
        .expect("running oathtool");
    assert!(out.status.success(), "oathtool {secret}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn serial(n: usize) -> String {
    format!("arn:aws:iam::123456789012:mfa/corpus{n}")
}

fn import(env: &TestEnv, dir: &Path, n: usize, c: &Case) -> support::Run {
    let path = dir.join(c.file);
    let path_arg = path.display().to_string();
    let profile = format!("corpus{n}");
    let serial = serial(n);
    let mut args = vec!["import", profile.as_str(), "--serial", serial.as_str()];
    if let Some(account) = c.account {
        args.extend(["--account", account]);
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match c.how {
        From => env.run(&[&args[..], &["--from", &path_arg]].concat(), None),
        Qr => env.run(&[&args[..], &["--qr", &path_arg]].concat(), None),
        Stdin => env.run_bytes(&args, &bytes),
        StdinCrlf => {
            let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
            env.run_bytes(&args, text.replace('\n', "\r\n").as_bytes())
        }
        Line(number) => {
            let text = String::from_utf8(bytes).unwrap();
            let line = text.lines().nth(number - 1).expect("the line exists");
            env.run_bytes(&args, line.as_bytes())
        }
    }
}

/// The code `mfa-mint code` shows for profile `corpus{n}` at `unix`.
fn code_at(env: &TestEnv, n: usize, unix: u64) -> String {
    let now = unix.to_string();
    // `code` records the step it shows; a fresh ledger per check keeps the next from waiting.
    let state = tempfile::tempdir().unwrap();
    let state = state.path().display().to_string();
    let r = env.run_env(
        &["code", &format!("corpus{n}")],
        None,
        &[("MFA_MINT_TEST_NOW", &now), ("MFA_MINT_STATE_DIR", &state)],
    );
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout.trim().to_string()
}

fn stored(env: &TestEnv, n: usize) -> bool {
    env.secret_tool_lookup(&[("service", "mfa-mint"), ("username", &serial(n))])
        .is_some()
}

/// Runs one case; `Err` says how it went wrong.
fn check(env: &TestEnv, dir: &Path, n: usize, c: &Case) -> Result<(), String> {
    let r = import(env, dir, n, c);
    let what = format!("{} {:?} --account {:?}", c.file, c.how, c.account);
    match c.expect {
        Secret(secret) => {
            if r.code != 0 {
                return Err(format!("{what}: expected {secret}\n{r:?}"));
            }
            let mut times = vec![1_700_000_000 + 30 * n as u64, 59];
            times.extend(
                PUBLISHED_CODES
                    .iter()
                    .filter(|(file, ..)| *file == c.file)
                    .map(|(_, t, _)| *t),
            );
            for t in times {
                let expected = oathtool(secret, t);
                let published = PUBLISHED_CODES
                    .iter()
                    .find(|(file, at, _)| *file == c.file && *at == t);
                if let Some((.., code)) = published {
                    assert_eq!(&expected, code, "oathtool disagrees with {}", c.file);
                }
                let got = code_at(env, n, t);
                if got != expected {
                    return Err(format!(
                        "{what}: at {t} code {got}, expected {expected} ({secret})"
                    ));
                }
            }
            Ok(())
        }
        Refused(message) => {
            if r.code != 4 || !r.stderr.contains(message) {
                return Err(format!("{what}: expected exit 4 and {message:?}\n{r:?}"));
            }
            if r.stderr.lines().filter(|l| l.starts_with("error:")).count() != 1
                || !r.stderr.contains("\nhint: ")
            {
                return Err(format!("{what}: expected one error and a hint\n{r:?}"));
            }
            if stored(env, n) {
                return Err(format!("{what}: refused, yet a seed was stored"));
            }
            let config = env.read_file(".aws/config").unwrap_or_default();
            if config.contains(&format!("[profile corpus{n}]")) {
                return Err(format!(
                    "{what}: refused, yet the profile was written\n{config}"
                ));
            }
            Ok(())
        }
    }
}

#[test]
fn every_case_of_the_import_corpus() {
    require!(Keyring, Oathtool);
    let Some(dir) = corpus() else { return };
    // Every fixture SOURCES.md lists has at least one case, and every case's file is listed.
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let listed: BTreeSet<&str> = sources
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|name| dir.join(name).is_file())
        .collect();
    let covered: BTreeSet<&str> = CASES.iter().map(|c| c.file).collect();
    assert_eq!(listed, covered, "SOURCES.md fixtures vs. the cases here");
    assert!(listed.len() >= 40, "{listed:?}");

    let env = TestEnv::new();
    let failures: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter_map(|(n, c)| check(&env, &dir, n, c).err())
        .collect();
    println!(
        "import corpus: {} of {} cases as SOURCES.md says",
        CASES.len() - failures.len(),
        CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
