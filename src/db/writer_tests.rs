//! Tests of [`super`]: grouping, savepoints, failures, and writes run
//! inline.

use super::*;

fn writer() -> (tempfile::TempDir, Writer) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("w.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER UNIQUE);").unwrap();
    // Every write queued, so that a test decides how they group.
    (dir, Writer::start_with(conn, None, Default::default(), false).unwrap())
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
    hold_writer_with(w, Grouping::Shared)
}

/// [`hold_writer`] with a request of `grouping` (`Alone` is always queued,
/// also by a writer that runs uncontended writes inline).
fn hold_writer_with(
    w: &Writer,
    grouping: Grouping,
) -> (impl std::future::Future<Output = DbResult<()>> + '_, mpsc::Sender<()>) {
    let (started, running) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let hold = queued(w.write(grouping, move |_| {
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
fn in_a_savepoint(tx: &Connection) -> bool {
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

/// With nothing queued, a write runs on the caller's thread, with the
/// writer's clock, and commits before it returns; a failing one leaves
/// nothing, and the writer thread takes the next queued ones as before.
#[actix_web::test]
async fn an_uncontended_write_runs_inline_with_the_writers_clock() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("w.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER UNIQUE);").unwrap();
    let w = Writer::start(conn, None, Default::default()).unwrap();
    w.clock().advance(std::time::Duration::from_secs(3600));
    let caller = std::thread::current().id();
    let (thread, stamped) = w
        .write(Grouping::Shared, |tx| {
            tx.execute("INSERT INTO t (x) VALUES (1)", [])?;
            Ok((std::thread::current().id(), crate::clock::now()))
        })
        .await
        .unwrap();
    assert_eq!(thread, caller, "an uncontended write runs on its caller's thread");
    assert!(stamped.0 > crate::clock::now().0 + 3_000_000_000, "with the writer's clock");
    let failed: DbResult<()> = w
        .write(Grouping::Shared, |tx| {
            tx.execute("INSERT INTO t (x) VALUES (2)", [])?;
            Err(DbError::Invalid("nope".into()))
        })
        .await;
    assert!(failed.is_err());
    // Large writes still go to the writer thread.
    let alone = w.write(Grouping::Alone, |_| Ok(std::thread::current().id())).await.unwrap();
    assert_ne!(alone, caller);
    let fresh = Connection::open(dir.path().join("w.db")).unwrap();
    let xs: Vec<i64> =
        fresh.prepare("SELECT x FROM t").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(xs, vec![1], "the inline write committed, the failed one left nothing");
}

/// While the writer thread holds the connection, a write is queued and
/// answered after the group's commit.
#[actix_web::test]
async fn a_write_while_the_writer_is_busy_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("w.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER UNIQUE);").unwrap();
    let w = Writer::start(conn, None, Default::default()).unwrap();
    let (hold, release) = hold_writer_with(&w, Grouping::Alone);
    let caller = std::thread::current().id();
    let waiting = queued(w.write(Grouping::Shared, |_| Ok(std::thread::current().id())));
    drop(release);
    hold.await.unwrap();
    assert_ne!(waiting.await.unwrap(), caller);
}

/// An [`Immediate`] transaction keeps what it wrote only when committed:
/// dropped, or when its commit fails (a deferred foreign key), it is
/// rolled back and the connection is out of any transaction.
#[test]
fn an_immediate_transaction_is_rolled_back_unless_it_commits() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; CREATE TABLE p (pk INTEGER PRIMARY KEY);
         CREATE TABLE t (x, p REFERENCES p (pk) DEFERRABLE INITIALLY DEFERRED);",
    )
    .unwrap();
    let rows = || conn.query_row("SELECT group_concat(x) FROM t", [], |r| r.get::<_, Option<String>>(0)).unwrap();
    {
        let tx = Immediate::begin(&conn).unwrap();
        tx.execute("INSERT INTO t VALUES (1, NULL)", []).unwrap();
    }
    assert!(conn.is_autocommit());
    let tx = Immediate::begin(&conn).unwrap();
    tx.execute("INSERT INTO t VALUES (2, 7)", []).unwrap();
    assert!(tx.commit().is_err(), "no p 7");
    assert!(conn.is_autocommit());
    let tx = Immediate::begin(&conn).unwrap();
    tx.execute("INSERT INTO t VALUES (3, NULL)", []).unwrap();
    tx.commit().unwrap();
    assert_eq!(rows().as_deref(), Some("3"));
}
