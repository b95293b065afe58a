//! Text: one secret or URI, or an export with one URI per line (WinAuth, Ente Auth, Aegis's
//! plain text, a multi-QR Google Authenticator export scanned to text). Blank lines and `#`
//! comments are skipped; each `otpauth-migration://` line adds all of its entries.

use zeroize::Zeroizing;

use super::{Entry, Error, Format, Input, Unusable, google, uri};

pub(super) const FORMAT: Format = Format {
    detect: |input| input.text.is_some() && input.json.is_none(),
    read,
};

fn read(input: &Input) -> Result<Vec<Entry>, Error> {
    read_text(input.text.unwrap_or_default())
}

/// Reads text: also what a QR code holds.
pub(super) fn read_text(text: &str) -> Result<Vec<Entry>, Error> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    match lines.as_slice() {
        [line] if is_migration(line) => google::read(line),
        // A secret may be wrapped over lines: only URI lines are entries of their own.
        [_, _, ..] if lines.iter().all(|l| l.contains("://")) => Ok(lines
            .iter()
            .enumerate()
            .flat_map(|(i, line)| line_entries(i + 1, line))
            .collect()),
        [line] => uri::read_single(line),
        _ => uri::read_single(&Zeroizing::new(lines.join("\n"))),
    }
}

fn is_migration(line: &str) -> bool {
    line.get(..18)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration:"))
}

fn line_entries(number: usize, line: &str) -> Vec<Entry> {
    if !is_migration(line) {
        return vec![uri::entry(line)];
    }
    // One damaged QR of a multi-QR export must not hide the entries of the others.
    google::read(line).unwrap_or_else(|e| {
        vec![Entry::unusable(
            format!("line {number}"),
            Unusable::Damaged(e.to_string()),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::formats::{entries, google::tests::migration_uri, pick};

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const RAW: &[u8] = b"12345678901234567890";

    #[test]
    fn winauth_export_is_one_uri_per_line() {
        let text = format!(
            "otpauth://totp/AWS:alice?secret={B32}\r\notpauth://hotp/Old?secret={B32}&counter=1\r\n"
        );
        let seed = pick(entries(text.as_bytes()).unwrap(), None).unwrap();
        assert_eq!(seed.code_at(59), "287082");
    }

    #[test]
    fn several_migration_lines_import_from_all_of_them() {
        // Regression (issue 16): only a file whose whole text was one migration URI was read.
        let text = format!(
            "# batch 1 of 2\n{}\n\n# batch 2 of 2\n{}\notpauth-migration://offline?data=invaliddata\n",
            migration_uri(&[(b"abcdefghijabcdefghij", "bob", "GitHub", 2)]),
            migration_uri(&[(RAW, "alice@123456789012", "Amazon Web Services", 2)]),
        );
        let found = entries(text.as_bytes()).unwrap();
        let labels: Vec<&str> = found.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "GitHub:bob",
                "Amazon Web Services:alice@123456789012",
                "line 3"
            ]
        );
        assert!(matches!(&found[2].seed, Err(Unusable::Damaged(_))));
        let seed = pick(found, Some("amazon")).unwrap();
        assert_eq!(seed.code_at(59), "287082");
    }

    #[test]
    fn a_wrapped_secret_is_one_secret() {
        let text = format!("{}\n{}\n", &B32[..16], &B32[16..]);
        let seed = pick(entries(text.as_bytes()).unwrap(), None).unwrap();
        assert_eq!(seed.code_at(59), "287082");
    }
}
