//! Reading a file into a [`Document`] with sanity checks, and editing it under a lock with an
//! atomic replace, so a crash or a concurrent writer never leaves a half-written file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::Error;
use super::ini::Document;
use crate::owner::{self, Owner};

/// Larger files are refused: AWS files are a few KiB, so anything bigger is the wrong file.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Symlink hops followed before giving up, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINKS: usize = 40;

/// Random characters in temp file names.
const TEMP_RAND_LEN: usize = 8;

/// Read and parse `path`; `None` when it does not exist.
pub fn load(path: &Path) -> Result<Option<Document>, Error> {
    match read_text(path)? {
        Some((text, _)) => parse(path, &text).map(Some),
        None => Ok(None),
    }
}

/// Edit `path` under an exclusive lock and write the result atomically when it changed.
///
/// The file is (re-)read after the lock is taken, so concurrent editors serialise instead of
/// losing each other's changes. `f` may return the caller's own error (anything that a file
/// error converts into); on any error nothing is written. Returns whether the file changed.
/// `mode_for_new_file` is the unix permission bits of a file created here (ignored on Windows);
/// an existing file keeps its mode, owner and group (see `crate::owner`). A symlink is
/// followed and its target replaced.
pub fn edit<E, F>(path: &Path, mode_for_new_file: u32, f: F) -> Result<bool, E>
where
    E: From<Error>,
    F: FnOnce(&mut Document) -> Result<(), E>,
{
    let target = resolve_symlinks(path)?;
    let (dir, name) = split(&target)?;
    ensure_dir(&dir)?;
    let _lock = lock(&dir, &name)?;
    remove_stale_temp_files(&dir, &name);

    let existing = read_text(&target)?;
    let mut doc = match &existing {
        Some((text, _)) => parse(&target, text)?,
        None => Document::new(),
    };
    f(&mut doc)?;
    let rendered = doc.render();
    let (mode, owner) = match &existing {
        Some((text, _)) if *text == rendered => return Ok(false),
        None if rendered.is_empty() => return Ok(false),
        Some((_, mode)) => (*mode, Owner::of(&target)),
        None => (mode_for_new_file, None),
    };
    write_atomic(&dir, &name, &target, &rendered, (mode, owner))?;
    Ok(true)
}

fn parse(path: &Path, text: &str) -> Result<Document, Error> {
    Document::parse(text).map_err(|error| Error::Parse {
        path: path.to_owned(),
        error,
    })
}

/// The text and permission bits of a file, or `None` when it does not exist.
fn read_text(path: &Path) -> Result<Option<(String, u32)>, Error> {
    // `-vv` lists every read: a test counts them (one per file per run, plus the re-read an
    // edit makes under the file's lock).
    crate::output::debug(2, || format!("reading {}", path.display()));
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_err(e)),
    };
    if meta.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_owned(),
        });
    }
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.to_owned(),
        });
    }
    let too_large = |size| Error::TooLarge {
        path: path.to_owned(),
        size,
        limit: MAX_FILE_SIZE,
    };
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large(meta.len()));
    }
    let file = File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    let line_at = |pos: usize| bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let valid = match std::str::from_utf8(&bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    if let Some(pos) = bytes[..valid].iter().position(|&b| b == 0) {
        return Err(Error::Binary {
            path: path.to_owned(),
            line: line_at(pos),
        });
    }
    if valid < bytes.len() {
        return Err(Error::NotUtf8 {
            path: path.to_owned(),
            line: line_at(valid),
        });
    }
    let mode = permission_bits(&meta);
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Error::NotUtf8 {
            path: path.to_owned(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
        }
    })?;
    Ok(Some((text, mode)))
}

#[cfg(unix)]
fn permission_bits(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permission_bits(_meta: &fs::Metadata) -> u32 {
    0o600
}

/// Follow symlinks (also dangling ones) to the path that is really written.
fn resolve_symlinks(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        let meta = match fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(source) => {
                return Err(Error::Read {
                    path: current,
                    source,
                });
            }
        };
        if !meta.file_type().is_symlink() {
            return Ok(current);
        }
        let link = fs::read_link(&current).map_err(|source| Error::Read {
            path: current.clone(),
            source,
        })?;
        current = match current.parent() {
            Some(parent) if link.is_relative() => parent.join(link),
            _ => link,
        };
    }
    Err(Error::SymlinkLoop {
        path: path.to_owned(),
    })
}

fn split(target: &Path) -> Result<(PathBuf, String), Error> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::NotAFile {
            path: target.to_owned(),
        })?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_owned()))
}

