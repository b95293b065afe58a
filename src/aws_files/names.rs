//! How AWS names profile sections: `[NAME]` in credentials, `[profile NAME]` in config.
//!
//! Lookups in the config file follow botocore's `build_profile_map`
//! (<https://github.com/boto/botocore/blob/develop/botocore/configloader.py>): a section is the
//! profile NAME when it splits into exactly `profile` and NAME; `[default]` is the profile
//! `default` too. When a file has both `[default]` and `[profile default]`, each later section
//! replaces the earlier one, so **the one further down the file wins**.

use super::ini::Document;

/// The section a new profile gets in the config file.
pub fn config_section(profile: &str) -> String {
    if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    }
}

/// The section of a profile in the credentials file.
pub fn credentials_section(profile: &str) -> String {
    profile.to_owned()
}

/// The profile a config-file section describes, if any.
fn config_profile_of(section: &str) -> Option<&str> {
    if section == "default" {
        return Some("default");
    }
    let mut words = section.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("profile"), Some(name), None) => Some(name),
        _ => None,
    }
}

impl Document {
    /// The config-file section botocore reads for `profile`, if the file has one.
    pub fn config_profile_section(&self, profile: &str) -> Option<&str> {
        self.sections()
            .into_iter()
            .rfind(|s| config_profile_of(s) == Some(profile))
    }

    /// The config-file section to edit for `profile`: the one botocore reads, or the canonical
    /// name for a new one.
    pub fn config_section_for(&self, profile: &str) -> String {
        self.config_profile_section(profile)
            .map_or_else(|| config_section(profile), str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names() {
        assert_eq!(config_section("default"), "default");
        assert_eq!(config_section("dev"), "profile dev");
        assert_eq!(credentials_section("dev"), "dev");
    }

    #[test]
    fn config_lookup_accepts_profile_prefix_and_default_forms() {
        let doc =
            Document::parse("[profile dev]\na = 1\n[dev2]\nb = 2\n[default]\nc = 3\n").unwrap();
        assert_eq!(doc.config_profile_section("dev"), Some("profile dev"));
        assert_eq!(doc.config_profile_section("dev2"), None);
        assert_eq!(doc.config_profile_section("default"), Some("default"));
        assert_eq!(doc.config_section_for("new"), "profile new");
        let spaced = Document::parse("[ profile  ops ]\na = 1\n").unwrap();
        assert_eq!(spaced.config_profile_section("ops"), Some("profile  ops"));
    }

    #[test]
    fn later_default_section_wins_like_botocore() {
        let a = Document::parse("[default]\na = 1\n[profile default]\na = 2\n").unwrap();
        assert_eq!(a.config_profile_section("default"), Some("profile default"));
        let b = Document::parse("[profile default]\na = 2\n[default]\na = 1\n").unwrap();
        assert_eq!(b.config_profile_section("default"), Some("default"));
    }

    #[test]
    fn profile_prefix_must_be_a_word() {
        let doc = Document::parse("[profiledev]\na = 1\n[profile a b]\nc = 1\n").unwrap();
        assert_eq!(doc.config_profile_section("dev"), None);
        assert_eq!(doc.config_profile_section("a"), None);
    }
}
