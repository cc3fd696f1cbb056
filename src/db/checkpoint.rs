//! WAL checkpoints on their own thread.
//!
//! By default SQLite checkpoints inside the commit that takes the WAL past
//! 1,000 pages: on the writer thread, while every queued write request
//! waits: under a load of single creates, a large share of the writer's time
//! (copying frames into the database file, plus two `fsync`s; see
//! bench/README.md, "WAL checkpoints"). Here the writer only wakes this
//! thread after its commits; it runs a `PASSIVE` checkpoint on its own
//! connection (which blocks neither the writer nor readers) once enough is
//! waiting to be copied: [`SMALL_WAL_PAGES`] frames (SQLite's own
//! checkpoint size), or anything at all once the writes have paused for
//! `IDLE_PAUSE` (1 s). While writes go on it looks every `POLL` (250 ms) at how many
//! frames wait ([`WalIndex::pending_frames`]), so a light
//! stream of writes (a pipeline run's ~50 commits a second) is copied every
//! few seconds, each page once however often it changed meanwhile, and a
//! busy WAL in batches of about SQLite's checkpoint size.
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
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, Thread};
use std::time::Duration;

/// The writer's own auto-checkpoint, in pages: only reached when this thread
/// falls far behind (~40 MB of WAL).
pub const BACKSTOP_PAGES: u32 = 10_000;
/// WAL size (pages, ~16 MB) past which the writer is asked to start it over.
pub const RESTART_PAGES: i64 = 4096;
/// Pause after a checkpoint of a WAL that had [`SMALL_WAL_PAGES`] or more
/// to copy, so that a busy WAL is copied in batches of about SQLite's
/// default checkpoint size (see bench/README.md, "WAL checkpoints").
const PAUSE: Duration = Duration::from_millis(50);
/// Frames waiting to be copied (SQLite's own checkpoint size) at which the
/// copy starts without waiting for the writes to pause.
pub const SMALL_WAL_PAGES: u32 = 1000;
/// How often, while writes go on, the thread looks at how much waits.
const POLL: Duration = Duration::from_millis(250);
/// Writes paused this long: copy whatever waits.
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
    /// Commits so far (tells the thread whether the writes paused).
    commits: AtomicU64,
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
        self.flags.commits.fetch_add(1, Ordering::Release);
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
    let mut index = conn.path().map(|p| WalIndex::at(PathBuf::from(format!("{p}-shm"))));
    let batch = SMALL_WAL_PAGES.min(u32::try_from(restart_pages).unwrap_or(u32::MAX));
    let checkpoint = || {
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
    };
    loop {
        // Until a commit.
        thread::park();
        let mut seen = flags.commits.load(Ordering::Acquire);
        let mut quiet = Duration::ZERO;
        let mut wait = POLL;
        loop {
            if flags.stop.load(Ordering::Acquire) {
                return;
            }
            thread::sleep(wait);
            let commits = flags.commits.load(Ordering::Acquire);
            quiet = if commits == seen { quiet + wait } else { Duration::ZERO };
            seen = commits;
            let Some(pending) = index.as_mut().and_then(WalIndex::pending_frames) else {
                // No WAL index to read (an exclusive-mode database keeps it
                // in memory): copy at most once per IDLE_PAUSE.
                checkpoint();
                thread::sleep(IDLE_PAUSE);
                break;
            };
            if pending >= batch {
                checkpoint();
                wait = PAUSE;
            } else if pending == 0 && quiet > Duration::ZERO {
                break;
            } else if quiet >= IDLE_PAUSE {
                checkpoint();
                break;
            } else {
                wait = POLL;
            }
        }
    }
}

/// The WAL index (the `-shm` file), read for how much waits to be copied.
pub struct WalIndex {
    path: PathBuf,
    file: Option<File>,
}

impl WalIndex {
    pub fn at(path: PathBuf) -> WalIndex {
        WalIndex { path, file: None }
    }

