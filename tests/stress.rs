//! The real binary under load, in bounded time.
//!
//! * Crash: `kill -9` while concurrent clients create artifact versions,
//!   several cycles on one data folder. Every create that was answered 200
//!   must still be there afterwards, no request may get a 5xx, every
//!   restart must come up, and the database must pass `PRAGMA
//!   integrity_check`. `TROVE_CRASH_CYCLES` (default 4) and
//!   `TROVE_CRASH_WRITERS` (default 8) scale it up.
//! * Soak: 64 writers and 16 readers for `TROVE_SOAK_SECONDS` (default 3):
//!   no 5xx, no "database is locked" in any answer or in the server's log.

#[path = "common/process.rs"]
mod process;

use process::{version_body, Server};
use serde_json::Value;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "crash-pass-123";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What the writers saw in one cycle.
#[derive(Default)]
struct Seen {
    acknowledged: Vec<String>,
    server_errors: Vec<String>,
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/health")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("trove did not start at {base}");
}

/// Create versions until the server goes away (or `until`); record what
/// was answered.
async fn writer(client: reqwest::Client, base: String, token: String, body: Value, seen: Arc<Mutex<Seen>>) {
    writer_until(client, base, token, body, seen, None).await
}

async fn writer_until(
    client: reqwest::Client,
    base: String,
    token: String,
    body: Value,
    seen: Arc<Mutex<Seen>>,
    until: Option<Instant>,
) {
    while until.is_none_or(|t| Instant::now() < t) {
        let sent = client.post(format!("{base}/api/v1/artifact_versions")).bearer_auth(&token).json(&body).send().await;
        let Ok(resp) = sent else { return };
        let status = resp.status();
        let Ok(text) = resp.text().await else { return };
        let mut seen = seen.lock().unwrap();
        if status == 200 {
            let v: Value = serde_json::from_str(&text).unwrap();
            seen.acknowledged.push(v["id"].as_str().unwrap().replace('-', ""));
        } else if status.is_server_error() {
            seen.server_errors.push(format!("{status}: {text}"));
        }
    }
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let cycles = env_or("TROVE_CRASH_CYCLES", 4);
    let writers = env_or("TROVE_CRASH_WRITERS", 8);
    let dir = tempfile::tempdir().unwrap();
    let rt = actix_web::rt::System::new();
    let mut acknowledged = Vec::new();
    for cycle in 0..cycles {
        let mut server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", PASSWORD)]);
        let base = format!("http://127.0.0.1:{}", server.port);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let run_for = Duration::from_millis(300 + 150 * (cycle as u64 % 5));
        rt.block_on(async {
            let client = reqwest::Client::new();
            wait_healthy(&client, &base).await;
            let (token, project) = process::session(&client, &base, PASSWORD).await;
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let body = version_body(&project, &format!("crash-{cycle}-{w}"));
                    actix_web::rt::spawn(writer(client.clone(), base.clone(), token.clone(), body, seen.clone()))
                })
                .collect();
            actix_web::rt::time::sleep(run_for).await;
            server.child.kill().expect("kill -9");
            for t in tasks {
                t.await.unwrap();
            }
        });
        server.child.wait().unwrap();
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        assert!(seen.server_errors.is_empty(), "cycle {cycle}: {:?}", seen.server_errors);
        assert!(!seen.acknowledged.is_empty(), "cycle {cycle}: no write was acknowledged");
        acknowledged.extend(seen.acknowledged);
    }

    let conn = rusqlite::Connection::open(dir.path().join("trove.db")).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let stored: std::collections::HashSet<String> = conn
        .prepare("SELECT id FROM artifact_versions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged versions lost: {lost:?}", lost.len(), acknowledged.len());
    eprintln!(
        "crash: {cycles} kill -9 cycles, {writers} writers: {} acknowledged versions, 0 lost, integrity ok",
        acknowledged.len()
    );
}

/// Readers list and get versions until `until`; record 5xx answers and any
/// answer mentioning a locked database.
async fn reader(client: reqwest::Client, base: String, token: String, seen: Arc<Mutex<Seen>>, until: Instant) -> u64 {
    let mut n = 0;
    let paths = ["/api/v1/artifact_versions?size=20&sort_by=desc:created", "/api/v1/artifacts?size=20", "/api/v1/tags"];
    while Instant::now() < until {
        let path = paths[n as usize % paths.len()];
        let Ok(resp) = client.get(format!("{base}{path}")).bearer_auth(&token).send().await else { return n };
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if status.is_server_error() || text.contains("database is locked") {
            seen.lock().unwrap().server_errors.push(format!("GET {path}: {status}: {text}"));
        }
        n += 1;
    }
    n
}

#[test]
fn a_soak_of_64_writers_and_16_readers_has_no_5xx_and_no_locked_database() {
    let seconds = env_or("TROVE_SOAK_SECONDS", 3) as u64;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", PASSWORD)]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let rt = actix_web::rt::System::new();
    let reads = rt.block_on(async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(128).build().unwrap();
        wait_healthy(&client, &base).await;
        let (token, project) = process::session(&client, &base, PASSWORD).await;
        let until = Instant::now() + Duration::from_secs(seconds);
        let writers: Vec<_> = (0..64)
            .map(|w| {
                let body = version_body(&project, &format!("soak-{}", w % 16));
                let (client, base, token, seen) = (client.clone(), base.clone(), token.clone(), seen.clone());
                actix_web::rt::spawn(writer_until(client, base, token, body, seen, Some(until)))
            })
            .collect();
        let readers: Vec<_> = (0..16)
            .map(|_| actix_web::rt::spawn(reader(client.clone(), base.clone(), token.clone(), seen.clone(), until)))
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        let mut reads = 0;
        for r in readers {
            reads += r.await.unwrap();
        }
        reads
    });
    let (status, log) = server.stop_with_status();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.server_errors.is_empty(), "{:?}", &seen.server_errors[..seen.server_errors.len().min(5)]);
    assert!(!log.contains("database is locked"), "{log}");
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(!seen.acknowledged.is_empty());
    eprintln!(
        "soak: {seconds} s, 64 writers, 16 readers: {} versions created, {reads} reads, 0 5xx, 0 locked",
        seen.acknowledged.len()
    );
}
