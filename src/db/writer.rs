//! Group commit: one writer thread owns the write connection. Concurrent
//! write requests queue up; the writer opens one IMMEDIATE transaction, runs
//! each request inside its own savepoint (a failing request is rolled back to
//! its savepoint and never affects the others), commits once, and only then
//! answers every request of the group. The first request of a transaction
//! needs no savepoint: if it fails, the whole transaction is rolled back and
//! the rest of the group gets a new one. A savepoint keeps the original of
//! every page its request changes in memory, so a large request (a batch
//! create, a prune) is written [`Grouping::Alone`]: first in a transaction
//! of its own, without a savepoint, committed before anything else runs.
//! WAL checkpoints run on another thread ([`super::checkpoint`]). Without
//! lock contention between pooled connections, and with one commit per
//! group, writes scale with load. When nothing is queued and the connection
//! is free, a small write skips the queue and runs on its caller's thread
//! (the writer's clock installed there for it): the hand-off would cost it
//! more than its transaction.

use super::checkpoint::{Checkpointer, BACKSTOP_PAGES};
use super::stats::DbStats;
use super::{DbError, DbResult};
use crate::clock::Clock;
use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// How many queued requests one transaction takes at most.
const MAX_GROUP: usize = 64;
/// How often, at most, the planner statistics are refreshed while writes happen.
const OPTIMIZE_EVERY: Duration = Duration::from_secs(30);

/// Whether a request may share its transaction with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// In the group's transaction, in a savepoint of its own unless it comes
    /// first: for requests that change a few pages. When nothing is queued
    /// and nobody writes, it runs inline, on the caller's thread.
    Shared,
    /// First in a transaction of its own, committed right after it: for
    /// requests that change many pages. In a savepoint, SQLite keeps the
    /// original of each of those pages in memory (with `temp_store =
    /// MEMORY`) until the transaction ends, so two large requests in one
    /// group hold the pages of both (see bench/README.md, "Large writes").
    /// Always on the writer thread: a long write never holds up an HTTP
    /// worker.
    Alone,
}

/// A request for the writer thread.
struct Job {
    grouping: Grouping,
    /// Runs inside the transaction, in a savepoint unless `First` says it is
    /// the transaction's first request; returns whether it failed and what
    /// to do once the commit is known (`Ok` = committed).
    run: Run,
}
type Run = Box<dyn FnOnce(&Connection, First) -> (Failed, Completion) + Send>;
type First = bool;
type Failed = bool;
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The write connection and what its owner does around each transaction.
/// Whoever holds the lock writes: the writer thread for a group, or a
/// request's own thread for one uncontended write ([`Writer::write`]).
struct Owner {
    conn: Connection,
    checkpointer: Option<Checkpointer>,
    last_optimize: Instant,
}

impl Owner {
    /// Before a transaction: when the checkpoint thread has copied a long
    /// WAL, copy the last few commits so that this transaction starts the
    /// WAL over.
    fn before_transaction(&mut self) {
        if self.checkpointer.as_ref().is_some_and(Checkpointer::take_restart) {
            if let Err(e) = self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    }

    /// After a commit (or its failure) of `requests` requests.
    fn after_commit(&self, stats: &DbStats, requests: usize) {
        if let Some(c) = &self.checkpointer {
            c.committed();
        }
        stats.group_sizes.observe(requests as u64);
    }

    fn optimize_due(&self) -> bool {
        self.last_optimize.elapsed() >= OPTIMIZE_EVERY
    }

    /// Tables that grew (or shrank) a lot get fresh planner statistics.
    fn optimize_when_due(&mut self) {
        if self.optimize_due() {
            if let Err(e) = self.conn.execute_batch("PRAGMA optimize;") {
                tracing::warn!(error = %e, "PRAGMA optimize failed");
            }
            self.last_optimize = Instant::now();
        }
    }
}

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    owner: Arc<Mutex<Owner>>,
    /// Whether an uncontended `Shared` write may run on its caller's thread.
    inline: bool,
    /// The time every write of this writer is stamped with (installed on
    /// its thread, and around a write run inline, see [`crate::clock`]).
    clock: Clock,
    /// Queue depth, requests per commit, write latency (`/metrics`).
    stats: Arc<DbStats>,
}

