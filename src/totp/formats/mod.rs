//! Where seeds live today, auto-detected: a base32 secret, an `otpauth://` URI, a QR image
//! (PNG/JPEG), a Google Authenticator export (`otpauth-migration://offline?data=…`), a WinAuth
//! export (one URI per line), Aegis and 2FAS plain JSON exports.

use base64::Engine;
use zeroize::Zeroizing;

use crate::totp::Seed;

/// One OTP entry found in an input (Debug is safe: `Seed` redacts its secret).
#[derive(Debug)]
pub struct Entry {
    /// `issuer:account` or the name the app shows.
    pub label: String,
    pub kind: Kind,
    /// A generator for TOTP entries; `None` when unusable (the reason is in `kind`).
    pub seed: Option<Seed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Totp,
    Hotp,
    Steam,
    Other(String),
    Invalid(String),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the image holds no readable QR code")]
    NoQrCode,
    #[error("the image cannot be read: {0}")]
    Image(String),
    #[error("the Google Authenticator export is damaged: {0}")]
    Migration(&'static str),
    #[error("the JSON export is not an Aegis or 2FAS plain export{0}")]
    Json(String),
    #[error("the input holds no TOTP entry (found: {0})")]
    NoTotp(String),
    #[error("the input holds {count} TOTP entries: {names}")]
    Ambiguous { count: usize, names: String },
    #[error("no entry matches --account {wanted:?} (found: {names})")]
    NoMatch { wanted: String, names: String },
    #[error("{label:?} is a {kind} entry; AWS virtual MFA uses TOTP")]
    NotTotp { label: String, kind: String },
    #[error(transparent)]
    Seed(#[from] crate::totp::SeedError),
}

impl Error {
    pub fn hint(&self) -> String {
        match self {
            Error::NoQrCode | Error::Image(_) => {
                "use a sharp PNG or JPEG screenshot of the QR code, or paste the secret".into()
            }
            Error::Ambiguous { .. } => {
                "pick one with --account NAME (a part of the name is enough if it is unique)".into()
            }
            Error::NoMatch { .. } => "pass --account with one of the names listed".into(),
            Error::Seed(e) => e.hint().to_string(),
            _ => "export the entry again as an otpauth:// URI or paste its base32 secret".into(),
        }
    }
}

/// Finds every OTP entry in `bytes`.
pub fn entries(bytes: &[u8]) -> Result<Vec<Entry>, Error> {
    if is_image(bytes) {
        let text = Zeroizing::new(decode_qr(bytes)?);
        return entries(text.as_bytes());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::Image("not text and not a PNG or JPEG image".into()))?
        .trim_start_matches('\u{feff}')
        .trim();
    if text.starts_with("otpauth-migration:") {
        return migration(text);
    }
    if text.starts_with('{') {
        return json_export(text);
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 1 && lines.iter().all(|l| l.contains("://")) {
        // WinAuth and other plain-text exports: one URI per line.
        return Ok(lines.iter().map(|l| uri_entry(l)).collect());
    }
    // A single secret or URI: its own parse error is the clearest message.
    let seed = Seed::parse(text)?;
    Ok(vec![Entry {
        label: label_of(text),
        kind: Kind::Totp,
        seed: Some(seed),
    }])
}

fn uri_entry(text: &str) -> Entry {
    let lower = text.to_ascii_lowercase();
    let label = label_of(text);
    if lower.starts_with("otpauth://hotp") {
        return Entry {
            label,
            kind: Kind::Hotp,
            seed: None,
        };
    }
    if lower.starts_with("otpauth://steam") || lower.contains("encoder=steam") {
        return Entry {
            label,
            kind: Kind::Steam,
            seed: None,
        };
    }
    match Seed::parse(text) {
        Ok(seed) => Entry {
            label,
            kind: Kind::Totp,
            seed: Some(seed),
        },
        Err(e) => Entry {
            label,
            kind: Kind::Invalid(e.to_string()),
            seed: None,
        },
    }
}

/// The (percent-decoded) label of an otpauth URI, or "secret" for a bare secret.
fn label_of(text: &str) -> String {
    let Ok(url) = url::Url::parse(text) else {
        return "secret".into();
    };
    let path = url.path().trim_start_matches('/');
    let decoded = url::form_urlencoded::parse(format!("l={path}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if decoded.is_empty() {
        "unnamed".into()
    } else {
        decoded
    }
}

fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xff, 0xd8, 0xff])
}

/// Decodes the first QR code in a PNG or JPEG image.
pub fn decode_qr(bytes: &[u8]) -> Result<String, Error> {
    let image = image::load_from_memory(bytes)
        .map_err(|e| Error::Image(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    for grid in prepared.detect_grids() {
        if let Ok((_, content)) = grid.decode() {
            return Ok(content);
        }
    }
    Err(Error::NoQrCode)
}

/// Builds a generator from raw parts; `Seed::new` applies the same checks as parsing.
fn seed_from_parts(
    secret: &[u8],
    label: &str,
    algorithm: &str,
    digits: u64,
    period: u64,
) -> Result<Seed, crate::totp::SeedError> {
    use crate::totp::{Algorithm, SeedError};
    let algorithm = match algorithm.to_ascii_uppercase().replace('-', "").as_str() {
        "SHA1" => Algorithm::Sha1,
        "SHA256" => Algorithm::Sha256,
        "SHA512" => Algorithm::Sha512,
        other => {
            return Err(SeedError::UnsupportedAlgorithm {
                value: other.to_string(),
            });
        }
    };
    let digits = u8::try_from(digits).map_err(|_| SeedError::UnsupportedDigits {
        value: digits.to_string(),
    })?;
    let (issuer, account) = match label.split_once(':') {
        Some((issuer, account)) => (Some(issuer), Some(account)),
        None => (None, Some(label)),
    };
    Ok(Seed::new(
        crate::secret::SecretBytes::from_slice(secret),
        algorithm,
        digits,
        period,
    )?
    .with_label(issuer, account))
}

// --- Google Authenticator export: a protobuf MigrationPayload in base64. ---

const LENIENT: base64::engine::GeneralPurposeConfig = base64::engine::GeneralPurposeConfig::new()
    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
const B64_STANDARD: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const B64_URL: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

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

fn migration(text: &str) -> Result<Vec<Entry>, Error> {
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
                out.push(migration_entry(&p));
            }
            (_, wire) => r.skip(wire)?,
        }
    }
    Ok(out)
}

