//! `trove export` / `trove import` with the real binary: a server seeded
//! over HTTP (versions with tags, metadata and visualizations, a pipeline
//! run with steps, logs and metadata, a model with versions and links) is
//! exported, imported into an empty data folder, and the list endpoints of
//! a server started there answer exactly what the first one did; a second
//! import changes nothing; a bad line rolls everything back naming it; the
//! password hashes come along only on request.

#[path = "common/process.rs"]
mod process;

use process::{trove, Server};
use serde_json::{json, Value};
use std::path::Path;

const PASSWORD: &str = "export-password-123";

/// A logged-in admin on a running server.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
    project: Value,
}

impl Api {
    async fn login(port: u16, password: &str) -> Api {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let (token, project) = process::session(&client, &base, password).await;
        Api { client, base, token, project }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req =
            self.client.request(method.clone(), format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    fn project_id(&self) -> &Value {
        &self.project["id"]
    }

    async fn version(&self, name: &str, extra: Value) -> String {
        let mut body = process::version_body(&self.project, name);
        body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        self.post("/artifact_versions", body).await["id"].as_str().unwrap().to_string()
    }
}

fn step_config(name: &str, upstream: &[&str]) -> Value {
    json!({
        "spec": {"source": {"module": "m", "attribute": name, "type": "user"}, "upstream_steps": upstream,
                 "inputs": {}, "invocation_id": name, "enable_heartbeat": false, "parameter_spec": {}},
        "config": {"name": name, "enable_cache": null, "parameters": {}, "substitutions": {}, "retry": null,
                   "outputs": {}, "external_input_artifacts": {}, "client_lazy_loaders": {}},
        "step_config_overrides": {},
    })
}

/// Something of every kind, through the API.
async fn seed(api: &Api) {
    let project = api.project_id().clone();
    for i in 0..3 {
        api.version(
            "data",
            json!({"tags": ["t1", format!("v{i}")], "metadata": {"acc": 0.5 + f64::from(i), "n": i, "name": "alpha"},
                   "content_hash": format!("h{i}"), "item_count": i,
                   "visualizations": [{"type": "markdown", "uri": format!("/v{i}.md")}]}),
        )
        .await;
    }
    api.version("other", json!({"tags": ["t2"]})).await;
    let stacks = api.get("/stacks?name=default").await;
    let stack = stacks["items"][0]["id"].clone();
    let stores = api.get(&format!("/components?stack_id={}&type=artifact_store", stack.as_str().unwrap())).await;
    let store = stores["items"][0]["id"].clone();
    let pipeline = api.post("/pipelines", json!({"project": project, "name": "pipe", "tags": ["ptag"]})).await;
    let model = json!({"model": {"name": "m", "description": "d", "tags": ["mtag"], "version": null}});
    let mut configuration =
        json!({"name": "pipe", "execution_mode": "continue_on_failure", "substitutions": {}, "tags": null});
    configuration.as_object_mut().unwrap().extend(model.as_object().cloned().unwrap());
    let snapshot = api
        .post(
            "/pipeline_snapshots",
            json!({
                "project": project, "stack": stack, "pipeline": pipeline["id"], "run_name_template": "pipe-{date}",
                "pipeline_configuration": configuration,
                "step_configurations": {"load": step_config("load", &[]), "total": step_config("total", &["load"])},
                "pipeline_spec": {"version": "0.5", "steps": []},
                "client_environment": {"os": "linux"}, "client_version": "0.98.0", "server_version": "0.98.0",
            }),
        )
        .await;
    for (n, run_name) in ["r1", "r2"].iter().enumerate() {
        let run = api
            .post(
                "/runs",
                json!({"project": project, "name": run_name, "snapshot": snapshot["id"], "status": "running",
                       "orchestrator_run_id": format!("o{n}"), "start_time": "2026-12-02T20:36:20.836781",
                       "orchestrator_environment": {"os": "linux"}, "tags": ["demo"]}),
            )
            .await;
        let run = run[0]["id"].clone();
        api.post(
            "/logs",
            json!({"project": project, "uri": format!("/logs/{n}"), "source": "execution", "pipeline_run_id": run,
                   "artifact_store_id": store}),
        )
        .await;
        let step = |name: &str, inputs: Value| {
            json!({"project": project, "name": name, "start_time": "2026-12-02T20:36:21", "status": "running",
                   "pipeline_run_id": run, "cache_key": format!("key-{name}"), "inputs": inputs})
        };
        let load = api.post("/steps", step("load", json!({}))).await;
        let numbers = api.version(&format!("numbers-{n}"), json!({"save_type": "step_output"})).await;
        api.put(
            &format!("/steps/{}", load["id"].as_str().unwrap()),
            json!({"outputs": {"numbers": [numbers]}, "status": "completed"}),
        )
        .await;
        let total = api.post("/steps", step("total", json!({"numbers": [numbers]}))).await;
        api.post(
            "/run-metadata",
            json!({"project": project, "resources": [{"id": total["id"], "type": "step_run"}, {"id": run, "type": "pipeline_run"}],
                   "values": {"rows": 3, "d": {"x": 1}}, "types": {"rows": "int", "d": "dict"}}),
        )
        .await;
        let sum = api.version(&format!("sum-{n}"), json!({"save_type": "step_output"})).await;
        api.put(
            &format!("/steps/{}", total["id"].as_str().unwrap()),
            json!({"outputs": {"sum": [sum]}, "status": "completed"}),
        )
        .await;
        let mv = api.get(&format!("/runs/{}", run.as_str().unwrap())).await["resources"]["model_version"]["id"].clone();
        api.post("/model_version_artifacts", json!({"model_version": mv, "artifact_version": sum})).await;
        api.post(
            "/run-metadata",
            json!({"project": project, "resources": [{"id": mv, "type": "model_version"}], "values": {"acc": 0.81}, "types": {"acc": "float"}}),
        )
        .await;
    }
    let hand = api.post("/models", json!({"project": project, "name": "hand", "license": "MIT", "tags": ["t"]})).await;
    api.post("/model_versions", json!({"project": project, "model": hand["id"], "name": "alpha"})).await;
}

/// What the list endpoints answer (hydrated, one page of everything).
async fn lists(api: &Api) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for list in [
        "artifact_versions",
        "artifacts",
        "tags",
        "pipelines",
        "runs",
        "steps",
        "models",
        "model_versions",
        "model_version_artifacts",
        "model_version_pipeline_runs",
        "users",
        "projects",
    ] {
        let page = api.get(&format!("/{list}?hydrate=True&size=1000&sort_by=created")).await;
        assert!(page["total"].as_u64().unwrap() > 0, "{list} is empty: the seed did not reach it");
        out.push((list.to_string(), page));
    }
    // Snapshots and logs have no list endpoint: each by id.
    let runs = out.iter().find(|(l, _)| l == "runs").unwrap().1.clone();
    for run in runs["items"].as_array().unwrap() {
        let snapshot = run["resources"]["snapshot"]["id"].as_str().unwrap();
        out.push((format!("snapshot {snapshot}"), api.get(&format!("/pipeline_snapshots/{snapshot}")).await));
        for log in run["resources"]["log_collection"].as_array().unwrap() {
            let id = log["id"].as_str().unwrap();
            out.push((format!("log {id}"), api.get(&format!("/logs/{id}")).await));
        }
    }
    out
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    actix_web::rt::System::new().block_on(f)
}

/// A command that succeeded quietly (no progress bar off a terminal); its stdout.
fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "wrote to stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A seeded, stopped server's data folder; what its lists answered.
fn seeded(dir: &Path) -> Vec<(String, Value)> {
    let mut server = Server::start_with(dir, &[("TROVE_ADMIN_PASSWORD", PASSWORD)]);
    let port = server.port;
    let before = block_on(async move {
        let api = Api::login(port, PASSWORD).await;
        seed(&api).await;
        lists(&api).await
    });
    server.stop();
    before
}

/// Count the rows of every table of a stopped server's database.
fn row_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'server_settings' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| (t.clone(), conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()))
        .collect()
}