impl Writer {
    /// Start the writer thread on `conn` (already configured and migrated).
    /// With a `checkpointer`, the writer leaves WAL checkpoints to it (see
    /// [`super::checkpoint`]) and stops it when the writer stops. It counts
    /// into `stats`.
    pub fn start(conn: Connection, checkpointer: Option<Checkpointer>, stats: Arc<DbStats>) -> DbResult<Writer> {
        Writer::start_with(conn, checkpointer, stats, true)
    }

    /// [`Writer::start`], choosing whether uncontended writes run inline
    /// (tests that need every write queued say no).
    pub fn start_with(
        conn: Connection,
        checkpointer: Option<Checkpointer>,
        stats: Arc<DbStats>,
        inline: bool,
    ) -> DbResult<Writer> {
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_PAGES)?;
        }
        // Keep ANALYZE cheap on large tables (approximate statistics suffice).
        conn.execute_batch("PRAGMA analysis_limit = 1000;")?;
        let owner = Arc::new(Mutex::new(Owner { conn, checkpointer, last_optimize: Instant::now() }));
        let (queue, jobs) = mpsc::channel::<Job>();
        let clock = Clock::default();
        let installed = clock.clone();
        let (counted, owned) = (stats.clone(), owner.clone());
        std::thread::Builder::new()
            .name("trove-writer".into())
            .spawn(move || {
                crate::clock::install(installed);
                run(&owned, jobs, &counted)
            })
            .map_err(|e| DbError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { queue, owner, inline, clock, stats })
    }

    /// The clock of this writer's writes.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Run `f` in a write transaction; resolves after it has committed.
    /// A `Shared` write that finds nothing queued and the connection free
    /// runs at once on the caller's thread, in a transaction of its own:
    /// what the thread hand-off would cost (two wake-ups, two thread
    /// switches) is most of a small write's time (bench/README.md, "Inline
    /// writes"). Otherwise it is queued for the writer thread, which
    /// commits the writes waiting together.
    pub async fn write<T, F>(&self, grouping: Grouping, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> DbResult<T> + Send + 'static,
    {
        let started = Instant::now();
        if self.inline && grouping == Grouping::Shared && self.stats.queued() == 0 {
            if let Some(mut owner) = self.idle_owner() {
                let outcome = crate::clock::installed(&self.clock, || write_inline(&mut owner, &self.stats, f));
                self.stats.write_latency.observe_duration(started.elapsed());
                return outcome;
            }
        }
        let (done, result) = tokio::sync::oneshot::channel::<DbResult<T>>();
        let span = tracing::Span::current();
        let run = Box::new(move |tx: &Connection, first| {
            let outcome = span.in_scope(|| if first { guarded(tx, f) } else { in_savepoint(tx, f) });
            let failed = outcome.is_err();
            let complete: Completion = Box::new(move |committed| {
                // A request that failed keeps its own error, whatever happened next.
                let outcome = match committed {
                    Ok(()) => outcome,
                    Err(e) => outcome.and(Err(DbError::Task(format!("commit failed: {e}")))),
                };
                let _ = done.send(outcome);
            });
            (failed, complete)
        });
        self.stats.enqueued();
        if self.queue.send(Job { grouping, run }).is_err() {
            self.stats.dequeued(1);
            return Err(DbError::Task("the writer thread has stopped".into()));
        }
        let outcome = result.await.map_err(|_| DbError::Task("the writer thread dropped a request".into()))?;
        self.stats.write_latency.observe_duration(started.elapsed());
        outcome
    }

    /// The connection, if nobody holds it and no planner-statistics refresh
    /// is due (that stays on the writer thread).
    fn idle_owner(&self) -> Option<MutexGuard<'_, Owner>> {
        let owner = match self.owner.try_lock() {
            Ok(owner) => owner,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        (!owner.optimize_due()).then_some(owner)
    }
}

