//! ① The one profile resolver: everything a mint needs for one profile — source profile, where
//! its long-term keys are, MFA device, region, endpoint, duration and refresh window — from the
//! two AWS files, the command-line flags and the environment, each passed in as a value. `mint`,
//! `credential-process`, `exec`, `env`, `code`, `status` and `doctor` all resolve through here, so
//! they cannot disagree (see the README's "Where settings come from").

use super::{Files, keys};
use crate::credentials::LongTermKeys;
use crate::duration;
use crate::env_vars;
use crate::error::Error;

/// The environment variables the resolver reads, captured once (tests build one by hand).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub region: Option<String>,
    pub default_region: Option<String>,
    pub endpoint_url: Option<String>,
    pub endpoint_url_sts: Option<String>,
    pub endpoint_url_iam: Option<String>,
    pub ignore_configured_endpoint_urls: bool,
    /// `AWS_CA_BUNDLE`.
    pub ca_bundle: Option<String>,
    /// `AWS_USE_FIPS_ENDPOINT`.
    pub use_fips_endpoint: Option<String>,
    /// `AWS_STS_REGIONAL_ENDPOINTS`.
    pub sts_regional_endpoints: Option<String>,
    /// The proxy for https endpoints: the first of `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`,
    /// `all_proxy` that is set, with its name (the SDK's client reads the same, and `NO_PROXY`).
    pub https_proxy: Option<(&'static str, String)>,
}

impl Env {
    /// The process environment; empty values count as unset (as the AWS CLI treats them).
    pub fn from_process() -> Env {
        let var = env_vars::non_empty;
        Env {
            region: var(env_vars::AWS_REGION),
            default_region: var(env_vars::AWS_DEFAULT_REGION),
            endpoint_url: var(env_vars::AWS_ENDPOINT_URL),
            endpoint_url_sts: var(env_vars::AWS_ENDPOINT_URL_STS),
            endpoint_url_iam: var(env_vars::AWS_ENDPOINT_URL_IAM),
            ignore_configured_endpoint_urls: var(env_vars::AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            ca_bundle: var(env_vars::AWS_CA_BUNDLE),
            use_fips_endpoint: var(env_vars::AWS_USE_FIPS_ENDPOINT),
            sts_regional_endpoints: var(env_vars::AWS_STS_REGIONAL_ENDPOINTS),
            https_proxy: crate::env_vars::HTTPS_PROXY_VARS
                .iter()
                .find_map(|name| var(name).map(|value| (*name, value))),
        }
    }
}

/// What the command line says, before any file is read.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub source: Option<String>,
    pub duration: Option<String>,
    pub min_remaining: Option<String>,
}

/// How long a session lasts and when it is refreshed: checked before the fresh-skip, so a typo
/// in `--duration` fails now, not hours later from cron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// DurationSeconds for GetSessionToken.
    pub duration: u64,
    /// A session with less than this left is refreshed.
    pub refresh: u64,
}

impl Timing {
    /// `--duration`, else `mfa_mint_duration`, else 12 h; `--min-remaining`, else
    /// `mfa_mint_min_remaining`, else 15 min. Both are validated whichever is used. A session
    /// must be able to count as fresh: the default 15 min shrinks to half of a shorter duration,
    /// and a refresh window the user set that is not below the duration is refused.
    pub fn resolve(files: &Files, profile: &str, overrides: &Overrides) -> Result<Timing, Error> {
        let timing = Timing {
            duration: super::duration_setting(
                files,
                profile,
                overrides.duration.as_deref().map(|v| ("--duration", v)),
                keys::DURATION,
                duration::parse_session,
                duration::DEFAULT_SESSION,
            )?,
            refresh: super::duration_setting(
                files,
                profile,
                overrides
                    .min_remaining
                    .as_deref()
                    .map(|v| ("--min-remaining", v)),
                keys::MIN_REMAINING,
                duration::parse,
                duration::DEFAULT_MIN_REMAINING,
            )?,
        };
        let set = overrides.min_remaining.is_some()
            || files.config_value(profile, keys::MIN_REMAINING).is_some();
        Ok(Timing {
            refresh: fresh_window(timing.duration, timing.refresh, set)?,
            ..timing
        })
    }
}