#[test]
fn export_then_import_into_an_empty_data_folder_answers_the_same_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("source"), tmp.path().join("target"));
    let before = seeded(&source);
    let file = tmp.path().join("export.jsonl");
    let said = ok(&trove(&source, &["export", file.to_str().unwrap(), "--with-password-hashes"]));
    assert!(said.contains("exported") && said.contains("with password hashes"), "{said}");
    #[cfg(unix)]
    assert_eq!(process::mode(&file), 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        (&header["format"], &header["version"], &header["password_hashes"]),
        (&json!("trove-export"), &json!(1), &json!(true))
    );
    let kinds: std::collections::BTreeSet<String> = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].as_str().unwrap().to_string())
        .collect();
    for kind in [
        "artifact_version_tag",
        "artifact_version_metadata",
        "visualization",
        "step_parent",
        "step_artifact",
        "log",
        "run_step_metadata",
        "model_version_run",
        "model_version_metadata",
        "end",
    ] {
        assert!(kinds.contains(kind), "no {kind} record in the export: {kinds:?}");
    }

    let said = ok(&trove(&target, &["import", file.to_str().unwrap()]));
    assert!(said.contains("imported") && said.contains(" 0 already there"), "{said}");
    let counts = row_counts(&target.join("trove.db"));
    assert_eq!(counts, row_counts(&source.join("trove.db")), "every table holds as many rows");
    let mut server = Server::start(&target);
    let port = server.port;
    let after = block_on(async move { lists(&Api::login(port, PASSWORD).await).await });
    server.stop();
    assert_eq!(before.len(), after.len());
    for ((list, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{list} differs after export and import");
    }

    // A second import adds nothing and changes nothing.
    let said = ok(&trove(&target, &["import", file.to_str().unwrap()]));
    assert!(said.contains(" 0 added"), "{said}");
    assert_eq!(row_counts(&target.join("trove.db")), counts);
    let mut server = Server::start(&target);
    let port = server.port;
    let again = block_on(async move { lists(&Api::login(port, PASSWORD).await).await });
    server.stop();
    assert_eq!(again, after);
}