/// One write in a transaction of its own, on the caller's thread.
fn write_inline<T>(owner: &mut Owner, stats: &DbStats, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
    owner.before_transaction();
    let tx = Immediate::begin(&owner.conn)?;
    // Dropping a transaction rolls it back.
    let outcome = guarded(&tx, f).and_then(|out| match tx.commit() {
        Ok(()) => Ok(out),
        Err(e) => {
            tracing::error!(error = %e, "commit failed");
            Err(DbError::Task(format!("commit failed: {e}")))
        }
    });
    owner.after_commit(stats, 1);
    outcome
}

/// An IMMEDIATE transaction, rolled back when dropped uncommitted.
/// `BEGIN IMMEDIATE` and `COMMIT` come from the connection's statement
/// cache: rusqlite's `Transaction` prepares both anew every time, ~1% of a
/// pipeline run's instructions (bench/README.md, "Inline writes").
struct Immediate<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> Immediate<'c> {
    fn begin(conn: &'c Connection) -> rusqlite::Result<Immediate<'c>> {
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(Immediate { conn, open: true })
    }

    /// Commit; when that fails, the transaction is rolled back.
    fn commit(mut self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        self.open = false;
        Ok(())
    }
}

impl std::ops::Deref for Immediate<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Immediate<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            if let Err(e) = self.conn.execute_batch("ROLLBACK") {
                tracing::error!(error = %e, "rollback failed");
            }
        }
    }
}

/// Run one request between `SAVEPOINT` and `RELEASE`, rolling back to the
/// savepoint when it fails or panics.
fn in_savepoint<T>(tx: &Connection, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
    tx.prepare_cached("SAVEPOINT request")?.execute([])?;
    let result = guarded(tx, f);
    if result.is_err() {
        tx.prepare_cached("ROLLBACK TO request")?.execute([])?;
    }
    tx.prepare_cached("RELEASE request")?.execute([])?;
    result
}

/// Run one request, a panic becoming its error.
fn guarded<T>(tx: &Connection, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
    catch_unwind(AssertUnwindSafe(|| f(tx))).unwrap_or_else(|_| Err(DbError::Task("a write request panicked".into())))
}

fn run(owner: &Mutex<Owner>, jobs: mpsc::Receiver<Job>, stats: &DbStats) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        stats.dequeued(group.len());
        let mut owner = owner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        owner.before_transaction();
        write_group(&mut owner, group, stats);
        owner.optimize_when_due();
    }
}

/// Commit `group` in as few transactions as its groupings allow.
fn write_group(owner: &mut Owner, group: Vec<Job>, stats: &DbStats) {
    let mut pending = group.into_iter().peekable();
    while let Some(first) = pending.next() {
        let tx = match Immediate::begin(&owner.conn) {
            Ok(tx) => tx,
            Err(e) => {
                // Dropping the group's jobs fails each of their requests.
                tracing::error!(error = %e, "cannot begin a write transaction");
                break;
            }
        };
        let (failed, complete) = (first.run)(&tx, true);
        if failed {
            // Nothing else ran in this transaction: drop it all (rollback),
            // answer that request, and give the rest a new transaction.
            drop(tx);
            complete(Ok(()));
            continue;
        }
        let mut completions = vec![complete];
        if first.grouping == Grouping::Shared {
            // Up to the next request that must be alone, which starts
            // a new transaction.
            while let Some(job) = pending.next_if(|job| job.grouping == Grouping::Shared) {
                completions.push((job.run)(&tx, false).1);
            }
        }
        let committed = tx.commit().map_err(|e| e.to_string());
        if let Err(e) = &committed {
            tracing::error!(error = %e, "group commit failed");
        }
        owner.after_commit(stats, completions.len());
        for complete in completions {
            complete(committed.clone());
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
