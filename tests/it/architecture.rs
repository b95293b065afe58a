//! The layout's rules, checked from the source (issue 21): no cycle between the top-level modules
//! of `src/`, and the process environment read in one module only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its unit tests: files named `tests.rs`/`*_tests.rs` and what
/// follows the first `#[cfg(test)]` (the test module ends every file here).
fn non_test_code(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    if name == "tests.rs" || name.ends_with("_tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end].to_string()
}

/// The top-level module a file belongs to (`src/aws/sts.rs` → `aws`).
fn top_module(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every top-level module named by `crate::NAME` in `code`, including grouped imports
/// (`use crate::{a, b::c}`).
fn referenced(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 1 => {
                        found.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in files {
        let from = top_module(&src, &path);
        if from == "main" || from == "lib" {
            continue;
        }
        let deps = graph.entry(from.clone()).or_default();
        for to in referenced(&non_test_code(&path)) {
            if to != from {
                deps.insert(to);
            }
        }
    }
    // Only edges to modules of the crate (not `crate::errln!`-style macros at the root).
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    graph
}

/// A path from `to` back to `from`, if any (so `from -> to` closes a cycle).
fn path_back(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut stack = vec![vec![to.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap().clone();
        if last == from {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in graph.get(&last).into_iter().flatten() {
            let mut longer = path.clone();
            longer.push(next.clone());
            stack.push(longer);
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_cycles() {
    let graph = module_graph();
    assert!(graph.contains_key("minter") && graph.contains_key("config"));
    let mut cycles = Vec::new();
    for (from, deps) in &graph {
        for to in deps {
            if let Some(back) = path_back(&graph, from, to) {
                cycles.push(format!("{from} -> {}", back.join(" -> ")));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that depend on each other (a cycle), each as `a -> … -> a`:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_cycle_check_sees_grouped_and_inline_paths() {
    let code = "use crate::{aws::sts, config::{self, Files}};\nfn f() { crate::vault::x(); }";
    let found: Vec<String> = referenced(code).into_iter().collect();
    assert_eq!(found, ["aws", "config", "vault"]);
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(path_back(&graph, "a", "b").is_some());
}

/// How many times a `-vv` run read each AWS file (`debug: reading PATH` lines).
fn reads(r: &crate::support::Run, file: &str) -> usize {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("debug: reading ") && l.ends_with(&format!(".aws/{file}")))
        .count()
}

/// Issue 21: "the AWS config and credentials files are loaded four times before the write".
/// Now: each once per run, plus the credentials file's re-read under its lock by the write (the
/// re-check under the device lock costs a `stat` unless another run wrote meanwhile).
#[test]
fn a_mint_reads_each_aws_file_once_plus_the_write_under_its_lock() {
    require!(Keyring);
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let (w, alice) = crate::support::World::with_alice(Some(seed));
    w.write_credentials(&alice.long_term("dev"));
    w.import("dev", &alice.serial, seed);

    let r = w.run(&["-vv", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(reads(&r, "config"), 1, "{}", r.stderr);
    assert_eq!(reads(&r, "credentials"), 2, "{}", r.stderr);

    // The fresh skip reads each file once and writes nothing.
    let r = w.run(&["-vv", "dev"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("still fresh"), "{}", r.stderr);
    assert_eq!(reads(&r, "config"), 1, "{}", r.stderr);
    assert_eq!(reads(&r, "credentials"), 1, "{}", r.stderr);

    // A session mode (credential-process) with nothing cached: no file write, one read each.
    let r = w.run(&["-vv", "credential-process", "dev", "--force"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(reads(&r, "config"), 1, "{}", r.stderr);
    assert_eq!(reads(&r, "credentials"), 1, "{}", r.stderr);
}

/// Every edit of the AWS files goes through `config/edit.rs` (issue 21): `aws_files::edit` is
/// called nowhere else, so the lock, the atomic replace and the mode cannot be bypassed.
#[test]
fn the_aws_files_are_edited_only_through_config_edit() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let outside: Vec<String> = files
        .iter()
        .filter(|p| !p.starts_with(src.join("aws_files")) && !p.ends_with("config/edit.rs"))
        .filter(|p| non_test_code(p).contains("aws_files::edit("))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        outside.is_empty(),
        "edit the AWS files through config::edit::{{config_file, credentials_file}}: {outside:?}"
    );
}
