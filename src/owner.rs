//! Who owns what mfa-mint writes. Root running mfa-mint on a user's files (`sudo -E`,
//! provisioning scripts) must not leave them owned by root, or the user can no longer read their
//! own credentials (issue 22):
//! - a file replaced through a temp file and a rename gets the old file's owner and group before
//!   the rename, as `sed -i` and editors do ([`keep`]); when that is impossible the write is
//!   refused, with nothing changed;
//! - a file or directory mfa-mint creates in a directory that belongs to someone else (root in a
//!   user's `~/.aws` or state directory) goes to that directory's owner ([`adopt`],
//!   [`create_dirs`]), so the user's own runs can still lock and update it.
//!
//! Only root can give a file away, so for everyone else this changes nothing. No-ops on Windows,
//! where files have no unix owner.

use std::fs::File;
use std::io;
use std::path::Path;

/// A file's owner and group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    /// The owner of what `path` names (a symlink is followed), `None` when it cannot be read.
    #[cfg(unix)]
    pub fn of(path: &Path) -> Option<Owner> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(Owner {
            uid: meta.uid(),
            gid: meta.gid(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_path: &Path) -> Option<Owner> {
        None
    }
}

/// Gives `file` (a temp file mfa-mint just created) the owner and group of the file it is about
/// to replace. A different owner that cannot be given (mfa-mint is not root) is an error: the
/// rename would hand the user's file to someone else. A group that cannot be given while the
/// owner stays the same (a user's own file whose group they are not in) is left as it is, as
/// `sed -i` does.
#[cfg(unix)]
pub fn keep(file: &File, old: Owner) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    if (meta.uid(), meta.gid()) == (old.uid, old.gid) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(old.uid), Some(old.gid)) {
        Ok(()) => Ok(()),
        Err(_) if meta.uid() == old.uid => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!(
                "it belongs to uid {} (gid {}), and only root can keep that owner: {e}",
                old.uid, old.gid
            ),
        )),
    }
}

#[cfg(not(unix))]
pub fn keep(_file: &File, _old: Owner) -> io::Result<()> {
    Ok(())
}

/// Best effort: a file mfa-mint has just created (never one that was there: it may be a
/// symlink planted elsewhere) in `dir` goes to `dir`'s owner and group when `dir` belongs to
/// someone else.
#[cfg(unix)]
pub fn adopt(file: &File, dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let (Some(owner), Ok(meta)) = (Owner::of(dir), file.metadata())
        && meta.uid() != owner.uid
    {
        let _ = std::os::unix::fs::fchown(file, Some(owner.uid), Some(owner.gid));
    }
}

#[cfg(not(unix))]
pub fn adopt(_file: &File, _dir: &Path) {}

/// Creates `dir` and its missing parents (mode `mode` on unix); each directory created goes to
/// its parent's owner when that is someone else ([`adopt`]'s rule).
pub fn create_dirs(dir: &Path, mode: u32) -> io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir)?;
    for created in missing.into_iter().rev() {
        if let Some(parent) = created.parent() {
            adopt_dir(created, parent);
        }
    }
    Ok(())
}

/// [`adopt`] for a directory just created: changed through an open handle, and only when the
/// path still names that very directory (not a symlink swapped in), so nothing else is given
/// away.
#[cfg(unix)]
fn adopt_dir(dir: &Path, parent: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(handle) = File::open(dir) else { return };
    let (Ok(opened), Ok(named)) = (handle.metadata(), std::fs::symlink_metadata(dir)) else {
        return;
    };
    if opened.is_dir()
        && named.is_dir()
        && (opened.dev(), opened.ino()) == (named.dev(), named.ino())
    {
        adopt(&handle, parent);
    }
}

#[cfg(not(unix))]
fn adopt_dir(_dir: &Path, _parent: &Path) {}

/// Opens `path` for appending or locking, creating it (mode `mode` on unix) when missing; a file
/// created here goes to `dir`'s owner ([`adopt`]). An existing file is opened as it is.
pub fn open_or_create(
    path: &Path,
    dir: &Path,
    mode: u32,
    options: &std::fs::OpenOptions,
) -> io::Result<File> {
    let mut create = options.clone();
    create.create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, mode);
    #[cfg(not(unix))]
    let _ = mode;
    match create.open(path) {
        Ok(file) => {
            adopt(&file, dir);
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => options.open(path),
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn is_root() -> bool {
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }

    #[test]
    fn keep_gives_the_old_owner_or_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = File::create(dir.path().join("t")).unwrap();
        let me = Owner::of(&dir.path().join("t")).unwrap();
        keep(&tmp, me).unwrap();
        let other = Owner {
            uid: 12345,
            gid: 12346,
        };
        match keep(&tmp, other) {
            Ok(()) => {
                assert!(is_root());
                assert_eq!(Owner::of(&dir.path().join("t")), Some(other));
            }
            Err(e) => {
                assert!(!is_root());
                assert!(e.to_string().contains("uid 12345"), "{e}");
            }
        }
    }

    #[test]
    fn created_dirs_and_files_go_to_the_parent_s_owner() {
        if !is_root() {
            return;
        }
        let home = tempfile::tempdir().unwrap();
        std::os::unix::fs::chown(home.path(), Some(12345), Some(12346)).unwrap();
        let state = home.path().join(".local/state/mfa-mint");
        create_dirs(&state, 0o700).unwrap();
        for d in [home.path().join(".local"), state.clone()] {
            let m = std::fs::metadata(&d).unwrap();
            assert_eq!((m.uid(), m.gid()), (12345, 12346), "{}", d.display());
        }
        let mut options = std::fs::OpenOptions::new();
        options.append(true);
        let lock = state.join("x.lock");
        open_or_create(&lock, &state, 0o600, &options).unwrap();
        assert_eq!(std::fs::metadata(&lock).unwrap().uid(), 12345);
        // A file that was there is opened as it is, never given away.
        let root_file = state.join("root");
        File::create(&root_file).unwrap();
        open_or_create(&root_file, &state, 0o600, &options).unwrap();
        assert_eq!(std::fs::metadata(&root_file).unwrap().uid(), 0);
    }
}
