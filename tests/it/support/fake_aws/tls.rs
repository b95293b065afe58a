//! HTTPS for the fake: a private root CA made at start-up (as a company's TLS-inspecting proxy
//! has one) and a certificate for 127.0.0.1 and localhost signed by it. A client that asks for
//! another name (SNI, e.g. `sts.cn-north-1.amazonaws.com.cn` through the tests' recording CONNECT
//! proxy) gets a certificate for that name, issued by the same CA on demand, as a
//! TLS-inspecting proxy does. Clients trust the CA the way users trust their company's:
//! `AWS_CA_BUNDLE` pointing at [`TestCa::ca_path`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// A private CA with its PEM file, and the server side of the fake's TLS.
pub struct TestCa {
    dir: tempfile::TempDir,
    ca_path: PathBuf,
    ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// Makes a new CA (ECDSA P-256) and a server certificate; writes the CA's PEM to a temp
    /// file that lives as long as this value.
    pub fn new() -> TestCa {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        // A name of its own: two test CAs must not look like the same issuer.
        let name = format!(
            "mfa-mint test root CA {}",
            super::wire::random_string(super::wire::UPPER_ALNUM, 8)
        );
        ca_params.distinguished_name.push(DnType::CommonName, name);
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "Example Corp TLS inspection");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-signed CA");

        let ca_pem = ca.pem();
        let resolver = PerName::new(ca);
        let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));

        let dir = tempfile::Builder::new()
            .prefix("fake-aws-ca")
            .tempdir()
            .expect("temp dir for the CA");
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, &ca_pem).expect("write ca.pem");
        TestCa {
            dir,
            ca_path,
            ca_pem,
            server_config: Arc::new(server_config),
        }
    }

    /// The CA certificate as a PEM file (what `AWS_CA_BUNDLE` names).
    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }

    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The folder holding the PEM file (for tests that add files beside it).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Server certificates by the name the client asked for: 127.0.0.1 and localhost without SNI
/// (an IP address is never sent as SNI), else one for exactly the asked-for DNS name, issued
/// on first use and kept.
struct PerName {
    ca: CertifiedIssuer<'static, KeyPair>,
    default: Arc<CertifiedKey>,
    by_name: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for PerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerName").finish_non_exhaustive()
    }
}

impl PerName {
    fn new(ca: CertifiedIssuer<'static, KeyPair>) -> PerName {
        let default = issue(&ca, &["127.0.0.1", "localhost"]);
        PerName {
            ca,
            default,
            by_name: Mutex::new(HashMap::new()),
        }
    }
}

impl ResolvesServerCert for PerName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return Some(Arc::clone(&self.default));
        };
        let mut by_name = self.by_name.lock().unwrap_or_else(|e| e.into_inner());
        let key = by_name
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| issue(&self.ca, &[name]));
        Some(Arc::clone(key))
    }
}

/// A leaf certificate (ECDSA P-256) for `names`, signed by `ca`.
fn issue(ca: &CertifiedIssuer<'static, KeyPair>, names: &[&str]) -> Arc<CertifiedKey> {
    let leaf_key = KeyPair::generate().expect("server key");
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("server params");
    params
        .distinguished_name
        .push(DnType::CommonName, "fake AWS");
    let leaf = params.signed_by(&leaf_key, ca).expect("server certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let signer = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).expect("server key");
    Arc::new(CertifiedKey::new(vec![leaf.der().clone()], signer))
}
