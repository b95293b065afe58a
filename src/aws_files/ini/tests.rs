use super::*;

fn doc(text: &str) -> Document {
    Document::parse(text).unwrap_or_else(|e| panic!("{e} in {text:?}"))
}

fn set(text: &str, section: &str, key: &str, value: &str) -> String {
    let mut d = doc(text);
    d.set(section, key, value).unwrap();
    d.render()
}

fn err(text: &str) -> ParseError {
    Document::parse(text).expect_err(text)
}

const CONFIG: &str = "\
# AWS CLI config, edited by hand
[default]
region = us-east-1
output=json

; an sso session
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111122223333
  # an indented comment
sso_role_name: Admin
s3 =
  max_concurrent_requests = 20
  addressing_style = path
services = local

[services local]
sts =
    endpoint_url = http://127.0.0.1:5000
[profile  spaced ]
weird   =   x = y # not a comment
Mixed_Case=1
";

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[dev-long-term]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
# mfa-mint writes the session below

[dev]
aws_access_key_id = ASIAEXAMPLE
aws_secret_access_key = secret
aws_session_token = token";

#[test]
fn corpus_round_trips_byte_for_byte() {
    let crlf = CONFIG.replace('\n', "\r\n");
    let mixed = CREDENTIALS.replacen('\n', "\r\n", 3);
    let bom = format!("\u{feff}{CREDENTIALS}");
    let cases = [
        CONFIG,
        CREDENTIALS,
        &crlf,
        &mixed,
        &bom,
        "",
        "\n\n",
        "# only a comment",
        "[a]",
        "[a]\r\n",
        "  [indented]\n  key = v\n",
        "[a]\nk = v\n\n  continued after a blank line\n",
        "[a] trailing text\nk:v\n",
        "\u{feff}",
        "[a]\n\u{a0}k = v\n",
        "[a]\nk = v\t\n\t\n",
    ];
    for text in cases {
        assert_eq!(doc(text).render(), text, "{text:?}");
    }
}

