//! One read of the world per run (issue 21): the environment's AWS settings and both AWS files,
//! built once in `commands::dispatch` and passed down, so no two parts of a run can see
//! different settings. Below `commands/`, nothing loads the files or reads the environment on
//! its own; the deliberate re-reads are named: [`Context::files_changed_since`] under a device
//! lock (another process may just have minted) and [`Context::reload`] after this run edited
//! the files itself. Edits re-read their file under its lock (`aws_files::edit`).

use std::sync::OnceLock;

use super::{Env, Files};
use crate::error::Error;
use crate::report::Reporter;

pub struct Context {
    /// The environment's AWS settings, captured once.
    pub env: Env,
    /// Where waits and warnings of the core go (the terminal, for a command).
    pub reporter: &'static dyn Reporter,
    /// Both AWS files, loaded on first use (a command that never needs them never reads them).
    files: OnceLock<Files>,
}

impl Context {
    /// The context of this process: its environment now, the files when first asked for.
    pub fn from_process(reporter: &'static dyn Reporter) -> Context {
        Context {
            env: Env::from_process(),
            reporter,
            files: OnceLock::new(),
        }
    }

    /// A context for a later run inside this process (a credentials server's renewal hours
    /// later): the same environment and reporter, the files read anew when first asked for.
    pub fn renewal(&self) -> Context {
        Context {
            env: self.env.clone(),
            reporter: self.reporter,
            files: OnceLock::new(),
        }
    }

    /// The AWS files as this run read them (read now if not yet).
    pub fn files(&self) -> Result<&Files, Error> {
        if let Some(files) = self.files.get() {
            return Ok(files);
        }
        let files = Files::load()?;
        Ok(self.files.get_or_init(|| files))
    }

    /// Reads both files again: after this run changed them (`--setup` moved keys, `import`
    /// wrote a profile) and goes on to use them.
    pub fn reload(&mut self) -> Result<&Files, Error> {
        self.files = OnceLock::new();
        self.files()
    }

    /// The files as they are now, when the credentials file changed since this run read it
    /// (another process wrote a session meanwhile); `None` when it is unchanged, so the re-check
    /// under a device lock costs one `stat`, not a read.
    pub fn files_changed_since(&self) -> Result<Option<Files>, Error> {
        let files = self.files()?;
        if files.credentials_unchanged() {
            return Ok(None);
        }
        Files::load().map(Some)
    }
}
