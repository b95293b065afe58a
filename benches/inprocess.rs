//! In-process costs of mfa-mint's own work (no keyring, no network): seed parsing, code
//! generation, the credentials-file edit on a large hand-written file, the run decision.
//! Whole-process timings against the floors and the peer are in `scripts/bench`.

#![allow(clippy::disallowed_methods)] // test and tool code reads its own environment
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mfa_mint::totp::Seed;

const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A credentials file like a long-time user's: 35 profiles with comments.
fn big_file() -> String {
    let mut text = String::from("# my AWS credentials\n\n");
    for i in 0..35 {
        text.push_str(&format!(
            "# account {i}\n[profile-{i}]\naws_access_key_id = AKIAEXAMPLE{i:09}\naws_secret_access_key = secret/{i}/wJalrXUtnFEMI/K7MDENG\nregion = eu-west-1\n\n"
        ));
    }
    text
}

fn benches(c: &mut Criterion) {
    c.bench_function("parse an AWS seed", |b| {
        b.iter(|| Seed::parse(black_box(SEED)).unwrap())
    });
    let seed = Seed::parse(SEED).unwrap();
    c.bench_function("generate a code", |b| {
        b.iter(|| seed.code_at(black_box(1_795_993_373)))
    });
    let text = big_file();
    c.bench_function("parse + edit + render a 35-profile credentials file", |b| {
        b.iter(|| {
            let mut doc = mfa_mint::aws_files::Document::parse(black_box(&text)).unwrap();
            doc.set("dev", "aws_access_key_id", "ASIAEXAMPLE").unwrap();
            doc.set("dev", "aws_session_token", "token").unwrap();
            doc.render()
        })
    });
    c.bench_function("parse an expiration timestamp", |b| {
        b.iter(|| mfa_mint::clock::parse_timestamp(black_box("2026-11-24T23:02:53Z")))
    });
}

criterion_group!(group, benches);
criterion_main!(group);
