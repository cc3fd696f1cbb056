//! The database layer: every SQL statement of trove lives below this module.
//! Plain synchronous functions on `&Connection`, run by [`Db::read`] (inline, one read transaction) / [`Db::write`]. This module
//! knows no HTTP types.

/// SQL text put together with `format!` from the consts of this layer
/// (`concat!` takes literals only), built once per call site: a `&'static
/// str`. Formatting a statement of a few hundred bytes at every call cost
/// ~1,500 instructions before the statement cache was even asked
/// (bench/README.md, "Step responses").
macro_rules! sql {
    ($($arg:tt)*) => {{
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!($($arg)*));
        SQL.as_str()
    }};
}

pub mod api_keys;
pub mod artifact_versions;
pub mod artifacts;
pub mod backup;
pub mod bootstrap;
pub mod checkpoint;
pub mod dump;
pub mod list;
pub mod logs;
pub mod migrate;
pub mod migration_source;
pub mod model_links;
pub mod model_versions;
pub mod models;
pub mod pipelines;
pub mod projects;
pub mod run_metadata;
pub mod run_status;
pub mod runs;
pub mod service_accounts;
pub mod snapshots;
pub mod stacks;
pub mod stats;
pub mod step_writes;
pub mod steps;
pub mod tables;
pub mod tagged_versions;
pub mod tags;
pub mod users;
pub mod version_blocks;
pub mod version_list;
pub mod version_load;
pub mod writer;

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

pub type Conn = PooledConnection<SqliteConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// → 404 `KeyError`
    #[error("{0}")]
    NotFound(String),
    /// → 403 `IllegalOperationError`
    #[error("{0}")]
    Forbidden(String),
    /// → 409 `EntityExistsError`
    #[error("{0}")]
    Conflict(String),
    /// → 400 `ValueError`
    #[error("{0}")]
    Invalid(String),
    /// → 422 `ValueError`
    #[error("{0}")]
    Unprocessable(String),
    /// → 500 `RuntimeError` with this message (a documented refusal).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Filter(#[from] crate::filter::FilterError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("{0}")]
    Schema(String),
    #[error("background task failed: {0}")]
    Task(String),
}

pub type DbResult<T> = Result<T, DbError>;

/// Pragmas every pooled connection gets (`foreign_keys` is per connection and
/// off by default). WAL is set once, when the database is opened.
fn init_connection(conn: &mut Connection, mmap_bytes: u64) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;",
    )?;
    if mmap_bytes > 0 {
        conn.execute_batch(&format!("PRAGMA mmap_size = {mmap_bytes};"))?;
    }
    rusqlite::vtab::array::load_module(conn)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// Pooled connections for reads; one writer thread for writes.
#[derive(Clone)]
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
    writer: writer::Writer,
    stats: std::sync::Arc<stats::DbStats>,
}