fn migration_entry(p: &OtpParameters) -> Entry {
    let label = if p.issuer.is_empty() || p.name.starts_with(&format!("{}:", p.issuer)) {
        p.name.clone()
    } else {
        format!("{}:{}", p.issuer, p.name)
    };
    match p.kind {
        1 => {
            return Entry {
                label,
                kind: Kind::Hotp,
                seed: None,
            };
        }
        0 | 2 => {}
        other => {
            return Entry {
                label,
                kind: Kind::Other(format!("type {other}")),
                seed: None,
            };
        }
    }
    let algorithm = match p.algorithm {
        0 | 1 => "SHA1",
        2 => "SHA256",
        3 => "SHA512",
        _ => "MD5",
    };
    let digits = if p.digits == 2 { 8 } else { 6 };
    match seed_from_parts(&p.secret, &label, algorithm, digits, 30) {
        Ok(seed) => Entry {
            label,
            kind: Kind::Totp,
            seed: Some(seed),
        },
        Err(e) => Entry {
            label,
            kind: Kind::Invalid(e.to_string()),
            seed: None,
        },
    }
}

// --- Aegis and 2FAS plain JSON exports. ---

fn json_export(text: &str) -> Result<Vec<Entry>, Error> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::Json(format!(": {}", e.line())))?;
    if let Some(db) = v.get("db") {
        let Some(entries) = db.get("entries").and_then(|e| e.as_array()) else {
            return Err(Error::Json(
                " (its vault is encrypted: export it unencrypted)".into(),
            ));
        };
        return Ok(entries.iter().map(aegis_entry).collect());
    }
    if let Some(services) = v.get("services").and_then(|s| s.as_array()) {
        return Ok(services.iter().map(twofas_entry).collect());
    }
    Err(Error::Json(String::new()))
}

