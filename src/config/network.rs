//! The network settings of one AWS call, resolved as the AWS CLI resolves them (environment
//! first, then the profile, then its source profile): region and partition, FIPS, STS regional
//! or global endpoints, the endpoint override, trusted CAs (the bundle is read now) and the
//! proxy (checked now), into the [`Target`] the AWS client is built from (issue 14).

use std::sync::Arc;
use std::time::Duration;

use super::{Env, Files};
use crate::aws::client::{
    CaBundle, Error, Service, StsEndpoints, Target, Trust, default_region, partition_of_region,
};

/// Config keys read here, named as the AWS CLI names them (their variables are in env_vars).
pub mod keys {
    pub const CA_BUNDLE: &str = "ca_bundle";
    pub const USE_FIPS: &str = "use_fips_endpoint";
    pub const STS_REGIONAL: &str = "sts_regional_endpoints";
}

/// Where settings are looked up: the environment, then the profile, then its source profile.
struct Lookup<'a> {
    files: &'a Files,
    profile: &'a str,
    source: Option<&'a str>,
}

impl Lookup<'_> {
    /// A setting with its origin: the variable's value `var` (named `env`), else the profile's
    /// key, else the source's.
    fn get(&self, var: Option<&String>, env: &str, key: &str) -> Option<(String, String)> {
        if let Some(value) = var.filter(|v| !v.trim().is_empty()) {
            return Some((value.clone(), env.to_string()));
        }
        std::iter::once(self.profile)
            .chain(self.source)
            .find_map(|p| {
                let value = self
                    .files
                    .config_value(p, key)
                    .filter(|v| !v.trim().is_empty())?;
                Some((value, format!("{key} in [profile {p}]")))
            })
    }

    fn bool(&self, var: Option<&String>, env: &str, key: &str) -> Result<bool, Error> {
        match self.get(var, env, key) {
            None => Ok(false),
            Some((v, _)) if v.trim().eq_ignore_ascii_case("true") => Ok(true),
            Some((v, _)) if v.trim().eq_ignore_ascii_case("false") => Ok(false),
            Some((value, origin)) => Err(Error::Setting {
                origin,
                value,
                reason: "use true or false",
            }),
        }
    }
}

/// Whose settings, for which service: what [`resolve`] starts from.
pub struct Scope<'a> {
    pub profile: &'a str,
    /// The profile holding the long-term keys (its settings apply after the profile's).
    pub source: Option<&'a str>,
    /// The configured region (`config::region`).
    pub region: String,
    /// The endpoint override for the service, if any.
    pub endpoint_url: Option<String>,
    /// The MFA device's partition: requests go to that partition's STS, whatever region is
    /// configured, so an `arn:aws-cn:…` serial mints in China without flags.
    pub partition: Option<String>,
    pub service: Service,
}

impl<'a> Scope<'a> {
    /// STS for a resolved profile.
    pub fn sts(cfg: &'a super::ProfileConfig) -> Scope<'a> {
        Scope {
            profile: &cfg.profile,
            source: Some(&cfg.source),
            region: cfg.region.clone(),
            endpoint_url: cfg.sts_endpoint.clone(),
            partition: crate::arn::parse(&cfg.serial).ok().map(|s| s.partition),
            service: Service::Sts,
        }
    }

    /// IAM for `profile` whose keys are in `source` (enroll: no device yet, so the partition
    /// follows the configured region).
    pub fn iam(files: &Files, profile: &'a str, source: &'a str, env: &Env) -> Scope<'a> {
        Scope {
            profile,
            source: Some(source),
            region: super::region(files, profile, source, env),
            endpoint_url: super::configured_endpoint(
                files,
                profile,
                env,
                "iam",
                env.endpoint_url_iam.as_ref(),
            ),
            partition: None,
            service: Service::Iam,
        }
    }
}

/// Resolves the target of `scope` from the files and the environment `env`: region and
/// partition, FIPS, STS endpoints, trusted CAs (the bundle is read now) and the proxy setting
/// (checked now), so a bad setting fails before any request.
pub fn resolve(
    files: &Files,
    scope: Scope<'_>,
    timeout: Duration,
    env: &Env,
) -> Result<Target, Error> {
    use crate::env_vars as vars;
    let lookup = Lookup {
        files,
        profile: scope.profile,
        source: scope.source,
    };
    let configured = scope.region;
    let partition = scope
        .partition
        .as_deref()
        .unwrap_or_else(|| partition_of_region(&configured));
    let region = match scope.service {
        Service::Sts if partition_of_region(&configured) == partition => configured,
        Service::Sts | Service::Iam => default_region(partition).to_string(),
    };
    let endpoint_url = scope.endpoint_url;
    let use_fips = lookup.bool(
        env.use_fips_endpoint.as_ref(),
        vars::AWS_USE_FIPS_ENDPOINT,
        keys::USE_FIPS,
    )?;
    let sts_endpoints = match lookup.get(
        env.sts_regional_endpoints.as_ref(),
        vars::AWS_STS_REGIONAL_ENDPOINTS,
        keys::STS_REGIONAL,
    ) {
        None => StsEndpoints::Regional,
        Some((v, _)) if v.trim().eq_ignore_ascii_case("regional") => StsEndpoints::Regional,
        Some((v, _)) if v.trim().eq_ignore_ascii_case("legacy") => StsEndpoints::Legacy,
        Some((value, origin)) => {
            return Err(Error::Setting {
                origin,
                value,
                reason: "use regional or legacy",
            });
        }
    };
    let trust = match lookup.get(env.ca_bundle.as_ref(), vars::AWS_CA_BUNDLE, keys::CA_BUNDLE) {
        Some((path, origin)) => Trust::Bundle(Arc::new(CaBundle::load(
            std::path::Path::new(path.trim()),
            &origin,
        )?)),
        None => Trust::Default,
    };
    let proxy = crate::aws::proxy::check(env.https_proxy.as_ref())?;
    Ok(Target {
        region,
        endpoint_url,
        timeout,
        use_fips,
        sts_endpoints,
        trust,
        proxy,
    })
}

#[cfg(test)]
#[path = "network_tests.rs"]
mod tests;
