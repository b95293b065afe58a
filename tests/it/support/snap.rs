//! Pinning what a command printed with insta snapshots: [`Pin`] runs `mfa-mint` and compares its
//! transcript (the command line, exit code, stdout and stderr) with
//! `tests/it/snapshots/<dir>/<name>.snap`, after replacing what varies from run to run or
//! machine to machine by a placeholder:
//!
//! | varies                                   | pinned as                    |
//! |------------------------------------------|------------------------------|
//! | the test's HOME and temp dir             | `[HOME]`, `[ROOT]`           |
//! | the path of the binary under test        | `[MFA_MINT]`                 |
//! | the fake's port on 127.0.0.1             | `127.0.0.1:[PORT]`           |
//! | RFC 3339 times (JSON, the files)         | `YYYY-MM-DDThh:mm:ssZ`       |
//! | local times (TZ=UTC in every test)       | `YYYY-MM-DD hh:mm:ss UTC`    |
//! | times of day                             | `hh:mm:ss`                   |
//! | durations like `11h 59m`, `4m 05s`, `42s`, `0.12s` | `[DURATION]`       |
//! | access key ids (`AKIA…`, `ASIA…`) and the fake's user ids | `[AKID]`, `[USER ID]` |
//! | session secrets and tokens (by the name they are given) | `[SECRET]`, `[TOKEN]` |
//! | process ids (`pid 1234`)                 | `pid [PID]`                  |
//! | `"seconds_remaining":N` in JSON          | `"seconds_remaining":[SECONDS]` |
//! | the version (`mfa-mint 0.1.0`)           | `mfa-mint [VERSION]`         |
//!
//! The account (123456789012) and the serials are fixed by [`super::World`] and stay as they are.
//! A test adds its own replacements ([`Pin::redact`], [`Pin::filter`]) for what only it prints
//! (a TOTP code, say). Placeholders keep the width of a time, so aligned tables stay aligned.
//!
//! After an intended change of a text, re-bless and review the diff:
//!
//!   INSTA_UPDATE=always cargo test --test it status::    # rewrites the .snap files in place
//!   git diff tests/it/snapshots                            # read what changed, then commit
//!
//! Without `INSTA_UPDATE`, a mismatch fails and leaves a `.snap.new` beside the snapshot; with
//! `CI=true` nothing is written.

use regex::Regex;

use super::env::TestEnv;
use super::process::Run;

