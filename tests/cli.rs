//! Black-box tests of the `trove` binary: first start, fail-fast errors and
//! the offline user commands.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_trove");

fn trove(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("TROVE_ADMIN_PASSWORD")
        .env_remove("TROVE_JWT_SECRET")
        .output()
        .expect("run trove")
}

/// A running server on the port the OS chose for it (`--bind 127.0.0.1:0`),
/// read from its log line `trove … listening url=http://127.0.0.1:PORT`,
/// which it writes once the port is bound: no free port is picked first
/// and then raced for. Stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    port: u16,
    /// Reads the server's stderr until it closes; the whole log.
    log: Option<JoinHandle<String>>,
}

impl Server {
    /// Spawn `trove serve --bind 127.0.0.1:0 --data-dir DIR` (no admin
    /// password from the environment) with info logs on a piped stderr and
    /// stdout piped; wait for the bound port.
    fn start(data_dir: &std::path::Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    /// [`Server::start`] with more environment variables.
    fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("TROVE_ADMIN_PASSWORD")
            .env_remove("RUST_LOG")
            .env("TROVE_LOG_LEVEL", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn trove");
        let stderr = child.stderr.take().unwrap();
        let (port_tx, port_rx) = mpsc::channel();
        let log = std::thread::spawn(move || {
            let mut log = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line) {
                    let _ = port_tx.send(port);
                }
                log.push_str(&line);
                log.push('\n');
            }
            log
        });
        let mut server = Server { child, port: 0, log: Some(log) };
        server.port = match port_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => port,
            Err(_) => panic!("trove logged no listening address:\n{}", server.stop()),
        };
        server
    }

    /// SIGTERM, wait for the exit (SIGKILL after 10 s); the whole log.
    fn stop(&mut self) -> String {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.take().map(|l| l.join().unwrap_or_default()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.log.is_some() {
            self.stop();
        }
    }
}

/// The port of the `listening url=http://127.0.0.1:PORT` log line.
fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("listening") {
        return None;
    }
    let url = line.split_whitespace().find_map(|w| w.strip_prefix("url=http://127.0.0.1:"))?;
    url.trim_end_matches('/').parse().ok()
}

