//! Black-box tests of the `trove` binary: first start, fail-fast errors,
//! the offline user commands, file modes and signals. Backups are in
//! `tests/backup.rs`.

#[path = "common/process.rs"]
mod process;

use process::{login, mode, trove, Server, BIN};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

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
