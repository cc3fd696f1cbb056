//! The seed of the export tests: a logged-in admin ([`Api`]), something of
//! every kind created through the API ([`seed`]), and what the list
//! endpoints answer ([`lists`]).

use crate::process;
use serde_json::{json, Value};

/// A logged-in admin on a running server.
pub struct Api {
    client: reqwest::Client,
    base: String,
    pub token: String,
    project: Value,
}

impl Api {
    pub async fn login(port: u16, password: &str) -> Api {
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
pub async fn seed(api: &Api) {
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
pub async fn lists(api: &Api) -> Vec<(String, Value)> {
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