#[test]
fn reads_values_like_botocore() {
    let d = doc(CONFIG);
    assert_eq!(
        d.sections(),
        [
            "default",
            "sso-session corp",
            "profile dev",
            "services local",
            "profile  spaced "
        ]
    );
    assert_eq!(d.get("default", "output").as_deref(), Some("json"));
    assert_eq!(d.get("default", "REGION").as_deref(), Some("us-east-1"));
    assert_eq!(
        d.get("profile dev", "sso_role_name").as_deref(),
        Some("Admin")
    );
    assert_eq!(
        d.get("profile dev", "s3").as_deref(),
        Some("\nmax_concurrent_requests = 20\naddressing_style = path")
    );
    assert_eq!(d.get("profile dev", "services").as_deref(), Some("local"));
    assert_eq!(
        d.get("profile  spaced ", "weird").as_deref(),
        Some("x = y # not a comment")
    );
    assert_eq!(
        d.get("profile  spaced ", "mixed_case").as_deref(),
        Some("1")
    );
    // Sections are named as configparser names them: inner spaces are part of the name.
    assert_eq!(d.get("profile  spaced", "mixed_case"), None);
    assert_eq!(d.get("profile spaced", "mixed_case"), None);
    let spaced = doc("[ dev ]
k = 1
[dev]
k = 2
");
    assert_eq!(spaced.sections(), [" dev ", "dev"]);
    assert_eq!(spaced.get("dev", "k").as_deref(), Some("2"));
    assert_eq!(spaced.get(" dev ", "k").as_deref(), Some("1"));
    assert_eq!(d.get("profile dev", "missing"), None);
    assert_eq!(d.get("nope", "region"), None);
    assert!(d.has_section("services local"));
    assert!(!d.has_section("services"));
    let keys = d.keys("default");
    assert_eq!(
        keys,
        [
            ("region", "us-east-1".to_owned()),
            ("output", "json".to_owned())
        ]
    );
    assert!(d.keys("nope").is_empty());
    let blank = doc("[a]\nk = one\n\n  two\n# c\n\n");
    assert_eq!(blank.get("a", "k").as_deref(), Some("one\n\ntwo"));
}

#[test]
fn debug_shows_no_values() {
    let shown = format!("{:?}", doc(CREDENTIALS));
    assert!(shown.contains("aws_secret_access_key"));
    assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
    assert!(!shown.contains("AKIA"), "{shown}");
}

#[test]
fn parse_errors_carry_line_numbers() {
    use ParseErrorKind::*;
    let cases: Vec<(&str, usize, ParseErrorKind)> = vec![
        ("# c\nkey = v\n[a]\n", 2, KeyOutsideSection),
        ("garbage\n", 1, InvalidLine),
        (
            "[a]\nx = 1\n[b]\n[a]\n",
            4,
            DuplicateSection {
                section: "a".into(),
            },
        ),
        (
            "[ a ]\n[a]\n[ a ]\n",
            3,
            DuplicateSection {
                section: " a ".into(),
            },
        ),
        (
            "[a]\nKey = 1\n\nkey: 2\n",
            4,
            DuplicateKey {
                section: "a".into(),
                key: "key".into(),
            },
        ),
        ("[a]\n= 1\n", 2, EmptyKey),
        ("[a]\n  : 1\n", 2, EmptyKey),
        ("[ ]\n", 1, EmptySectionName),
        ("[a]\nno delimiter here\n", 2, InvalidLine),
        ("[a]\n[]\n", 2, InvalidLine),
        ("[a]\nk = v\rw\n", 2, BareCarriageReturn),
        ("[a]\r\nk = v\r", 2, BareCarriageReturn),
    ];
    for (text, line, kind) in cases {
        assert_eq!(err(text), ParseError { line, kind }, "{text:?}");
    }
    // A continuation is not a duplicate; an indented header under a key is a continuation.
    let d = doc("[a]\nk = 1\n  k = 2\n  [b]\n");
    assert_eq!(d.sections(), ["a"]);
    assert_eq!(d.get("a", "k").as_deref(), Some("1\nk = 2\n[b]"));
}

#[test]
fn error_messages_hold_no_values() {
    let e = err("[a]\nsecret_key = hunter2\nSECRET_KEY = hunter2\n");
    assert_eq!(
        e.to_string(),
        "line 3: duplicate key `SECRET_KEY` in section [a]"
    );
    assert!(!e.kind.hint().contains("hunter2"));
    let e = err("hunter2\n");
    assert!(!e.to_string().contains("hunter2"));
}

#[test]
fn set_replaces_in_place() {
    let text = "[a]\nKey   =  old  \nb = 2\n";
    assert_eq!(set(text, "a", "key", "new"), "[a]\nKey   =  new\nb = 2\n");
    assert_eq!(set("[a]\nk: old\n", "a", "k", "new"), "[a]\nk: new\n");
    assert_eq!(set("[a]\nk=old\n", "a", "k", "new"), "[a]\nk=new\n");
    assert_eq!(set("[a]\nk =\n", "a", "k", "new"), "[a]\nk = new\n");
    assert_eq!(set("[a]\nk=\n", "a", "k", "new"), "[a]\nk=new\n");
    assert_eq!(set("[a]\nk = old\n", "a", "k", ""), "[a]\nk =\n");
    assert_eq!(set("[a]\r\nk = old\r\n", "a", "k", "n"), "[a]\r\nk = n\r\n");
    assert_eq!(set("[a]\nk = old", "a", "k", "n"), "[a]\nk = n");
    // Same value: untouched, even odd spacing.
    assert_eq!(
        set("[a]\nk = same   \n", "a", "k", "same"),
        "[a]\nk = same   \n"
    );
    // Continuation lines go, comments and blank lines between them stay.
    let nested = "[p]\ns3 =\n  a = 1\n  # keep\n\n  b = 2\nnext = 1\n";
    assert_eq!(
        set(nested, "p", "s3", "off"),
        "[p]\ns3 = off\n  # keep\n\nnext = 1\n"
    );
}

#[test]
fn set_appends_new_keys_after_the_last_key() {
    let text = "[a]\nx = 1\n  more\n# about b\n\n[b]\ny = 2\n";
    assert_eq!(
        set(text, "a", "new", "v"),
        "[a]\nx = 1\n  more\nnew = v\n# about b\n\n[b]\ny = 2\n"
    );
    assert_eq!(set("[a]\n\n[b]\n", "a", "k", "v"), "[a]\nk = v\n\n[b]\n");
    assert_eq!(set("[a]\nx = 1", "a", "k", "v"), "[a]\nx = 1\nk = v\n");
    assert_eq!(set("[a]", "a", "k", "v"), "[a]\nk = v\n");
    assert_eq!(
        set("[a]\r\nx = 1\r\n", "a", "k", "v"),
        "[a]\r\nx = 1\r\nk = v\r\n"
    );
    // Indented like the key above, so it cannot turn into a continuation.
    assert_eq!(
        set("[a]\n  x = 1\n", "a", "k", "v"),
        "[a]\n  x = 1\n  k = v\n"
    );
    // Indented like the next header, which would otherwise continue the new key.
    assert_eq!(
        set("  [a]\n  [b]\nx = 1\n", "a", "k", "v"),
        "  [a]\n  k = v\n  [b]\nx = 1\n"
    );
}

#[test]
fn set_appends_missing_sections_at_the_end() {
    assert_eq!(set("", "dev", "k", "v"), "[dev]\nk = v\n");
    assert_eq!(set("\u{feff}", "dev", "k", "v"), "\u{feff}[dev]\nk = v\n");
    assert_eq!(
        set("[a]\nx = 1\n", "b", "k", "v"),
        "[a]\nx = 1\n\n[b]\nk = v\n"
    );
    assert_eq!(
        set("[a]\nx = 1", "b", "k", "v"),
        "[a]\nx = 1\n\n[b]\nk = v\n"
    );
    assert_eq!(
        set("[a]\nx = 1\n\n", "b", "k", "v"),
        "[a]\nx = 1\n\n[b]\nk = v\n"
    );
    assert_eq!(
        set("[a]\r\nx = 1\r\n", "b", "k", "v"),
        "[a]\r\nx = 1\r\n\r\n[b]\r\nk = v\r\n"
    );
    assert_eq!(set("# hi", "b", "k", "v"), "# hi\n\n[b]\nk = v\n");
    let mut d = doc("[a]\nx = 1\n");
    d.set("profile dev", "k1", "1").unwrap();
    d.set("profile dev", "k2", "2").unwrap();
    assert_eq!(d.render(), "[a]\nx = 1\n\n[profile dev]\nk1 = 1\nk2 = 2\n");
}

#[test]
fn set_refuses_values_that_would_be_misread() {
    let mut d = doc("[a]\nk = v\n");
    for value in [
        "two\nlines",
        "cr\r",
        " lead",
        "trail ",
        "#x",
        ";x",
        "v # c",
        "v\t;c",
        "nul\0",
    ] {
        let e = d.set("a", "k", value).unwrap_err();
        assert!(matches!(e, EditError::InvalidValue { .. }), "{value:?}");
        assert!(!e.to_string().contains(value), "{e}");
    }
    for key in ["", "a b", "a=b", "a:b", "[x", "#x", ";x", "k\n"] {
        assert!(
            matches!(d.set("a", key, "v"), Err(EditError::InvalidKey { .. })),
            "{key:?}"
        );
    }
    for section in ["", " a", "a]", "[a", "a\nb"] {
        assert!(
            matches!(
                d.set(section, "k", "v"),
                Err(EditError::InvalidSection { .. })
            ),
            "{section:?}"
        );
    }
    assert_eq!(d.render(), "[a]\nk = v\n");
    // Inner `#` without whitespace before it is read the same by every SDK.
    d.set("a", "k", "a#b=c").unwrap();
    assert_eq!(d.get("a", "k").as_deref(), Some("a#b=c"));
}

#[test]
fn remove_key_drops_its_lines_only() {
    let mut d = doc("[a]\nx = 1\nK = 2\n  cont\n# c\ny = 3\n");
    assert!(d.remove_key("a", "k"));
    assert_eq!(d.render(), "[a]\nx = 1\n# c\ny = 3\n");
    assert!(!d.remove_key("a", "k"));
    assert!(!d.remove_key("b", "x"));
}

#[test]
fn remove_section_keeps_neighbours() {
    let text = "# top\n[a]\nx = 1\n\n# about b\n[b]\n# inside b\ny = 2\n\n[c]\nz = 3\n";
    let mut d = doc(text);
    assert!(d.remove_section("b"));
    assert_eq!(d.render(), "# top\n[a]\nx = 1\n\n# about b\n[c]\nz = 3\n");
    let mut d = doc(text);
    assert!(d.remove_section("c"));
    assert_eq!(
        d.render(),
        "# top\n[a]\nx = 1\n\n# about b\n[b]\n# inside b\ny = 2\n"
    );
    let mut d = doc(text);
    assert!(d.remove_section("a"));
    assert_eq!(
        d.render(),
        "# top\n# about b\n[b]\n# inside b\ny = 2\n\n[c]\nz = 3\n"
    );
    assert!(!d.remove_section("zzz"));
    let mut d = doc("[only]\nk = v");
    assert!(d.remove_section("only"));
    assert_eq!(d.render(), "");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn eol() -> impl Strategy<Value = &'static str> {
        prop_oneof![4 => Just("\n"), 1 => Just("\r\n")]
    }

    /// Filler that may sit anywhere: blank lines and comments.
    fn filler() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("  ".to_owned()),
            "[#;][ a-z=\\[\\]]{0,8}".prop_map(|s| s),
            "[ \t]{1,3}[#;][ a-z]{0,5}".prop_map(|s| s),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9/+=:#; ._-]{0,12}"
    }

    /// The lines of one key: `key<sp><delim><sp>value` and maybe continuations.
    fn key_lines(name: String) -> impl Strategy<Value = Vec<String>> {
        (
            "[ \t]{0,2}",
            prop_oneof![Just("="), Just(":")],
            "[ \t]{0,2}",
            value(),
            "[ \t]{0,2}",
            proptest::collection::vec(("[ \t]{1,3}", value(), any::<bool>()), 0..3),
        )
            .prop_map(move |(pre, delim, post, v, trail, conts)| {
                let mut lines = vec![format!("{name}{pre}{delim}{post}{v}{trail}")];
                for (indent, v, blank) in conts {
                    if blank {
                        lines.push(String::new());
                    }
                    lines.push(format!("{indent}x{v}"));
                }
                lines
            })
    }

    fn section(idx: usize) -> impl Strategy<Value = (String, Vec<String>)> {
        let name = format!("s{idx}");
        (
            // (header, the section's name as configparser reads it)
            prop_oneof![
                Just((format!("[{name}]"), name.clone())),
                Just((format!("[ {name} ]"), format!(" {name} "))),
                Just((format!("[{name}] trailing"), name.clone())),
            ],
            proptest::collection::vec((any::<bool>(), filler()), 0..6),
        )
            .prop_flat_map(move |(header, items)| {
                let mut key_count = 0;
                let parts: Vec<BoxedStrategy<Vec<String>>> = items
                    .into_iter()
                    .map(|(is_key, fill)| {
                        if is_key {
                            key_count += 1;
                            let casing = if key_count % 2 == 0 { "K" } else { "k" };
                            key_lines(format!("{casing}{key_count}")).boxed()
                        } else {
                            Just(vec![fill]).boxed()
                        }
                    })
                    .collect();
                (Just(header), parts)
            })
            .prop_map(|((header, name), parts)| {
                let mut lines = vec![header];
                lines.extend(parts.into_iter().flatten());
                (name, lines)
            })
    }

    /// A valid document and the byte range of each section in it.
    fn document() -> impl Strategy<Value = (String, Vec<(String, usize, usize)>)> {
        (
            any::<bool>(),
            proptest::collection::vec(filler(), 0..3),
            (1..5usize).prop_flat_map(|n| (0..n).map(section).collect::<Vec<_>>()),
            any::<bool>(),
        )
            .prop_flat_map(|(bom, preamble, sections, final_eol)| {
                let count = preamble.len() + sections.iter().map(|s| s.1.len()).sum::<usize>();
                (
                    Just((bom, preamble, sections, final_eol)),
                    proptest::collection::vec(eol(), count),
                )
            })
            .prop_map(|((bom, preamble, sections, final_eol), eols)| {
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                let mut eols = eols.into_iter();
                let total = eols.len();
                let mut n = 0;
                let mut push = |text: &mut String, line: &str| {
                    n += 1;
                    text.push_str(line);
                    let e = eols.next().unwrap_or("\n");
                    if n < total || final_eol {
                        text.push_str(e);
                    }
                };
                for line in &preamble {
                    push(&mut text, line);
                }
                let mut ranges = Vec::new();
                for (name, lines) in &sections {
                    let start = text.len();
                    for line in lines {
                        push(&mut text, line);
                    }
                    ranges.push((name.clone(), start, text.len()));
                }
                (text, ranges)
            })
    }

    proptest! {
        #[test]
        fn prop_parse_never_panics(text in ".{0,400}") {
            if let Ok(d) = Document::parse(&text) {
                prop_assert_eq!(d.render(), text);
            }
        }

        #[test]
        fn parse_render_is_identity((text, _) in document()) {
            let d = Document::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(d.render(), text);
        }

        #[test]
        fn set_leaves_other_sections_alone(
            (text, ranges) in document(),
            pick in any::<prop::sample::Index>(),
            key in prop_oneof![Just("k1"), Just("K2"), Just("new_key")],
            value in "[a-zA-Z0-9/+=]{0,10}",
        ) {
            let (name, start, end) = ranges[pick.index(ranges.len())].clone();
            let mut d = Document::parse(&text).unwrap();
            let others: Vec<_> = d.sections().iter()
                .filter(|s| **s != name)
                .map(|s| (s.to_string(), d.keys(s).into_iter()
                    .map(|(k, v)| (k.to_owned(), v)).collect::<Vec<_>>()))
                .collect();
            d.set(&name, key, &value).unwrap();
            let out = d.render();
            prop_assert_eq!(d.get(&name, key), Some(value.clone()));
            prop_assert_eq!(&out[..start], &text[..start]);
            let tail = &text[end..];
            prop_assert!(out.ends_with(tail));
            // The section's own span may only gain a line ending at the very end of the file.
            let reparsed = Document::parse(&out).unwrap();
            for (s, keys) in others {
                let now: Vec<_> = reparsed.keys(&s).into_iter()
                    .map(|(k, v)| (k.to_owned(), v)).collect();
                prop_assert_eq!(now, keys);
            }
        }

        #[test]
        fn set_new_section_keeps_the_file_as_a_prefix((text, _) in document()) {
            let mut d = Document::parse(&text).unwrap();
            d.set("profile fresh", "k", "v").unwrap();
            let out = d.render();
            let kept = if text.ends_with('\n') || text.trim_start_matches('\u{feff}').is_empty() {
                text.clone()
            } else {
                let crlf = text.matches("\r\n").count();
                let lf = text.matches('\n').count() - crlf;
                format!("{text}{}", if crlf > lf { "\r\n" } else { "\n" })
            };
            prop_assert!(out.starts_with(&kept), "{:?} -> {:?}", text, out);
            prop_assert_eq!(d.get("profile fresh", "k"), Some("v".to_owned()));
        }
    }
}
