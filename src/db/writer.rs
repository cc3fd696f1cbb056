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
//! group, writes scale with load.

use super::checkpoint::{Checkpointer, BACKSTOP_PAGES};
use super::stats::DbStats;
use super::{DbError, DbResult};
use crate::clock::Clock;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};

/// How many queued requests one transaction takes at most.
const MAX_GROUP: usize = 64;
/// How often, at most, the planner statistics are refreshed while writes happen.
const OPTIMIZE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether a request may share its transaction with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// In the group's transaction, in a savepoint of its own unless it comes
    /// first: for requests that change a few pages.
    Shared,
    /// First in a transaction of its own, committed right after it: for
    /// requests that change many pages. In a savepoint, SQLite keeps the
    /// original of each of those pages in memory (with `temp_store =
    /// MEMORY`) until the transaction ends, so two large requests in one
    /// group hold the pages of both (see bench/README.md, "Large writes").
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
type Run = Box<dyn FnOnce(&Transaction, First) -> (Failed, Completion) + Send>;
type First = bool;
type Failed = bool;
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// The time every write of this writer is stamped with (installed on
    /// its thread, see [`crate::clock`]).
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
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_PAGES)?;
        }
        let (queue, jobs) = mpsc::channel::<Job>();
        let clock = Clock::default();
        let installed = clock.clone();
        let counted = stats.clone();
        std::thread::Builder::new()
            .name("trove-writer".into())
            .spawn(move || {
                crate::clock::install(installed);
                run(conn, jobs, checkpointer, &counted)
            })
            .map_err(|e| DbError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { queue, clock, stats })
    }

    /// The clock of this writer's writes.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Queue `f`; resolves after the transaction containing it has committed.
    pub async fn write<T, F>(&self, grouping: Grouping, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> DbResult<T> + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel::<DbResult<T>>();
        let span = tracing::Span::current();
        let run = Box::new(move |tx: &Transaction, first| {
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
        let queued_at = std::time::Instant::now();
        self.stats.enqueued();
        if self.queue.send(Job { grouping, run }).is_err() {
            self.stats.dequeued(1);
            return Err(DbError::Task("the writer thread has stopped".into()));
        }
        let outcome = result.await.map_err(|_| DbError::Task("the writer thread dropped a request".into()))?;
        self.stats.write_latency.observe_duration(queued_at.elapsed());
        outcome
    }
}

/// Run one request between `SAVEPOINT` and `RELEASE`, rolling back to the
/// savepoint when it fails or panics.
fn in_savepoint<T>(tx: &Transaction, f: impl FnOnce(&Transaction) -> DbResult<T>) -> DbResult<T> {
    tx.prepare_cached("SAVEPOINT request")?.execute([])?;
    let result = guarded(tx, f);
    if result.is_err() {
        tx.prepare_cached("ROLLBACK TO request")?.execute([])?;
    }
    tx.prepare_cached("RELEASE request")?.execute([])?;
    result
}

/// Run one request, a panic becoming its error.
fn guarded<T>(tx: &Transaction, f: impl FnOnce(&Transaction) -> DbResult<T>) -> DbResult<T> {
    catch_unwind(AssertUnwindSafe(|| f(tx))).unwrap_or_else(|_| Err(DbError::Task("a write request panicked".into())))
}

fn run(mut conn: Connection, jobs: mpsc::Receiver<Job>, checkpointer: Option<Checkpointer>, stats: &DbStats) {
    let mut last_optimize = std::time::Instant::now();
    // Keep ANALYZE cheap on large tables (approximate statistics suffice).
    let _ = conn.execute_batch("PRAGMA analysis_limit = 1000;");
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        stats.dequeued(group.len());
        if checkpointer.as_ref().is_some_and(Checkpointer::take_restart) {
            // Copy the last few commits so that this transaction starts the WAL over.
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
        let mut pending = group.into_iter().peekable();
        while let Some(first) = pending.next() {
            let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
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
            if let Some(c) = &checkpointer {
                c.committed();
            }
            stats.group_sizes.observe(completions.len() as u64);
            for complete in completions {
                complete(committed.clone());
            }
        }
        // Tables that grew (or shrank) a lot get fresh planner statistics.
        if last_optimize.elapsed() >= OPTIMIZE_EVERY {
            if let Err(e) = conn.execute_batch("PRAGMA optimize;") {
                tracing::warn!(error = %e, "PRAGMA optimize failed");
            }
            last_optimize = std::time::Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER UNIQUE);").unwrap();
        (dir, Writer::start(conn, None, Default::default()).unwrap())
    }

    /// A write request's future, polled once: a request is queued on its
    /// first poll, so the requests queued this way are queued in this order,
    /// whatever the scheduler does. Await it for the outcome.
    fn queued<'a, T: 'a>(
        fut: impl std::future::Future<Output = DbResult<T>> + 'a,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = DbResult<T>> + 'a>> {
        use std::task::{Context, Poll, Waker};
        let mut fut = Box::pin(fut);
        let first = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert!(matches!(first, Poll::Pending), "a write completed before its commit");
        fut
    }

    /// Hold the writer inside a request until the returned sender is used or
    /// dropped, so that the requests queued meanwhile form one group; the
    /// busy request's future.
    fn hold_writer(w: &Writer) -> (impl std::future::Future<Output = DbResult<()>> + '_, mpsc::Sender<()>) {
        let (started, running) = mpsc::channel::<()>();
        let (release, released) = mpsc::channel::<()>();
        let hold = queued(w.write(Grouping::Shared, move |_| {
            let _ = started.send(());
            let _ = released.recv();
            Ok(())
        }));
        running.recv_timeout(std::time::Duration::from_secs(30)).expect("the writer runs the busy request");
        (hold, release)
    }

    #[actix_web::test]
    async fn a_failing_request_does_not_affect_its_group() {
        let (dir, w) = writer();
        let mut handles = Vec::new();
        for x in [1, 2, 2, 3] {
            let w = w.clone();
            handles.push(actix_web::rt::spawn(async move {
                w.write(Grouping::Shared, move |tx| Ok(tx.execute("INSERT INTO t (x) VALUES (?1)", [x])?)).await
            }));
        }
        let mut ok = 0;
        for h in handles {
            if h.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 3, "exactly the duplicate fails");
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 3);
    }

    /// The first request of a transaction runs without a savepoint: when it
    /// fails after writing, its transaction is rolled back and the requests
    /// queued behind it commit in a new one.
    #[actix_web::test]
    async fn a_failing_first_request_of_a_group_leaves_nothing_and_the_rest_commit() {
        let (dir, w) = writer();
        let (hold, release) = hold_writer(&w);
        let failing = queued(w.write(Grouping::Shared, |tx| -> DbResult<()> {
            tx.execute("INSERT INTO t (x) VALUES (20)", [])?;
            Err(DbError::Invalid("nope".into()))
        }));
        let rest: Vec<_> = [21, 22]
            .into_iter()
            .map(|x| queued(w.write(Grouping::Shared, move |tx| Ok(tx.execute("INSERT INTO t (x) VALUES (?1)", [x])?))))
            .collect();
        drop(release);
        hold.await.unwrap();
        assert!(matches!(failing.await, Err(DbError::Invalid(m)) if m == "nope"));
        for r in rest {
            r.await.unwrap();
        }
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        let xs: Vec<i64> = conn
            .prepare("SELECT x FROM t ORDER BY x")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(xs, vec![21, 22]);
    }

    /// Is `tx` in a savepoint? (`ROLLBACK TO` a savepoint that does not
    /// exist fails; as the first statement of a request it changes nothing.)
    fn in_a_savepoint(tx: &Transaction) -> bool {
        tx.execute_batch("ROLLBACK TO request").is_ok()
    }

    /// A request written `Alone` comes first in its transaction (no
    /// savepoint), and the request after it starts a new transaction, so
    /// that nothing shares its transaction; `Shared` ones after that group.
    #[actix_web::test]
    async fn a_request_written_alone_has_its_transaction_to_itself() {
        let (_dir, w) = writer();
        let (hold, release) = hold_writer(&w);
        let requests = [(1, Grouping::Shared), (2, Grouping::Alone), (3, Grouping::Shared), (4, Grouping::Shared)];
        let waiting: Vec<_> = requests
            .into_iter()
            .map(|(x, grouping)| {
                queued(w.write(grouping, move |tx| {
                    let saved = in_a_savepoint(tx);
                    tx.execute("INSERT INTO t (x) VALUES (?1)", [x])?;
                    Ok((x, saved))
                }))
            })
            .collect();
        drop(release);
        hold.await.unwrap();
        let mut seen = Vec::new();
        for q in waiting {
            seen.push(q.await.unwrap());
        }
        assert_eq!(seen, vec![(1, false), (2, false), (3, false), (4, true)]);
    }

    #[actix_web::test]
    async fn a_failed_request_leaves_no_partial_rows() {
        let (dir, w) = writer();
        let r: DbResult<()> = w
            .write(Grouping::Shared, |tx| {
                tx.execute("INSERT INTO t (x) VALUES (10)", [])?;
                Err(DbError::Invalid("nope".into()))
            })
            .await;
        assert!(r.is_err());
        let panicked: DbResult<()> = w
            .write(Grouping::Shared, |tx| {
                tx.execute("INSERT INTO t (x) VALUES (11)", [])?;
                panic!("boom")
            })
            .await;
        assert!(panicked.is_err());
        w.write(Grouping::Shared, |tx| Ok(tx.execute("INSERT INTO t (x) VALUES (12)", [])?)).await.unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        let xs: Vec<i64> =
            conn.prepare("SELECT x FROM t").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(xs, vec![12]);
    }
}