fn str_field<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

fn num_field(v: &serde_json::Value, path: &[&str]) -> Option<u64> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_u64()
        .or_else(|| cur.as_str().and_then(|s| s.parse().ok()))
}

fn entry_from_fields(
    label: String,
    kind: &str,
    secret: Option<&str>,
    algorithm: &str,
    digits: u64,
    period: u64,
) -> Entry {
    let kind = match kind.to_ascii_lowercase().as_str() {
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        "steam" => Kind::Steam,
        other => Kind::Other(other.to_string()),
    };
    if kind != Kind::Totp {
        return Entry {
            label,
            kind,
            seed: None,
        };
    }
    let Some(secret) = secret else {
        return Entry {
            label,
            kind: Kind::Invalid("no secret".into()),
            seed: None,
        };
    };
    let cleaned: Zeroizing<String> = Zeroizing::new(
        secret
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
            .collect::<String>()
            .to_ascii_uppercase(),
    );
    let decoded =
        base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &cleaned).map(Zeroizing::new);
    let seed = decoded
        .ok_or_else(|| "the secret is not base32".to_string())
        .and_then(|bytes| {
            seed_from_parts(&bytes, &label, algorithm, digits, period).map_err(|e| e.to_string())
        });
    match seed {
        Ok(seed) => Entry {
            label,
            kind: Kind::Totp,
            seed: Some(seed),
        },
        Err(reason) => Entry {
            label,
            kind: Kind::Invalid(reason),
            seed: None,
        },
    }
}

fn join_label(issuer: Option<&str>, name: Option<&str>) -> String {
    match (
        issuer.filter(|s| !s.is_empty()),
        name.filter(|s| !s.is_empty()),
    ) {
        (Some(i), Some(n)) => format!("{i}:{n}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => "unnamed".into(),
    }
}

fn aegis_entry(e: &serde_json::Value) -> Entry {
    entry_from_fields(
        join_label(str_field(e, &["issuer"]), str_field(e, &["name"])),
        str_field(e, &["type"]).unwrap_or("totp"),
        str_field(e, &["info", "secret"]),
        str_field(e, &["info", "algo"]).unwrap_or("SHA1"),
        num_field(e, &["info", "digits"]).unwrap_or(6),
        num_field(e, &["info", "period"]).unwrap_or(30),
    )
}

fn twofas_entry(e: &serde_json::Value) -> Entry {
    let issuer = str_field(e, &["otp", "issuer"]).or_else(|| str_field(e, &["name"]));
    let account = str_field(e, &["otp", "account"]).or_else(|| str_field(e, &["otp", "label"]));
    entry_from_fields(
        join_label(issuer, account),
        str_field(e, &["otp", "tokenType"]).unwrap_or("TOTP"),
        str_field(e, &["secret"]),
        str_field(e, &["otp", "algorithm"]).unwrap_or("SHA1"),
        num_field(e, &["otp", "digits"]).unwrap_or(6),
        num_field(e, &["otp", "period"]).unwrap_or(30),
    )
}

fn describe(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "nothing".into();
    }
    entries
        .iter()
        .map(|e| match &e.kind {
            Kind::Totp => format!("{:?}", e.label),
            Kind::Hotp => format!("{:?} (HOTP)", e.label),
            Kind::Steam => format!("{:?} (Steam)", e.label),
            Kind::Other(t) => format!("{:?} ({t})", e.label),
            Kind::Invalid(r) => format!("{:?} (unusable: {r})", e.label),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Picks the one TOTP entry: the only one, or the one whose label contains `account`.
pub fn pick(entries: Vec<Entry>, account: Option<&str>) -> Result<Seed, Error> {
    let names = describe(&entries);
    if let Some(wanted) = account {
        let lower = wanted.to_lowercase();
        let exact: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].label.to_lowercase() == lower)
            .collect();
        let candidates: Vec<usize> = if exact.is_empty() {
            (0..entries.len())
                .filter(|&i| entries[i].label.to_lowercase().contains(&lower))
                .collect()
        } else {
            exact
        };
        return match candidates.as_slice() {
            [] => Err(Error::NoMatch {
                wanted: wanted.to_string(),
                names,
            }),
            [one] => take(entries, *one),
            many => Err(Error::Ambiguous {
                count: many.len(),
                names,
            }),
        };
    }
    let totp: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].kind == Kind::Totp)
        .collect();
    match totp.as_slice() {
        [one] => take(entries, *one),
        [] => {
            // A single unusable entry explains itself best.
            if entries.len() == 1 {
                take(entries, 0)
            } else {
                Err(Error::NoTotp(names))
            }
        }
        many => Err(Error::Ambiguous {
            count: many.len(),
            names,
        }),
    }
}