impl Db {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path, pool_size: u32) -> DbResult<Db> {
        Db::open_with(path, pool_size, 0)
    }

    /// [`Db::open`] with `mmap_mb` MiB of the file read through a memory map.
    pub fn open_with(path: &Path, pool_size: u32, mmap_mb: u32) -> DbResult<Db> {
        let mmap_bytes = u64::from(mmap_mb) << 20;
        // Owner-only from the start: it holds password hashes, and SQLite
        // gives the -wal and -shm files the database's mode.
        crate::files::create_private_file(path)
            .map_err(|e| DbError::Task(format!("cannot create {}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        init_connection(&mut conn, mmap_bytes)?;
        migrate::migrate(&mut conn)?;
        let mut checkpoints = Connection::open(path)?;
        init_connection(&mut checkpoints, 0)?;
        let checkpointer = checkpoint::Checkpointer::start(checkpoints).map_err(|e| DbError::Task(e.to_string()))?;
        let stats = std::sync::Arc::new(stats::DbStats::default());
        let writer = writer::Writer::start(conn, Some(checkpointer), stats.clone())?;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(move |c| init_connection(c, mmap_bytes));
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            // Local files do not go stale; skip the per-checkout probe.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .event_handler(Box::new(stats::PoolEvents(stats.clone())))
            .build(manager)?;
        Ok(Db { pool, writer, stats })
    }

    /// A pooled connection, for synchronous callers (CLI, start-up, tests).
    pub fn conn(&self) -> DbResult<Conn> {
        Ok(self.pool.get()?)
    }

    /// Run `f` in one read transaction (one consistent snapshot: a count and
    /// its page never disagree) on a pooled connection, right here on the
    /// calling worker thread. In WAL mode a reader never waits for the
    /// writer, and the reads trove serves are short: handing them to another
    /// thread and back cost more than the query (two context switches per
    /// request; see bench/README.md, "Reads on the HTTP workers").
    pub async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> DbResult<T> + Send + 'static,
    {
        let conn = self.pool.get()?;
        if !conn.is_autocommit() {
            // A read that panicked left its transaction open.
            conn.execute_batch("ROLLBACK")?;
        }
        conn.prepare_cached("BEGIN")?.execute([])?;
        let out = f(&conn);
        conn.prepare_cached("COMMIT")?.execute([])?;
        out
    }

    /// Run `f` in its own savepoint of an IMMEDIATE transaction on the writer
    /// thread ([`writer`]): committed when `f` succeeds, rolled back (nothing
    /// written) when it fails. Resolves once its group has committed.
    pub async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> DbResult<T> + Send + 'static,
    {
        self.writer.write(writer::Grouping::Shared, f).await
    }

    /// [`Db::write`] for a request that changes many pages (a batch create,
    /// a prune): it runs in a transaction of its own ([`writer::Grouping::Alone`]).
    pub async fn write_alone<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> DbResult<T> + Send + 'static,
    {
        self.writer.write(writer::Grouping::Alone, f).await
    }

    /// What this database counted (`/metrics`).
    pub fn stats(&self) -> &stats::DbStats {
        &self.stats
    }

    /// The pool's connections: (open, idle).
    pub fn pool_connections(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// The clock this database's writes are stamped with (`created`,
    /// `updated`): tests advance it instead of sleeping.
    pub fn clock(&self) -> &crate::clock::Clock {
        self.writer.clock()
    }

    /// Checkpoint the WAL and let SQLite refresh its statistics (at shutdown).
    pub fn close(&self) {
        if let Ok(conn) = self.pool.get() {
            let _ = conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }
}

/// [`Db::write`] for synchronous callers.
pub fn write_sync<T>(conn: &mut Connection, f: impl FnOnce(&Transaction) -> DbResult<T>) -> DbResult<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Is this a UNIQUE-constraint failure?
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Bind a set of pks as one `rarray(?)` parameter: sorted and distinct.
///
/// Batch loaders join it, `FROM rarray(?1) r CROSS JOIN t ON t.pk = r.value`,
/// rather than filter with `t.pk IN rarray(?1)`: for an `IN` SQLite first
/// copies the array into a temporary index ("LIST SUBQUERY"), while the
/// join walks the array and looks each key up (see bench/README.md, "Batch
/// loaders"). Being distinct, the join yields each row once, as the
/// `IN` did; being sorted, it visits the table in key order.
pub fn pk_array(pks: &[i64]) -> std::rc::Rc<Vec<rusqlite::types::Value>> {
    let mut sorted = pks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    std::rc::Rc::new(sorted.into_iter().map(rusqlite::types::Value::Integer).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    /// A read that panics mid-transaction must not leave its pooled
    /// connection unusable for the next request.
    #[test]
    fn a_panicking_read_leaves_the_pool_usable() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), 1).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block_on(db.read(|c| -> DbResult<()> {
                c.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))?;
                panic!("boom")
            }))
        }));
        assert!(panicked.is_err());
        let n = block_on(db.read(|c| Ok(c.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))?)));
        assert_eq!(n.unwrap(), 0);
    }

    /// Everything one read does sees a single snapshot.
    #[test]
    fn a_read_is_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), 1).unwrap();
        let autocommit = block_on(db.read(|c| Ok(c.is_autocommit()))).unwrap();
        assert!(!autocommit);
    }

    /// The bundled SQLite is built with `.cargo/config.toml`'s options.
    #[test]
    fn sqlite_is_built_without_global_memory_statistics_or_shared_page_caches() {
        let conn = Connection::open_in_memory().unwrap();
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    }

    /// `db_mmap_mb` reaches every pooled connection; off by default.
    #[test]
    fn the_memory_map_is_opt_in() {
        let dir = tempfile::tempdir().unwrap();
        let mmap = |db: &Db| block_on(db.read(|c| Ok(c.query_row("PRAGMA mmap_size", [], |r| r.get::<_, i64>(0))?)));
        let plain = Db::open(&dir.path().join("a.db"), 1).unwrap();
        assert_eq!(mmap(&plain).unwrap(), 0);
        let mapped = Db::open_with(&dir.path().join("b.db"), 1, 16).unwrap();
        assert_eq!(mmap(&mapped).unwrap(), 16 << 20);
    }
}
