//! Measures the trust options of issue 14 in one process, against the fake serving HTTPS with a
//! private CA: for each, the mean time to set up the trust anchors and complete one TLS
//! handshake (new TCP connection each time, nothing cached between runs), and whether the
//! server was trusted.
//!
//! `trust_options https://127.0.0.1:PORT CA_PEM [RUNS]`
//!
//! Run it with `SSL_CERT_FILE` (the system bundle plus the CA) and `SSL_CERT_DIR` set, standing
//! for a company root CA installed system-wide; `scripts/bench` does.

#![allow(clippy::disallowed_methods)] // test and tool code reads its own environment
use std::io::Write;
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn config_with_roots(roots: RootCertStore) -> ClientConfig {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// The SDK's default: every certificate of the system store (rustls-native-certs).
fn native() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    config_with_roots(roots)
}

/// Mozilla's roots compiled in (webpki-root-certs), parsed into trust anchors.
fn bundled() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    config_with_roots(roots)
}

/// Only the CA bundle's certificates (`AWS_CA_BUNDLE`).
fn bundle(pem: &[u8]) -> ClientConfig {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        roots.add(cert.expect("PEM")).expect("CA");
    }
    config_with_roots(roots)
}

/// rustls-platform-verifier (on Linux it loads the system store through rustls-native-certs).
fn platform() -> ClientConfig {
    let verifier: Arc<dyn ServerCertVerifier> =
        Arc::new(rustls_platform_verifier::Verifier::new(provider()).expect("platform verifier"));
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// Connects and completes a handshake; `Err` with rustls's reason when it fails.
fn handshake(config: ClientConfig, addr: &str) -> Result<(), String> {
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut sock = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).map_err(|e| e.to_string())?;
    }
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    let _ = sock.flush();
    Ok(())
}

/// Bundled first; the system store only when the bundled roots do not know the issuer.
fn lazy(addr: &str) -> Result<(), String> {
    match handshake(bundled(), addr) {
        Err(e) if e.contains("UnknownIssuer") => handshake(native(), addr),
        other => other,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(endpoint), Some(ca)) = (args.first(), args.get(1)) else {
        eprintln!("usage: trust_options https://127.0.0.1:PORT CA_PEM [RUNS]");
        return ExitCode::from(2);
    };
    let runs: u32 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(50);
    let addr = endpoint
        .trim_start_matches("https://")
        .trim_end_matches('/');
    let pem = match std::fs::read(ca) {
        Ok(pem) => pem,
        Err(e) => {
            eprintln!("cannot read {ca}: {e}");
            return ExitCode::FAILURE;
        }
    };
    type Option_<'a> = (&'static str, Box<dyn Fn() -> Result<(), String> + 'a>);
    let options: Vec<Option_> = vec![
        (
            "SDK default: system store (rustls-native-certs)",
            Box::new(|| handshake(native(), addr)),
        ),
        (
            "rustls-platform-verifier",
            Box::new(|| handshake(platform(), addr)),
        ),
        (
            "bundled Mozilla roots (webpki-root-certs)",
            Box::new(|| handshake(bundled(), addr)),
        ),
        (
            "AWS_CA_BUNDLE only (the company CA)",
            Box::new(|| handshake(bundle(&pem), addr)),
        ),
        (
            "bundled, then the system store on UnknownIssuer",
            Box::new(|| lazy(addr)),
        ),
    ];
    println!("| trust option | trusts the private CA | setup + handshake (mean of {runs}) |");
    println!("| --- | --- | --- |");
    for (name, run) in &options {
        let first = run();
        let started = Instant::now();
        for _ in 0..runs {
            let _ = run();
        }
        let mean = started.elapsed() / runs;
        let verdict = match &first {
            Ok(()) => "yes".to_string(),
            Err(e) => format!("no ({})", e.split(':').next_back().unwrap_or(e).trim()),
        };
        println!("| {name} | {verdict} | {:.2} ms |", ms(mean));
    }
    ExitCode::SUCCESS
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
