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

use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_trove");
const PASSWORD: &str = "crash-pass-123";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn version_body(project: &Value, name: &str) -> Value {
    json!({
        "project": project["id"], "artifact_name": name,
        "type": "DataArtifact", "uri": format!("/data/{name}"), "save_type": "manual",
        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
        "data_type": {"module": "builtins", "attribute": "int", "type": "builtin"},
    })
}

/// Log in as admin; the token and the default project.
async fn session(client: &reqwest::Client, base: &str) -> (String, Value) {
    let login: Value = client
        .post(format!("{base}/api/v1/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    let project: Value = client
        .get(format!("{base}/api/v1/projects/default"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (token, project)
}

/// `trove serve` on a port the OS picks (`--bind 127.0.0.1:0`): the port is
/// read from its `listening url=http://127.0.0.1:PORT` log line, so no
/// free port is picked first and then raced for. The rest of its log (the
/// log thread's result) is there for the checks.
fn spawn_trove(dir: &std::path::Path) -> (std::process::Child, u16, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("TROVE_ADMIN_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG")
        .env("TROVE_LOG_LEVEL", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn trove");
    let stderr = child.stderr.take().unwrap();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("listening") {
                let port = line.split_whitespace().find_map(|w| w.strip_prefix("url=http://127.0.0.1:"));
                if let Some(port) = port.and_then(|p| p.trim_end_matches('/').parse::<u16>().ok()) {
                    let _ = port_tx.send(port);
                }
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    let port = port_rx.recv_timeout(Duration::from_secs(30)).expect("trove logged no listening address");
    (child, port, log)
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
        let (mut child, port, _log) = spawn_trove(dir.path());
        let base = format!("http://127.0.0.1:{port}");
        let seen = Arc::new(Mutex::new(Seen::default()));
        let run_for = Duration::from_millis(300 + 150 * (cycle as u64 % 5));
        rt.block_on(async {
            let client = reqwest::Client::new();
            wait_healthy(&client, &base).await;
            let (token, project) = session(&client, &base).await;
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let body = version_body(&project, &format!("crash-{cycle}-{w}"));
                    actix_web::rt::spawn(writer(client.clone(), base.clone(), token.clone(), body, seen.clone()))
                })
                .collect();
            actix_web::rt::time::sleep(run_for).await;
            child.kill().expect("kill -9");
            for t in tasks {
                t.await.unwrap();
            }
        });
        child.wait().unwrap();
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
    let (mut child, port, log) = spawn_trove(dir.path());
    let base = format!("http://127.0.0.1:{port}");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let rt = actix_web::rt::System::new();
    let reads = rt.block_on(async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(128).build().unwrap();
        wait_healthy(&client, &base).await;
        let (token, project) = session(&client, &base).await;
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
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    let log = log.join().unwrap();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.server_errors.is_empty(), "{:?}", &seen.server_errors[..seen.server_errors.len().min(5)]);
    assert!(!log.contains("database is locked"), "{log}");
    assert!(status.success(), "{status:?}");
    assert!(!seen.acknowledged.is_empty());
    eprintln!(
        "soak: {seconds} s, 64 writers, 16 readers: {} versions created, {reads} reads, 0 5xx, 0 locked",
        seen.acknowledged.len()
    );
}
