//! Owner-only files: the database holds password hashes and the data folder
//! the signing secret, so the folder is created with mode 700 and the
//! database and secret files with 600 (SQLite gives the `-wal` and `-shm`
//! files the database's mode). Files made before, or changed by hand, are
//! left as they are, but a start warns about them ([`warn_if_open`]).

use std::io;
use std::path::Path;

/// Create `dir` and its missing parents, owner-only (700).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Open `path` for writing, creating it owner-only (600) when missing.
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts
}

/// Create `path` as an empty owner-only file unless it exists (so that
/// SQLite opens a file with the right mode instead of creating one).
pub fn create_private_file(path: &Path) -> io::Result<()> {
    match private_file_options().create_new(true).open(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// The permission bits of `path` when group or others have any access.
#[cfg(unix)]
pub fn open_to_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub fn open_to_others(_: &Path) -> Option<u32> {
    None
}

/// Warn about each existing path that group or others can access.
pub fn warn_if_open(paths: &[&Path]) {
    for path in paths {
        if let Some(mode) = open_to_others(path) {
            let fix = if path.is_dir() { "700" } else { "600" };
            tracing::warn!(
                path = %path.display(),
                mode = %format!("{mode:o}"),
                "readable by other users; restrict it with `chmod {fix} {}`",
                path.display()
            );
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_folders_and_files_are_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!((mode(&tmp.path().join("a")), mode(&dir)), (0o700, 0o700));
        let file = dir.join("f");
        create_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(open_to_others(&file), None);
    }

    #[test]
    fn existing_files_are_left_alone_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, b"keep").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_file(&file).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"keep");
        assert_eq!(open_to_others(&file), Some(0o644));
    }
}
