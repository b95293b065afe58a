//! Checks the task XML against Task Scheduler's schema (test only).
//!
//! The content models below are transcribed from the schema Microsoft publishes
//! (learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema, the same as
//! [MS-TSCH] 2.5), for the elements a task by mfa-mint can contain. What matters and is easy to
//! get wrong: a trigger's children are an `xs:sequence` (Enabled, StartBoundary, EndBoundary,
//! Repetition, ExecutionTimeLimit, then the trigger's own elements), so their order is part of
//! validity; most other types are `xs:all` (any order, each at most once). Task Scheduler rejects
//! a task that breaks either with "The task XML is malformed".

use super::xml::{self, Element};

/// How an element's children are constrained.
enum Model {
    /// In this order, each at most once; `true` marks a required one.
    Sequence(&'static [(&'static str, bool)]),
    /// Any order, each at most once.
    All(&'static [(&'static str, bool)]),
    /// Repeated choice among these, 1 (or 0) to `max` times.
    Choice {
        names: &'static [&'static str],
        min: usize,
        max: usize,
    },
    /// Text only, no child elements.
    Text(fn(&str) -> bool),
}

const TRIGGER_BASE: [(&str, bool); 5] = [
    ("Enabled", false),
    ("StartBoundary", false),
    ("EndBoundary", false),
    ("Repetition", false),
    ("ExecutionTimeLimit", false),
];

fn boolean(s: &str) -> bool {
    matches!(s, "true" | "false" | "1" | "0")
}

fn duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    !rest.is_empty()
        && rest != "T"
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || "YMDTHS".contains(c))
}

fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b.iter().enumerate().take(19).all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

fn any_text(_: &str) -> bool {
    true
}

fn non_empty(s: &str) -> bool {
    !s.is_empty()
}

/// pathType: a non-empty string of at most 260 characters.
fn path(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 260
}

