use super::*;
use crate::aws_files::{Error, ParseErrorKind};

fn set(path: &Path, section: &str, key: &str, value: &str) -> Result<bool, Error> {
    edit(path, 0o600, |doc: &mut Document| {
        doc.set(section, key, value).map_err(|source| Error::Edit {
            path: path.to_owned(),
            source,
        })
    })
}

/// Names in `dir` other than our lock files.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".mfa-mint.lock"))
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn load_missing_is_none() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load(&dir.path().join("credentials")).unwrap().is_none());
}

#[test]
fn creates_file_and_parent_dir_privately() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".aws").join("credentials");
    assert!(set(&path, "dev", "aws_access_key_id", "AKIAEXAMPLE").unwrap());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "[dev]\naws_access_key_id = AKIAEXAMPLE\n"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(mode_of(path.parent().unwrap()) & 0o077, 0);
        assert_eq!(
            mode_of(&home.path().join(".aws/.credentials.mfa-mint.lock")),
            0o600
        );
    }
    assert_eq!(entries(&home.path().join(".aws")), ["credentials"]);
    // Same value again: reported unchanged.
    assert!(!set(&path, "dev", "aws_access_key_id", "AKIAEXAMPLE").unwrap());
}

#[test]
fn no_change_leaves_a_missing_file_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let changed = edit(&path, 0o600, |_doc: &mut Document| Ok::<(), Error>(())).unwrap();
    assert!(!changed);
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn keeps_existing_mode_and_unchanged_file_is_not_rewritten() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fs::write(&path, "# mine\n[default]\nregion = eu-west-1\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let inode = fs::metadata(&path).unwrap().ino();
    assert!(!set(&path, "default", "REGION", "eu-west-1").unwrap());
    assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
    assert!(set(&path, "default", "output", "json").unwrap());
    assert_eq!(mode_of(&path), 0o640);
    assert_ne!(
        fs::metadata(&path).unwrap().ino(),
        inode,
        "replaced by rename"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "# mine\n[default]\nregion = eu-west-1\noutput = json\n"
    );
}

#[cfg(unix)]
#[test]
fn follows_symlinks_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("dotfiles");
    fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("aws-credentials");
    fs::write(&real, "[a]\nx = 1\n").unwrap();
    let link = dir.path().join("credentials");
    std::os::unix::fs::symlink("dotfiles/aws-credentials", &link).unwrap();
    assert!(set(&link, "a", "y", "2").unwrap());
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), "[a]\nx = 1\ny = 2\n");
    assert_eq!(entries(dir.path()), ["credentials", "dotfiles"]);
    // A dangling link gets its target created.
    let dangling = dir.path().join("config");
    std::os::unix::fs::symlink("dotfiles/aws-config", &dangling).unwrap();
    assert!(set(&dangling, "default", "region", "us-east-1").unwrap());
    assert!(real_dir.join("aws-config").is_file());
    // A loop is an error, not a hang.
    let a = dir.path().join("loop-a");
    std::os::unix::fs::symlink("loop-b", &a).unwrap();
    std::os::unix::fs::symlink("loop-a", dir.path().join("loop-b")).unwrap();
    assert!(matches!(
        set(&a, "s", "k", "v"),
        Err(Error::SymlinkLoop { .. })
    ));
}

#[test]
fn removes_stale_temp_files_of_this_target_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    for stale in [
        ".credentials.mfa-mint-tmp-abcd1234",
        ".credentials.mfa-mint-tmp-ZZZZ0000",
    ] {
        fs::write(dir.path().join(stale), "half-written").unwrap();
    }
    for keep in [
        ".config.mfa-mint-tmp-abcd1234",
        ".credentials.mfa-mint-tmp-short",
        "credentials.bak",
    ] {
        fs::write(dir.path().join(keep), "x").unwrap();
    }
    set(&path, "a", "k", "v").unwrap();
    assert_eq!(
        entries(dir.path()),
        [
            ".config.mfa-mint-tmp-abcd1234",
            ".credentials.mfa-mint-tmp-short",
            "credentials",
            "credentials.bak"
        ]
    );
}

#[derive(Debug)]
enum CallerError {
    File(Error),
    Refused,
}

impl From<Error> for CallerError {
    fn from(e: Error) -> Self {
        CallerError::File(e)
    }
}

