//! Choosing the one entry to import: the only usable one, or the one `--account` names.
//! Entries AWS cannot use are listed with the reason, never counted as candidates.

use super::{Entry, Error};
use crate::totp::Seed;

/// Picks the entry to import: the one usable entry among those whose label equals `account`
/// (any case), else among those containing it, else among all. A lone unusable candidate
/// explains itself; several usable ones are ambiguous.
pub fn pick(entries: Vec<Entry>, account: Option<&str>) -> Result<Seed, Error> {
    let names = describe(&entries);
    let candidates: Vec<usize> = match account {
        None => (0..entries.len()).collect(),
        Some(wanted) => {
            let lower = wanted.to_lowercase();
            let label = |i: usize| entries[i].label.to_lowercase();
            let exact: Vec<usize> = (0..entries.len()).filter(|&i| label(i) == lower).collect();
            if exact.is_empty() {
                (0..entries.len())
                    .filter(|&i| label(i).contains(&lower))
                    .collect()
            } else {
                exact
            }
        }
    };
    // The same entry exported twice (one account in two QR codes of an export) is one choice.
    let same = |i: usize, j: usize| {
        entries[i].label == entries[j].label
            && matches!((&entries[i].seed, &entries[j].seed), (Ok(a), Ok(b)) if a == b)
    };
    let usable: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| entries[i].seed.is_ok())
        .filter(|&i| !candidates.iter().any(|&j| j < i && same(i, j)))
        .collect();
    match (usable.as_slice(), candidates.as_slice()) {
        ([one], _) => take(entries, *one),
        ([], [one]) => take(entries, *one),
        ([], []) => match account {
            Some(wanted) => Err(Error::NoMatch {
                wanted: wanted.to_string(),
                names,
            }),
            None => Err(Error::NoTotp(names)),
        },
        ([], _) => Err(Error::NoTotp(names)),
        (many, _) => Err(Error::Ambiguous {
            count: many.len(),
            names,
        }),
    }
}

fn take(mut entries: Vec<Entry>, i: usize) -> Result<Seed, Error> {
    let entry = entries.swap_remove(i);
    entry.seed.map_err(|reason| Error::Unusable {
        label: entry.label,
        reason,
    })
}

/// `"label", "label" (HOTP), "label" (unusable: digits=8)`, or "nothing".
fn describe(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "nothing".into();
    }
    entries
        .iter()
        .map(|e| match &e.seed {
            Ok(_) => format!("{:?}", e.label),
            Err(why) => format!("{:?} ({})", e.label, why.brief()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::SeedError;
    use crate::totp::formats::Unusable;

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn usable(label: &str) -> Entry {
        Entry::totp(label.into(), Seed::parse(B32))
    }

    fn sha256(label: &str) -> Entry {
        let uri = format!("otpauth://totp/x?secret={B32}&algorithm=SHA256");
        Entry::totp(label.into(), Seed::parse(&uri))
    }

    #[test]
    fn seeds_aws_cannot_use_are_listed_not_counted() {
        // Regression (issue 16): SHA256/7-digit entries were candidates and made this ambiguous.
        let found = vec![
            usable("Deno:Mason"),
            sha256("SPDX:James"),
            Entry::unusable("Issuu:James".into(), Unusable::Hotp),
        ];
        assert_eq!(pick(found, None).unwrap().code_at(59), "287082");

        let err = pick(vec![sha256("SPDX:James"), sha256("Airbnb")], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the input holds no TOTP entry AWS can use (found: \"SPDX:James\" (unusable: \
             algorithm=SHA256), \"Airbnb\" (unusable: algorithm=SHA256))"
        );
    }

    #[test]
    fn an_unusable_entry_named_by_account_says_why() {
        let found = || vec![usable("Deno:Mason"), sha256("SPDX:James")];
        let err = pick(found(), Some("spdx")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"SPDX:James\" is unusable: algorithm=SHA256 cannot work with AWS: virtual MFA \
             devices use SHA1, 6 digits and 30 s"
        );
        assert!(matches!(
            err,
            Error::Unusable {
                reason: Unusable::Seed(SeedError::NotAws {
                    parameter: "algorithm",
                    ..
                }),
                ..
            }
        ));
        let err = pick(
            vec![Entry::unusable("Bank".into(), Unusable::Hotp)],
            Some("bank"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Bank\" is unusable: it is HOTP (counter-based); AWS virtual MFA uses TOTP"
        );
    }

    #[test]
    fn account_matches_exactly_then_by_part() {
        let found = || {
            vec![
                usable("AWS:alice"),
                usable("AWS:alice-ops"),
                usable("GitHub"),
            ]
        };
        assert!(pick(found(), Some("aws:ALICE")).is_ok());
        assert!(matches!(
            pick(found(), Some("alice-")),
            Ok(seed) if seed.code_at(59) == "287082"
        ));
        assert!(matches!(
            pick(found(), Some("aws")),
            Err(Error::Ambiguous { count: 2, .. })
        ));
        assert!(matches!(
            pick(found(), Some("gitlab")),
            Err(Error::NoMatch { .. })
        ));
        assert!(matches!(
            pick(found(), None),
            Err(Error::Ambiguous { count: 3, .. })
        ));
        // Among several matches, the one usable entry is picked.
        let found = vec![sha256("TestApp:a"), usable("TestApp:b")];
        assert!(pick(found, Some("testapp")).is_ok());
        assert!(matches!(pick(Vec::new(), None), Err(Error::NoTotp(n)) if n == "nothing"));
    }

    #[test]
    fn the_same_entry_twice_is_one_choice() {
        let found = || vec![usable("pi"), usable("pi"), usable("pi:other")];
        assert!(pick(found(), Some("pi")).is_ok());
        assert!(matches!(
            pick(found(), None),
            Err(Error::Ambiguous { count: 2, .. })
        ));
        // Same label, different seeds: a real choice.
        let other = Entry::totp("pi".into(), Seed::parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        assert!(matches!(
            pick(vec![usable("pi"), other], Some("pi")),
            Err(Error::Ambiguous { count: 2, .. })
        ));
    }
}
