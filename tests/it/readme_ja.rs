//! README.ja.md (Japanese) stays in step with README.md: the same commands in the quick start,
//! the Windows section and the section on rotating keys, and the same exit codes.

use std::collections::BTreeSet;

fn read(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The `##` sections of `text` whose headings start with one of `headings`.
fn sections(text: &str, headings: &[&str]) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            keep = headings.iter().any(|h| title.starts_with(h));
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every line of a fenced code block that runs mfa-mint or the AWS CLI, with a trailing
/// `# comment` (which a translation may translate) removed.
fn commands(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let line = line.trim();
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code || !(line.contains("mfa-mint ") || line.starts_with("aws ")) {
            continue;
        }
        let command = match line.find("  #") {
            Some(at) => &line[..at],
            None => line,
        };
        out.insert(command.trim_end().to_string());
    }
    out
}

/// The codes in the first column of the exit-code table.
fn exit_codes(markdown: &str) -> Vec<u32> {
    markdown
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .flat_map(|cell| {
            cell.split(',')
                .map(|c| c.trim().parse::<u32>())
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn japanese_readme_lists_the_same_commands_and_exit_codes() {
    let en = read("README.md");
    let ja = read("README.ja.md");
    assert!(
        en.lines().take(5).any(|l| l.contains("(README.ja.md)")),
        "README.md links README.ja.md at the top"
    );
    let en_commands = commands(&sections(&en, &["Quick start", "Windows", "Rotating keys"]));
    let ja_commands = commands(&sections(
        &ja,
        &["クイックスタート", "Windows", "キーのローテーション"],
    ));
    assert!(en_commands.len() >= 10, "{en_commands:#?}");
    assert_eq!(
        en_commands, ja_commands,
        "README.md (left) and README.ja.md (right) list different commands"
    );
    let en_codes = exit_codes(&sections(&en, &["Exit codes", "Commands"]));
    let ja_codes = exit_codes(&sections(&ja, &["終了コード"]));
    let mut expected: Vec<u32> = (0..=9).collect();
    expected.extend([126, 127, 130]);
    assert_eq!(en_codes, expected);
    assert_eq!(en_codes, ja_codes);
}