fn ensure_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    owner::create_dirs(dir, 0o700).map_err(|source| Error::CreateDir {
        path: dir.to_owned(),
        source,
    })
}

/// Exclusive advisory lock on the lock file of `<dir>/<name>` ([`lock_path_in`]), released
/// when the handle drops. The lock file is never deleted: deleting it would let two writers lock
/// different files. One created here belongs to its directory's owner, so a root run leaves it
/// usable by the user.
fn lock(dir: &Path, name: &str) -> Result<File, Error> {
    // Unit tests keep the lock beside the file: they must not write into the real home folder
    // (`lock_path_in` is tested on its own).
    #[cfg(not(test))]
    let locks = super::paths::lock_dir().filter(|d| ensure_dir(d).is_ok());
    #[cfg(test)]
    let locks: Option<PathBuf> = None;
    let path = lock_path_in(locks.as_deref(), dir, name);
    let lock_err = |source| Error::Lock {
        path: path.clone(),
        source,
    };
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    let parent = path.parent().unwrap_or(dir);
    let file = owner::open_or_create(&path, parent, 0o600, &options).map_err(lock_err)?;
    file.lock().map_err(lock_err)?;
    Ok(file)
}

/// Where the lock of `<dir>/<name>` lives: in `locks`, mfa-mint's lock folder
/// ([`lock_dir`](super::paths::lock_dir)), named after the file's absolute path (the folder's
/// symlinks resolved), so every writer of one file takes one lock whatever path it was reached
/// by. Without a lock folder (no home folder, or one where it cannot be created), beside the
/// file as `.<name>.mfa-mint.lock`.
fn lock_path_in(locks: Option<&Path>, dir: &Path, name: &str) -> PathBuf {
    let Some(locks) = locks else {
        return dir.join(format!(".{name}.mfa-mint.lock"));
    };
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let full = dir.join(name);
    // FNV-1a: stable across runs, versions and platforms (std's hasher is not).
    let hash = full
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(64)
        .collect();
    locks.join(format!("{safe}-{hash:016x}.lock"))
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.mfa-mint-tmp-")
}

/// Temp files are only created under the lock we hold, so any left over belong to writers that
/// died; remove them. Best effort: a leftover is harmless.
fn remove_stale_temp_files(dir: &Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let ours = rest.len() == TEMP_RAND_LEN && rest.chars().all(|c| c.is_ascii_alphanumeric());
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Write to a temp file in the same directory, flush it, then rename it over `target`. The temp
/// file gets the mode and the owner of the file it replaces (a new file: `dir`'s owner, see
/// [`owner::adopt`]) before the rename, so no moment shows the file with other permissions.
fn write_atomic(
    dir: &Path,
    name: &str,
    target: &Path,
    text: &str,
    (mode, old_owner): (u32, Option<Owner>),
) -> Result<(), Error> {
    let write_err = |source| Error::Write {
        path: target.to_owned(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .rand_bytes(TEMP_RAND_LEN)
        .tempfile_in(dir)
        .map_err(write_err)?;
    tmp.write_all(text.as_bytes()).map_err(write_err)?;
    match old_owner {
        Some(old) => owner::keep(tmp.as_file(), old).map_err(|source| Error::KeepOwner {
            path: target.to_owned(),
            source,
        })?,
        None => owner::adopt(tmp.as_file(), dir),
    }
    // After the owner: a chown clears set-id bits.
    set_mode(tmp.as_file(), mode).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    persist(tmp, target)?;
    sync_dir(dir).map_err(write_err)
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Renames `tmp` over `target`, waiting a moment while another program has `target` open
/// (Windows). On failure the temp file is removed and `target` is unchanged.
fn persist(tmp: tempfile::NamedTempFile, target: &Path) -> Result<(), Error> {
    let mut tmp = Some(tmp);
    let result = super::retry::replace(|| {
        let file = tmp
            .take()
            .expect("a failed persist hands the temp file back");
        match file.persist(target) {
            Ok(_) => Ok(()),
            Err(e) => {
                tmp = Some(e.file);
                Err(e.error)
            }
        }
    });
    match result {
        Ok(()) => Ok(()),
        Err(super::retry::Failure::StillBusy(source)) => Err(Error::InUse {
            path: target.to_owned(),
            waited: super::retry::PATIENCE,
            source,
        }),
        Err(super::retry::Failure::Other(source)) => Err(Error::Write {
            path: target.to_owned(),
            source,
        }),
    }
}

/// Make the rename itself durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests;