/// Where the source profile's long-term keys are.
pub enum Keys {
    /// In the credentials file (or the source's config section), read already.
    File(LongTermKeys),
    /// In the keyring, moved there by `mfa-mint keys import` (`mfa_mint_keys = keyring`).
    Keyring,
}

/// Everything one GetSessionToken for `profile` needs, resolved.
pub struct ProfileConfig {
    pub profile: String,
    /// The profile holding the long-term keys.
    pub source: String,
    pub keys: Keys,
    /// The MFA device's ARN, validated.
    pub serial: String,
    pub region: String,
    pub sts_endpoint: Option<String>,
    pub timing: Timing,
}

impl ProfileConfig {
    pub fn resolve(
        files: &Files,
        profile: &str,
        overrides: &Overrides,
        env: &Env,
    ) -> Result<ProfileConfig, Error> {
        super::check_name(profile)?;
        if overrides.source.is_none() {
            // With --source the user says where everything is; a new profile is fine then.
            super::check_known(files, profile)?;
        }
        let timing = Timing::resolve(files, profile, overrides)?;
        let source = super::resolve_source(files, profile, overrides.source.as_deref()).map_err(
            |e| match e {
                // aws-mfa's `--setup` case: the keys are where the session should go, unless
                // they are another profile's (a slip: `mfa-mint dev-long-term` for `dev`).
                Error::NoSource { .. } if super::edit::holds_long_term_keys(files, profile) => {
                    super::check_not_keys_of_another(files, profile)
                        .err()
                        .unwrap_or_else(|| Error::TargetHoldsLongTermKeys {
                            profile: profile.to_string(),
                            path: files.display_credentials(),
                        })
                }
                other => other,
            },
        )?;
        let serial = super::resolve_serial(files, profile, Some(&source))?;
        let serial = crate::arn::parse(&serial)?.arn;
        let keys = keys_of(files, &source)?;
        Ok(ProfileConfig {
            region: region(files, profile, &source, env),
            sts_endpoint: configured_endpoint(
                files,
                profile,
                env,
                "sts",
                env.endpoint_url_sts.as_ref(),
            ),
            profile: profile.to_string(),
            source,
            keys,
            serial,
            timing,
        })
    }
}

/// A profile that assumes a role (`role_arn`), resolved the way mfa-mint serves it: from the
/// session of an mfa-mint profile of the same IAM user (its "base"), so one MFA code serves every
/// role of that user. A session from GetSessionToken with MFA carries the MFA context into
/// AssumeRole, so the role's trust policy condition `aws:MultiFactorAuthPresent` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleConfig {
    pub profile: String,
    pub role_arn: String,
    /// The mfa-mint profile whose session the role is assumed from.
    pub base: String,
    /// The role profile's own `source_profile`.
    pub source_profile: String,
    /// The AWS CLI would ask for a code for this profile (it has `mfa_serial`).
    pub prompts: bool,
    pub session_name: String,
    pub external_id: Option<String>,
    /// DurationSeconds for AssumeRole.
    pub duration: u64,
    /// A cached role session with less than this left is renewed.
    pub refresh: u64,
    pub region: String,
    pub sts_endpoint: Option<String>,
}

/// The refresh window a session of `duration` seconds gets: a session must be able to count as
/// fresh (issue 23 row 14), so the default window shrinks to half of a duration not longer than
/// it, and a window the user `set` that is not below the duration is refused.
fn fresh_window(duration: u64, refresh: u64, set: bool) -> Result<u64, Error> {
    if refresh < duration {
        Ok(refresh)
    } else if set {
        Err(Error::NeverFresh {
            min_remaining: refresh,
            duration,
        })
    } else {
        Ok(duration / 2)
    }
}

/// AssumeRole's default DurationSeconds, as the AWS CLI uses it.
const ROLE_DEFAULT_DURATION: u64 = 3600;

