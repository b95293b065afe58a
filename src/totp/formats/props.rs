//! Property tests of every reader of outside input in `formats` (run long by `scripts/fuzz`):
//! nothing panics, and what an export holds is what is imported.

use base64::Engine;
use proptest::prelude::*;

use super::google::tests::migration_uri;
use super::{Claim, entries, pick, read};
use crate::secret::SecretBytes;

proptest! {
    #[test]
    fn prop_entries_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = entries(&bytes);
        let _ = read(&bytes, Claim::QrImage);
    }

    #[test]
    fn prop_json_exports_never_panic(text in "[{\\[][ -~]{0,200}") {
        let _ = entries(text.as_bytes());
    }

    #[test]
    fn prop_migration_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..256)) {
        let data = base64::engine::general_purpose::STANDARD.encode(&payload);
        let data: String = url::form_urlencoded::byte_serialize(data.as_bytes()).collect();
        let _ = entries(format!("otpauth-migration://offline?data={data}").as_bytes());
    }

    #[test]
    fn prop_exports_round_trip(
        secrets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 10..=40), 1..4),
        pick_index in 0usize..4,
    ) {
        let names: Vec<String> = (0..secrets.len()).map(|i| format!("user{i}")).collect();
        let list: Vec<(&[u8], &str, &str, u64)> = secrets
            .iter()
            .zip(&names)
            .map(|(s, n)| (s.as_slice(), n.as_str(), "Issuer", 2))
            .collect();
        let uri = migration_uri(&list);
        let i = pick_index % secrets.len();
        let seed = pick(entries(uri.as_bytes()).unwrap(), Some(&format!("Issuer:user{i}"))).unwrap();
        let expected = crate::totp::Seed::new(
            SecretBytes::from_slice(&secrets[i]),
            crate::totp::Algorithm::Sha1,
            6,
            30,
        )
        .unwrap();
        prop_assert_eq!(seed.code_at(1_000_000), expected.code_at(1_000_000));
    }
}
