//! `trove backup` under write load and `trove restore`, with the real binary.

#[path = "common/process.rs"]
mod process;

use process::{login, mode, trove, Server};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BACKUP_PASSWORD: &str = "backup-pass-123";

/// One create answered 200: the version's id (as stored), when its request
/// was sent and when its answer came.
struct Created {
    id: String,
    sent: Instant,
    acked: Instant,
}

/// `writers` concurrent clients creating artifact versions on `port` until
/// `stop`; every answered create goes to `created`. Joins to the answers
/// that were not 200.
fn create_versions(
    port: u16,
    writers: usize,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    created: std::sync::Arc<std::sync::Mutex<Vec<Created>>>,
) -> JoinHandle<Vec<String>> {
    use serde_json::Value;
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let base = format!("http://127.0.0.1:{port}");
            let client = reqwest::Client::new();
            let (token, project) = process::session(&client, &base, BACKUP_PASSWORD).await;
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let (client, base, token, stop, created) =
                        (client.clone(), base.clone(), token.clone(), stop.clone(), created.clone());
                    let body = process::version_body(&project, &format!("backup-{w}"));
                    actix_web::rt::spawn(async move {
                        let mut failed = Vec::new();
                        while !stop.load(Ordering::Relaxed) {
                            let sent = Instant::now();
                            let resp = client
                                .post(format!("{base}/api/v1/artifact_versions"))
                                .bearer_auth(&token)
                                .json(&body)
                                .send()
                                .await
                                .unwrap();
                            let status = resp.status();
                            let text = resp.text().await.unwrap();
                            if status == 200 {
                                let v: Value = serde_json::from_str(&text).unwrap();
                                let id = v["id"].as_str().unwrap().replace('-', "");
                                created.lock().unwrap().push(Created { id, sent, acked: Instant::now() });
                            } else {
                                failed.push(format!("{status}: {text}"));
                            }
                        }
                        failed
                    })
                })
                .collect();
            let mut failed = Vec::new();
            for t in tasks {
                failed.extend(t.await.unwrap());
            }
            failed
        })
    })
}

/// The version ids in a stopped server's database, after checking its
/// integrity.
fn stored_versions(db: &std::path::Path) -> std::collections::HashSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "{}", db.display());
    let mut stmt = conn.prepare("SELECT id FROM artifact_versions").unwrap();
    let ids = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    ids
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `trove backup` while clients create versions: the backup holds every
/// version acknowledged before it started (and none whose create was sent
/// after it ended); `trove restore` refuses while the server runs and
/// changes nothing then; restored into a fresh data folder, and into the
/// same one once stopped, the server starts on it and serves those versions,
/// the account and its password come along, integrity is ok, and the files
/// are owner-only.
#[test]
fn a_backup_under_write_load_restores_every_acknowledged_version() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("backup.db");
    let file_arg = file.to_str().unwrap();
    let mut server = Server::start_with(&data, &[("TROVE_ADMIN_PASSWORD", BACKUP_PASSWORD)]);
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(Mutex::new(Vec::new()));
    let writing = create_versions(server.port, 4, stop.clone(), created.clone());
    wait_for("200 versions", || created.lock().unwrap().len() >= 200);

    let backup_started = Instant::now();
    let out = trove(&data, &["backup", file_arg]);
    let backup_ended = Instant::now();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("backed up") && said.contains("integrity ok"), "{said}");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    wait_for("creates sent after the backup", || {
        created.lock().unwrap().iter().filter(|c| c.sent > backup_ended).count() >= 20
    });

    let out = trove(&data, &["restore", file_arg]);
    assert!(!out.status.success(), "a restore ran beside the server");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server") && err.contains("is running") && err.contains("stop it"), "{err}");

    stop.store(true, Ordering::Relaxed);
    let failed = writing.join().unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    server.stop();
    let created = std::mem::take(&mut *created.lock().unwrap());
    let before: Vec<&str> = created.iter().filter(|c| c.acked < backup_started).map(|c| c.id.as_str()).collect();
    let after: Vec<&str> = created.iter().filter(|c| c.sent > backup_ended).map(|c| c.id.as_str()).collect();
    let during = created.len() - before.len() - after.len();
    // The refused restore changed nothing.
    assert_eq!(stored_versions(&data.join("trove.db")).len(), created.len());

    let fresh = tmp.path().join("fresh");
    for (target, name) in [(&fresh, "a fresh data folder"), (&data, "the same data folder")] {
        let out = trove(target, &["restore", file_arg]);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("restored"), "{name}");
        assert!(!target.join("trove.db-wal").exists(), "{name}: a stale WAL is left");
        #[cfg(unix)]
        assert_eq!(mode(&target.join("trove.db")), 0o600, "{name}");
        let mut server = Server::start(target);
        let port = server.port;
        let (first, last) = (before[0].to_string(), before[before.len() - 1].to_string());
        let statuses = actix_web::rt::System::new().block_on(async move {
            let base = format!("http://127.0.0.1:{port}");
            let client = reqwest::Client::new();
            let (token, _) = process::session(&client, &base, BACKUP_PASSWORD).await;
            let mut statuses = Vec::new();
            for id in [first, last] {
                let resp = client
                    .get(format!("{base}/api/v1/artifact_versions/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                statuses.push(resp.status().as_u16());
            }
            statuses
        });
        assert_eq!(statuses, [200, 200], "{name}");
        server.stop();
        let stored = stored_versions(&target.join("trove.db"));
        let lost: Vec<&&str> = before.iter().filter(|id| !stored.contains(**id)).collect();
        assert!(
            lost.is_empty(),
            "{name}: {} of {} versions acknowledged before the backup lost",
            lost.len(),
            before.len()
        );
        let kept: Vec<&&str> = after.iter().filter(|id| stored.contains(**id)).collect();
        assert!(kept.is_empty(), "{name}: versions created after the backup: {kept:?}");
    }
    eprintln!(
        "backup under load: {} versions before the backup, {during} answered during it ({:.0} ms), {} after; none lost",
        before.len(),
        (backup_ended - backup_started).as_secs_f64() * 1000.0,
        after.len()
    );
}

/// A second server on a data folder that one already serves is refused,
/// and leaves the first one serving.
#[test]
fn a_second_server_on_the_same_data_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", BACKUP_PASSWORD)]);
    let out = trove(dir.path(), &["serve", "--bind", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another trove server") && err.contains(&format!("pid {}", server.child.id())), "{err}");
    assert_eq!(login(server.port, BACKUP_PASSWORD), 200);
}