fn login(port: u16, password: &str) -> u16 {
    let rt = actix_web::rt::System::new();
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/api/v1/login"))
            .form(&[("username", "admin"), ("password", password)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

#[test]
fn version_flag() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("trove {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn first_start_prints_the_admin_password_once_and_it_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let password = first.rsplit(' ').next().unwrap().to_string();
    assert!(first.contains("created the account `admin`"), "{first}");
    assert!(lines.next().unwrap().unwrap().contains("trove user passwd admin"));
    assert_eq!(login(server.port, &password), 200);
    assert_eq!(login(server.port, "wrong"), 401);
    drop(server);

    // The second start reuses the account and prints nothing.
    let mut server = Server::start(dir.path());
    let stdout = server.child.stdout.take().unwrap();
    assert_eq!(login(server.port, &password), 200);
    drop(server);
    let rest: Vec<String> = BufReader::new(stdout).lines().map_while(Result::ok).collect();
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn a_busy_port_fails_fast_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = trove(dir.path(), &["serve", "--bind", &format!("127.0.0.1:{port}")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another program uses this port"), "{err}");
}

#[test]
fn bad_configuration_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trove.toml");
    std::fs::write(&config, "bnd = \"127.0.0.1:1\"\n").unwrap();
    let out = trove(dir.path(), &["--config", config.to_str().unwrap(), "user", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field") && err.contains("print-config"), "{err}");

    let out = trove(dir.path(), &["serve", "--bind", "localhost"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"));
}

#[test]
fn a_database_from_a_newer_trove_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("trove.db")).unwrap();
    conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    drop(conn);
    let out = trove(dir.path(), &["user", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer trove"));
}

#[test]
fn users_are_managed_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = trove(dir.path(), &["user", "add", "alice", "--password", "alice-pass-123"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = trove(dir.path(), &["user", "add", "alice"]);
    assert!(!out.status.success(), "duplicate names are refused");
    let out = trove(dir.path(), &["user", "passwd", "alice"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("new password: "));
    let out = trove(dir.path(), &["user", "passwd", "nobody", "--password", "x"]);
    assert!(!out.status.success());
    let out = trove(dir.path(), &["user", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("alice\t") && listing.contains("\tuser\tactive"), "{listing}");
}

#[test]
fn print_config_is_the_example() {
    let out = Command::new(BIN).arg("print-config").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), trove::config::EXAMPLE_CONFIG);
}

/// Logs redirected to a file are plain text (no colour codes), one line per
/// request, and every buffered line is written out on a graceful shutdown.
#[test]
fn redirected_logs_are_plain_and_flushed_on_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let port = server.port;
    let rt = actix_web::rt::System::new();
    let status =
        rt.block_on(async { reqwest::get(format!("http://127.0.0.1:{port}/health")).await.unwrap().status().as_u16() });
    assert_eq!(status, 200);
    let log = server.stop();
    assert!(!log.contains('\u{1b}'), "colour codes in a redirected log:\n{log}");
    assert!(log.contains("listening"), "{log}");
    assert!(log.lines().any(|l| l.contains("request") && l.contains("/health") && l.contains("200")), "{log}");
}

/// A first start that cannot listen writes nothing: the next start creates
/// the account and shows its password (issue 16: a busy port used to leave
/// an `admin` whose generated password nobody ever saw).
#[test]
fn a_first_start_on_a_busy_port_leaves_no_account_behind() {
    let dir = tempfile::tempdir().unwrap();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let out = trove(dir.path(), &["serve", "--bind", &format!("127.0.0.1:{port}")]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let listing = trove(dir.path(), &["user", "list"]);
    assert!(listing.status.success());
    assert!(listing.stdout.is_empty(), "an account was created: {}", String::from_utf8_lossy(&listing.stdout));

    let mut server = Server::start(dir.path());
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("created the account `admin`"), "{first}");
    assert_eq!(login(server.port, first.rsplit(' ').next().unwrap()), 200);
}

/// An `admin` whose generated password was never shown (a start that ended
/// between creating it and printing it) gets a hint at every start, until
/// `trove user passwd admin` sets a password.
#[test]
fn an_account_whose_password_was_never_shown_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = trove(dir.path(), &["user", "add", "admin", "--admin", "--password", "admin-pass-123"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let conn = rusqlite::Connection::open(dir.path().join("trove.db")).unwrap();
    conn.execute("INSERT INTO server_settings (key, value) VALUES ('unshown_generated_password', 'admin')", [])
        .unwrap();
    drop(conn);
    let hint_of_a_start = || {
        let mut server = Server::start(dir.path());
        let stdout = server.child.stdout.take().unwrap();
        drop(server);
        BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n")
    };
    let hint = hint_of_a_start();
    assert!(hint.contains("never shown") && hint.contains("trove user passwd admin"), "{hint}");
    assert!(trove(dir.path(), &["user", "passwd", "admin", "--password", "new-pass-456"]).status.success());
    assert_eq!(hint_of_a_start(), "");
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// The database holds password hashes: the data folder is 700, the
/// database, its WAL and shared-memory files and the secret 600; a start
/// warns about looser modes.
#[cfg(unix)]
#[test]
fn the_data_folder_and_its_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let server = Server::start(&dir);
    assert_eq!(mode(&dir), 0o700);
    for file in ["trove.db", "trove.db-wal", "trove.db-shm", "jwt_secret"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    drop(server);

    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("trove.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let log: Vec<String> = Server::start(&dir).stop().lines().map(str::to_string).collect();
    let warned = |fix: &str, path: &str| {
        log.iter().any(|l| l.contains("readable by other users") && l.contains(fix) && l.contains(path))
    };
    assert!(warned("chmod 700", dir.to_str().unwrap()), "{log:?}");
    assert!(warned("chmod 600", "trove.db"), "{log:?}");
    assert!(!warned("chmod 600", "jwt_secret"), "{log:?}");
}

/// SIGTERM and SIGINT stop trove gracefully: a request in flight (its body
/// still arriving when the signal comes) is answered, the WAL is
/// checkpointed and truncated, and the exit status is 0.
#[cfg(unix)]
#[test]
fn a_signal_stops_trove_gracefully() {
    use std::io::{Read, Write};
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", "admin-pass-123")]);
        let port = server.port;
        // A write while trove runs leaves frames in the WAL.
        assert!(trove(dir.path(), &["user", "add", "bob", "--password", "bob-pass-123"]).status.success());
        let wal = dir.path().join("trove.db-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);

        let body = "username=admin&password=admin-pass-123";
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            conn,
            "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            &body[..10]
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let kill = Command::new("kill").args([&format!("-{signal}"), &server.child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        std::thread::sleep(Duration::from_millis(300));
        let late = std::net::TcpStream::connect(("127.0.0.1", port));
        conn.write_all(&body.as_bytes()[10..]).unwrap();
        let mut answer = String::new();
        let _ = conn.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "SIG{signal}: the request in flight got {answer:?}");
        // No new connection is served once stopping (a connection the
        // kernel took before the listener closed gets no answer).
        if let Ok(mut late) = late {
            late.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = late.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            let mut got = Vec::new();
            let _ = late.read_to_end(&mut got);
            assert!(got.is_empty(), "SIG{signal}: served after the signal: {}", String::from_utf8_lossy(&got));
        }

        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "SIG{signal}: trove did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "SIG{signal}: {status:?}");
        let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert_eq!(wal_len, 0, "SIG{signal}: the WAL was not checkpointed");
    }
}

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
    use serde_json::{json, Value};
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let base = format!("http://127.0.0.1:{port}");
            let client = reqwest::Client::new();
            let token = bearer(&client, &base, BACKUP_PASSWORD).await;
            let project: Value = client
                .get(format!("{base}/api/v1/projects/default"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let (client, base, token, stop, created) =
                        (client.clone(), base.clone(), token.clone(), stop.clone(), created.clone());
                    let body = json!({
                        "project": project["id"], "artifact_name": format!("backup-{w}"),
                        "type": "DataArtifact", "uri": format!("/data/backup-{w}"), "save_type": "manual",
                        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
                        "data_type": {"module": "builtins", "attribute": "int", "type": "builtin"},
                    });
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

/// Log in as admin; the access token.
async fn bearer(client: &reqwest::Client, base: &str, password: &str) -> String {
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/login"))
        .form(&[("username", "admin"), ("password", password)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_string()
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
            let token = bearer(&client, &base, BACKUP_PASSWORD).await;
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
