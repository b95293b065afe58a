//! How the core tells the user what it is doing without printing (issue 21): waits and warnings
//! go through the [`Reporter`] the run's `config::Context` carries, as uv passes reporters into
//! long operations and cargo's context owns its `Shell`. `output::Terminal` is the reporter that
//! prints; the core never writes to the terminal itself.

/// The user pressed Ctrl-C during a wait (the caller gives back what it claimed).
#[derive(Debug)]
pub struct Interrupted;

/// Receives what a long operation has to say while it runs.
pub trait Reporter: Sync {
    /// Something the user should know that does not stop the operation.
    fn warn(&self, message: &str);
    /// What a long operation is doing while the user waits (a new key IAM has not spread yet),
    /// shown unless `--quiet`.
    fn progress(&self, message: &str);
    /// A warning shown even with `--quiet`: something that will cost the user later (a
    /// session that could not be cached makes every SDK call mint again).
    fn warn_always(&self, message: &str);
    /// Waits until unix time `until` (the start of the next code), saying `why`; ends early with
    /// [`Interrupted`] on Ctrl-C.
    fn wait_until(&self, until: f64, why: &str) -> Result<(), Interrupted>;
}

/// Says nothing and waits without a word (a completion request, which must print candidates
/// only).
pub struct Silent;

impl Reporter for Silent {
    fn warn(&self, _message: &str) {}

    fn progress(&self, _message: &str) {}

    fn warn_always(&self, _message: &str) {}

    fn wait_until(&self, until: f64, _why: &str) -> Result<(), Interrupted> {
        let wait = until - crate::clock::now();
        if wait > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(wait));
        }
        Ok(())
    }
}
