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

/// Each exit-code row's code spans (`AWS_CA_BUNDLE`, `crontab`, `MFA_MINT_PROFILE`, …), by code.
fn exit_code_facts(markdown: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for line in markdown.lines() {
        let Some(row) = line.strip_prefix("| ") else {
            continue;
        };
        let Some((code, meaning)) = row.split_once(" |") else {
            continue;
        };
        if code.split(',').any(|c| c.trim().parse::<u32>().is_err()) {
            continue;
        }
        for span in meaning.split('`').skip(1).step_by(2) {
            out.insert((code.trim().to_string(), span.to_string()));
        }
    }
    out
}

/// Issue 23 row 16: README.ja.md lacked parts of the exit-code table (the network settings, the
/// scheduler, `schedule --every`): every code span of an English row is in the Japanese row of
/// the same code, and the "most severe" order is there too.
#[test]
fn japanese_exit_codes_carry_the_same_facts() {
    let en = read("README.md");
    let ja = read("README.ja.md");
    let en_facts = exit_code_facts(&sections(&en, &["Commands"]));
    let ja_facts = exit_code_facts(&sections(&ja, &["終了コード"]));
    assert!(en_facts.len() >= 8, "{en_facts:#?}");
    let missing: Vec<_> = en_facts.difference(&ja_facts).collect();
    assert!(
        missing.is_empty(),
        "README.ja.md's exit codes lack {missing:?}"
    );
    assert!(
        ja.contains("130（中断）、1（バグ）、8、5"),
        "the order of severity"
    );
    // The quick start's note on the first mint's wait.
    assert!(ja.contains("最大 30 秒待ちます"));
}
