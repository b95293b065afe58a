//! [`World`]: the fixture behaviour tests start from. One hermetic HOME with its own keyring
//! ([`TestEnv`]), one fake AWS ([`FakeAws`]) that every run of the binary is pointed at, and the
//! few steps almost every test takes: add a user (and a device), write `~/.aws` files, import a
//! seed, run `mfa-mint`.
//!
//! ```ignore
//! let w = World::new();
//! let alice = w.user("alice", Some(SEED));
//! w.write_credentials(&alice.long_term("dev"));
//! w.import("dev", &alice.serial, SEED);
//! let r = w.run(&["dev"], None);
//! ```
//!
//! The fields are public: `w.env` for what [`TestEnv`] offers (files, modes, secret-tool,
//! `run_env` without the fake's endpoints), `w.fake` to set up and inspect the fake AWS.

use super::env::TestEnv;
use super::fake_aws::{FakeAws, Keys};
use super::process::Run;

/// The account every [`World::user`] belongs to.
pub const ACCOUNT: &str = "123456789012";

/// A test's world: a [`TestEnv`] with an unlocked keyring and a [`FakeAws`] on 127.0.0.1.
pub struct World {
    pub env: TestEnv,
    pub fake: FakeAws,
}

/// An IAM user of the fake: long-term keys and, when made with a seed, an enabled virtual MFA
/// device.
pub struct User {
    pub name: String,
    pub keys: Keys,
    /// The device's serial ARN; empty for a user made without a seed.
    pub serial: String,
}

impl User {
    /// `[<profile>-long-term]` with this user's keys, as it goes into `~/.aws/credentials`.
    pub fn long_term(&self, profile: &str) -> String {
        format!(
            "[{profile}-long-term]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            self.keys.access_key_id, self.keys.secret_access_key
        )
    }
}

impl World {
    /// A fresh HOME with an unlocked keyring, and a fake AWS with no user yet.
    pub fn new() -> World {
        World::from_env(TestEnv::new())
    }

    /// A world around a given env (e.g. [`TestEnv::new_locked`]).
    pub fn from_env(env: TestEnv) -> World {
        World {
            env,
            fake: FakeAws::start(),
        }
    }

    /// `https://127.0.0.1:PORT` of the fake (STS and IAM).
    pub fn endpoint(&self) -> String {
        self.fake.endpoint()
    }

    /// A user `name` in [`ACCOUNT`]; with `seed` (base32) also an enabled virtual MFA device
    /// named like the user.
    pub fn user(&self, name: &str, seed: Option<&str>) -> User {
        let keys = self.fake.add_user(name, ACCOUNT);
        let serial = seed
            .map(|seed| self.fake.add_mfa_device(name, name, seed))
            .unwrap_or_default();
        User {
            name: name.to_owned(),
            keys,
            serial,
        }
    }

    /// Writes `~/.aws/credentials` (creating `~/.aws`).
    pub fn write_credentials(&self, text: &str) {
        self.env.write_file(".aws/credentials", text);
    }

    /// Writes `~/.aws/config` (creating `~/.aws`).
    pub fn write_config(&self, text: &str) {
        self.env.write_file(".aws/config", text);
    }

    /// `~/.aws/credentials`, `None` when it doesn't exist.
    pub fn credentials(&self) -> Option<String> {
        self.env.read_file(".aws/credentials")
    }

    /// `~/.aws/config`, `None` when it doesn't exist.
    pub fn config(&self) -> Option<String> {
        self.env.read_file(".aws/config")
    }

    /// `mfa-mint import <profile> --serial <serial>` with `seed` on stdin; fails the test unless
    /// it succeeds.
    #[track_caller]
    pub fn import(&self, profile: &str, serial: &str, seed: &str) {
        let r = self.run(&["import", profile, "--serial", serial], Some(seed));
        assert_eq!(r.code, 0, "import {profile} failed: {r:?}");
    }

    /// `mfa-mint args` in the env (see [`TestEnv::run`]) with STS and IAM pointed at the fake,
    /// trusting its private CA through `AWS_CA_BUNDLE` (as a user behind a TLS-inspecting proxy).
    #[track_caller]
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_env(args, stdin, &[])
    }

    /// [`World::run`] with extra environment variables (they override the fake's endpoints too).
    #[track_caller]
    pub fn run_env(&self, args: &[&str], stdin: Option<&str>, extra_env: &[(&str, &str)]) -> Run {
        let endpoint = self.endpoint();
        let mut vars = vec![
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
            ("AWS_ENDPOINT_URL_IAM", endpoint.as_str()),
            ("AWS_CA_BUNDLE", self.fake.ca_bundle()),
        ];
        vars.extend_from_slice(extra_env);
        self.env.run_env(args, stdin, &vars)
    }
}

impl World {
    /// The common start: user `alice` (with an enabled device when `seed` is given) and her
    /// long-term keys as `[dev-long-term]` in `~/.aws/credentials`; nothing imported.
    pub fn with_alice(seed: Option<&str>) -> (World, User) {
        let w = World::new();
        let alice = w.user("alice", seed);
        w.write_credentials(&alice.long_term("dev"));
        (w, alice)
    }
}
