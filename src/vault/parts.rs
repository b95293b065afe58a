//! Values longer than one keyring entry may hold, split across several entries.
//!
//! Windows' Credential Manager holds at most 2,560 bytes per entry, and its keyring store writes
//! text as UTF-16: 1,280 characters. A cached session carries a session token that AWS says is
//! "typically under 4,096 bytes" (AssumeRole tokens run past 1,000 characters), so a session
//! does not fit one entry there (issue 22). Every platform uses the same scheme, so the Linux
//! tests cover what Windows runs:
//!
//! - a value of at most [`PART_CHARS`] characters is stored as it is, in the entry `ACCOUNT`;
//! - a longer one goes to `ACCOUNT#part1` … `ACCOUNT#partN`, each holding `TAG:` and up to
//!   [`PART_CHARS`] characters, and then `ACCOUNT` gets the header `mfa-mint-parts:1:N:TAG`.
//!
//! The header is written last, so a reader never finds a header whose parts are not there yet;
//! the tag (new for every write) tells a reader that met a half-replaced set (another writer's
//! parts under this header) to treat the value as absent. Parts a shorter value no longer
//! needs are deleted after the header is written.

use super::store::{Error, SecretStore};
use crate::secret::SecretText;

/// The most characters one entry holds: under the 1,280 UTF-16 units of Windows' limit, with
/// room for the tag.
pub const PART_CHARS: usize = 1000;
const HEADER: &str = "mfa-mint-parts:1:";
/// More parts than any real value needs (a 4 KB token is five): a header claiming more is junk.
const MAX_PARTS: usize = 64;

fn part_account(account: &str, i: usize) -> String {
    format!("{account}#part{i}")
}

