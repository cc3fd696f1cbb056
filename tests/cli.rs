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
        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("TROVE_ADMIN_PASSWORD")
            .env_remove("RUST_LOG")
            .env("TROVE_LOG_LEVEL", "info")
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
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
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