fn take(mut entries: Vec<Entry>, i: usize) -> Result<Seed, Error> {
    let entry = entries.swap_remove(i);
    match (entry.seed, entry.kind) {
        (Some(seed), _) => Ok(seed),
        (None, kind) => Err(Error::NotTotp {
            label: entry.label,
            kind: match kind {
                Kind::Hotp => "HOTP (counter-based)".into(),
                Kind::Steam => "Steam".into(),
                Kind::Other(t) => t,
                Kind::Invalid(r) => format!("unusable ({r})"),
                Kind::Totp => "TOTP".into(),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 bytes: RFC 6238's SHA-1 test secret.
    const RAW: &[u8] = b"12345678901234567890";
    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn code(seed: &Seed) -> String {
        seed.code_at(59)
    }

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

    fn otp(secret: &[u8], name: &str, issuer: &str, kind: u64) -> Vec<u8> {
        let mut p = Vec::new();
        field_bytes(1, secret, &mut p);
        field_bytes(2, name.as_bytes(), &mut p);
        field_bytes(3, issuer.as_bytes(), &mut p);
        field_varint(4, 1, &mut p);
        field_varint(5, 1, &mut p);
        field_varint(6, kind, &mut p);
        p
    }

    fn migration_uri(params: &[Vec<u8>]) -> String {
        let mut payload = Vec::new();
        for p in params {
            field_bytes(1, p, &mut payload);
        }
        field_varint(2, 1, &mut payload);
        let data = base64::engine::general_purpose::STANDARD.encode(&payload);
        let data: String = url::form_urlencoded::byte_serialize(data.as_bytes()).collect();
        format!("otpauth-migration://offline?data={data}")
    }

    #[test]
    fn plain_secret_and_uri() {
        let found = entries(format!("  {}\n", B32.to_lowercase()).as_bytes()).unwrap();
        assert_eq!(code(&pick(found, None).unwrap()), "287082");
        let uri = format!(
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={B32}&issuer=Amazon%20Web%20Services"
        );
        let found = entries(uri.as_bytes()).unwrap();
        assert_eq!(found[0].label, "Amazon Web Services:alice@123456789012");
        assert_eq!(code(&pick(found, None).unwrap()), "287082");
    }

    #[test]
    fn google_authenticator_export_lists_and_picks() {
        let uri = migration_uri(&[
            otp(RAW, "alice@123456789012", "Amazon Web Services", 2),
            otp(b"abcdefghijabcdefghij", "bob", "GitHub", 2),
            otp(RAW, "counter", "Bank", 1),
        ]);
        let found = entries(uri.as_bytes()).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[2].kind, Kind::Hotp);
        let err = pick(entries(uri.as_bytes()).unwrap(), None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2 TOTP entries"), "{text}");
        assert!(
            text.contains("GitHub:bob") && text.contains("(HOTP)"),
            "{text}"
        );
        let seed = pick(entries(uri.as_bytes()).unwrap(), Some("amazon")).unwrap();
        assert_eq!(code(&seed), "287082");
        let err = pick(entries(uri.as_bytes()).unwrap(), Some("bank")).unwrap_err();
        assert!(err.to_string().contains("HOTP"), "{err}");
        let err = pick(entries(uri.as_bytes()).unwrap(), Some("gitlab")).unwrap_err();
        assert!(matches!(err, Error::NoMatch { .. }));
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

    #[test]
    fn winauth_export_is_one_uri_per_line() {
        let text = format!(
            "otpauth://totp/AWS:alice?secret={B32}\r\notpauth://hotp/Old?secret={B32}&counter=1\r\n"
        );
        let seed = pick(entries(text.as_bytes()).unwrap(), None).unwrap();
        assert_eq!(code(&seed), "287082");
    }

    #[test]
    fn aegis_and_2fas_exports() {
        let aegis = format!(
            r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":2,"entries":[
            {{"type":"totp","uuid":"1","name":"alice","issuer":"AWS","info":{{"secret":"{B32}","algo":"SHA1","digits":6,"period":30}}}},
            {{"type":"steam","uuid":"2","name":"gamer","issuer":"Steam","info":{{"secret":"{B32}","algo":"SHA1","digits":5,"period":30}}}}]}}}}"#
        );
        let seed = pick(entries(aegis.as_bytes()).unwrap(), None).unwrap();
        assert_eq!(code(&seed), "287082");
        let encrypted = r#"{"version":1,"header":{},"db":"c2VjcmV0"}"#;
        assert!(
            entries(encrypted.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("encrypted")
        );

        let twofas = format!(
            r#"{{"services":[{{"name":"AWS","secret":"{B32}","otp":{{"account":"alice","issuer":"AWS","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}}}},
            {{"name":"Other","secret":"{B32}","otp":{{"account":"x","digits":6,"period":30,"algorithm":"SHA1","tokenType":"HOTP"}}}}],"schemaVersion":4}}"#
        );
        let found = entries(twofas.as_bytes()).unwrap();
        assert_eq!(found[0].label, "AWS:alice");
        assert_eq!(code(&pick(found, None).unwrap()), "287082");
    }

    #[test]
    fn qr_png_round_trips() {
        let uri = format!("otpauth://totp/AWS:alice?secret={B32}&issuer=AWS");
        let png = crate::qr::png(&uri).unwrap();
        assert_eq!(decode_qr(&png).unwrap(), uri);
        let seed = pick(entries(&png).unwrap(), None).unwrap();
        assert_eq!(code(&seed), "287082");
        assert!(matches!(
            entries(b"\x89PNG\r\n\x1a\nbroken"),
            Err(Error::Image(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn prop_entries_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = entries(&bytes);
        }

        #[test]
        fn prop_migration_payloads_never_panic(payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let data = base64::engine::general_purpose::STANDARD.encode(&payload);
            let data: String = url::form_urlencoded::byte_serialize(data.as_bytes()).collect();
            let _ = entries(format!("otpauth-migration://offline?data={data}").as_bytes());
        }

        #[test]
        fn prop_exports_round_trip(
            secrets in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 10..=40), 1..4),
            pick in 0usize..4,
        ) {
            let params: Vec<Vec<u8>> = secrets
                .iter()
                .enumerate()
                .map(|(i, s)| otp(s, &format!("user{i}"), "Issuer", 2))
                .collect();
            let uri = migration_uri(&params);
            let i = pick % secrets.len();
            let seed = pick_entry(&uri, &format!("Issuer:user{i}"));
            let expected = crate::totp::Seed::new(
                crate::secret::SecretBytes::from_slice(&secrets[i]),
                crate::totp::Algorithm::Sha1,
                6,
                30,
            )
            .unwrap();
            proptest::prop_assert_eq!(seed.code_at(1_000_000), expected.code_at(1_000_000));
        }
    }

    fn pick_entry(uri: &str, account: &str) -> Seed {
        pick(entries(uri.as_bytes()).unwrap(), Some(account)).unwrap()
    }
}