impl RoleConfig {
    /// `Ok(None)` when `profile` assumes no role. `--duration` overrides the profile's
    /// `duration_seconds` (AWS CLI key, default 1 h); the role's own `--min-remaining` /
    /// `mfa_mint_min_remaining` decides when its cached session is renewed.
    pub fn resolve(
        files: &Files,
        profile: &str,
        overrides: &Overrides,
        env: &Env,
    ) -> Result<Option<RoleConfig>, Error> {
        let Some(role_arn) = files.config_value(profile, keys::ROLE_ARN) else {
            return Ok(None);
        };
        let source_profile = files.config_value(profile, keys::SOURCE_PROFILE);
        let base = role_base(files, profile, source_profile.as_deref());
        let base = base?;
        let source_profile = source_profile.unwrap_or_default();
        let duration = match (
            &overrides.duration,
            files.config_value(profile, "duration_seconds"),
        ) {
            (Some(flag), _) => duration::parse(flag).map_err(|source| Error::Duration {
                flag: "--duration",
                source,
            })?,
            (None, Some(value)) => duration::parse(&value).map_err(|e| Error::BadSetting {
                profile: profile.to_string(),
                key: "duration_seconds",
                value,
                reason: e.to_string(),
            })?,
            (None, None) => ROLE_DEFAULT_DURATION,
        };
        let refresh = super::duration_setting(
            files,
            profile,
            overrides
                .min_remaining
                .as_deref()
                .map(|v| ("--min-remaining", v)),
            keys::MIN_REMAINING,
            duration::parse,
            duration::DEFAULT_MIN_REMAINING,
        )?;
        let set = overrides.min_remaining.is_some()
            || files.config_value(profile, keys::MIN_REMAINING).is_some();
        let refresh = fresh_window(duration, refresh, set)?;
        Ok(Some(RoleConfig {
            prompts: files.config_value(profile, keys::MFA_SERIAL).is_some(),
            session_name: files
                .config_value(profile, "role_session_name")
                .unwrap_or_else(|| format!("mfa-mint-{}", crate::clock::now_secs())),
            external_id: files.config_value(profile, "external_id"),
            region: region(files, profile, &base, env),
            sts_endpoint: configured_endpoint(
                files,
                profile,
                env,
                "sts",
                env.endpoint_url_sts.as_ref(),
            ),
            profile: profile.to_string(),
            role_arn,
            base,
            source_profile,
            duration,
            refresh,
        }))
    }
}

/// The mfa-mint profile a role is assumed from: its `source_profile` when that is an mfa-mint
/// profile (the pattern the README recommends), else the mfa-mint profile whose long-term keys
/// are that `source_profile` (and whose device is the role's `mfa_serial`, when it names one).
pub fn role_base(files: &Files, profile: &str, source: Option<&str>) -> Result<String, Error> {
    let Some(source) = source else {
        return Err(Error::RoleWithoutBase {
            profile: profile.to_string(),
            why: "it has no source_profile".into(),
            setup: format!(
                "add source_profile = PROFILE (an mfa-mint profile, e.g. dev) to [profile {profile}]"
            ),
        });
    };
    if files.config_value(source, keys::ROLE_ARN).is_some() {
        return Err(Error::RoleWithoutBase {
            profile: profile.to_string(),
            why: format!(
                "its source_profile {source} assumes a role itself; role chains are not supported"
            ),
            setup: format!(
                "point source_profile of [profile {profile}] at the mfa-mint profile of your IAM user"
            ),
        });
    }
    let mfa = super::mfa_profiles(files);
    if mfa.iter().any(|p| p == source) {
        return Ok(source.to_string());
    }
    let serial = files.config_value(profile, keys::MFA_SERIAL);
    let found = mfa.into_iter().find(|p| {
        super::resolve_source(files, p, None).is_ok_and(|s| s == source)
            && serial
                .as_ref()
                .is_none_or(|want| files.config_value(p, keys::MFA_SERIAL).as_ref() == Some(want))
    });
    found.ok_or_else(|| Error::RoleWithoutBase {
        profile: profile.to_string(),
        why: format!("no mfa-mint profile uses the long-term keys of [{source}]"),
        setup: format!(
            "set one up: `mfa-mint {} {source}-mfa --source {source} --serial {}` (any new name instead of {source}-mfa{}), then `mfa-mint exec {profile} -- CMD` assumes the role from its session",
            if serial.is_some() { "link" } else { "import" },
            serial.as_deref().unwrap_or("ARN"),
            if serial.is_some() { "; `import` with the seed on stdin instead of `link` when the seed is not stored yet" } else { "; the seed on stdin" },
        ),
    })
}

