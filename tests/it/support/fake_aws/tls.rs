//! HTTPS for the fake: a private root CA made at start-up (as a company's TLS-inspecting proxy
//! has one) and a certificate for 127.0.0.1 and localhost signed by it. Clients trust the CA the
//! way users trust their company's: `AWS_CA_BUNDLE` pointing at [`TestCa::ca_path`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

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

        let leaf_key = KeyPair::generate().expect("server key");
        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("server params");
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "fake AWS");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca)
            .expect("server certificate");

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .expect("server TLS config");

        let dir = tempfile::Builder::new()
            .prefix("fake-aws-ca")
            .tempdir()
            .expect("temp dir for the CA");
        let ca_pem = ca.pem();
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
