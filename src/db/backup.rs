//! `trove backup` and `trove restore`: a consistent copy of a live database,
//! and the checked replacement of a stopped server's database.
//!
//! A backup reads the database through SQLite's online backup API in one
//! step, so it copies one snapshot: in WAL mode that read transaction never
//! blocks the server's writer (the server is another process; it only keeps
//! the WAL from being checkpointed past the snapshot until the copy ends).
//! The copy is written to a temporary file beside the target, checked
//! ([`check`]: `PRAGMA integrity_check` and the schema version), synced, and
//! renamed into place, so the target is either the old file or a whole,
//! checked backup. A restore copies the file into the data folder the same
//! way, checks it, then replaces `trove.db` (after removing the old
//! database's `-wal` and `-shm`, which must never meet the new file).
//! Every file made here is owner-only (600), like the database.

use super::migrate::SCHEMA_VERSION;
use super::{DbError, DbResult};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What [`check`] found in a database file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Its `PRAGMA user_version`: at most [`SCHEMA_VERSION`].
    pub schema_version: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

impl Checked {
    /// Older than this binary's schema (upgraded at the next start).
    pub fn is_older(&self) -> bool {
        self.schema_version < SCHEMA_VERSION
    }
}

/// How often a backup step that found the source busy is tried again.
const BUSY_RETRIES: u32 = 50;

pub(crate) fn open_existing(path: &Path) -> DbResult<Connection> {
    if !path.is_file() {
        return Err(DbError::NotFound(format!("{} does not exist", path.display())));
    }
    // Read-write (a reader of a WAL database writes its shared-memory
    // index), but never created; only queries.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// A temporary file in `dir` that [`Partial::keep`] renames to its target;
/// removed (with any `-wal`, `-shm` or `-journal` beside it) when dropped
/// before that.
pub(crate) struct Partial {
    path: PathBuf,
}

impl Partial {
    /// A new, empty owner-only file `.<name>.partial-<pid>` beside `target`.
    pub(crate) fn beside(target: &Path) -> DbResult<Partial> {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "trove.db".into());
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let path = dir.join(format!(".{name}.partial-{}", std::process::id()));
        let partial = Partial { path };
        partial.remove();
        crate::files::private_file_options()
            .create_new(true)
            .open(&partial.path)
            .map_err(|e| io_error("cannot create", &partial.path, e))?;
        Ok(partial)
    }

    /// The temporary file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(with_suffix(&self.path, suffix));
        }
    }

    /// Sync the file, rename it to `target`, sync the folder.
    pub(crate) fn keep(self, target: &Path) -> DbResult<()> {
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error("cannot sync", &self.path, e))?;
        std::fs::rename(&self.path, target).map_err(|e| io_error("cannot rename the copy to", target, e))?;
        crate::files::sync_file_and_dir(target).map_err(|e| io_error("cannot sync", target, e))?;
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        self.remove();
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> DbError {
    DbError::Task(format!("{what} {}: {e}", path.display()))
}

/// Copy the database at `db_path` (a running server's, or a stopped one's)
/// to `target`, replacing it, as one consistent snapshot; the copy is
/// checked before it takes `target`'s place, and is a single file
/// (rollback-journal mode: no `-wal` to carry along).
pub fn backup(db_path: &Path, target: &Path) -> DbResult<Checked> {
    let source = open_existing(db_path)?;
    let partial = Partial::beside(target)?;
    let mut copy = Connection::open(&partial.path)?;
    {
        let backup = Backup::new(&source, &mut copy)?;
        let mut busy = 0;
        // All pages in one step: one read transaction on the source, so one
        // snapshot (a step per few pages would start over after every write
        // of the server, and might never end under load).
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => continue,
                StepResult::Busy | StepResult::Locked if busy < BUSY_RETRIES => {
                    busy += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                _ => return Err(DbError::Task(format!("{} stayed locked; try again", db_path.display()))),
            }
        }
    }
    drop(source);
    copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    drop(copy);
    let checked = check(&partial.path)?;
    partial.keep(target)?;
    Ok(checked)
}

/// Is `path` a whole trove database this binary can open? Its integrity
/// (`PRAGMA integrity_check`) and schema version: older ones are fine (a
/// start upgrades them), newer ones and files without a version are not.
pub fn check(path: &Path) -> DbResult<Checked> {
    let conn = open_existing(path)?;
    let not_a_db = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            DbError::Invalid(format!("{} is not an SQLite database", path.display()))
        }
        _ => DbError::Sqlite(e),
    };
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(not_a_db)?;
    let problems: Vec<String> =
        conn.prepare("PRAGMA integrity_check")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if problems != ["ok"] {
        let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
        return Err(DbError::Invalid(format!(
            "{} failed the integrity check ({} problems): {}",
            path.display(),
            problems.len(),
            shown.join("; ")
        )));
    }
    if schema_version == 0 {
        return Err(DbError::Invalid(format!("{} is not a trove database (it has no schema version)", path.display())));
    }
    if schema_version > SCHEMA_VERSION {
        return Err(DbError::Schema(format!(
            "{} has schema version {schema_version}, written by a newer trove (this one knows up to {SCHEMA_VERSION}); use that trove",
            path.display()
        )));
    }
    drop(conn);
    let bytes = std::fs::metadata(path).map_err(|e| io_error("cannot read", path, e))?.len();
    Ok(Checked { schema_version, bytes })
}