/// Where `source`'s long-term keys are: the files first (as the AWS CLI reads them), else the
/// keyring when `mfa-mint keys import` moved them there.
pub fn keys_of(files: &Files, source: &str) -> Result<Keys, Error> {
    match super::source_keys(files, source) {
        Ok(keys) => Ok(Keys::File(keys)),
        Err(Error::SourceWithoutKeys { .. }) if super::keys_in_keyring(files, source) => {
            Ok(Keys::Keyring)
        }
        Err(e) => Err(e),
    }
}

/// Region for STS: the profile's `region`, the source profile's, `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, `us-east-1`; the first that is set and not empty wins.
/// The endpoint a service's requests for `profile` go to, as the SDKs read it
/// (<https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>): the
/// service's `AWS_ENDPOINT_URL_<SERVICE>` (`service_var`), then `AWS_ENDPOINT_URL`, then the
/// service's `endpoint_url` in the `[services NAME]` section the profile's `services` names,
/// then the profile's `endpoint_url` (issue 23 row 17); none when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's `ignore_configured_endpoint_urls` is
/// `true`. `service` is the key in a services section: `sts`, `iam`.
pub fn configured_endpoint(
    files: &Files,
    profile: &str,
    env: &Env,
    service: &str,
    service_var: Option<&String>,
) -> Option<String> {
    let ignored = files
        .config_value(profile, "ignore_configured_endpoint_urls")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignored || env.ignore_configured_endpoint_urls {
        return None;
    }
    let non_empty = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    service_var
        .or(env.endpoint_url.as_ref())
        .cloned()
        .or_else(|| services_endpoint(files, profile, service))
        .or_else(|| {
            files
                .config_value(profile, "endpoint_url")
                .and_then(non_empty)
        })
}

