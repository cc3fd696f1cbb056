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

/// The name of the lock file a running server holds in its data folder.
pub const LOCK_FILE: &str = "trove.lock";

/// The data folder's lock (`<data_dir>/trove.lock`, an exclusive `flock`):
/// `trove serve` holds it for its lifetime, `trove restore` and `trove
/// import` while they write the database, so none runs beside a server. The kernel
/// releases it when its holder exits, even by `kill -9`: a stale file never
/// blocks anyone. Released when dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
}

/// Why [`lock_data_dir`] did not get the lock.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it; the pid it wrote, when readable.
    Held(Option<u32>),
    Io(io::Error),
}

/// Take the data folder's lock without waiting (the folder must exist);
/// the lock file (600) then holds this process's id.
pub fn lock_data_dir(dir: &Path) -> Result<DataDirLock, LockError> {
    use io::Write;
    let path = dir.join(LOCK_FILE);
    let mut file = private_file_options().open(&path).map_err(LockError::Io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse().ok());
            return Err(LockError::Held(pid));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
    }
    file.set_len(0).map_err(LockError::Io)?;
    writeln!(file, "{}", std::process::id()).map_err(LockError::Io)?;
    Ok(DataDirLock { _file: file })
}

/// Write `path`'s data to disk; then its folder's entry (after a rename
/// into it), so the rename survives a power cut.
pub fn sync_file_and_dir(path: &Path) -> io::Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
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

    /// One holder at a time; the holder's pid is readable; dropping the
    /// lock releases it.
    #[test]
    fn the_data_folder_lock_has_one_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let held = lock_data_dir(tmp.path()).unwrap();
        assert_eq!(mode(&tmp.path().join(LOCK_FILE)), 0o600);
        match lock_data_dir(tmp.path()) {
            Err(LockError::Held(pid)) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        drop(held);
        lock_data_dir(tmp.path()).unwrap();
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
