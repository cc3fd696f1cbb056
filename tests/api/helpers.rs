//! `TestApp`: a real trove on 127.0.0.1:0 with its own data folder.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use trove::config::Settings;
use trove::startup::{prepare, Application};

pub const PASSWORD: &str = "test-password-123";
pub const SECRET: &str = "test-secret-0123456789";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    pub project_id: String,
    /// The server's database, for tests that look behind the API.
    pub db: trove::db::Db,
    /// The server's password thread, for tests that count its checks.
    pub passwords: trove::auth::Verifier,
    /// The server's state, for tests that advance its login throttle.
    pub state: actix_web::web::Data<trove::state::AppState>,
    pub dir: TempDir,
}

/// A prepared database (schema, admin, default project) in a fresh data
/// folder, without a server: for tests of the database layer.
pub fn prepared_db() -> (TempDir, trove::db::Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        admin_password: Some(PASSWORD.into()),
        jwt_secret: Some(SECRET.into()),
        ..Settings::default()
    };
    let db = prepare(&settings).expect("prepare").state.db.clone();
    (dir, db)
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        admin_password: Some(PASSWORD.into()),
        jwt_secret: Some(SECRET.into()),
        log_level: "warn".into(),
        db_pool_size: 4,
        ..Settings::default()
    };
    tweak(&mut settings);
    let prepared = prepare(&settings).expect("prepare");
    let app = Application::build(&prepared).expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let db = prepared.state.db.clone();
    let passwords = prepared.state.passwords.clone();
    let state = prepared.state.clone();
    let mut t = TestApp { base, client, token: String::new(), project_id: String::new(), db, passwords, state, dir };
    let (status, body) = t.login("admin", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    t.token = body["access_token"].as_str().expect("token").to_string();
    let (_, project) = t.get("/api/v1/projects/default").await;
    t.project_id = project["id"].as_str().expect("project id").to_string();
    t
}

impl TestApp {
    pub async fn login(&self, user: &str, password: &str) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(format!("{}/api/v1/login", self.base))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .expect("login request");
        split(resp).await
    }

    /// Any request with the test token.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{}", self.base, path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        split(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// A valid create body for artifact `name`, with overrides.
    pub fn version_body(&self, name: &str, extra: Value) -> Value {
        let mut b = json!({
            "project": self.project_id, "artifact_name": name, "type": "DataArtifact",
            "uri": format!("/data/{name}"), "save_type": "manual",
            "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
            "data_type": {"module": "builtins", "attribute": "int", "type": "builtin"},
        });
        b.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        b
    }

    /// Create a version that must succeed.
    pub async fn create(&self, name: &str, extra: Value) -> Value {
        let (status, body) = self.post("/api/v1/artifact_versions", self.version_body(name, extra)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Page items as (artifact name, version) pairs.
    pub async fn list_versions(&self, query: &str) -> Vec<(String, String)> {
        let (status, page) = self.get(&format!("/api/v1/artifact_versions?{query}")).await;
        assert_eq!(status, 200, "{page}");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["body"]["artifact"]["name"].as_str().unwrap().to_string(),
                    i["body"]["version"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

pub async fn split(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// The exception name of a shape-B error body.
pub fn error_name(body: &Value) -> &str {
    body["detail"][0].as_str().unwrap_or("")
}
