//! Google Authenticator exports: `otpauth-migration://offline?data=…`, a base64 protobuf
//! `MigrationPayload` (one per QR code of a multi-QR export). The schema, as published by
//! extract_otp_secrets and Proton Pass: payload field 1 = repeated OtpParameters {1 secret bytes,
//! 2 name, 3 issuer, 4 algorithm (1 SHA1, 2 SHA256, 3 SHA512, 4 MD5), 5 digits (1 six, 2 eight),
//! 6 type (1 HOTP, 2 TOTP), 7 counter}; other fields are skipped.

use base64::Engine;
use zeroize::Zeroizing;

use super::{Entry, Error, Unusable, seed_from_parts};
use crate::secret::SecretBytes;

const LENIENT: base64::engine::GeneralPurposeConfig = base64::engine::GeneralPurposeConfig::new()
    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
const B64_STANDARD: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const B64_URL: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// The entries of one `otpauth-migration://` URI.
pub(super) fn read(text: &str) -> Result<Vec<Entry>, Error> {
    let url = url::Url::parse(text).map_err(|_| Error::Migration("not a URI"))?;
    let data = url
        .query_pairs()
        .find(|(k, _)| k == "data")
        .map(|(_, v)| Zeroizing::new(v.into_owned()))
        .ok_or(Error::Migration("no data parameter"))?;
    // A literal `+` in the query reads back as a space.
    let cleaned: Zeroizing<String> = Zeroizing::new(
        data.chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .map(|c| if c == ' ' { '+' } else { c })
            .collect(),
    );
    let raw = Zeroizing::new(
        B64_STANDARD
            .decode(cleaned.as_bytes())
            .or_else(|_| B64_URL.decode(cleaned.as_bytes()))
            .map_err(|_| Error::Migration("data is not base64"))?,
    );
    let mut r = Reader { buf: &raw, pos: 0 };
    let mut out = Vec::new();
    while !r.done() {
        match r.key()? {
            (1, 2) => {
                let p = parse_parameters(r.bytes()?)?;
                out.push(entry(p));
            }
            (_, wire) => r.skip(wire)?,
        }
    }
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .buf
                .get(self.pos)
                .ok_or(Error::Migration("truncated number"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::Migration("number too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let len = usize::try_from(self.varint()?).map_err(|_| Error::Migration("bad length"))?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|e| *e <= self.buf.len())
            .ok_or(Error::Migration("truncated field"))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// Reads (field number, wire type); skips nothing.
    fn key(&mut self) -> Result<(u64, u64), Error> {
        let k = self.varint()?;
        Ok((k >> 3, k & 7))
    }

    fn skip(&mut self, wire: u64) -> Result<(), Error> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.advance(8),
            2 => self.bytes().map(|_| ()),
            5 => self.advance(4),
            _ => Err(Error::Migration("unknown field type")),
        }
    }

    fn advance(&mut self, n: usize) -> Result<(), Error> {
        if self.pos + n > self.buf.len() {
            return Err(Error::Migration("truncated field"));
        }
        self.pos += n;
        Ok(())
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

#[derive(Default)]
struct OtpParameters {
    secret: Zeroizing<Vec<u8>>,
    name: String,
    issuer: String,
    algorithm: u64,
    digits: u64,
    kind: u64,
}

fn parse_parameters(buf: &[u8]) -> Result<OtpParameters, Error> {
    let mut r = Reader { buf, pos: 0 };
    let mut p = OtpParameters::default();
    while !r.done() {
        match r.key()? {
            (1, 2) => p.secret = Zeroizing::new(r.bytes()?.to_vec()),
            (2, 2) => p.name = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (3, 2) => p.issuer = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (4, 0) => p.algorithm = r.varint()?,
            (5, 0) => p.digits = r.varint()?,
            (6, 0) => p.kind = r.varint()?,
            (_, wire) => r.skip(wire)?,
        }
    }
    Ok(p)
}

fn entry(p: OtpParameters) -> Entry {
    // The name is often `issuer:account` already.
    let (issuer, account) = match p.name.split_once(':') {
        Some((issuer, account)) if p.issuer.is_empty() || issuer == p.issuer => {
            (issuer.to_string(), account.to_string())
        }
        _ => (p.issuer.clone(), p.name.clone()),
    };
    let label = super::join_label(Some(&issuer), Some(&account));
    match p.kind {
        0 | 2 => {}
        1 => return Entry::unusable(label, Unusable::Hotp),
        other => return Entry::unusable(label, Unusable::OtherType(format!("type {other}"))),
    }
    let algorithm = match p.algorithm {
        0 | 1 => "SHA1",
        2 => "SHA256",
        3 => "SHA512",
        4 => "MD5",
        _ => "unknown",
    };
    let digits = if p.digits == 2 { 8 } else { 6 };
    let seed = seed_from_parts(
        SecretBytes::from_slice(&p.secret),
        algorithm,
        digits,
        30,
        (Some(&issuer), Some(&account)),
    );
    Entry::totp(label, seed)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::totp::SeedError;
    use crate::totp::formats::{entries, pick};

    /// 20 bytes: RFC 6238's SHA-1 test secret.
    const RAW: &[u8] = b"12345678901234567890";

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn field_bytes(n: u64, data: &[u8], out: &mut Vec<u8>) {
        varint(n << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    fn field_varint(n: u64, v: u64, out: &mut Vec<u8>) {
        varint(n << 3, out);
        varint(v, out);
    }

    /// OtpParameters with the given algorithm and digits codes.
    fn otp(
        secret: &[u8],
        name: &str,
        issuer: &str,
        kind: u64,
        algorithm: u64,
        digits: u64,
    ) -> Vec<u8> {
        let mut p = Vec::new();
        field_bytes(1, secret, &mut p);
        field_bytes(2, name.as_bytes(), &mut p);
        field_bytes(3, issuer.as_bytes(), &mut p);
        field_varint(4, algorithm, &mut p);
        field_varint(5, digits, &mut p);
        field_varint(6, kind, &mut p);
        p
    }

    fn uri_of(params: &[Vec<u8>]) -> String {
        let mut payload = Vec::new();
        for p in params {
            field_bytes(1, p, &mut payload);
        }
        field_varint(2, 1, &mut payload);
        let data = base64::engine::general_purpose::STANDARD.encode(&payload);
        let data: String = url::form_urlencoded::byte_serialize(data.as_bytes()).collect();
        format!("otpauth-migration://offline?data={data}")
    }

    /// A migration URI of SHA1, 6-digit entries: (secret, name, issuer, type).
    pub(in crate::totp::formats) fn migration_uri(entries: &[(&[u8], &str, &str, u64)]) -> String {
        let params: Vec<Vec<u8>> = entries
            .iter()
            .map(|(secret, name, issuer, kind)| otp(secret, name, issuer, *kind, 1, 1))
            .collect();
        uri_of(&params)
    }

    #[test]
    fn google_authenticator_export_lists_and_picks() {
        let uri = migration_uri(&[
            (RAW, "alice@123456789012", "Amazon Web Services", 2),
            (b"abcdefghijabcdefghij", "bob", "GitHub", 2),
            (RAW, "counter", "Bank", 1),
        ]);
        let found = entries(uri.as_bytes()).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[2].seed.as_ref().unwrap_err(), &Unusable::Hotp);
        let err = pick(entries(uri.as_bytes()).unwrap(), None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2 TOTP entries"), "{text}");
        assert!(
            text.contains("\"GitHub:bob\"") && text.contains("\"Bank:counter\" (HOTP)"),
            "{text}"
        );
        let seed = pick(entries(uri.as_bytes()).unwrap(), Some("amazon")).unwrap();
        assert_eq!(seed.code_at(59), "287082");
        assert_eq!(seed.issuer(), Some("Amazon Web Services"));
        assert_eq!(seed.account(), Some("alice@123456789012"));
        let err = pick(entries(uri.as_bytes()).unwrap(), Some("bank")).unwrap_err();
        assert!(err.to_string().contains("HOTP"), "{err}");
        let err = pick(entries(uri.as_bytes()).unwrap(), Some("gitlab")).unwrap_err();
        assert!(matches!(err, Error::NoMatch { .. }));
    }

    #[test]
    fn entries_aws_cannot_use_name_the_parameter() {
        // Regression (issue 16): SHA256 and 8-digit entries were candidates and got stored.
        let uri = uri_of(&[
            otp(RAW, "sha256", "X", 2, 2, 1),
            otp(RAW, "eight", "X", 2, 1, 2),
            otp(RAW, "md5", "X", 2, 4, 1),
            otp(RAW, "fine", "X", 2, 1, 1),
        ]);
        let found = entries(uri.as_bytes()).unwrap();
        let why: Vec<String> = found
            .iter()
            .map(|e| {
                e.seed
                    .as_ref()
                    .map_or_else(Unusable::brief, |_| "ok".into())
            })
            .collect();
        assert_eq!(
            why,
            [
                "unusable: algorithm=SHA256",
                "unusable: digits=8",
                "unusable: unsupported algorithm=\"MD5\"; TOTP uses SHA1, SHA256 or SHA512",
                "ok"
            ]
        );
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");
        let short = uri_of(&[otp(b"12345", "short", "X", 2, 1, 1)]);
        let err = pick(entries(short.as_bytes()).unwrap(), None).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Unusable {
                    reason: Unusable::Seed(SeedError::TooShort { bits: 40 }),
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn names_with_the_issuer_prefix() {
        let uri = migration_uri(&[
            (RAW, "SerenityLabs:test1@x.uk", "SerenityLabs", 2),
            (RAW, "pi@raspberrypi", "", 2),
            (RAW, "a:b", "Other", 2),
        ]);
        let labels: Vec<String> = entries(uri.as_bytes())
            .unwrap()
            .into_iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(
            labels,
            ["SerenityLabs:test1@x.uk", "pi@raspberrypi", "Other:a:b"]
        );
    }

    #[test]
    fn damaged_migration_payloads_are_errors_not_panics() {
        for bad in [
            "otpauth-migration://offline",
            "otpauth-migration://offline?data=%%%",
            "otpauth-migration://offline?data=CgMKAQ",
            "otpauth-migration://offline?data=Cv%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FAQ%3D%3D",
        ] {
            assert!(entries(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
