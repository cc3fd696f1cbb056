//! WAL checkpoints on their own thread.
//!
//! By default SQLite checkpoints inside the commit that takes the WAL past
//! 1,000 pages: on the writer thread, while every queued write request
//! waits. Under a load of single creates that was 29% of the writer's time
//! (copying frames into the database file, plus two `fsync`s). The writer
//! only wakes this thread after its commits; it runs a `PASSIVE` checkpoint
//! on its own connection (which blocks neither the writer nor readers), then
//! pauses so that a busy WAL is copied in batches. The writer keeps SQLite's
//! own auto-checkpoint at [`BACKSTOP_PAGES`], so the WAL stays bounded
//! even if this thread stalls.

use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, Thread};
use std::time::Duration;

/// The writer's own auto-checkpoint, in pages: only reached when this thread
/// falls far behind (~40 MB of WAL).
pub const BACKSTOP_PAGES: u32 = 10_000;
/// Pause after each checkpoint (a busy writer adds ~1,000 pages in that time).
const PAUSE: Duration = Duration::from_millis(50);

/// Handle to the checkpoint thread; dropping it stops the thread.
pub struct Checkpointer {
    thread: Thread,
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Start the thread on `conn`, a connection of its own to the database.
    pub fn start(conn: Connection) -> std::io::Result<Checkpointer> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = thread::Builder::new().name("trove-checkpoint".into()).spawn(move || run(conn, &flag))?;
        Ok(Checkpointer { thread: handle.thread().clone(), stop })
    }

    /// The writer committed: checkpoint soon (cheap when the thread is
    /// already awake: an atomic swap).
    pub fn committed(&self) {
        self.thread.unpark();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

fn run(conn: Connection, stop: &AtomicBool) {
    loop {
        thread::park();
        if stop.load(Ordering::Acquire) {
            return;
        }
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
        thread::sleep(PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use super::super::writer::Writer;
    use super::*;
    use std::time::Instant;

    /// Writes far below the writer's own auto-checkpoint still reach the
    /// database file: the checkpoint thread copied them.
    #[actix_web::test]
    async fn the_checkpoint_thread_copies_the_writers_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x BLOB);").unwrap();
        let writer = Writer::start(conn, Some(Checkpointer::start(Connection::open(&path).unwrap()).unwrap())).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        for _ in 0..20 {
            writer.write(|tx| Ok(tx.execute("INSERT INTO t VALUES (zeroblob(20000))", [])?)).await.unwrap();
        }
        // ~100 pages in the WAL, far below BACKSTOP_PAGES.
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() < before + 400_000 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(size() >= before + 400_000, "the database file grew from {before} to {} bytes only", size());
    }
}
