//! How AWS names profile sections: `[NAME]` in credentials, `[profile NAME]` in config, and
//! which profile names mfa-mint accepts.
//!
//! Lookups follow botocore (<https://github.com/boto/botocore/blob/develop/botocore/configloader.py>),
//! which reads both files with Python's `configparser`: a section's name is everything between
//! `[` and the last `]`, **spaces included** (`[ dev ]` is the section ` dev `, not `dev`). In the
//! credentials file the profile NAME is the section named exactly NAME. In the config file
//! (`build_profile_map`) a section whose name starts with `profile` is `shlex.split`; when that
//! gives exactly two words the second is the profile (`[profile  dev ]` and `[profile "dev"]` are
//! `dev`; `[profile a b]` is nothing); `[default]` is the profile `default` too. When a file has
//! both `[default]` and `[profile default]`, each later section replaces the earlier one, so **the
//! one further down the file wins**.

use super::ini::Document;

/// The punctuation a profile name may hold besides letters and digits: what every AWS tool and
/// every place mfa-mint writes a name (a section header, a `credential_process` line that
/// botocore `shlex.split`s and the SDKs hand to a shell, crontab and systemd lines, Windows
/// command lines, the run log) reads back as it is, without quoting.
pub const NAME_PUNCTUATION: &str = "-_.@+=,/:";

/// Why a profile name is refused, for the error line.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name == "DEFAULT" {
        // configparser's default section: its keys would show up in every profile.
        return Some(
            "the AWS CLI's file parser treats [DEFAULT] as defaults for every other section".into(),
        );
    }
    if name.starts_with('-') {
        return Some("it starts with `-`, so commands would read it as an option".into());
    }
    let bad: Vec<char> = name
        .chars()
        .filter(|&c| !(c.is_alphanumeric() || NAME_PUNCTUATION.contains(c)))
        .fold(Vec::new(), |mut seen, c| {
            if !seen.contains(&c) {
                seen.push(c);
            }
            seen
        });
    if bad.is_empty() {
        return None;
    }
    let shown: Vec<String> = bad.iter().map(|c| describe(*c)).collect();
    let why = if bad.iter().any(|c| c.is_control()) {
        "control characters would break the files and forge log lines"
    } else if bad.iter().any(|c| c.is_whitespace()) {
        "the AWS CLI reads [profile a b] as no profile at all"
    } else if bad.iter().any(|c| matches!(c, '[' | ']' | '#' | ';')) {
        "they end a section header or start a comment in the AWS files"
    } else if bad.iter().any(|c| matches!(c, '"' | '\'' | '\\')) {
        "the AWS CLI reads them as quoting ([profile a\\b] is the profile ab)"
    } else {
        "credential_process lines and scheduled jobs pass the name through a shell"
    };
    Some(format!("{} not allowed: {why}", shown.join(" ")))
}

/// Whether a file could hold a profile of this name at all, as the AWS CLI reads it: not empty,
/// not `DEFAULT`, no leading `-`, no surrounding whitespace, no bracket or control character.
/// Such a name outside the rule is still used when the user's files already hold it.
pub fn could_exist(name: &str) -> bool {
    !name.is_empty()
        && name != "DEFAULT"
        && !name.starts_with('-')
        && name.trim() == name
        && !name.chars().any(|c| c.is_control() || c == '[' || c == ']')
}

/// A character as the error line shows it: `space`, `\n`, `U+200E`, or itself in backticks.
fn describe(c: char) -> String {
    match c {
        ' ' => "space".into(),
        '\t' => "tab".into(),
        '\n' => "newline (\\n)".into(),
        '\r' => "carriage return (\\r)".into(),
        c if c.is_control() || c.is_whitespace() || !c.is_ascii() => {
            format!("U+{:04X}", c as u32)
        }
        '`' => "backtick".into(),
        c => format!("`{c}`"),
    }
}

