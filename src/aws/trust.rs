//! Whom the STS and IAM connections trust: the CA bundle the AWS CLI would use (`AWS_CA_BUNDLE`,
//! `ca_bundle`), else Mozilla's roots compiled in (as botocore ships certifi's), and only when
//! those do not trust the server, the system's store, loaded then (issue 14).
//!
//! Why not the SDK's default: it reads and parses every certificate of the system store (the
//! OpenSSL file and directory on Linux, ~150 files) before the first request of each process,
//! which cost a mint more time than everything else together (see BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aws_smithy_http_client::tls::{TlsContext, TrustStore};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The trust anchors of one client.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Mozilla's roots compiled into the binary; the system store only when they do not trust
    /// the server (a TLS-inspecting proxy whose root CA is installed system-wide).
    Default,
    /// Exactly the certificates of a CA bundle, replacing every other root, as the AWS CLI does.
    Bundle(Arc<CaBundle>),
}

/// A CA bundle file, read and checked when the settings are resolved (before any request).
pub struct CaBundle {
    pub path: PathBuf,
    /// Where the setting came from: `AWS_CA_BUNDLE`, or `ca_bundle in [profile NAME]`.
    pub origin: String,
    pem: Vec<u8>,
    pub certificates: usize,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("path", &self.path)
            .field("origin", &self.origin)
            .field("certificates", &self.certificates)
            .finish()
    }
}

/// A CA bundle that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read the CA bundle {path} (set by {origin}): {source}")]
    Unreadable {
        path: String,
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the CA bundle {path} (set by {origin}) is not usable: {reason}")]
    Invalid {
        path: String,
        origin: String,
        reason: String,
    },
}

impl CaBundle {
    /// Reads `path` and checks that it holds PEM certificates that can all be trust anchors.
    /// (The SDK's client would panic on a certificate it cannot parse; this is the only check.)
    pub fn load(path: &Path, origin: &str) -> Result<CaBundle, BundleError> {
        let pem = std::fs::read(path).map_err(|source| BundleError::Unreadable {
            path: path.display().to_string(),
            origin: origin.to_string(),
            source,
        })?;
        let invalid = |reason: String| BundleError::Invalid {
            path: path.display().to_string(),
            origin: origin.to_string(),
            reason,
        };
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("bad PEM: {e}")))?;
        if certs.is_empty() {
            return Err(invalid(
                "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
            ));
        }
        let mut roots = rustls::RootCertStore::empty();
        for (i, cert) in certs.iter().enumerate() {
            roots
                .add(cert.clone())
                .map_err(|e| invalid(format!("certificate {} cannot be parsed: {e}", i + 1)))?;
        }
        Ok(CaBundle {
            path: path.to_path_buf(),
            origin: origin.to_string(),
            certificates: certs.len(),
            pem,
        })
    }
}

/// Mozilla's roots (webpki-root-certs) as one PEM text, the only form the SDK's trust store
/// takes; encoded once per process.
fn bundled_roots_pem() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| {
        use base64::Engine;
        let mut out = Vec::with_capacity(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() * 2200);
        for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
            out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
            for line in b64.as_bytes().chunks(64) {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
            out.extend_from_slice(b"-----END CERTIFICATE-----\n");
        }
        out
    })
}

/// Which roots a connection attempt uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Roots {
    Bundled,
    System,
}

/// The SDK's TLS settings for `trust` (`roots` picks the stage of [`Trust::Default`]).
pub(crate) fn tls_context(trust: &Trust, roots: Roots) -> TlsContext {
    let store = match (trust, roots) {
        (Trust::Bundle(bundle), _) => TrustStore::empty().with_pem_certificate(bundle.pem.clone()),
        (Trust::Default, Roots::Bundled) => {
            TrustStore::empty().with_pem_certificate(bundled_roots_pem())
        }
        (Trust::Default, Roots::System) => TrustStore::default(),
    };
    TlsContext::builder()
        .with_trust_store(store)
        .build()
        .unwrap_or_default()
}

/// Every error of a chain, including the payload of `io::Error`s (hyper-rustls nests the rustls
/// error inside two of them, and `io::Error::source` skips the payload).
pub(crate) fn chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    let mut stack = vec![err];
    std::iter::from_fn(move || {
        let current = stack.pop()?;
        if let Some(source) = current.source() {
            stack.push(source);
        }
        if let Some(payload) = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            stack.push(payload);
        }
        Some(current)
    })
}

/// Why the server's certificate was refused, when that is what failed.
pub(crate) fn certificate_rejection(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    chain(err).find_map(|e| match e.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(cert) => Some(describe(cert)),
        _ => None,
    })
}

/// Whether the certificate chain leads to no trusted root (the only case where the next set of
/// roots can help; an expired or misnamed certificate stays so).
pub(crate) fn is_unknown_issuer(err: &(dyn std::error::Error + 'static)) -> bool {
    chain(err).any(|e| {
        matches!(
            e.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        )
    })
}

fn describe(cert: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match cert {
        C::UnknownIssuer => "it is issued by a CA that is not trusted here".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is made out for another host name".into()
        }
        C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "it is not valid yet (check the system clock)".into()
        }
        C::Revoked => "it is revoked".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    /// One of the bundled roots as PEM.
    pub fn one_root_pem() -> Vec<u8> {
        let all = super::bundled_roots_pem();
        let end = b"-----END CERTIFICATE-----\n";
        let at = all
            .windows(end.len())
            .position(|w| w == end)
            .expect("a certificate");
        all[..at + end.len()].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, content).unwrap();
        f
    }

    #[test]
    fn a_missing_bundle_is_unreadable_and_names_its_origin() {
        let err = CaBundle::load(Path::new("/nonexistent/ca.pem"), "AWS_CA_BUNDLE").unwrap_err();
        assert!(matches!(err, BundleError::Unreadable { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(
                "cannot read the CA bundle /nonexistent/ca.pem (set by AWS_CA_BUNDLE)"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bundle_without_certificates_or_with_garbage_is_invalid() {
        let f = temp_file(b"just some text\n");
        let err = CaBundle::load(f.path(), "AWS_CA_BUNDLE").unwrap_err();
        assert!(
            err.to_string().contains("holds no PEM certificate"),
            "{err}"
        );
        let f = temp_file(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        let err = CaBundle::load(f.path(), "AWS_CA_BUNDLE").unwrap_err();
        assert!(matches!(err, BundleError::Invalid { .. }), "{err:?}");
    }

    #[test]
    fn the_bundled_roots_are_a_valid_bundle() {
        let f = temp_file(bundled_roots_pem());
        let bundle = CaBundle::load(f.path(), "test").unwrap();
        assert_eq!(
            bundle.certificates,
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
        );
        assert!(bundle.certificates > 100);
    }

    #[test]
    fn unknown_issuer_is_found_inside_nested_io_errors() {
        let rejection = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        assert!(is_unknown_issuer(&rejection));
        assert_eq!(
            certificate_rejection(&rejection).as_deref(),
            Some("it is issued by a CA that is not trusted here")
        );
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!is_unknown_issuer(&refused));
        assert!(certificate_rejection(&refused).is_none());
    }
}
