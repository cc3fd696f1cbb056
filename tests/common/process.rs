//! Running the real `trove` binary from integration tests: on a port the OS
//! picks (read from its `listening url=…` log line, so no free port is
//! picked first and then raced for), with its log kept for the checks.
//! Included by the test crates that start the binary
//! (`#[path = "common/process.rs"] mod process;`).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_trove");

/// An offline `trove` command on `data_dir` (no admin password or secret
/// from the environment).
pub fn trove(data_dir: &std::path::Path, args: &[&str]) -> Output {
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
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// Reads the server's stderr until it closes; the whole log.
    log: Option<JoinHandle<String>>,
}

impl Server {
    /// Spawn `trove serve --bind 127.0.0.1:0 --data-dir DIR` (no admin
    /// password from the environment) with info logs on a piped stderr and
    /// stdout piped; wait for the bound port.
    pub fn start(data_dir: &std::path::Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    /// [`Server::start`] with more environment variables.
    pub fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
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
    pub fn stop(&mut self) -> String {
        self.stop_with_status().1
    }

    /// [`Server::stop`] with the exit status (`None`: it had to be killed).
    pub fn stop_with_status(&mut self) -> (Option<ExitStatus>, String) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut status = None;
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        (status, self.log.take().map(|l| l.join().unwrap_or_default()).unwrap_or_default())
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
pub fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("listening") {
        return None;
    }
    let url = line.split_whitespace().find_map(|w| w.strip_prefix("url=http://127.0.0.1:"))?;
    url.trim_end_matches('/').parse().ok()
}

/// `POST /login` as admin from a fresh client; the status.
pub fn login(port: u16, password: &str) -> u16 {
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

/// Log in as admin; the token and the default project.
pub async fn session(client: &reqwest::Client, base: &str, password: &str) -> (String, Value) {
    let login: Value = client
        .post(format!("{base}/api/v1/login"))
        .form(&[("username", "admin"), ("password", password)])
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

/// A create body for a version of artifact `name` in `project`.
pub fn version_body(project: &Value, name: &str) -> Value {
    json!({
        "project": project["id"], "artifact_name": name,
        "type": "DataArtifact", "uri": format!("/data/{name}"), "save_type": "manual",
        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
        "data_type": {"module": "builtins", "attribute": "int", "type": "builtin"},
    })
}

/// The permission bits of `path`.
#[cfg(unix)]
pub fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}
