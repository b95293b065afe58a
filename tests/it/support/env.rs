//! [`TestEnv`]: a temp HOME with its own session bus and Secret Service, and the scrubbed
//! environment every command of a test runs in.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::process::{DEFAULT_TIMEOUT, Run, run_command};
use super::session_bus::{
    KeyringDaemon, LOGIN_COLLECTION, SessionBus, collection_is_locked, lock_collection, outer_path,
};
use super::target::{Target, WineTurn, target};

/// The password the test keyring's login collection is created and unlocked with.
pub const KEYRING_PASSWORD: &str = "mfa-mint-test-keyring-password";

/// One test's world: `<tmp>/home` (HOME), `<tmp>/state` (`MFA_MINT_STATE_DIR`), `<tmp>/runtime`
/// (XDG_RUNTIME_DIR, mode 0700, holds the bus socket), `<tmp>/bin/crontab` (`MFA_MINT_CRONTAB`: a
/// stand-in keeping this env's crontab in `<tmp>/crontab`, so no test touches the user's), and
/// the daemons behind the keyring.
/// Fully independent of every other `TestEnv`; dropping it kills its daemons and removes the dir.
///
/// Under wine (see [`super::target`]) the keyring is the wine prefix's Credential Manager: no
/// daemons; `home` is the Windows user profile, and the test holds the prefix until it drops.
pub struct TestEnv {
    // Field order is drop order: the keyring before its bus, both before the dir.
    keyring: Option<KeyringDaemon>,
    wine_turn: Option<WineTurn>,
    bus: Option<SessionBus>,
    bus_address: String,
    home: PathBuf,
    xdg_data_home: PathBuf,
    xdg_config_home: PathBuf,
    xdg_cache_home: PathBuf,
    state: PathBuf,
    runtime: PathBuf,
    dir: tempfile::TempDir,
}

impl TestEnv {
    /// A session bus and an unlocked gnome-keyring whose default ("login") collection takes
    /// writes without any prompt (under wine: an empty Credential Manager).
    pub fn new() -> TestEnv {
        let mut env = TestEnv::bare();
        if env.wine_turn.is_some() {
            return env;
        }
        let bus = env.start_bus();
        env.keyring = Some(KeyringDaemon::start(
            &bus,
            KEYRING_PASSWORD,
            &env.dir.path().join("gnome-keyring.log"),
            &env.daemon_env(),
        ));
        env.bus_address = bus.address().to_owned();
        env.bus = Some(bus);
        env
    }

    /// Like [`TestEnv::new`], but the login collection is locked: reads and writes of secrets
    /// fail ("Cannot create an item in a locked collection"), no prompt can unlock it.
    pub fn new_locked() -> TestEnv {
        assert!(
            !target().is_windows(),
            "a locked keyring is a Secret Service state: not a test for the Windows build"
        );
        let env = TestEnv::new();
        env.lock_keyring();
        env
    }

    /// A session bus with no Secret Service on it (and nothing that could be activated).
    pub fn new_without_secret_service() -> TestEnv {
        assert!(
            !target().is_windows(),
            "the Secret Service is Linux's: not a test for the Windows build"
        );
        let mut env = TestEnv::bare();
        let bus = env.start_bus();
        env.bus_address = bus.address().to_owned();
        env.bus = Some(bus);
        env
    }

    /// A keyring that takes requests and never answers, as a hung gnome-keyring does: the
    /// Secret Service is on the bus, owns its name, and is stopped (SIGSTOP), so the bus passes
    /// each call on and no reply ever comes. With `whole_bus`, the bus itself is stopped too
    /// (a half-dead D-Bus after a suspend): connecting succeeds (the kernel queues it on the
    /// listening socket) and nothing more ever happens.
    #[cfg(unix)]
    pub fn new_hung(whole_bus: bool) -> TestEnv {
        assert!(
            !target().is_windows(),
            "a hung Secret Service is Linux's: not a test for the Windows build"
        );
        let env = TestEnv::new();
        let keyring = env.keyring.as_ref().map(KeyringDaemon::pid);
        let bus = env.bus.as_ref().map(SessionBus::pid);
        let pids = if whole_bus {
            vec![keyring, bus]
        } else {
            vec![keyring]
        };
        for pid in pids.into_iter().flatten() {
            let status = Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status()
                .expect("running kill");
            assert!(status.success(), "kill -STOP {pid} failed");
        }
        env
    }

