//! Which build of mfa-mint the behaviour tests run: the binary cargo built for this machine, or,
//! when `MFA_MINT_TEST_WINE_EXE` names a Windows `mfa-mint.exe`, that .exe under wine
//! (`scripts/cross` sets it up: the wine prefix in `WINEPREFIX`, `credread.exe` and the
//! `bcryptprimitives.dll` shim beside the .exe).
//!
//! Under wine every test gets the prefix to itself in turn (one [`WineTurn`] at a time): the
//! prefix has one Credential Manager, so its entries are cleared and the Windows user profile
//! (`USERPROFILE`, `LOCALAPPDATA`) is pointed at the test's temp HOME when a test starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;

/// Names the Windows .exe to test under wine instead of the host binary.
pub const WINE_EXE_ENV: &str = "MFA_MINT_TEST_WINE_EXE";
/// The wine loader to run it with (default: `wine64` on PATH, else Debian's `/usr/lib/wine/wine64`).
pub const WINE_ENV: &str = "MFA_MINT_TEST_WINE";

/// The build under test.
#[derive(Debug)]
pub enum Target {
    /// The binary cargo built for this machine (`CARGO_BIN_EXE_mfa-mint`).
    Native,
    /// A Windows .exe run with wine in the prefix `prefix`.
    Wine(Wine),
}

#[derive(Debug)]
pub struct Wine {
    pub loader: PathBuf,
    pub exe: PathBuf,
    pub prefix: PathBuf,
}

/// The build under test, read once from the environment.
pub fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| match std::env::var_os(WINE_EXE_ENV) {
        Some(exe) if !exe.is_empty() => {
            let exe = PathBuf::from(exe);
            assert!(
                exe.is_file(),
                "{WINE_EXE_ENV}: no file at {}",
                exe.display()
            );
            let prefix = std::env::var_os("WINEPREFIX")
                .map(PathBuf::from)
                .unwrap_or_else(|| panic!("{WINE_EXE_ENV} needs WINEPREFIX (see scripts/cross)"));
            Target::Wine(Wine {
                loader: wine_loader(),
                exe,
                prefix,
            })
        }
        _ => Target::Native,
    })
}

fn wine_loader() -> PathBuf {
    if let Some(loader) = std::env::var_os(WINE_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(loader);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("wine64"))
        .chain([PathBuf::from("/usr/lib/wine/wine64")])
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("wine64 is not installed: run scripts/cross"))
}

impl Target {
    /// Whether the binary under test is a Windows build.
    pub fn is_windows(&self) -> bool {
        matches!(self, Target::Wine(_))
    }

    /// A path as the binary under test names it: as it is natively, `Z:\tmp\…` under wine
    /// (wine's drive Z: is the Unix root).
    pub fn path_arg(&self, path: &Path) -> String {
        match self {
            Target::Native => path.display().to_string(),
            Target::Wine(_) => windows_path(path),
        }
    }
}

/// `/tmp/x/y` as wine's `Z:\tmp\x\y`.
pub fn windows_path(path: &Path) -> String {
    assert!(path.is_absolute(), "{} is not absolute", path.display());
    format!("Z:{}", path.display()).replace('/', "\\")
}