    /// Frames in the WAL not yet copied into the database file: `mxFrame`
    /// of the WAL index header minus `nBackfill` of its checkpoint
    /// information (<https://www.sqlite.org/walformat.html>, 2.1 and 2.2:
    /// 32-bit, native byte order, at offsets 16 and 96). Read without
    /// SQLite's locks: a value torn by a concurrent commit only moves the
    /// next checkpoint by one poll. `None` when the file cannot be read.
    pub fn pending_frames(&mut self) -> Option<u32> {
        let mut head = [0u8; 100];
        let read = match &self.file {
            Some(file) => read_head(file, &mut head),
            None => File::open(&self.path).and_then(|file| read_head(self.file.insert(file), &mut head)),
        };
        if read.is_err() {
            self.file = None;
            return None;
        }
        let at = |offset: usize| u32::from_ne_bytes(head[offset..offset + 4].try_into().expect("4 bytes"));
        Some(at(16).saturating_sub(at(96)))
    }
}

#[cfg(unix)]
fn read_head(file: &File, head: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, head, 0)
}

#[cfg(not(unix))]
fn read_head(mut file: &File, head: &mut [u8]) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    file.rewind()?;
    file.read_exact(head)
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

    /// The frames the WAL index says wait are the ones a checkpoint then
    /// copies, and none wait after it; also when earlier frames of the same
    /// WAL were copied before (a reader kept the WAL from starting over).
    #[test]
    fn pending_frames_are_what_a_checkpoint_copies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x BLOB);").unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        let mut index = WalIndex::at(dir.path().join("p.db-shm"));
        let checkpoint = || -> (u32, u32) {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(1)?, r.get(2)?))).unwrap()
        };
        let insert = |rows| {
            for _ in 0..rows {
                conn.execute("INSERT INTO t VALUES (zeroblob(3000))", []).unwrap();
            }
        };
        insert(3);
        let pending = index.pending_frames().unwrap();
        let (log, copied) = checkpoint();
        assert!(pending >= 3, "{pending} frames waiting after 3 commits");
        assert_eq!((pending, copied), (log, log));
        assert_eq!(index.pending_frames(), Some(0));

        // The next commit starts the WAL over. A reader of a WAL with a
        // frame not yet copied keeps it from starting over again, and the
        // copy from going past its snapshot.
        insert(1);
        let before_reader = index.pending_frames().unwrap();
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN; SELECT count(*) FROM t;").unwrap();
        insert(40);
        let pending = index.pending_frames().unwrap();
        assert_eq!(checkpoint(), (pending, before_reader));
        assert_eq!(index.pending_frames(), Some(pending - before_reader));
        reader.execute_batch("COMMIT").unwrap();
        assert_eq!(checkpoint(), (pending, pending));
        assert_eq!(index.pending_frames(), Some(0));
        assert_eq!(WalIndex::at(dir.path().join("missing-shm")).pending_frames(), None);
    }

    /// Without a WAL index file to read (an exclusive-mode database keeps
    /// it in memory), the thread still copies after commits.
    #[test]
    fn without_a_wal_index_file_commits_are_still_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (x BLOB); INSERT INTO t VALUES (zeroblob(200000));",
        )
        .unwrap();
        assert!(!dir.path().join("x.db-shm").exists());
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let checkpointer = Checkpointer::start_with(conn, RESTART_PAGES).unwrap();
        checkpointer.committed();
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() <= before + 100_000 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(size() > before + 100_000, "the database file stayed at {} bytes", size());
    }

    /// A light stream of commits, one every 100 ms, far below a batch, is
    /// not copied while it goes on (before, it was copied every second),
    /// and is copied once the writes pause. The database file only changes
    /// when a checkpoint copies into it.
    #[actix_web::test]
    async fn a_light_stream_of_writes_is_copied_once_it_pauses() {
        let (dir, writer) = writer_with_checkpoints(RESTART_PAGES);
        let path = dir.path().join("c.db");
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        for _ in 0..15 {
            writer
                .write(Grouping::Shared, |tx| Ok(tx.execute("INSERT INTO t VALUES (zeroblob(3000))", [])?))
                .await
                .unwrap();
            thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(size(), before, "copied while the writes went on");
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() == before && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(size() > before, "not copied after the writes paused");
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