/// `endpoint_url` of `service` in the `[services NAME]` section named by the profile's
/// `services`: botocore reads the service key's indented lines as `key = value` pairs.
fn services_endpoint(files: &Files, profile: &str, service: &str) -> Option<String> {
    let name = files.config_value(profile, "services")?;
    let nested = files
        .config
        .as_ref()?
        .get(&format!("services {}", name.trim()), service)?;
    nested.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "endpoint_url")
            .then(|| value.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

pub fn region(files: &Files, profile: &str, source: &str, env: &Env) -> String {
    let set = |v: Option<String>| v.filter(|r| !r.trim().is_empty());
    set(files.config_value(profile, keys::REGION))
        .or_else(|| set(files.config_value(source, keys::REGION)))
        .or_else(|| set(env.region.clone()))
        .or_else(|| set(env.default_region.clone()))
        .map_or_else(|| "us-east-1".to_string(), |r| r.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_files::Document;

    const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

    fn files(config: &str, credentials: &str) -> Files {
        Files {
            config_path: "/h/.aws/config".into(),
            credentials_path: "/h/.aws/credentials".into(),
            credentials_stamp: None,
            config: Some(Document::parse(config).unwrap()),
            credentials: Some(Document::parse(credentials).unwrap()),
        }
    }

    fn long_term() -> String {
        "[dev-long-term]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n"
            .to_string()
    }

    fn resolve(f: &Files, profile: &str, env: &Env) -> Result<ProfileConfig, Error> {
        ProfileConfig::resolve(f, profile, &Overrides::default(), env)
    }

    #[test]
    fn conventional_long_term_profile_and_defaults() {
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\n"),
            &long_term(),
        );
        let c = resolve(&f, "dev", &Env::default()).unwrap();
        assert_eq!(c.source, "dev-long-term");
        assert_eq!(c.serial, SERIAL);
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.timing.duration, duration::DEFAULT_SESSION);
        assert_eq!(c.timing.refresh, duration::DEFAULT_MIN_REMAINING);
        assert!(matches!(c.keys, Keys::File(ref k) if k.access_key_id == "AKIAEXAMPLE"));
    }

    #[test]
    fn keys_moved_to_the_keyring_resolve_to_the_keyring() {
        // Regression: doctor resolved keys without this fallback and failed after `keys import`.
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\n[profile dev-long-term]\nmfa_mint_keys = keyring\n"
            ),
            "[dev-long-term]\n",
        );
        let c = resolve(&f, "dev", &Env::default()).unwrap();
        assert!(matches!(c.keys, Keys::Keyring));
    }

    #[test]
    fn missing_keys_without_the_keyring_marker_is_an_error() {
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\n"),
            "[dev-long-term]\n",
        );
        assert!(matches!(
            resolve(&f, "dev", &Env::default()),
            Err(Error::SourceWithoutKeys { .. })
        ));
    }

    #[test]
    fn empty_region_values_do_not_shadow_the_next_setting() {
        // Regression: `region =` or AWS_REGION="" used to win and fall back to us-east-1.
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\nregion =\n"),
            &long_term(),
        );
        let env = Env {
            region: Some("  ".into()),
            default_region: Some("eu-west-1".into()),
            ..Env::default()
        };
        assert_eq!(resolve(&f, "dev", &env).unwrap().region, "eu-west-1");
        let env = Env {
            region: Some("ap-south-1".into()),
            default_region: Some("eu-west-1".into()),
            ..Env::default()
        };
        assert_eq!(resolve(&f, "dev", &env).unwrap().region, "ap-south-1");
    }

    #[test]
    fn region_order_profile_then_source_then_environment() {
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\n[profile dev-long-term]\nregion = eu-central-1\n"
            ),
            &long_term(),
        );
        let env = Env {
            region: Some("ap-south-1".into()),
            ..Env::default()
        };
        assert_eq!(resolve(&f, "dev", &env).unwrap().region, "eu-central-1");
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\nregion = us-west-2\n"),
            &long_term(),
        );
        assert_eq!(resolve(&f, "dev", &env).unwrap().region, "us-west-2");
    }

    #[test]
    fn endpoints_follow_the_standard_variables() {
        let env = Env {
            endpoint_url: Some("https://any.example".into()),
            endpoint_url_sts: Some("https://sts.example".into()),
            ..Env::default()
        };
        let f = files("[profile dev]\n", "");
        let sts =
            |env: &Env| configured_endpoint(&f, "dev", env, "sts", env.endpoint_url_sts.as_ref());
        let iam =
            |env: &Env| configured_endpoint(&f, "dev", env, "iam", env.endpoint_url_iam.as_ref());
        assert_eq!(sts(&env).as_deref(), Some("https://sts.example"));
        assert_eq!(iam(&env).as_deref(), Some("https://any.example"));
        let ignored = Env {
            ignore_configured_endpoint_urls: true,
            ..env
        };
        assert_eq!(sts(&ignored), None);
    }

    #[test]
    fn flags_override_config_and_both_are_validated() {
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\nmfa_mint_duration = 1h\nmfa_mint_min_remaining = 5m\n"
            ),
            &long_term(),
        );
        let c = resolve(&f, "dev", &Env::default()).unwrap();
        assert_eq!(
            c.timing,
            Timing {
                duration: 3600,
                refresh: 300
            }
        );
        let o = Overrides {
            duration: Some("2h".into()),
            ..Overrides::default()
        };
        let c = ProfileConfig::resolve(&f, "dev", &o, &Env::default()).unwrap();
        assert_eq!(c.timing.duration, 7200);
        for bad in ["abc", "12hr", "10m", "40h"] {
            let o = Overrides {
                duration: Some(bad.into()),
                ..Overrides::default()
            };
            assert!(
                matches!(Timing::resolve(&f, "dev", &o), Err(Error::Duration { .. })),
                "--duration {bad} must be refused"
            );
        }
    }

    #[test]
    fn a_profile_s_endpoint_url_comes_after_the_variables() {
        let f = files(
            "[profile dev]\nendpoint_url = https://profile.example\n",
            "",
        );
        let sts =
            |env: &Env| configured_endpoint(&f, "dev", env, "sts", env.endpoint_url_sts.as_ref());
        assert_eq!(
            sts(&Env::default()).as_deref(),
            Some("https://profile.example")
        );
        let env = Env {
            endpoint_url: Some("https://any.example".into()),
            ..Env::default()
        };
        assert_eq!(sts(&env).as_deref(), Some("https://any.example"));
        let env = Env {
            endpoint_url_sts: Some("https://sts.example".into()),
            ..env
        };
        assert_eq!(sts(&env).as_deref(), Some("https://sts.example"));
        let env = Env {
            ignore_configured_endpoint_urls: true,
            ..Env::default()
        };
        assert_eq!(sts(&env), None);
        let f = files(
            "[profile dev]\nendpoint_url = https://profile.example\nignore_configured_endpoint_urls = True\n",
            "",
        );
        assert_eq!(
            configured_endpoint(&f, "dev", &Env::default(), "sts", None),
            None
        );
    }

    #[test]
    fn a_services_section_comes_before_the_profile_s_endpoint_url() {
        let f = files(
            "[profile dev]\nendpoint_url = https://profile.example\nservices = mine\n\
             [services mine]\nsts =\n  endpoint_url = https://sts.vpce.example\n",
            "",
        );
        let at = |service: &str| configured_endpoint(&f, "dev", &Env::default(), service, None);
        assert_eq!(at("sts").as_deref(), Some("https://sts.vpce.example"));
        assert_eq!(at("iam").as_deref(), Some("https://profile.example"));
    }

    #[test]
    fn a_session_can_always_count_as_fresh() {
        let f = files("[profile dev]\n", "");
        let with = |duration: &str, min: Option<&str>| {
            let o = Overrides {
                duration: Some(duration.into()),
                min_remaining: min.map(Into::into),
                ..Overrides::default()
            };
            Timing::resolve(&f, "dev", &o)
        };
        // The default 15 min shrinks to half a duration not longer than it.
        assert_eq!(with("15m", None).unwrap().refresh, 450);
        assert_eq!(with("16m", None).unwrap().refresh, 900);
        // A window the user set is theirs, or refused.
        assert_eq!(with("15m", Some("5m")).unwrap().refresh, 300);
        assert!(matches!(
            with("15m", Some("15m")),
            Err(Error::NeverFresh { .. })
        ));
        // The same for a role's session (`duration_seconds = 900`).
        let f = files(
            "[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
             [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
             source_profile = dev\nduration_seconds = 900\n",
            "",
        );
        let role = RoleConfig::resolve(&f, "admin", &Overrides::default(), &Env::default())
            .unwrap()
            .unwrap();
        assert_eq!((role.duration, role.refresh), (900, 450));
        let o = Overrides {
            min_remaining: Some("20m".into()),
            ..Overrides::default()
        };
        assert!(matches!(
            RoleConfig::resolve(&f, "admin", &o, &Env::default()),
            Err(Error::NeverFresh { .. })
        ));
    }

    #[test]
    fn explicit_source_and_serial_from_the_source_profile() {
        let f = files(
            &format!("[profile keys]\nmfa_serial = {SERIAL}\n"),
            "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        );
        let o = Overrides {
            source: Some("keys".into()),
            ..Overrides::default()
        };
        let c = ProfileConfig::resolve(&f, "dev", &o, &Env::default()).unwrap();
        assert_eq!(c.source, "keys");
        assert_eq!(c.serial, SERIAL);
    }

    #[test]
    fn a_session_in_the_source_profile_is_refused() {
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\n"),
            "[dev-long-term]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = s\naws_session_token = t\n",
        );
        assert!(matches!(
            resolve(&f, "dev", &Env::default()),
            Err(Error::SourceHasSession { .. })
        ));
    }

    #[test]
    fn source_profile_names_the_long_term_keys_of_a_profile_without_a_role() {
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\nsource_profile = keys\n"),
            "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        );
        let c = resolve(&f, "dev", &Env::default()).unwrap();
        assert_eq!(c.source, "keys");
        // mfa-mint's own setting and the flag still come first.
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\nsource_profile = keys\nmfa_mint_source_profile = dev-long-term\n"
            ),
            &long_term(),
        );
        assert_eq!(
            resolve(&f, "dev", &Env::default()).unwrap().source,
            "dev-long-term"
        );
    }

    #[test]
    fn a_role_profiles_source_profile_is_not_taken_for_long_term_keys() {
        let f = files(
            "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = keys\n",
            "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        );
        assert!(matches!(
            super::super::resolve_source(&f, "admin", None),
            Err(Error::NoSource { .. })
        ));
    }

    #[test]
    fn errors_name_every_place_looked_at() {
        let f = files(&format!("[profile dev]\nmfa_serial = {SERIAL}\n"), "");
        let e = resolve(&f, "dev", &Env::default())
            .err()
            .unwrap()
            .to_string();
        for place in [
            "--source",
            "mfa_mint_source_profile",
            "source_profile",
            "[dev-long-term]",
        ] {
            assert!(e.contains(place), "{place} missing in: {e}");
        }
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\nsource_profile = keys\n"),
            "[keys]\n",
        );
        let e = resolve(&f, "dev", &Env::default())
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("[keys] in /h/.aws/credentials")
                && e.contains("[profile keys] in /h/.aws/config"),
            "{e}"
        );
    }

    const ROLE: &str = "arn:aws:iam::123456789012:role/admin";

    fn role(f: &Files, profile: &str) -> Result<Option<RoleConfig>, Error> {
        RoleConfig::resolve(f, profile, &Overrides::default(), &Env::default())
    }

    #[test]
    fn a_role_whose_source_is_an_mfa_mint_profile_is_assumed_from_it() {
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\n[profile admin]\nrole_arn = {ROLE}\nsource_profile = dev\nduration_seconds = 7200\nrole_session_name = alice\nexternal_id = x1\nregion = eu-west-1\n"
            ),
            &long_term(),
        );
        let r = role(&f, "admin").unwrap().unwrap();
        assert_eq!(r.base, "dev");
        assert!(!r.prompts);
        assert_eq!(r.duration, 7200);
        assert_eq!(r.session_name, "alice");
        assert_eq!(r.external_id.as_deref(), Some("x1"));
        assert_eq!(r.region, "eu-west-1");
        assert_eq!(role(&f, "dev").unwrap(), None, "no role_arn, no role");
    }

    #[test]
    fn a_role_on_long_term_keys_is_assumed_from_the_mfa_mint_profile_of_those_keys() {
        // The most common layout: source_profile = the keys, mfa_serial on the role.
        let f = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\n[profile admin]\nrole_arn = {ROLE}\nsource_profile = dev-long-term\nmfa_serial = {SERIAL}\n"
            ),
            &long_term(),
        );
        let r = role(&f, "admin").unwrap().unwrap();
        assert_eq!(r.base, "dev");
        assert!(r.prompts);
        assert_eq!(r.duration, 3600, "AssumeRole's default");
        // Another device on the role: not this user's session.
        let other = files(
            &format!(
                "[profile dev]\nmfa_serial = {SERIAL}\n[profile admin]\nrole_arn = {ROLE}\nsource_profile = dev-long-term\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n"
            ),
            &long_term(),
        );
        let e = role(&other, "admin").unwrap_err();
        assert!(matches!(e, Error::RoleWithoutBase { .. }), "{e}");
        assert!(
            e.hint()
                .unwrap()
                .contains("--serial arn:aws:iam::123456789012:mfa/bob")
        );
    }

    #[test]
    fn roles_without_source_or_chained_are_refused() {
        let f = files(
            &format!(
                "[profile a]\nrole_arn = {ROLE}\n[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n"
            ),
            "",
        );
        assert!(matches!(role(&f, "a"), Err(Error::RoleWithoutBase { .. })));
        let e = role(&f, "b").unwrap_err().to_string();
        assert!(e.contains("role chains are not supported"), "{e}");
    }

    #[test]
    fn unknown_profiles_get_the_closest_configured_name() {
        let f = files(
            &format!("[profile dev]\nmfa_serial = {SERIAL}\n[profile prod]\nregion = x\n"),
            &long_term(),
        );
        let suggestion = |name: &str| match resolve(&f, name, &Env::default()) {
            Err(Error::UnknownProfile { suggestion, .. }) => suggestion,
            other => panic!("{name}: {:?}", other.map(|c| c.profile)),
        };
        assert_eq!(suggestion("dve").as_deref(), Some("dev"));
        assert_eq!(suggestion("prd").as_deref(), Some("prod"));
        assert_eq!(suggestion("staging"), None);
        // Known from either file (or its -long-term keys) is enough to get past this check.
        assert!(super::super::check_known(&f, "dev-long-term").is_ok());
    }

    #[test]
    fn keys_in_the_profile_itself_point_at_setup() {
        let f = files(
            &format!("[profile work]\nmfa_serial = {SERIAL}\n"),
            "[work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        );
        let e = resolve(&f, "work", &Env::default()).err().unwrap();
        assert!(matches!(e, Error::TargetHoldsLongTermKeys { .. }), "{e}");
        assert!(e.hint().unwrap().contains("mfa-mint work --setup"));
    }
}