fn model(name: &str) -> Option<Model> {
    use Model::*;
    Some(match name {
        "Task" => All(&[
            ("RegistrationInfo", false),
            ("Triggers", false),
            ("Settings", false),
            ("Data", false),
            ("Principals", false),
            ("Actions", true),
        ]),
        "RegistrationInfo" => All(&[
            ("URI", false),
            ("SecurityDescriptor", false),
            ("Source", false),
            ("Date", false),
            ("Author", false),
            ("Version", false),
            ("Description", false),
            ("Documentation", false),
        ]),
        "Triggers" => Choice {
            names: &[
                "BootTrigger",
                "RegistrationTrigger",
                "IdleTrigger",
                "TimeTrigger",
                "EventTrigger",
                "LogonTrigger",
                "SessionStateChangeTrigger",
                "CalendarTrigger",
            ],
            min: 0,
            max: 48,
        },
        "TimeTrigger" => Sequence(&[
            TRIGGER_BASE[0],
            TRIGGER_BASE[1],
            TRIGGER_BASE[2],
            TRIGGER_BASE[3],
            TRIGGER_BASE[4],
            ("RandomDelay", false),
        ]),
        "Repetition" => All(&[
            ("Interval", true),
            ("Duration", false),
            ("StopAtDurationEnd", false),
        ]),
        "Settings" => All(&[
            ("AllowStartOnDemand", false),
            ("RestartOnFailure", false),
            ("MultipleInstancesPolicy", false),
            ("DisallowStartIfOnBatteries", false),
            ("StopIfGoingOnBatteries", false),
            ("AllowHardTerminate", false),
            ("StartWhenAvailable", false),
            ("NetworkProfileName", false),
            ("RunOnlyIfNetworkAvailable", false),
            ("WakeToRun", false),
            ("Enabled", false),
            ("Hidden", false),
            ("DeleteExpiredTaskAfter", false),
            ("IdleSettings", false),
            ("NetworkSettings", false),
            ("ExecutionTimeLimit", false),
            ("Priority", false),
            ("RunOnlyIfIdle", false),
            ("UseUnifiedSchedulingEngine", false),
            ("DisallowStartOnRemoteAppSession", false),
        ]),
        "IdleSettings" => All(&[
            ("Duration", false),
            ("WaitTimeout", false),
            ("StopOnIdleEnd", false),
            ("RestartOnIdle", false),
        ]),
        "Principals" => Sequence(&[("Principal", true)]),
        "Principal" => All(&[
            ("UserId", false),
            ("LogonType", false),
            ("GroupId", false),
            ("DisplayName", false),
            ("RunLevel", false),
            ("ProcessTokenSidType", false),
            ("RequiredPrivileges", false),
        ]),
        "Actions" => Choice {
            names: &["Exec", "ComHandler", "SendEmail", "ShowMessage"],
            min: 1,
            max: 32,
        },
        "Exec" => All(&[
            ("Command", true),
            ("Arguments", false),
            ("WorkingDirectory", false),
        ]),
        "Enabled"
        | "StopAtDurationEnd"
        | "AllowStartOnDemand"
        | "DisallowStartIfOnBatteries"
        | "StopIfGoingOnBatteries"
        | "AllowHardTerminate"
        | "StartWhenAvailable"
        | "RunOnlyIfNetworkAvailable"
        | "WakeToRun"
        | "Hidden"
        | "StopOnIdleEnd"
        | "RestartOnIdle"
        | "RunOnlyIfIdle" => Text(boolean),
        "StartBoundary" | "EndBoundary" | "Date" => Text(date_time),
        "Interval"
        | "Duration"
        | "ExecutionTimeLimit"
        | "RandomDelay"
        | "WaitTimeout"
        | "DeleteExpiredTaskAfter" => Text(duration),
        "MultipleInstancesPolicy" => {
            Text(|s| matches!(s, "Parallel" | "Queue" | "IgnoreNew" | "StopExisting"))
        }
        "LogonType" => Text(|s| {
            matches!(
                s,
                "S4U" | "Password" | "InteractiveToken" | "InteractiveTokenOrPassword"
            )
        }),
        "RunLevel" => Text(|s| matches!(s, "LeastPrivilege" | "HighestAvailable")),
        "Priority" => Text(|s| s.parse::<u8>().is_ok_and(|p| p <= 10)),
        "Command" | "WorkingDirectory" => Text(path),
        "UserId" | "GroupId" => Text(non_empty),
        "Author" | "Description" | "Arguments" | "URI" | "Source" | "Version" | "Documentation"
        | "DisplayName" => Text(any_text),
        _ => return None,
    })
}

/// Every violation found, as `path: what`; empty when the document is valid.
pub fn validate(text: &str) -> Vec<String> {
    let Some(root) = xml::parse(text) else {
        return vec!["not well-formed XML".into()];
    };
    let mut errors = Vec::new();
    if root.name != "Task" {
        errors.push(format!("root is {}, not Task", root.name));
    }
    if root.attribute("xmlns") != Some(super::task::NAMESPACE) {
        errors.push("Task: missing the task namespace".into());
    }
    if root.attribute("version").is_some_and(|v| v != "1.3") {
        errors.push("Task: version is fixed at 1.3 in this schema".into());
    }
    // The key/keyref pair: the Actions context names a principal.
    let principal = root
        .path(&["Principals", "Principal"])
        .and_then(|p| p.attribute("id"));
    let context = root.child("Actions").and_then(|a| a.attribute("Context"));
    if context.is_some() && context != principal {
        errors.push("Actions: Context names no principal".into());
    }
    check(&root, "Task", &mut errors);
    errors
}