/// Each bad file is refused with the number of its bad line and a non-zero
/// exit, and leaves the database as it was (one transaction), whether the
/// import would have created it or added to it.
#[test]
fn a_bad_line_rolls_the_whole_import_back_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    seeded(&source);
    let file = tmp.path().join("export.jsonl");
    ok(&trove(&source, &["export", file.to_str().unwrap()]));
    let lines: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().map(String::from).collect();
    let first = |kind: &str| lines.iter().position(|l| l.starts_with(&format!("{{\"kind\":\"{kind}\""))).unwrap();
    let (artifact, version) = (first("artifact"), first("artifact_version"));
    let artifact_id = serde_json::from_str::<Value>(&lines[artifact]).unwrap()["id"].as_str().unwrap().to_string();
    // The first version of the removed artifact, one line up once it is gone.
    let orphan =
        lines.iter().position(|l| l.contains("\"kind\":\"artifact_version\"") && l.contains(&artifact_id)).unwrap();
    let mut newer: Value = serde_json::from_str(&lines[0]).unwrap();
    newer["version"] = json!(2);
    type Edit = Box<dyn Fn(&mut Vec<String>)>;
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "bad JSON",
            Box::new(move |l| l[version + 1] = "{\"kind\": \"tag\",".into()),
            format!("line {}: not a JSON object", version + 2),
        ),
        (
            "an unknown kind",
            Box::new(|l| l.insert(3, r#"{"kind":"widget","id":"x"}"#.into())),
            "line 4: unknown kind `widget`".into(),
        ),
        (
            "an unknown field",
            Box::new(move |l| l[version] = l[version].replacen("{", "{\"colour\":1,", 1)),
            format!("line {}: artifact_version has no field `colour`", version + 1),
        ),
        (
            "a newer format version",
            Box::new(move |l| l[0] = newer.to_string()),
            "line 1: format version 2 is newer".into(),
        ),
        (
            "a missing referenced row",
            Box::new(move |l| drop(l.remove(artifact))),
            format!("line {orphan}: artifact_version.artifact refers to {artifact_id}"),
        ),
        ("no end line", Box::new(|l| drop(l.pop())), "without its `end` line".into()),
        ("a line left out", Box::new(|l| drop(l.remove(l.len() - 2))), "the `end` line counts".into()),
        ("not an export", Box::new(|l| l[0] = "hello".into()), "line 1: not a trove export".into()),
    ];
    // A database holding one account, to which nothing may be added.
    let existing = tmp.path().join("existing");
    ok(&trove(&existing, &["user", "add", "bob", "--password", "bob-password-1"]));
    let rows = row_counts(&existing.join("trove.db"));
    for (what, edit, expected) in cases {
        let mut edited = lines.clone();
        edit(&mut edited);
        let bad = tmp.path().join("bad.jsonl");
        std::fs::write(&bad, edited.join("\n") + "\n").unwrap();
        let fresh = tmp.path().join("fresh");
        let err = failed(&trove(&fresh, &["import", bad.to_str().unwrap()]));
        assert!(err.contains(&expected) && err.contains("nothing was imported"), "{what}: {err}");
        assert!(!fresh.join("trove.db").exists(), "{what}: a failed import left the database it created");
        let err = failed(&trove(&existing, &["import", bad.to_str().unwrap()]));
        assert!(err.contains(&expected), "{what}: {err}");
        assert_eq!(row_counts(&existing.join("trove.db")), rows, "{what}: the failed import changed the database");
    }
    // The whole file adds to it; a bootstrapped server's own `default`
    // project (another id) is a clear conflict.
    let said = ok(&trove(&existing, &["import", file.to_str().unwrap()]));
    assert!(said.contains(" 0 already there"), "{said}");
    let served = tmp.path().join("served");
    Server::start_with(&served, &[("TROVE_ADMIN_PASSWORD", PASSWORD)]).stop();
    let err = failed(&trove(&served, &["import", file.to_str().unwrap()]));
    assert!(err.contains("UNIQUE") && err.contains("another id"), "{err}");
}