    /// No session bus at all: `DBUS_SESSION_BUS_ADDRESS` names a socket that doesn't exist.
    /// Also the cheapest env for tests that never touch the keyring.
    pub fn new_without_keyring() -> TestEnv {
        TestEnv::bare()
    }

    fn bare() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("mfa-mint-test.")
            .tempdir()
            .expect("creating the test's temp dir");
        let private_dir = |name: &str| {
            let path = dir.path().join(name);
            private_dir_builder()
                .create(&path)
                .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
            path
        };
        let home = private_dir("home");
        let state = private_dir("state");
        let runtime = private_dir("runtime");
        let bus_address = format!("unix:path={}", runtime.join("no-bus-here").display());
        write_crontab_stand_in(dir.path());
        let wine_turn = match target() {
            Target::Wine(wine) => Some(WineTurn::take(wine, &home, dir.path())),
            Target::Native => None,
        };
        TestEnv {
            keyring: None,
            wine_turn,
            bus: None,
            bus_address,
            xdg_data_home: home.join(".local/share"),
            xdg_config_home: home.join(".config"),
            xdg_cache_home: home.join(".cache"),
            home,
            state,
            runtime,
            dir,
        }
    }

    fn start_bus(&self) -> SessionBus {
        SessionBus::start(
            &self.runtime,
            &self.dir.path().join("bus.conf"),
            &self.dir.path().join("dbus-daemon.log"),
            &self.daemon_env(),
        )
    }

    fn daemon_env(&self) -> Vec<(&'static str, &Path)> {
        vec![
            ("HOME", self.home.as_path()),
            ("XDG_RUNTIME_DIR", self.runtime.as_path()),
            ("XDG_DATA_HOME", self.xdg_data_home.as_path()),
            ("XDG_CONFIG_HOME", self.xdg_config_home.as_path()),
            ("XDG_CACHE_HOME", self.xdg_cache_home.as_path()),
        ]
    }

    /// The temp HOME.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// `MFA_MINT_STATE_DIR` for commands from [`TestEnv::cmd`].
    pub fn state_dir(&self) -> &Path {
        &self.state
    }

    /// XDG_RUNTIME_DIR (0700).
    pub fn runtime_dir(&self) -> &Path {
        &self.runtime
    }

    /// The temp dir that holds home/, state/, runtime/ and the daemons' logs.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// This env's `DBUS_SESSION_BUS_ADDRESS`.
    pub fn dbus_address(&self) -> &str {
        &self.bus_address
    }

    /// Process ids of this env's dbus-daemon and gnome-keyring-daemon (those it has).
    pub fn daemon_pids(&self) -> Vec<u32> {
        let bus = self.bus.as_ref().map(SessionBus::pid);
        let keyring = self.keyring.as_ref().map(KeyringDaemon::pid);
        bus.into_iter().chain(keyring).collect()
    }

    /// Locks the login collection (see [`TestEnv::new_locked`]); panics without a keyring.
    pub fn lock_keyring(&self) {
        assert!(
            self.keyring.is_some(),
            "this TestEnv has no keyring to lock"
        );
        lock_collection(&self.bus_address, LOGIN_COLLECTION);
    }

    /// Whether the login collection is locked; panics without a keyring.
    pub fn keyring_is_locked(&self) -> bool {
        assert!(self.keyring.is_some(), "this TestEnv has no keyring");
        collection_is_locked(&self.bus_address, LOGIN_COLLECTION)
    }

    /// `program` with the scrubbed environment: `env_clear()`, then PATH (the outer one), HOME,
    /// XDG_{RUNTIME_DIR,CONFIG_HOME,DATA_HOME,CACHE_HOME} in the temp dir, this env's
    /// DBUS_SESSION_BUS_ADDRESS, LANG=C.UTF-8, TZ=UTC, NO_COLOR=1 and
    /// AWS_EC2_METADATA_DISABLED=true (no SDK may probe 169.254.169.254 from a test). Nothing
    /// else of the outer environment, in particular no AWS_* variable. cwd = HOME.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", outer_path())
            .envs(self.daemon_env())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(&self.home);
        // Coverage runs (cargo llvm-cov) need to know where the child writes its profile.
        if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
            cmd.env("LLVM_PROFILE_FILE", profile);
        }
        cmd
    }

    /// The real `mfa-mint` binary in the scrubbed environment (see [`TestEnv::command`]), plus
    /// `MFA_MINT_STATE_DIR=<tmp>/state` and `MFA_MINT_CRONTAB=<tmp>/bin/crontab` (the stand-in;
    /// set `MFA_MINT_CRONTAB=crontab` to reach the real one). Under wine: the .exe, run by wine in
    /// the scrubbed environment plus the prefix's variables, with the state dir as a Windows path.
    pub fn cmd(&self) -> Command {
        let mut cmd = match target() {
            Target::Native => self.command(env!("CARGO_BIN_EXE_mfa-mint")),
            Target::Wine(wine) => {
                let mut cmd = self.command(&wine.loader);
                cmd.env("WINEPREFIX", &wine.prefix)
                    .env("WINEDEBUG", "-all")
                    .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
                    .arg(&wine.exe);
                cmd
            }
        };
        cmd.env("MFA_MINT_STATE_DIR", self.path_arg(&self.state))
            .env("MFA_MINT_CRONTAB", self.root().join("bin/crontab"));
        cmd
    }

    /// `path` as the binary under test names it (`Z:\tmp\…` under wine): use it for paths
    /// passed in arguments or variables.
    pub fn path_arg(&self, path: &Path) -> String {
        target().path_arg(path)
    }

    /// Whether the binary under test is the Windows build (run under wine).
    pub fn is_windows(&self) -> bool {
        target().is_windows()
    }

    /// This env's crontab as the stand-in `crontab` holds it, `None` when there is none.
    pub fn crontab(&self) -> Option<String> {
        std::fs::read_to_string(self.root().join("crontab")).ok()
    }

    /// Replaces this env's (stand-in) crontab.
    pub fn set_crontab(&self, text: &str) {
        std::fs::write(self.root().join("crontab"), text).expect("writing the stand-in crontab");
    }

    /// Runs `mfa-mint args` with `stdin` (closed at once when `None`); fails the test after
    /// [`DEFAULT_TIMEOUT`].
    #[track_caller]
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_env(args, stdin, &[])
    }

    /// [`TestEnv::run`] with extra environment variables (they override the defaults).
    #[track_caller]
    pub fn run_env(&self, args: &[&str], stdin: Option<&str>, extra_env: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args).envs(extra_env.iter().copied());
        run_command(cmd, stdin.map(str::as_bytes), DEFAULT_TIMEOUT)
    }

    /// Writes `content` to `rel` under HOME (e.g. ".aws/credentials"), creating parent dirs.
    pub fn write_file(&self, rel: &str, content: &str) {
        let path = self.home.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
        }
        std::fs::write(&path, content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// The content of `rel` under HOME, `None` when it doesn't exist.
    pub fn read_file(&self, rel: &str) -> Option<String> {
        let path = self.home.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(content) => Some(content),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => panic!("reading {}: {e}", path.display()),
        }
    }

    /// The permission bits (e.g. `0o600`) of `rel` under HOME, `None` when it doesn't exist.
    #[cfg(unix)]
    pub fn file_mode(&self, rel: &str) -> Option<u32> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(self.home.join(rel))
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }

    /// Whether the binary under test sets unix permission bits (not the Windows build: wine
    /// creates files with the umask's default mode, as any Windows program's files are there).
    pub fn checks_unix_modes(&self) -> bool {
        cfg!(unix) && !target().is_windows()
    }

    /// The secret the OS keyring holds for mfa-mint's `account` (an MFA serial): from the
    /// Secret Service with secret-tool, or under wine from the Credential Manager with
    /// credread.exe (target `ACCOUNT.mfa-mint`, as windows-native-keyring-store names it).
    #[track_caller]
    pub fn stored_secret(&self, account: &str) -> Option<String> {
        match target() {
            Target::Native => {
                self.secret_tool_lookup(&[("service", "mfa-mint"), ("username", account)])
            }
            Target::Wine(wine) => {
                let mut cmd = wine.command(&wine.credread());
                cmd.arg(format!("{account}.mfa-mint"));
                let run = run_command(cmd, None, DEFAULT_TIMEOUT);
                match run.code {
                    0 => Some(run.stdout),
                    1 => None,
                    _ => panic!("credread failed\n{run:?}"),
                }
            }
        }
    }

    /// Whether the OS keyring holds any entry of mfa-mint's.
    #[track_caller]
    pub fn keyring_has_entries(&self) -> bool {
        match target() {
            Target::Native => self
                .secret_tool_lookup(&[("service", "mfa-mint")])
                .is_some(),
            Target::Wine(wine) => {
                let mut cmd = wine.command(&wine.credread());
                cmd.args(["--list", "*.mfa-mint"]);
                let run = run_command(cmd, None, DEFAULT_TIMEOUT);
                assert_eq!(run.code, 0, "credread --list failed\n{run:?}");
                !run.stdout.trim().is_empty()
            }
        }
    }

    /// `secret-tool args` on this env's bus.
    #[track_caller]
    pub fn secret_tool(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = self.command(super::process::require_tool("secret-tool"));
        cmd.args(args);
        run_command(cmd, stdin.map(str::as_bytes), DEFAULT_TIMEOUT)
    }

    /// The secret stored under these attributes, `None` when no item matches, and also when the
    /// collection is locked (secret-tool exits 1 silently in both cases: see
    /// [`TestEnv::keyring_is_locked`]). Panics when secret-tool reports an error (e.g. no bus);
    /// use [`TestEnv::secret_tool`] to look at failures.
    #[track_caller]
    pub fn secret_tool_lookup(&self, attrs: &[(&str, &str)]) -> Option<String> {
        let mut args = vec!["lookup"];
        args.extend(attrs.iter().flat_map(|(k, v)| [*k, *v]));
        let run = self.secret_tool(&args, None);
        match run.code {
            0 => Some(run.stdout),
            1 if run.stderr.trim().is_empty() => None,
            _ => panic!("secret-tool lookup failed\n{run:?}"),
        }
    }

    /// Stores `secret` under `attrs` in the default collection; panics unless that worked.
    #[track_caller]
    pub fn secret_tool_store(&self, label: &str, attrs: &[(&str, &str)], secret: &str) {
        let label = format!("--label={label}");
        let mut args = vec!["store", label.as_str()];
        args.extend(attrs.iter().flat_map(|(k, v)| [*k, *v]));
        self.secret_tool(&args, Some(secret)).success();
    }
}