/// The number of parts and the tag a header names; `None` for a plain value.
fn parse_header(text: &str) -> Option<(usize, &str)> {
    let rest = text.strip_prefix(HEADER)?;
    let (n, tag) = rest.split_once(':')?;
    let n: usize = n.parse().ok()?;
    (1..=MAX_PARTS)
        .contains(&n)
        .then_some((n, tag))
        .filter(|(_, tag)| !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A tag no earlier write of this account used (time and process id: not secret, just new).
fn new_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", nanos as u64, std::process::id())
}

/// Deletes the value stored under `account` and its parts; whether there was one.
pub fn delete(store: &dyn SecretStore, account: &str) -> Result<bool, Error> {
    let Some(head) = store.get(account)? else {
        return Ok(false);
    };
    if let Some((n, _)) = parse_header(head.expose_secret()) {
        for i in 1..=n {
            store.delete(&part_account(account, i))?;
        }
    }
    store.delete(account)
}

/// The value stored under `account`, whole or from its parts; `None` when absent or torn.
pub fn get(store: &dyn SecretStore, account: &str) -> Result<Option<SecretText>, Error> {
    let Some(head) = store.get(account)? else {
        return Ok(None);
    };
    let Some((n, tag)) = parse_header(head.expose_secret()) else {
        return Ok(Some(head));
    };
    let mut whole = zeroize::Zeroizing::new(String::with_capacity(n * PART_CHARS));
    for i in 1..=n {
        let Some(part) = store.get(&part_account(account, i))? else {
            return Ok(None);
        };
        match part.expose_secret().split_once(':') {
            Some((t, data)) if t == tag => whole.push_str(data),
            _ => return Ok(None),
        }
    }
    Ok(Some(SecretText::new(&whole)))
}

/// Stores `value` under `account`, in parts when it is longer than one entry holds.
pub fn set(
    store: &dyn SecretStore,
    account: &str,
    label: &str,
    value: &SecretText,
) -> Result<(), Error> {
    let old_parts = store
        .get(account)?
        .and_then(|head| parse_header(head.expose_secret()).map(|(n, _)| n))
        .unwrap_or(0);
    let text = value.expose_secret();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let new_parts = if chars.len() <= PART_CHARS {
        store.set(account, label, value)?;
        0
    } else {
        let tag = new_tag();
        let pieces: Vec<&str> = chars
            .chunks(PART_CHARS)
            .map(|chunk| {
                let start = chunk[0].0;
                let end = chunk.last().map_or(start, |(i, c)| i + c.len_utf8());
                &text[start..end]
            })
            .collect();
        let n = pieces.len();
        if n > MAX_PARTS {
            return Err(Error::Failed {
                backend: store.backend(),
                detail: format!(
                    "the value is too long for the keyring ({} characters)",
                    chars.len()
                ),
            });
        }
        for (i, piece) in pieces.iter().enumerate() {
            let part = zeroize::Zeroizing::new(format!("{tag}:{piece}"));
            store.set(
                &part_account(account, i + 1),
                &format!("{label} (part {} of {n})", i + 1),
                &SecretText::new(&part),
            )?;
        }
        store.set(
            account,
            label,
            &SecretText::new(&format!("{HEADER}{n}:{tag}")),
        )?;
        n
    };
    // Left-over parts of a longer earlier value: pieces of an old secret, not to be kept.
    for i in new_parts + 1..=old_parts {
        store.delete(&part_account(account, i))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::store::MemoryStore;

    /// A session-token-like value of `n` characters.
    fn long(n: usize) -> SecretText {
        let s: String = (0..n).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
        SecretText::new(&s)
    }

    #[test]
    fn a_short_value_is_one_plain_entry() {
        let store = MemoryStore::with_limit(1280);
        set(&store, "session/dev", "l", &SecretText::new("{\"x\":1}")).unwrap();
        assert_eq!(store.len(), 1);
        assert_eq!(
            store.get("session/dev").unwrap().unwrap().expose_secret(),
            "{\"x\":1}"
        );
        assert_eq!(
            get(&store, "session/dev").unwrap().unwrap().expose_secret(),
            "{\"x\":1}"
        );
    }

    #[test]
    fn a_4096_character_value_fits_under_windows_limit_in_parts() {
        // 1,280 characters: what Credential Manager takes through set_password (FACTS.md).
        let store = MemoryStore::with_limit(1280);
        let value = long(4200);
        assert!(
            store.set("whole", "l", &value).is_err(),
            "the limit is real"
        );
        set(&store, "session/dev", "l", &value).unwrap();
        assert_eq!(store.len(), 1 + 5);
        let back = get(&store, "session/dev").unwrap().unwrap();
        assert_eq!(back.expose_secret(), value.expose_secret());
    }

    #[test]
    fn multibyte_text_splits_on_character_boundaries() {
        let store = MemoryStore::with_limit(PART_CHARS + 40);
        let value: String = "é€😀a".repeat(700);
        set(&store, "k", "l", &SecretText::new(&value)).unwrap();
        assert_eq!(get(&store, "k").unwrap().unwrap().expose_secret(), value);
    }

    #[test]
    fn a_shorter_value_removes_the_parts_of_a_longer_one() {
        let store = MemoryStore::with_limit(1280);
        set(&store, "k", "l", &long(4096)).unwrap();
        set(&store, "k", "l", &long(2500)).unwrap();
        assert_eq!(store.len(), 1 + 3);
        assert_eq!(
            get(&store, "k").unwrap().unwrap().expose_secret(),
            long(2500).expose_secret()
        );
        set(&store, "k", "l", &SecretText::new("short")).unwrap();
        assert_eq!(store.len(), 1);
        assert_eq!(get(&store, "k").unwrap().unwrap().expose_secret(), "short");
    }

    #[test]
    fn a_torn_set_of_parts_reads_as_absent_not_as_a_mixed_value() {
        let store = MemoryStore::default();
        set(&store, "k", "l", &long(2500)).unwrap();
        // Another writer replaced part 2 and has not written its header yet.
        store
            .set("k#part2", "l", &SecretText::new("0123abcd:XYZ"))
            .unwrap();
        assert!(get(&store, "k").unwrap().is_none());
        // A part gone missing: absent too.
        set(&store, "k", "l", &long(2500)).unwrap();
        store.delete("k#part3").unwrap();
        assert!(get(&store, "k").unwrap().is_none());
    }

    #[test]
    fn values_that_only_look_like_headers_are_plain() {
        let store = MemoryStore::default();
        for text in [
            "mfa-mint-parts:1:0:ab",
            "mfa-mint-parts:1:999:ab",
            "mfa-mint-parts:1:2:",
            "mfa-mint-parts:1:2:xyz",
        ] {
            store.set("k", "l", &SecretText::new(text)).unwrap();
            assert_eq!(get(&store, "k").unwrap().unwrap().expose_secret(), text);
        }
    }
}