impl Wine {
    /// `program` (a Windows program) run by wine in the prefix, with nothing of the outer
    /// environment but what wine itself needs; callers add the rest.
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(&self.loader);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .arg(program);
        cmd
    }

    /// Makes sure the prefix's wine server runs: `scripts/cross` starts one that stays up for
    /// the whole suite; run without it, this starts one that stays up until a minute after the
    /// last command. When it had to start it, waits for wine's boot to finish: the boot
    /// rewrites the user's volatile environment, which must not race [`WineTurn::take`].
    fn ensure_booted(&self) {
        let server = self
            .loader
            .parent()
            .map(|dir| dir.join("wineserver"))
            .filter(|candidate| candidate.is_file())
            .unwrap_or_else(|| PathBuf::from("wineserver"));
        let started = Command::new(&server)
            .arg("-p60")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env("WINEPREFIX", &self.prefix)
            .status()
            .unwrap_or_else(|e| panic!("running {}: {e}", server.display()));
        // 0: a new server started; 2: one is running already.
        // Not through pipes: the boot starts wine's services, which live as long as the server
        // and would hold a pipe open.
        if started.success() {
            let boot = self
                .command(Path::new("wineboot"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("running wineboot");
            assert!(boot.success(), "wineboot failed: {boot}");
        }
    }

    /// `credread.exe` beside the .exe (built by scripts/cross from scripts/wine/credread.c).
    pub fn credread(&self) -> PathBuf {
        self.exe.with_file_name("credread.exe")
    }

    /// `holdopen.exe` beside the .exe (built by scripts/cross from scripts/wine/holdopen.c).
    pub fn holdopen(&self) -> PathBuf {
        self.exe.with_file_name("holdopen.exe")
    }
}

/// A test's exclusive use of the wine prefix, held for the test's lifetime. A test (one thread)
/// may hold several at once, e.g. a `let env = …` shadowing an earlier one: the last one taken
/// owns the user profile and the Credential Manager.
pub struct WineTurn {
    _private: (),
}

/// Which thread holds the prefix, and how many turns it holds.
static HOLDER: Mutex<Option<(ThreadId, usize)>> = Mutex::new(None);
static RELEASED: Condvar = Condvar::new();

fn holder() -> MutexGuard<'static, Option<(ThreadId, usize)>> {
    // A test that failed while holding the lock poisons it; the state is still consistent.
    HOLDER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl WineTurn {
    /// Waits for the prefix, clears its Credential Manager and makes `home` the Windows user
    /// profile (`USERPROFILE`, `LOCALAPPDATA` under it) for the commands that follow.
    pub fn take(wine: &Wine, home: &Path, scratch: &Path) -> WineTurn {
        let me = std::thread::current().id();
        {
            let mut held = holder();
            loop {
                match *held {
                    None => {
                        *held = Some((me, 1));
                        break;
                    }
                    Some((owner, ref mut count)) if owner == me => {
                        *count += 1;
                        break;
                    }
                    Some(_) => {
                        held = RELEASED
                            .wait(held)
                            .unwrap_or_else(|poisoned| poisoned.into_inner());
                    }
                }
            }
        }
        // From here on the turn is ours: dropping it (also on a panic below) gives it back.
        let turn = WineTurn { _private: () };
        wine.ensure_booted();
        let profile = windows_path(home);
        let reg = format!(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [-HKEY_CURRENT_USER\\Software\\Wine\\Credential Manager]\r\n\r\n\
             [HKEY_CURRENT_USER\\Volatile Environment]\r\n\
             \"USERPROFILE\"=\"{}\"\r\n\
             \"LOCALAPPDATA\"=\"{}\"\r\n\
             \"APPDATA\"=\"{}\"\r\n",
            reg_escape(&profile),
            reg_escape(&format!("{profile}\\AppData\\Local")),
            reg_escape(&format!("{profile}\\AppData\\Roaming")),
        );
        let file = scratch.join("wine-turn.reg");
        std::fs::write(&file, reg).expect("writing the registry file");
        let log = scratch.join("wine-turn.log");
        // This is the harness setting up the prefix, not a command under test: wine 8 now and
        // then fails to start a program right after its server (re)started, silently, so a
        // failed import is tried again, saying so, before the test is failed for it.
        let mut failures = Vec::new();
        while failures.len() < 3 {
            let status = wine
                .command(Path::new("reg"))
                .args(["import", &windows_path(&file)])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("creating the reg log"))
                .status()
                .expect("running wine reg import");
            if status.success() {
                return turn;
            }
            let failure = format!(
                "wine reg import: {status}: {:?}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            eprintln!("{failure} (trying again)");
            failures.push(failure);
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        panic!("wine reg import failed 3 times: {failures:#?}");
    }
}

impl Drop for WineTurn {
    fn drop(&mut self) {
        let mut held = holder();
        if let Some((_, count)) = held.as_mut() {
            *count -= 1;
            if *count == 0 {
                *held = None;
                RELEASED.notify_all();
            }
        }
    }
}

fn reg_escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}