/// Password hashes are exported only with `--with-password-hashes`: without
/// them the accounts cannot log in until `trove user passwd`; with them the
/// old password works. Tokens are not carried (the new folder has its own
/// secret), and an import is refused while a server runs on the folder.
#[test]
fn password_hashes_come_along_only_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    seeded(&source);
    let mut server = Server::start(&source);
    let port = server.port;
    let token = block_on(async move { Api::login(port, PASSWORD).await.token });
    server.stop();
    let (plain, hashed) = (tmp.path().join("plain.jsonl"), tmp.path().join("hashed.jsonl"));
    ok(&trove(&source, &["export", plain.to_str().unwrap()]));
    ok(&trove(&source, &["export", hashed.to_str().unwrap(), "--with-password-hashes"]));
    let users = |file: &Path| -> Vec<Value> {
        let text = std::fs::read_to_string(file).unwrap();
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|r| r["kind"] == "user").collect()
    };
    assert!(users(&plain).iter().all(|u| u["password_hash"].is_null()), "a hash without the flag");
    assert!(users(&hashed).iter().all(|u| u["password_hash"].as_str().is_some_and(|h| h.starts_with("$argon2"))));

    let without = tmp.path().join("without");
    let said = ok(&trove(&without, &["import", plain.to_str().unwrap()]));
    assert!(said.contains("admin") && said.contains("trove user passwd"), "{said}");
    let server = Server::start(&without);
    assert_eq!(process::login(server.port, PASSWORD), 401);
    drop(server);
    ok(&trove(&without, &["user", "passwd", "admin", "--password", "a-new-password-1"]));
    let server = Server::start(&without);
    assert_eq!(process::login(server.port, "a-new-password-1"), 200);
    drop(server);

    let with = tmp.path().join("with");
    let said = ok(&trove(&with, &["import", hashed.to_str().unwrap()]));
    assert!(!said.contains("trove user passwd"), "{said}");
    let server = Server::start(&with);
    let port = server.port;
    assert_eq!(process::login(port, PASSWORD), 200);
    let status = block_on(async move {
        let resp = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/current-user"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        resp.status().as_u16()
    });
    assert_eq!(status, 401, "a token of the source server was accepted");
    let err = failed(&trove(&with, &["import", hashed.to_str().unwrap()]));
    assert!(err.contains("is running") && err.contains("stop it before importing"), "{err}");
}