/// Splits like Python's `shlex.split(s)` (POSIX mode, no comments), which botocore applies to
/// config section names; `None` where shlex raises (an unclosed quote, a trailing `\`).
pub fn shlex_split(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => words.extend(word.take()),
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        c => w.push(c),
                    }
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// The section a new profile gets in the config file; a name outside the rule (one the user's
/// files already hold) is quoted the way botocore's `shlex.split` reads it back.
pub fn config_section(profile: &str) -> String {
    if profile == "default" {
        "default".to_owned()
    } else if name_problem(profile).is_none() {
        format!("profile {profile}")
    } else {
        format!(
            "profile \"{}\"",
            profile.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

/// The section of a profile in the credentials file.
pub fn credentials_section(profile: &str) -> String {
    profile.to_owned()
}

/// The profile a config-file section describes, if any, as botocore's `build_profile_map`
/// reads it: `default`, or a name starting with `profile` that `shlex.split`s into two words.
pub fn config_profile_of(section: &str) -> Option<String> {
    if section == "default" {
        return Some("default".into());
    }
    if !section.starts_with("profile") {
        return None;
    }
    match <[String; 2]>::try_from(shlex_split(section)?) {
        Ok([_, name]) => Some(name),
        Err(_) => None,
    }
}

impl Document {
    /// The config-file section botocore reads for `profile`, if the file has one.
    pub fn config_profile_section(&self, profile: &str) -> Option<&str> {
        self.sections()
            .into_iter()
            .rfind(|s| config_profile_of(s).as_deref() == Some(profile))
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
        // Read back as botocore reads it.
        for odd in ["my dev", r#"a\b"#, r#"say "hi""#, "it's"] {
            let section = config_section(odd);
            assert_eq!(
                config_profile_of(&section).as_deref(),
                Some(odd),
                "{section}"
            );
        }
        assert_eq!(config_section("my dev"), r#"profile "my dev""#);
        assert!(could_exist("my dev") && could_exist("a$b"));
        for never in ["", "DEFAULT", "-x", " x", "a\nb", "a]b"] {
            assert!(!could_exist(never), "{never:?}");
        }
    }

    #[test]
    fn config_lookup_accepts_profile_prefix_and_default_forms() {
        let doc =
            Document::parse("[profile dev]\na = 1\n[dev2]\nb = 2\n[default]\nc = 3\n").unwrap();
        assert_eq!(doc.config_profile_section("dev"), Some("profile dev"));
        assert_eq!(doc.config_profile_section("dev2"), None);
        assert_eq!(doc.config_profile_section("default"), Some("default"));
        assert_eq!(doc.config_section_for("new"), "profile new");
        // botocore: the header as written must start with `profile`, then shlex.split.
        let spaced = Document::parse("[profile  ops ]\na = 1\n[ profile qa]\nb = 1\n").unwrap();
        assert_eq!(spaced.config_profile_section("ops"), Some("profile  ops "));
        assert_eq!(spaced.config_profile_section("qa"), None);
        let quoted = Document::parse("[profile \"a b\"]\na = 1\n[profile 'x']\nb = 1\n").unwrap();
        assert_eq!(
            quoted.config_profile_section("a b"),
            Some("profile \"a b\"")
        );
        assert_eq!(quoted.config_profile_section("x"), Some("profile 'x'"));
        let default = Document::parse("[ default ]\na = 1\n").unwrap();
        assert_eq!(default.config_profile_section("default"), None);
    }

    #[test]
    fn shlex_split_is_pythons() {
        // Each pair checked against Python 3.11's shlex.split.
        let cases: [(&str, Option<&[&str]>); 10] = [
            ("profile dev", Some(&["profile", "dev"])),
            ("profile  dev ", Some(&["profile", "dev"])),
            ("profile\tdev", Some(&["profile", "dev"])),
            ("profile a\\b", Some(&["profile", "ab"])),
            ("profile \"a\\b\"", Some(&["profile", "a\\b"])),
            ("profile \"a\\\"b\"", Some(&["profile", "a\"b"])),
            ("profile 'a\\b' ''", Some(&["profile", "a\\b", ""])),
            ("profile x\"y z\"w", Some(&["profile", "xy zw"])),
            ("profile \"open", None),
            ("profile a\\", None),
        ];
        for (text, want) in cases {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(shlex_split(text), want, "{text}");
        }
    }

    #[test]
    fn names_the_aws_cli_reads_back_are_allowed() {
        for ok in [
            "dev",
            "default",
            "AdministratorAccess-123456789012",
            "team/dev.prod",
            "alice@example.com",
            "a+b=c,d:e_f",
            "開発",
            "code",
            "mint",
        ] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn names_the_aws_cli_cannot_address_are_refused_with_the_characters() {
        let cases = [
            (
                "my dev",
                "space not allowed: the AWS CLI reads [profile a b]",
            ),
            (
                "a\\b",
                "`\\` not allowed: the AWS CLI reads them as quoting",
            ),
            ("x\ny", "newline (\\n) not allowed: control characters"),
            ("$(id)", "`$` `(` `)` not allowed: credential_process lines"),
            ("a#b", "`#` not allowed: they end a section header"),
            ("it's", "`'` not allowed"),
            ("50%", "`%` not allowed"),
            ("a\u{200e}b", "U+200E not allowed"),
            ("-x", "starts with `-`"),
            ("DEFAULT", "[DEFAULT]"),
            ("", "empty"),
        ];
        for (name, want) in cases {
            let got = name_problem(name).unwrap_or_default();
            assert!(got.contains(want), "{name:?}: {got}");
        }
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