/// Replace the database at `db_path` by a copy of `file`, once the copy
/// passed [`check`]. The caller holds the data folder's lock (no server
/// runs on it). The old database's `-wal` and `-shm` files go first (after
/// a checkpoint, so that an interruption leaves the old database whole):
/// SQLite would replay an old WAL onto the new file.
pub fn restore(file: &Path, db_path: &Path) -> DbResult<Checked> {
    if !file.is_file() {
        return Err(DbError::NotFound(format!("{} does not exist", file.display())));
    }
    let partial = Partial::beside(db_path)?;
    {
        let mut from = std::fs::File::open(file).map_err(|e| io_error("cannot read", file, e))?;
        let mut to = crate::files::private_file_options()
            .truncate(true)
            .open(&partial.path)
            .map_err(|e| io_error("cannot write", &partial.path, e))?;
        std::io::copy(&mut from, &mut to).map_err(|e| io_error("cannot copy to", &partial.path, e))?;
        to.sync_all().map_err(|e| io_error("cannot sync", &partial.path, e))?;
    }
    let checked = check(&partial.path)?;
    if db_path.exists() {
        // Best effort: the old database is being replaced either way.
        if let Ok(old) = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
            let _ = old.execute_batch("PRAGMA busy_timeout = 5000;");
            let _ = old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let stale = with_suffix(db_path, suffix);
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_error("cannot remove", &stale, e)),
            _ => {}
        }
    }
    partial.keep(db_path)?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migrated WAL database that keeps its commits in the WAL (no
    /// automatic checkpoints), as a busy server's does.
    fn database(path: &Path) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
        crate::db::migrate::migrate(&mut conn).unwrap();
        conn
    }

    fn add_user(conn: &Connection, name: &str) {
        crate::db::users::insert(conn, name, "hash", false).unwrap();
    }

    fn count(path: &Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap()
    }

    /// A backup of an open database holds what was committed (also what is
    /// still in its WAL) in one checked, owner-only file with no WAL beside
    /// it; a restore brings it back over a database that changed since,
    /// and drops that one's WAL.
    #[test]
    fn backup_then_restore_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("trove.db");
        let conn = database(&db_path);
        add_user(&conn, "alice");
        assert!(std::fs::metadata(with_suffix(&db_path, "-wal")).unwrap().len() > 0);
        let copy = dir.path().join("copy.db");
        let checked = backup(&db_path, &copy).unwrap();
        assert_eq!(checked.schema_version, SCHEMA_VERSION);
        assert!(!checked.is_older());
        assert!(!with_suffix(&copy, "-wal").exists());
        let journal: String =
            Connection::open(&copy).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(journal, "delete");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(count(&copy), 1);
        add_user(&conn, "bob");
        // Leave the old database with a WAL, as a killed server does.
        std::fs::copy(&db_path, dir.path().join("old.db")).unwrap();
        std::fs::copy(with_suffix(&db_path, "-wal"), dir.path().join("old.db-wal")).unwrap();
        drop(conn);
        std::fs::rename(dir.path().join("old.db"), &db_path).unwrap();
        std::fs::rename(dir.path().join("old.db-wal"), with_suffix(&db_path, "-wal")).unwrap();
        restore(&copy, &db_path).unwrap();
        assert!(!with_suffix(&db_path, "-wal").exists());
        assert!(!with_suffix(&db_path, "-shm").exists());
        assert_eq!(count(&db_path), 1);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        assert_eq!(check(&db_path).unwrap().schema_version, SCHEMA_VERSION);
    }

    /// Files that are not whole trove databases this binary can open are
    /// refused, and the database they were meant to replace is untouched.
    #[test]
    fn restore_refuses_what_check_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("trove.db");
        let conn = database(&db_path);
        add_user(&conn, "alice");
        drop(conn);
        let refused = |name: &str, make: &dyn Fn(&Path)| {
            let file = dir.path().join(name);
            make(&file);
            let err = restore(&file, &db_path).unwrap_err().to_string();
            assert_eq!(count(&db_path), 1, "{name}");
            err
        };
        let err = refused("text", &|p| std::fs::write(p, "not a database at all, just some text").unwrap());
        assert!(err.contains("not an SQLite database"), "{err}");
        let err = refused("empty.db", &|p| {
            Connection::open(p).unwrap().execute_batch("CREATE TABLE x (y);").unwrap();
        });
        assert!(err.contains("no schema version"), "{err}");
        let err = refused("newer.db", &|p| {
            Connection::open(p).unwrap().execute_batch("CREATE TABLE x (y); PRAGMA user_version = 99;").unwrap();
        });
        assert!(err.contains("newer trove"), "{err}");
        let err = refused("torn.db", &|p| {
            std::fs::copy(&db_path, p).unwrap();
            let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
            f.set_len(f.metadata().unwrap().len() / 2).unwrap();
        });
        assert!(err.contains("integrity") || err.contains("malformed"), "{err}");
        let err = restore(&dir.path().join("missing.db"), &db_path).unwrap_err().to_string();
        assert!(err.contains("does not exist"), "{err}");
        assert!(backup(&dir.path().join("missing.db"), &dir.path().join("b.db")).is_err());
        assert!(!dir.path().join("missing.db").exists(), "a backup never creates its source");
        assert!(!dir.path().join("b.db").exists());
    }

    /// An older schema version is accepted (a start upgrades it).
    #[test]
    fn an_older_schema_version_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.db");
        Connection::open(&file).unwrap().execute_batch("CREATE TABLE x (y); PRAGMA user_version = 3;").unwrap();
        let checked = check(&file).unwrap();
        assert_eq!(checked.schema_version, 3);
        assert!(checked.is_older());
    }
}