#[test]
fn nothing_written_when_the_edit_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let original = "[a]\r\nx = 1\r\n";
    fs::write(&path, original).unwrap();
    let result = edit(&path, 0o600, |doc: &mut Document| {
        doc.set("a", "x", "2").unwrap();
        doc.set("b", "y", "3").unwrap();
        Err(CallerError::Refused)
    });
    assert!(matches!(result, Err(CallerError::Refused)));
    assert_eq!(fs::read_to_string(&path).unwrap(), original);
    assert_eq!(entries(dir.path()), ["credentials"]);

    let missing = dir.path().join("config");
    let result = edit(&missing, 0o600, |doc: &mut Document| {
        doc.set("default", "region", "x").unwrap();
        Err(CallerError::Refused)
    });
    assert!(matches!(result, Err(CallerError::Refused)));
    assert!(!missing.exists());

    // File errors reach the caller's error type through `From`.
    fs::write(&missing, "stray = 1\n").unwrap();
    let result = edit(&missing, 0o600, |_doc: &mut Document| {
        Ok::<(), CallerError>(())
    });
    assert!(matches!(
        result,
        Err(CallerError::File(Error::Parse { .. }))
    ));

    // The document's own refusal, surfaced through the file error.
    let e = set(&path, "a", "x", "bad\nvalue").unwrap_err();
    assert!(matches!(e, Error::Edit { .. }));
    assert!(e.hint().is_some());
    assert_eq!(fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn refuses_files_that_are_not_aws_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    type Check = fn(&Error) -> bool;
    let cases: Vec<(Vec<u8>, Check)> = vec![
        (b"[a]\nx = 1\n\0\0".to_vec(), |e| {
            matches!(e, Error::Binary { line: 3, .. })
        }),
        (b"[a]\nx = \xff\xfe\n".to_vec(), |e| {
            matches!(e, Error::NotUtf8 { line: 2, .. })
        }),
        (vec![b'#'; MAX_FILE_SIZE as usize + 1], |e| {
            matches!(e, Error::TooLarge { .. })
        }),
        (b"[a]\nx = 1\nx = 2\n".to_vec(), |e| {
            matches!(
                e,
                Error::Parse { error, .. } if error.line == 3
                    && matches!(error.kind, ParseErrorKind::DuplicateKey { .. })
            )
        }),
    ];
    for (bytes, expected) in cases {
        fs::write(&path, &bytes).unwrap();
        let e = load(&path).unwrap_err();
        assert!(expected(&e), "{e:?}");
        assert!(e.hint().is_some());
        let e = set(&path, "a", "k", "v").unwrap_err();
        assert!(expected(&e), "{e:?}");
        assert_eq!(fs::read(&path).unwrap(), bytes, "untouched");
    }
    // Exactly at the limit is fine.
    fs::write(&path, vec![b'#'; MAX_FILE_SIZE as usize]).unwrap();
    assert!(load(&path).unwrap().is_some());

    let e = load(dir.path()).unwrap_err();
    assert!(matches!(e, Error::IsDirectory { .. }), "{e:?}");
}

#[test]
fn messages_name_the_file_and_line_but_no_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "aws_secret_access_key = hunter2\n").unwrap();
    let e = load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} line 1: key outside any section",
            crate::aws_files::paths::display(&path)
        )
    );
    assert!(!format!("{e:?}{}", e.hint().unwrap()).contains("hunter2"));
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_read_error_with_a_hint() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "[a]\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if File::open(&path).is_ok() {
        return; // running as root: permissions are not enforced
    }
    let e = load(&path).unwrap_err();
    assert!(matches!(e, Error::Read { .. }), "{e:?}");
    assert!(e.hint().unwrap().contains("permissions"));
}

#[test]
fn concurrent_editors_lose_nothing() {
    const THREADS: usize = 8;
    const EDITS: usize = 50;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "# shared\n").unwrap();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let path = &path;
            scope.spawn(move || {
                for i in 0..EDITS {
                    // Each call opens its own lock handle, as a separate process would.
                    set(path, &format!("t{t}"), &format!("k{i}"), &format!("v{i}")).unwrap();
                }
            });
        }
    });
    let doc = load(&path).unwrap().unwrap();
    assert_eq!(doc.sections().len(), THREADS);
    for t in 0..THREADS {
        let keys = doc.keys(&format!("t{t}"));
        assert_eq!(keys.len(), EDITS, "thread {t}");
        for (i, (k, v)) in keys.iter().enumerate() {
            assert_eq!(
                (*k, v.as_str()),
                (format!("k{i}").as_str(), format!("v{i}").as_str())
            );
        }
    }
    assert!(doc.render().starts_with("# shared\n"));
    assert_eq!(entries(dir.path()), ["credentials"]);
}

#[test]
fn the_lock_lives_in_the_lock_dir_one_per_file() {
    let (state, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let aws = home.path().join(".aws");
    fs::create_dir_all(&aws).unwrap();
    let lock = |dir: &Path, name: &str| lock_path_in(Some(state.path()), dir, name);
    let credentials = lock(&aws, "credentials");
    assert!(credentials.starts_with(state.path()), "{credentials:?}");
    assert_ne!(credentials, lock(&aws, "config"));
    // The same file reached through another spelling of its folder: the same lock.
    assert_eq!(
        credentials,
        lock(&aws.join("..").join(".aws"), "credentials")
    );
    assert_ne!(credentials, lock(home.path(), "credentials"));
    assert_eq!(
        lock_path_in(None, &aws, "credentials"),
        aws.join(".credentials.mfa-mint.lock")
    );
}