fn check(element: &Element, path: &str, errors: &mut Vec<String>) {
    let Some(model) = model(&element.name) else {
        errors.push(format!("{path}: element not in the schema"));
        return;
    };
    let names: Vec<&str> = element.children.iter().map(|c| c.name.as_str()).collect();
    let text = element.text.trim();
    match model {
        Model::Text(valid) => {
            if !names.is_empty() {
                errors.push(format!(
                    "{path}: holds elements, the schema allows text only"
                ));
            } else if !valid(text) {
                errors.push(format!("{path}: invalid value {text:?}"));
            }
            return;
        }
        Model::Sequence(items) => {
            let mut next = 0;
            for name in &names {
                match items[next..].iter().position(|(n, _)| n == name) {
                    Some(at) => next += at + 1,
                    None if items.iter().any(|(n, _)| n == name) => {
                        errors.push(format!("{path}: {name} is out of the schema's order"))
                    }
                    None => errors.push(format!("{path}: {name} is not allowed here")),
                }
            }
            required(items, &names, path, errors);
        }
        Model::All(items) => {
            for (i, name) in names.iter().enumerate() {
                if !items.iter().any(|(n, _)| n == name) {
                    errors.push(format!("{path}: {name} is not allowed here"));
                } else if names[..i].contains(name) {
                    errors.push(format!("{path}: {name} appears twice"));
                }
            }
            required(items, &names, path, errors);
        }
        Model::Choice {
            names: allowed,
            min,
            max,
        } => {
            for name in &names {
                if !allowed.contains(name) {
                    errors.push(format!("{path}: {name} is not allowed here"));
                }
            }
            if names.len() < min || names.len() > max {
                errors.push(format!(
                    "{path}: {} children, allowed {min} to {max}",
                    names.len()
                ));
            }
        }
    }
    if !text.is_empty() {
        errors.push(format!(
            "{path}: text {text:?} where the schema allows elements only"
        ));
    }
    for child in &element.children {
        check(child, &format!("{path}/{}", child.name), errors);
    }
}

fn required(items: &[(&str, bool)], names: &[&str], path: &str, errors: &mut Vec<String>) {
    for (name, needed) in items {
        if *needed && !names.contains(name) {
            errors.push(format!("{path}: required {name} is missing"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::interval::allowed;
    use crate::schedule::task::render;
    use crate::schedule::task::tests::windows_job;

    #[test]
    fn the_task_is_valid_for_every_interval_and_user() {
        for secs in allowed() {
            let mut j = windows_job();
            j.every_secs = secs;
            for user in [None, Some(r"LAPTOP\al")] {
                let xml = render(&j, user);
                assert_eq!(
                    validate(&xml),
                    Vec::<String>::new(),
                    "{secs} {user:?}\n{xml}"
                );
            }
        }
    }

    #[test]
    fn the_checker_catches_what_task_scheduler_rejects() {
        let good = render(&windows_job(), None);
        let broken = |from: &str, to: &str| {
            assert!(good.contains(from), "{from}");
            validate(&good.replacen(from, to, 1))
        };
        // The trigger's children swapped: out of the sequence's order.
        let swapped = broken(
            "<Enabled>true</Enabled>\n      <StartBoundary>2026-01-01T00:07:00</StartBoundary>",
            "<StartBoundary>2026-01-01T00:07:00</StartBoundary>\n      <Enabled>true</Enabled>",
        );
        assert_eq!(
            swapped,
            ["Task/Triggers/TimeTrigger: Enabled is out of the schema's order"]
        );
        let repetition_first = broken(
            "<Enabled>true</Enabled>",
            "<Repetition><Interval>PT1H</Interval></Repetition><Enabled>true</Enabled>",
        );
        assert!(
            repetition_first
                .iter()
                .any(|e| e.contains("out of the schema's order")),
            "{repetition_first:?}"
        );
        assert!(!broken("<Priority>7</Priority>", "<Priority>11</Priority>").is_empty());
        assert!(!broken("<Hidden>false</Hidden>", "<Hidden>no</Hidden>").is_empty());
        assert!(
            !broken(
                "<Hidden>false</Hidden>",
                "<Hidden>false</Hidden><Hidden>false</Hidden>"
            )
            .is_empty()
        );
        assert!(!broken("<Interval>PT1H</Interval>", "<Interval>1 hour</Interval>").is_empty());
        assert!(!broken("Context=\"Author\"", "Context=\"Someone\"").is_empty());
        assert!(!broken("<WakeToRun>", "<WakeUp>false</WakeUp><WakeToRun>").is_empty());
        assert!(!broken("<Command>", "<Command>C:\\\\x<Arguments/>").is_empty());
        assert!(!validate(&good.replace(super::super::task::NAMESPACE, "urn:x")).is_empty());
    }
}
