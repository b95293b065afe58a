//! The profile names the AWS files define, for shell completion and for telling a profile from a
//! misspelled command on the command line.

use super::Files;
use crate::aws_files;

/// Every profile named in the config or credentials file, each once, in file order.
pub fn profile_names(files: &Files) -> Vec<String> {
    let mut names: Vec<String> = files
        .config
        .as_ref()
        .map(aws_files::config_profiles)
        .unwrap_or_default();
    if let Some(doc) = &files.credentials {
        for section in doc.sections() {
            if !section.is_empty() && !names.iter().any(|n| n == section) {
                names.push(section.to_string());
            }
        }
    }
    names
}

/// Whether `name` is a profile of the AWS files (false when they cannot be read).
pub fn is_profile(files: Option<&Files>, name: &str) -> bool {
    files.is_some_and(|files| profile_names(files).iter().any(|n| n == name))
}

/// Completion candidates for a PROFILE argument: the profiles of the AWS files, those set up for
/// mfa-mint first.
pub fn profile_candidates() -> Vec<clap_complete::CompletionCandidate> {
    // A completion request is a run of its own: this is its one read of the files.
    let ctx = super::Context::from_process(&crate::report::Silent);
    let Ok(files) = ctx.files() else {
        return Vec::new();
    };
    let mfa = super::mfa_profiles(files);
    let mut names = mfa.clone();
    names.extend(
        profile_names(files)
            .into_iter()
            .filter(|n| !mfa.contains(n)),
    );
    names
        .into_iter()
        .map(|n| {
            let help = if mfa.contains(&n) {
                "set up for mfa-mint"
            } else {
                "AWS profile"
            };
            clap_complete::CompletionCandidate::new(n).help(Some(help.into()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_files::Document;

    #[test]
    fn names_come_from_both_files_once() {
        let files = Files {
            config_path: "/h/.aws/config".into(),
            credentials_path: "/h/.aws/credentials".into(),
            credentials_stamp: None,
            config: Some(
                Document::parse("[default]\nregion = x\n[profile dev]\nmfa_serial = a\n").unwrap(),
            ),
            credentials: Some(
                Document::parse("[dev]\nx = 1\n[dev-long-term]\naws_access_key_id = A\n").unwrap(),
            ),
        };
        assert_eq!(profile_names(&files), ["default", "dev", "dev-long-term"]);
    }
}