/// `<root>/bin/crontab`: `crontab -l`, `crontab -` and `crontab -r` over `<root>/crontab`, with
/// the real program's exit codes ("no crontab for USER" and 1 when there is none).
fn write_crontab_stand_in(root: &Path) {
    let bin = root.join("bin");
    std::fs::create_dir(&bin).unwrap_or_else(|e| panic!("creating {}: {e}", bin.display()));
    let tab = root.join("crontab");
    let script = format!(
        "#!/bin/sh\n\
         # A stand-in for crontab(1) for one test env: its crontab is {tab}.\n\
         tab='{tab}'\n\
         case \"$*\" in\n\
         -l) if [ -f \"$tab\" ]; then cat \"$tab\"; else echo \"no crontab for tester\" >&2; exit 1; fi ;;\n\
         -) cat >\"$tab.new\" && mv \"$tab.new\" \"$tab\" ;;\n\
         -r) if [ -f \"$tab\" ]; then rm \"$tab\"; else echo \"no crontab for tester\" >&2; exit 1; fi ;;\n\
         *) echo \"crontab stand-in: unsupported arguments: $*\" >&2; exit 2 ;;\n\
         esac\n",
        tab = tab.display()
    );
    let path = bin.join("crontab");
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
    }
}

/// A `DirBuilder` for directories only the owner may enter (0700 on unix).
fn private_dir_builder() -> std::fs::DirBuilder {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let mut builder = std::fs::DirBuilder::new();
        builder.mode(0o700);
        builder
    }
    #[cfg(not(unix))]
    std::fs::DirBuilder::new()
}
