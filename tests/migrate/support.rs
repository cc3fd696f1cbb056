//! What tests/migrate.rs drives: the real ZenML server started by
//! `start_zenml.sh` (stopped by its pid), and a logged-in REST session.

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// The ZenML server the script started: stopped (by its pid) when dropped.
pub struct Zenml {
    pub pid: u32,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Zenml {
    pub fn start() -> Zenml {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrate/start_zenml.sh");
        let out = Command::new("bash").arg(script).arg(dir.path()).output().expect("run start_zenml.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let field = |name: &str| stdout.split_whitespace().find_map(|w| w.strip_prefix(name)?.parse::<u32>().ok());
        let (pid, port) = (field("PID="), field("PORT="));
        if let (Some(pid), false) = (pid, out.status.success()) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        assert!(
            out.status.success(),
            "start_zenml.sh failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Zenml { pid: pid.unwrap(), port: port.unwrap() as u16, _dir: dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Zenml {
    fn drop(&mut self) {
        let alive = |pid: u32| {
            let probe =
                Command::new("kill").args(["-0", &pid.to_string()]).stderr(std::process::Stdio::null()).status();
            probe.is_ok_and(|s| s.success())
        };
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while alive(self.pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if alive(self.pid) {
            let _ = Command::new("kill").args(["-KILL", &self.pid.to_string()]).status();
        }
    }
}

/// A logged-in REST session (trove or ZenML alike).
pub struct Api {
    pub base: String,
    pub token: String,
}

impl Api {
    pub fn login(url: &str, password: &str) -> Api {
        let answer: Value = ureq::post(&format!("{url}/api/v1/login"))
            .send_form(&[("username", "admin"), ("password", password)])
            .unwrap_or_else(|e| panic!("login to {url}: {e}"))
            .into_json()
            .unwrap();
        Api { base: format!("{url}/api/v1"), token: answer["access_token"].as_str().unwrap().to_string() }
    }

    pub fn get(&self, path: &str) -> Value {
        let r = ureq::get(&format!("{}{path}", self.base)).set("Authorization", &format!("Bearer {}", self.token));
        r.call().unwrap_or_else(|e| panic!("GET {path}: {}", describe(e))).into_json().unwrap()
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        let r = ureq::post(&format!("{}{path}", self.base)).set("Authorization", &format!("Bearer {}", self.token));
        r.send_json(&body).unwrap_or_else(|e| panic!("POST {path} {body}: {}", describe(e))).into_json().unwrap()
    }

    pub fn delete(&self, path: &str) {
        let r = ureq::delete(&format!("{}{path}", self.base)).set("Authorization", &format!("Bearer {}", self.token));
        r.call().unwrap_or_else(|e| panic!("DELETE {path}: {}", describe(e)));
    }

    pub fn project_id(&self, name: &str) -> String {
        self.get(&format!("/projects/{name}"))["id"].as_str().unwrap().to_string()
    }

    /// Every artifact version of a project, hydrated, keyed by (artifact, version).
    pub fn versions(&self, project: &str) -> BTreeMap<(String, String), Value> {
        let id = self.project_id(project);
        let page = self.get(&format!("/artifact_versions?project={id}&hydrate=true&size=1000"));
        let items = page["items"].as_array().unwrap();
        let key = |v: &Value| (text(&v["body"]["artifact"]["name"]), text(&v["body"]["version"]));
        items.iter().map(|v| (key(v), v.clone())).collect()
    }
}

pub fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, r) => format!("HTTP {code}: {}", r.into_string().unwrap_or_default()),
        e => e.to_string(),
    }
}

pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}