/// The filters every snapshot gets, in order: (pattern, replacement).
const FILTERS: &[(&str, &str)] = &[
    (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    (
        r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z",
        "YYYY-MM-DDThh:mm:ssZ",
    ),
    (
        r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}",
        "YYYY-MM-DDThh:mm:ss+00:00",
    ),
    (
        r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\b",
        "YYYY-MM-DD hh:mm:ss",
    ),
    (r"\b\d{2}:\d{2}:\d{2}\b", "hh:mm:ss"),
    (r"\b\d+h \d{2}m\b", "[DURATION]"),
    (r"\b\d+m \d{2}s\b", "[DURATION]"),
    (r"\b\d+(\.\d+)?m?s\b", "[DURATION]"),
    (r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", "[AKID]"),
    (r"\bAIDA[A-Z0-9]{17}\b", "[USER ID]"),
    (r"\bpid \d+\b", "pid [PID]"),
    (r#"("seconds_remaining":)\d+"#, "${1}[SECONDS]"),
    (r"\bmfa-mint \d+\.\d+\.\d+\S*", "mfa-mint [VERSION]"),
    // Session secrets by the names they go by: credential_process JSON, `env`, the files.
    (
        r"(SecretAccessKey|AWS_SECRET_ACCESS_KEY|aws_secret_access_key)(\W{1,6})[A-Za-z0-9/+=]{40,}",
        "${1}${2}[SECRET]",
    ),
    (
        r"(SessionToken|AWS_SESSION_TOKEN|aws_session_token|AWS_SECURITY_TOKEN|aws_security_token)(\W{1,6})[A-Za-z0-9/+=]{40,}",
        "${1}${2}[TOKEN]",
    ),
];

/// One command's transcript, pinned under `tests/it/snapshots/<dir>/<name>.snap`.
pub struct Pin<'a> {
    env: &'a TestEnv,
    dir: String,
    redactions: Vec<(String, String)>,
    filters: Vec<(Regex, String)>,
}

impl<'a> Pin<'a> {
    /// Pins into `tests/it/snapshots/<dir>/` (the test module's name, by convention).
    pub fn new(env: &'a TestEnv, dir: &str) -> Pin<'a> {
        Pin {
            env,
            dir: dir.to_owned(),
            redactions: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// Pins runs in `w` into `tests/it/snapshots/<dir>/`, with the fake's CA bundle (a temp
    /// file) shown as `[CA BUNDLE]`.
    pub fn of(w: &'a super::World, dir: &str) -> Pin<'a> {
        Pin::new(&w.env, dir).redact(w.fake.ca_bundle(), "[CA BUNDLE]")
    }

    /// Replaces every occurrence of `text` by `placeholder` (before the filters).
    pub fn redact(mut self, text: &str, placeholder: &str) -> Self {
        if !text.is_empty() {
            self.redactions
                .push((text.to_owned(), placeholder.to_owned()));
        }
        self
    }

    /// Redacts `user`'s long-term keys: the access key id (also masked to its last 4
    /// characters, as output shows it) and the secret key.
    pub fn user(self, user: &super::User) -> Self {
        let id = &user.keys.access_key_id;
        let masked = format!("****{}", &id[id.len().saturating_sub(4)..]);
        self.redact(id, "[AKID]")
            .redact(&masked, "****[AKID]")
            .redact(&user.keys.secret_access_key, "[LONG-TERM SECRET]")
    }

    /// Adds a regex filter (after the exact redactions, before the common filters).
    pub fn filter(mut self, pattern: &str, replacement: &str) -> Self {
        let re = Regex::new(pattern).unwrap_or_else(|e| panic!("filter {pattern}: {e}"));
        self.filters.push((re, replacement.to_owned()));
        self
    }

    /// `text` with the redactions and every filter applied.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text
            .replace(&self.env.home().display().to_string(), "[HOME]")
            .replace(&self.env.root().display().to_string(), "[ROOT]")
            .replace(env!("CARGO_BIN_EXE_mfa-mint"), "[MFA_MINT]");
        for (from, to) in &self.redactions {
            text = text.replace(from.as_str(), to);
        }
        for (re, to) in &self.filters {
            text = re.replace_all(&text, to.as_str()).into_owned();
        }
        for (pattern, to) in FILTERS {
            let re = Regex::new(pattern).expect("a common filter");
            text = re.replace_all(&text, *to).into_owned();
        }
        text
    }

    /// The transcript of a finished run of `mfa-mint args` with `vars` set: the command line,
    /// exit code, stdout and stderr. What went to stdin is never shown (it may be a seed).
    pub fn transcript(
        &self,
        vars: &[(&str, &str)],
        args: &[&str],
        stdin: Option<&str>,
        r: &Run,
    ) -> String {
        let vars: String = vars.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let stdin = match stdin {
            Some(_) => " <<< [STDIN]",
            None => "",
        };
        let text = format!(
            "$ {vars}mfa-mint {}{stdin}\nexit code: {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            r.code,
            r.stdout,
            r.stderr
        );
        self.scrub(&text)
    }

    /// Compares `r` (a run of `mfa-mint args` with `vars` set) with the snapshot `name`.
    #[track_caller]
    pub fn run(
        &self,
        name: &str,
        vars: &[(&str, &str)],
        args: &[&str],
        stdin: Option<&str>,
        r: &Run,
    ) {
        self.text(name, &self.transcript(vars, args, stdin, r));
    }

    /// Compares `text` (already scrubbed, or fixed) with the snapshot `name`.
    #[track_caller]
    pub fn text(&self, name: &str, text: &str) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("../snapshots/{}", self.dir));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}

impl super::World {
    /// Runs `mfa-mint args` (see [`super::World::run`]), pins the transcript under `name` and
    /// returns the run for further checks.
    #[track_caller]
    pub fn pinned(&self, pin: &Pin, name: &str, args: &[&str], stdin: Option<&str>) -> Run {
        self.pinned_env(pin, name, &[], args, stdin)
    }

    /// [`super::World::pinned`] with extra environment variables (shown in the transcript).
    #[track_caller]
    pub fn pinned_env(
        &self,
        pin: &Pin,
        name: &str,
        vars: &[(&str, &str)],
        args: &[&str],
        stdin: Option<&str>,
    ) -> Run {
        let r = self.run_env(args, stdin, vars);
        pin.run(name, vars, args, stdin, &r);
        r
    }
}
