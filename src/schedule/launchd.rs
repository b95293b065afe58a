//! The LaunchAgent plist: `StartInterval` seconds and `RunAtLoad`. launchd coalesces intervals
//! missed while the Mac slept into one run on wake (launchd.plist(5), StartInterval), so no
//! catch-up setting is needed. Loaded with `launchctl bootstrap gui/UID` (see `host`).

use super::xml::{self, Element};
use super::{Job, LAUNCHD_LABEL};

pub fn file_name() -> String {
    format!("{LAUNCHD_LABEL}.plist")
}

pub fn render(job: &Job) -> String {
    let args: String = job
        .argv()
        .iter()
        .map(|a| format!("    <string>{}</string>\n", xml::escape(a)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key>\n  <string>{LAUNCHD_LABEL}</string>\n  <key>ProgramArguments</key>\n  <array>\n{args}  </array>\n  <key>StartInterval</key>\n  <integer>{}</integer>\n  <key>RunAtLoad</key>\n  <true/>\n  <key>ProcessType</key>\n  <string>Background</string>\n</dict>\n</plist>\n",
        job.every_secs
    )
}

/// The value after `<key>name</key>` in a plist dict.
fn entry<'a>(dict: &'a Element, name: &str) -> Option<&'a Element> {
    let at = dict
        .children
        .iter()
        .position(|e| e.name == "key" && e.text == name)?;
    dict.children.get(at + 1)
}

/// Reads back a plist [`render`] wrote; `None` when it is not in that form.
pub fn parse(plist: &str) -> Option<Job> {
    let root = xml::parse(plist)?;
    let dict = root.child("dict")?;
    (entry(dict, "Label")?.text == LAUNCHD_LABEL).then_some(())?;
    let argv = entry(dict, "ProgramArguments")?
        .children
        .iter()
        .map(|s| (s.name == "string").then(|| s.text.clone()))
        .collect::<Option<Vec<String>>>()?;
    let every = entry(dict, "StartInterval")?.text.trim().parse().ok()?;
    Job::from_argv(&argv, every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::interval::allowed;
    use crate::schedule::tests::job;

    #[test]
    fn plist_is_pinned() {
        assert_eq!(
            render(&job()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key>\n  <string>io.mfa-mint.refresh</string>\n  <key>ProgramArguments</key>\n  <array>\n    <string>/home/al ice/.cargo/bin/mfa-mint</string>\n    <string>mint</string>\n    <string>--min-remaining</string>\n    <string>70m</string>\n    <string>--quiet</string>\n    <string>--non-interactive</string>\n    <string>--log-file</string>\n    <string>/home/al ice/.local/state/mfa-mint/schedule.log</string>\n    <string>--</string>\n    <string>dev</string>\n    <string>prod</string>\n  </array>\n  <key>StartInterval</key>\n  <integer>3600</integer>\n  <key>RunAtLoad</key>\n  <true/>\n  <key>ProcessType</key>\n  <string>Background</string>\n</dict>\n</plist>\n"
        );
    }

    #[test]
    fn reads_back_every_interval_and_odd_paths() {
        for secs in allowed() {
            let mut j = job();
            j.every_secs = secs;
            j.exe = "/Users/a&b/<bin>/\"mfa-mint\"".into();
            assert_eq!(parse(&render(&j)), Some(j), "{secs}");
        }
        let other = render(&job()).replace(LAUNCHD_LABEL, "com.example.other");
        assert_eq!(parse(&other), None);
    }
}
