//! WAL checkpoints on their own thread.
//!
//! By default SQLite checkpoints inside the commit that takes the WAL past
//! 1,000 pages: on the writer thread, while every queued write request
//! waits: under a load of single creates, a large share of the writer's time
//! (copying frames into the database file, plus two `fsync`s; see
//! bench/README.md, "WAL checkpoints"). The writer
//! only wakes this thread after its commits; it runs a `PASSIVE` checkpoint
//! on its own connection (which blocks neither the writer nor readers), then
//! pauses so that a busy WAL is copied in batches.
//!
//! The WAL file starts over only when a write transaction begins with every
//! frame copied, and under a steady stream of writes this thread is always
//! a few commits behind. So once the WAL holds [`RESTART_PAGES`], the thread
//! asks the writer to finish the copy itself before its next transaction
//! ([`Checkpointer::take_restart`]): only the frames of those last commits,
//! after which that transaction starts the WAL over (unless a reader still
//! uses it; then the next pass asks again). The writer also keeps SQLite's
//! own auto-checkpoint at [`BACKSTOP_PAGES`] in case this thread stalls.

use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, Thread};
use std::time::Duration;

/// The writer's own auto-checkpoint, in pages: only reached when this thread
/// falls far behind (~40 MB of WAL).
pub const BACKSTOP_PAGES: u32 = 10_000;
/// WAL size (pages, ~16 MB) past which the writer is asked to start it over.
pub const RESTART_PAGES: i64 = 4096;
/// Pause after each checkpoint, so that a busy WAL is copied in batches of
/// about SQLite's default checkpoint size (see bench/README.md, "WAL
/// checkpoints").
const PAUSE: Duration = Duration::from_millis(50);
/// A WAL below this many pages (SQLite's own checkpoint size) is copied at
/// most once per [`IDLE_PAUSE`]: a light stream of writes (a pipeline run's
/// few commits a second) then costs one small copy a second instead of one
/// per commit (see bench/README.md, "WAL checkpoints").
const SMALL_WAL_PAGES: i64 = 1000;
const IDLE_PAUSE: Duration = Duration::from_secs(1);

/// Handle to the checkpoint thread; dropping it stops the thread.
pub struct Checkpointer {
    thread: Thread,
    flags: Arc<Flags>,
}

#[derive(Default)]
struct Flags {
    stop: AtomicBool,
    restart: AtomicBool,
}

impl Checkpointer {
    /// Start the thread on `conn`, a connection of its own to the database.
    pub fn start(conn: Connection) -> std::io::Result<Checkpointer> {
        Checkpointer::start_with(conn, RESTART_PAGES)
    }

    /// [`Checkpointer::start`] with another restart threshold (tests).
    pub fn start_with(conn: Connection, restart_pages: i64) -> std::io::Result<Checkpointer> {
        let flags = Arc::new(Flags::default());
        let shared = flags.clone();
        let handle =
            thread::Builder::new().name("trove-checkpoint".into()).spawn(move || run(conn, &shared, restart_pages))?;
        Ok(Checkpointer { thread: handle.thread().clone(), flags })
    }

    /// The writer committed: checkpoint soon (cheap when the thread is
    /// already awake: an atomic swap).
    pub fn committed(&self) {
        self.thread.unpark();
    }

    /// Whether the writer should finish the copy before its next
    /// transaction, so that it starts the WAL over (asked once per pass).
    pub fn take_restart(&self) -> bool {
        self.flags.restart.swap(false, Ordering::AcqRel)
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.flags.stop.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

fn run(conn: Connection, flags: &Flags, restart_pages: i64) {
    loop {
        thread::park();
        if flags.stop.load(Ordering::Acquire) {
            return;
        }
        let pages = match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
            Ok(pages) => pages,
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed");
                0
            }
        };
        if pages >= restart_pages {
            flags.restart.store(true, Ordering::Release);
        }
        thread::sleep(if pages < SMALL_WAL_PAGES.min(restart_pages) { IDLE_PAUSE } else { PAUSE });
    }
}

#[cfg(test)]
mod tests {
    use super::super::writer::{Grouping, Writer};
    use super::*;
    use std::time::Instant;

    /// A writer on a fresh WAL database `c.db` (table `t (x BLOB)`) with a
    /// checkpoint thread that asks for restarts at `restart_pages`.
    fn writer_with_checkpoints(restart_pages: i64) -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x BLOB);").unwrap();
        let checkpointer = Checkpointer::start_with(Connection::open(&path).unwrap(), restart_pages).unwrap();
        (dir, Writer::start(conn, Some(checkpointer), Default::default()).unwrap())
    }

    /// Writes far below the writer's own auto-checkpoint still reach the
    /// database file: the checkpoint thread copied them.
    #[actix_web::test]
    async fn the_checkpoint_thread_copies_the_writers_commits() {
        let (dir, writer) = writer_with_checkpoints(RESTART_PAGES);
        let path = dir.path().join("c.db");
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        for _ in 0..20 {
            writer
                .write(Grouping::Shared, |tx| Ok(tx.execute("INSERT INTO t VALUES (zeroblob(20000))", [])?))
                .await
                .unwrap();
        }
        // ~100 pages in the WAL, far below BACKSTOP_PAGES.
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() < before + 400_000 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(size() >= before + 400_000, "the database file grew from {before} to {} bytes only", size());
    }

    /// A steady stream of commits (each waits for the previous one) never
    /// leaves the checkpoint thread a moment to catch up completely, yet the
    /// WAL starts over again and again once it holds the restart threshold,
    /// instead of growing with everything written. Counted, not timed: the
    /// WAL header's checkpoint sequence number (bytes 12..16, big-endian)
    /// goes up by one at every restart; the stream goes on until it has gone
    /// up four times (a deadline only stops a WAL that never starts over).
    #[actix_web::test]
    async fn the_wal_starts_over_under_a_steady_stream_of_writes() {
        let (dir, writer) = writer_with_checkpoints(64);
        let wal = dir.path().join("c.db-wal");
        let restarts = || {
            use std::io::Read;
            let mut header = [0u8; 16];
            let read = std::fs::File::open(&wal).and_then(|mut f| f.read_exact(&mut header));
            read.map_or(0, |()| u32::from_be_bytes(header[12..16].try_into().unwrap()))
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut written = 0u64;
        while restarts() < 4 {
            assert!(Instant::now() < deadline, "the WAL started over {} times in {written} bytes written", restarts());
            writer
                .write(Grouping::Shared, |tx| Ok(tx.execute("INSERT INTO t VALUES (zeroblob(12000))", [])?))
                .await
                .unwrap();
            written += 12_000;
        }
    }
}
