//! Pipelines, snapshots, runs, steps, logs and run metadata over HTTP, in
//! the order the official client calls them (`pipeline-runs.md` §2), and
//! their error shapes.

use crate::helpers::*;
use serde_json::{json, Value};

/// The ids a run needs: default stack and its artifact store.
pub async fn stack_and_store(app: &TestApp) -> (String, String) {
    let (_, stacks) = app.get("/api/v1/stacks?name=default").await;
    let stack = stacks["items"][0]["id"].as_str().unwrap().to_string();
    let (_, comps) = app.get(&format!("/api/v1/components?stack_id={stack}&type=artifact_store")).await;
    (stack, comps["items"][0]["id"].as_str().unwrap().to_string())
}

fn step_config(name: &str, upstream: &[&str], inputs: Value) -> Value {
    json!({
        "spec": {"source": {"module": "m", "attribute": name, "type": "user"}, "upstream_steps": upstream,
                 "inputs": inputs, "invocation_id": name, "enable_heartbeat": false, "parameter_spec": {}},
        "config": {"name": name, "enable_cache": null, "parameters": {}, "substitutions": {}, "retry": null,
                   "outputs": {}, "external_input_artifacts": {}, "client_lazy_loaders": {}},
        "step_config_overrides": {},
    })
}

/// A pipeline `pipe` with a `load -> total` snapshot; (pipeline id, snapshot id, store id).
async fn snapshot(app: &TestApp, pipeline: &str) -> (String, String, String) {
    snapshot_with(app, pipeline, json!({})).await
}

/// [`snapshot`] with more pipeline configuration (e.g. a `model`).
pub async fn snapshot_with(app: &TestApp, pipeline: &str, more: Value) -> (String, String, String) {
    let (stack, store) = stack_and_store(app).await;
    let (s, p) = app.post("/api/v1/pipelines", json!({"project": app.project_id, "name": pipeline})).await;
    assert_eq!(s, 200, "{p}");
    let body = json!({
        "project": app.project_id, "stack": stack, "pipeline": p["id"], "run_name_template": "pipe-{date}-{time}",
        "pipeline_configuration": with(json!({"name": pipeline, "execution_mode": "continue_on_failure", "substitutions": {"team": "ml"}, "tags": null}), more),
        "step_configurations": {
            "load": step_config("load", &[], json!({})),
            "total": step_config("total", &["load"], json!({"numbers": {"step_name": "load", "output_name": "numbers"}})),
        },
        "pipeline_spec": {"version": "0.5", "steps": []},
        "client_environment": {"os": "linux", "python_packages": "a==1\nb==2"},
        "client_version": "0.98.0", "server_version": "0.98.0",
    });
    let (s, snap) = app.post("/api/v1/pipeline_snapshots", body.clone()).await;
    assert_eq!(s, 200, "{snap}");
    assert!(snap["metadata"]["client_environment"].get("python_packages").is_none(), "{snap}");
    // The configurations as sent, the steps in their order.
    for key in ["step_configurations", "pipeline_configuration"] {
        assert_eq!(snap["metadata"][key], body[key], "{key}");
    }
    let steps: Vec<&String> = snap["metadata"]["step_configurations"].as_object().unwrap().keys().collect();
    assert_eq!(steps, ["load", "total"]);
    assert_eq!(snap["resources"]["pipeline"]["name"], pipeline);
    assert_eq!(snap["metadata"]["step_configurations"]["total"]["spec"]["upstream_steps"][0], "load");
    (p["id"].as_str().unwrap().into(), snap["id"].as_str().unwrap().into(), store)
}

fn with(mut base: Value, more: Value) -> Value {
    if let (Value::Object(b), Value::Object(m)) = (&mut base, more) {
        b.extend(m);
    }
    base
}

pub fn run_body(app: &TestApp, snapshot: &str, name: &str, status: &str, orchestrator: Option<&str>) -> Value {
    json!({"project": app.project_id, "name": name, "snapshot": snapshot, "status": status,
           "orchestrator_run_id": orchestrator, "start_time": "2026-12-02T20:36:20.836781",
           "orchestrator_environment": {"os": "linux", "python_packages": "x"}, "tags": ["demo"]})
}

pub async fn output_version(app: &TestApp, name: &str) -> String {
    app.create(name, json!({"save_type": "step_output"})).await["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn a_run_goes_from_placeholder_to_completed_from_its_steps() {
    let app = spawn_app().await;
    let (pipeline, snap, store) = snapshot(&app, "pipe").await;
    let (s, log) = app
        .post(
            "/api/v1/logs",
            json!({"project": app.project_id, "source": "client", "uri": "/l.log", "artifact_store_id": store}),
        )
        .await;
    assert_eq!(s, 200, "{log}");
    // The placeholder: `[run, true]`, named after the request.
    let (s, created) = app.post("/api/v1/runs", run_body(&app, &snap, "pipe-run-1", "initializing", None)).await;
    assert_eq!(s, 200, "{created}");
    assert_eq!(created[1], true);
    let run = created[0]["id"].as_str().unwrap().to_string();
    assert_eq!(created[0]["body"]["index"], 1);
    assert_eq!(created[0]["body"]["status"], "initializing");
    assert_eq!(
        created[0]["metadata"]["config"]["substitutions"],
        json!({"date": "2026_12_02", "time": "20_36_20_836781", "team": "ml"})
    );
    assert_eq!(created[0]["resources"]["tags"][0]["name"], "demo");
    let (s, linked) =
        app.put(&format!("/api/v1/logs/{}", log["id"].as_str().unwrap()), json!({"pipeline_run_id": run})).await;
    assert_eq!((s.as_u16(), &linked["body"]["pipeline_run_id"]), (200, &json!(run)));
    let (s, token) = app.get(&format!("/api/v1/api_token?token_type=workload&pipeline_run_id={run}")).await;
    assert!(s == 200 && token.is_string(), "{token}");
    // The orchestrator's run replaces the placeholder: same id and name.
    let (_, started) = app.post("/api/v1/runs", run_body(&app, &snap, "other-name", "running", Some("orch-1"))).await;
    assert_eq!(
        (&started[0]["id"], &started[0]["name"], &started[1]),
        (&json!(run), &json!("pipe-run-1"), &json!(true))
    );
    assert_eq!(started[0]["resources"]["log_collection"][0]["id"], log["id"]);
    // Asking again for the same orchestrator run returns it, not created.
    let (_, again) = app.post("/api/v1/runs", run_body(&app, &snap, "x", "running", Some("orch-1"))).await;
    assert_eq!((&again[0]["id"], &again[1]), (&json!(run), &json!(false)));
    // Steps: load produces `numbers`, total reads it.
    let step = |name: &str, inputs: Value| {
        json!({"project": app.project_id, "name": name, "start_time": "2026-12-02T20:36:21", "status": "running",
               "pipeline_run_id": run, "cache_key": format!("key-{name}"), "inputs": inputs})
    };
    let (s, load) = app.post("/api/v1/steps", step("load", json!({}))).await;
    assert_eq!(s, 200, "{load}");
    assert_eq!(load["body"]["substitutions"]["date"], "2026_12_02");
    assert_eq!(load["body"]["substitutions"]["team"], "ml", "the pipeline's own substitutions");
    assert_eq!(load["metadata"]["config"]["substitutions"]["time"], "20_36_20_836781");
    // The rest of the stored config and spec, as configured.
    let (config, spec) = (&load["metadata"]["config"], &load["metadata"]["spec"]);
    assert_eq!(
        (&config["name"], &config["parameters"], &spec["upstream_steps"]),
        (&json!("load"), &json!({}), &json!([]))
    );
    let numbers = output_version(&app, "numbers").await;
    let load_id = load["id"].as_str().unwrap().to_string();
    let (s, done) = app
        .put(
            &format!("/api/v1/steps/{load_id}"),
            json!({"outputs": {"numbers": [numbers]}, "status": "completed", "end_time": "2026-12-02T20:36:22"}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["resources"]["outputs"]["numbers"][0]["id"], json!(numbers));
    // A nested version shows its body only (no resources, as the reference).
    let output = &done["resources"]["outputs"]["numbers"][0];
    assert!(output["metadata"].is_null() && output["resources"].is_null(), "{output}");
    assert_eq!(output["body"]["artifact"]["name"], "numbers");
    let (_, mid) = app.get(&format!("/api/v1/runs/{run}")).await;
    assert_eq!(mid["body"]["status"], "running", "one of two steps done");
    let (s, total) = app.post("/api/v1/steps", step("total", json!({"numbers": [numbers]}))).await;
    assert_eq!(s, 200, "{total}");
    assert_eq!(total["metadata"]["parent_step_ids"], json!([load_id]));
    assert_eq!(total["resources"]["inputs"]["numbers"][0]["input_type"], "step_output");
    assert_eq!(total["resources"]["inputs"]["numbers"][0]["index"], 0);
    let sum = output_version(&app, "sum").await;
    let total_id = total["id"].as_str().unwrap();
    app.put(&format!("/api/v1/steps/{total_id}"), json!({"outputs": {"sum": [sum]}, "status": "completed"})).await;
    // Completed by the server; the client's late `provisioning` is ignored.
    let (s, end) =
        app.put(&format!("/api/v1/runs/{run}"), json!({"status": "provisioning", "status_reason": null})).await;
    assert_eq!(s, 200, "{end}");
    assert_eq!((&end["body"]["status"], &end["body"]["in_progress"]), (&json!("completed"), &json!(false)));
    assert!(end["metadata"]["end_time"].is_string());
    // Finished steps are immutable; the cache lookup finds `load`.
    let (s, refused) = app.put(&format!("/api/v1/steps/{load_id}"), json!({"status": "running"})).await;
    assert_eq!((s.as_u16(), error_name(&refused)), (403, "IllegalOperationError"), "{refused}");
    let lookup = format!(
        "/api/v1/steps?hydrate=True&sort_by=desc:created&size=1&project={}&cache_key=key-load&status=completed&cache_expired=False",
        app.project_id
    );
    let (_, hit) = app.get(&lookup).await;
    assert_eq!((hit["total"].as_u64(), &hit["items"][0]["id"]), (Some(1), &json!(load_id)));
    let (_, expired) = app.get(&lookup.replace("cache_expired=False", "cache_expired=True")).await;
    assert_eq!(expired["total"], 0);
    // Lists: the pipeline's newest run, the run by name and by pipeline.
    let (_, pipelines) = app.get("/api/v1/pipelines?name=equals:pipe").await;
    assert_eq!(pipelines["items"][0]["resources"]["latest_run_status"], "completed");
    let (_, runs) = app.get(&format!("/api/v1/runs?pipeline={pipeline}&name=startswith:pipe-run")).await;
    assert_eq!((runs["total"].as_u64(), &runs["items"][0]["id"]), (Some(1), &json!(run)));
    let (_, by_name) = app.get("/api/v1/runs?pipeline_name=pipe&sort_by=desc:created").await;
    assert_eq!(by_name["total"], 1);
    let (_, steps) =
        app.get(&format!("/api/v1/steps?pipeline_run_id={run}&exclude_retried=True&sort_by=created")).await;
    let names: Vec<&str> = steps["items"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["load", "total"]);
    // Versions used by the run are not unused, and the run's filter finds them.
    let (_, used) = app.get(&format!("/api/v1/artifact_versions?pipeline_run={run}")).await;
    assert_eq!(used["total"], 2);
    let (_, producer) = app.get(&format!("/api/v1/artifact_versions/{sum}")).await;
    assert_eq!(producer["resources"]["producer_pipeline_run_id"], json!(run));
    // A finished run gets no workload token.
    let (s, refused) = app.get(&format!("/api/v1/api_token?token_type=workload&pipeline_run_id={run}")).await;
    assert_eq!((s.as_u16(), error_name(&refused)), (400, "ValueError"), "{refused}");
    // Deleting the run keeps the versions; deleting the pipeline takes its runs.
    let (s, _) = app.delete(&format!("/api/v1/runs/{run}")).await;
    assert_eq!(s, 200);
    let (s, _) = app.get(&format!("/api/v1/runs/{run}")).await;
    assert_eq!(s, 404);
    let (s, _) = app.get(&format!("/api/v1/artifact_versions/{sum}")).await;
    assert_eq!(s, 200);
    let (s, _) = app.get(&format!("/api/v1/logs/{}", log["id"].as_str().unwrap())).await;
    assert_eq!(s, 404, "the run's logs go with it");
}

#[actix_web::test]
async fn cached_steps_complete_a_run_and_copy_their_originals_metadata() {
    let app = spawn_app().await;
    let (_, snap, _) = snapshot(&app, "cpipe").await;
    let (_, first) = app.post("/api/v1/runs", run_body(&app, &snap, "first", "running", Some("o1"))).await;
    let first = first[0]["id"].as_str().unwrap().to_string();
    let step = |run: &str, name: &str, status: &str, original: Option<&str>, outputs: Value| {
        json!({"project": app.project_id, "name": name, "start_time": "2026-12-02T20:36:21", "status": status,
               "pipeline_run_id": run, "original_step_run_id": original, "outputs": outputs})
    };
    let (_, load) = app.post("/api/v1/steps", step(&first, "load", "running", None, json!({}))).await;
    let load_id = load["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(
            "/api/v1/run-metadata",
            json!({"project": app.project_id, "resources": [{"id": load_id, "type": "step_run"}, {"id": first, "type": "pipeline_run"}],
                   "values": {"rows": 3, "d": {"x": 1}}, "types": {"rows": "int", "d": "dict"}}),
        )
        .await;
    assert_eq!(s, 200);
    app.post(
        "/api/v1/run-metadata",
        json!({"project": app.project_id, "resources": [{"id": first, "type": "pipeline_run"}], "values": {"d": {"y": 2}}, "types": {"d": "dict"}}),
    )
    .await;
    let (_, run) = app.get(&format!("/api/v1/runs/{first}")).await;
    assert_eq!(run["metadata"]["run_metadata"], json!({"rows": 3, "d": {"x": 1, "y": 2}}));
    let (_, full) = app.get(&format!("/api/v1/runs/{first}?include_full_metadata=True")).await;
    assert_eq!(
        full["metadata"]["run_metadata"],
        json!({"rows": 3, "d": {"x": 1, "y": 2}, "load::rows": 3, "load::d": {"x": 1}}),
        "the steps' metadata after the run's own"
    );
    let numbers = output_version(&app, "numbers").await;
    app.put(&format!("/api/v1/steps/{load_id}"), json!({"outputs": {"numbers": [numbers]}, "status": "completed"}))
        .await;
    // A second run made of cached steps only.
    let (_, second) = app.post("/api/v1/runs", run_body(&app, &snap, "second", "initializing", None)).await;
    let second = second[0]["id"].as_str().unwrap().to_string();
    let (s, cached) =
        app.post("/api/v1/steps", step(&second, "load", "cached", Some(&load_id), json!({"numbers": [numbers]}))).await;
    assert_eq!(s, 200, "{cached}");
    assert_eq!(cached["metadata"]["run_metadata"]["rows"], 3);
    let (_, mid) = app.get(&format!("/api/v1/runs/{second}")).await;
    assert_eq!(mid["body"]["status"], "initializing", "client-side caching in progress");
    app.post("/api/v1/steps", step(&second, "total", "cached", None, json!({}))).await;
    let (_, done) = app.get(&format!("/api/v1/runs/{second}")).await;
    assert_eq!(done["body"]["status"], "completed");
    assert_eq!(done["body"]["index"], 2);
    // The producer is the completed step, never the cached one.
    let (_, v) = app.get(&format!("/api/v1/artifact_versions/{numbers}")).await;
    assert_eq!(v["resources"]["producer_pipeline_run_id"], json!(first));
}

#[actix_web::test]
async fn a_failed_step_fails_the_run() {
    let app = spawn_app().await;
    let (_, snap, _) = snapshot(&app, "fpipe").await;
    let (_, run) = app.post("/api/v1/runs", run_body(&app, &snap, "f", "running", Some("o"))).await;
    let run = run[0]["id"].as_str().unwrap().to_string();
    let body = json!({"project": app.project_id, "name": "load", "start_time": "2026-12-02T20:36:21", "status": "running", "pipeline_run_id": run});
    let (_, load) = app.post("/api/v1/steps", body.clone()).await;
    let info = json!({"traceback": "tb", "source": "builtins.ValueError", "message": "boom", "user_code_line": 2});
    let (_, failed) = app
        .put(
            &format!("/api/v1/steps/{}", load["id"].as_str().unwrap()),
            json!({"status": "failed", "exception_info": info}),
        )
        .await;
    assert_eq!(failed["metadata"]["exception_info"], info);
    let (_, r) = app.get(&format!("/api/v1/runs/{run}?hydrate=False")).await;
    assert_eq!(r["body"]["status"], "failed");
    let (s, refused) = app.put(&format!("/api/v1/runs/{run}"), json!({"status": "running"})).await;
    assert_eq!((s.as_u16(), error_name(&refused)), (403, "IllegalOperationError"), "{refused}");
    let (s, refused) = app.put(&format!("/api/v1/runs/{run}"), json!({"status": "cached"})).await;
    assert_eq!(s, 403, "{refused}");
}

/// After a step failed, a run whose pipeline continues on failure stays in
/// progress while other steps run and takes more steps; under any other
/// execution mode it is over and refuses them (the mode as the snapshot
/// configured it).
#[actix_web::test]
async fn only_a_run_that_continues_on_failure_goes_on_after_a_failure() {
    for (mode, in_progress, new_step) in [("continue_on_failure", true, 200), ("stop_on_failure", false, 403)] {
        let app = spawn_app().await;
        let (_, snap, _) = snapshot_with(&app, "cpipe", json!({"execution_mode": mode})).await;
        for (orchestrator, other_first) in [("o1", true), ("o2", false)] {
            let (_, run) =
                app.post("/api/v1/runs", run_body(&app, &snap, orchestrator, "running", Some(orchestrator))).await;
            let run = run[0]["id"].as_str().unwrap().to_string();
            let step = |name: &str| {
                json!({"project": app.project_id, "name": name, "start_time": "2026-12-02T20:36:21", "status": "running",
                       "pipeline_run_id": run})
            };
            let (_, load) = app.post("/api/v1/steps", step("load")).await;
            if other_first {
                let (s, total) = app.post("/api/v1/steps", step("total")).await;
                assert_eq!(s, 200, "{total}");
            }
            let (s, _) =
                app.put(&format!("/api/v1/steps/{}", load["id"].as_str().unwrap()), json!({"status": "failed"})).await;
            assert_eq!(s, 200);
            let (_, r) = app.get(&format!("/api/v1/runs/{run}?hydrate=False")).await;
            if other_first {
                // `total` still runs.
                let got = (&r["body"]["status"], &r["body"]["in_progress"]);
                assert_eq!(got, (&json!("failed"), &json!(in_progress)), "{mode}");
            } else {
                let (s, total) = app.post("/api/v1/steps", step("total")).await;
                assert_eq!(s.as_u16(), new_step, "{mode}: {total}");
            }
        }
    }
}

#[actix_web::test]
async fn bad_input_gets_the_reference_error_shapes() {
    let app = spawn_app().await;
    let (_, snap, store) = snapshot(&app, "epipe").await;
    // 422 shape A: missing fields, bad enum, bad UUID.
    let (s, body) = app.post("/api/v1/runs", json!({"project": app.project_id})).await;
    assert_eq!(s, 422);
    assert!(body.is_array() && body[1].as_str().unwrap().contains("snapshot"), "{body}");
    let (s, body) = app.post("/api/v1/runs", run_body(&app, &snap, "n", "bogus", None)).await;
    assert!(s == 422 && body[1].as_str().unwrap().contains("status"), "{body}");
    let (s, _) = app.get("/api/v1/runs/not-a-uuid").await;
    assert_eq!(s, 422);
    let (s, body) = app.post("/api/v1/logs", json!({"project": app.project_id, "source": "client"})).await;
    assert!(s == 422 && body[1].as_str().unwrap().contains("artifact_store_id"), "{body}");
    // 404: unknown snapshot, run, step, pipeline; configuration of an unknown step.
    let unknown = "00000000-0000-4000-8000-000000000001";
    let (s, body) = app.post("/api/v1/runs", run_body(&app, unknown, "n", "initializing", None)).await;
    assert_eq!((s.as_u16(), error_name(&body)), (404, "KeyError"), "{body}");
    let (s, other) = app.post("/api/v1/projects", json!({"name": "other-project"})).await;
    assert_eq!(s, 200, "{other}");
    let mut elsewhere = run_body(&app, &snap, "n", "initializing", None);
    elsewhere["project"] = other["id"].clone();
    let (s, body) = app.post("/api/v1/runs", elsewhere).await;
    assert_eq!((s.as_u16(), error_name(&body)), (404, "KeyError"), "a snapshot of another project: {body}");
    for path in ["runs", "steps", "pipelines", "logs", "pipeline_snapshots"] {
        let (s, body) = app.get(&format!("/api/v1/{path}/{unknown}")).await;
        assert_eq!((s.as_u16(), error_name(&body)), (404, "KeyError"), "{path}: {body}");
    }
    let (_, run) = app.post("/api/v1/runs", run_body(&app, &snap, "taken", "running", Some("o"))).await;
    let run = run[0]["id"].as_str().unwrap().to_string();
    let (s, body) = app
        .post("/api/v1/steps", json!({"project": app.project_id, "name": "nosuchstep", "start_time": "2026-12-02T20:36:21", "status": "running", "pipeline_run_id": run}))
        .await;
    assert_eq!((s.as_u16(), error_name(&body)), (404, "KeyError"), "{body}");
    let (s, body) = app
        .post("/api/v1/steps", json!({"project": app.project_id, "name": "load", "start_time": "2026-12-02T20:36:21", "status": "queued", "pipeline_run_id": run}))
        .await;
    assert_eq!(s, 403, "{body}");
    // 409: a run name, a pipeline name, a log id taken; nothing half-written.
    let (s, body) = app.post("/api/v1/runs", run_body(&app, &snap, "taken", "initializing", None)).await;
    assert_eq!((s.as_u16(), error_name(&body)), (409, "EntityExistsError"), "{body}");
    let (s, body) = app.post("/api/v1/pipelines", json!({"project": app.project_id, "name": "epipe"})).await;
    assert_eq!((s.as_u16(), error_name(&body)), (409, "EntityExistsError"), "{body}");
    let log = json!({"project": app.project_id, "id": unknown, "source": "client", "artifact_store_id": store});
    assert_eq!(app.post("/api/v1/logs", log.clone()).await.0, 200);
    let (s, body) = app.post("/api/v1/logs", log).await;
    assert_eq!((s.as_u16(), error_name(&body)), (409, "EntityExistsError"), "{body}");
    let (_, runs) = app.get("/api/v1/runs?pipeline_name=epipe").await;
    assert_eq!(runs["total"], 1, "the refused runs left nothing behind");
    // 400: an unscoped workload token; run metadata for an unknown run is 404.
    let (s, body) = app.get("/api/v1/api_token?token_type=workload").await;
    assert_eq!((s.as_u16(), error_name(&body)), (400, "ValueError"), "{body}");
    let (s, body) = app
        .post("/api/v1/run-metadata", json!({"project": app.project_id, "resources": [{"id": unknown, "type": "pipeline_run"}], "values": {"a": 1}, "types": {"a": "int"}}))
        .await;
    assert_eq!(s, 404, "{body}");
    let (s, body) = app
        .post("/api/v1/run-metadata", json!({"project": app.project_id, "resources": [{"id": run, "type": "pipeline_run"}], "values": {"a": 1}, "types": {"a": "complex"}}))
        .await;
    assert_eq!(s, 422, "{body}");
    let (_, page) = app.get(&format!("/api/v1/code_repositories?project={}&size=20", app.project_id)).await;
    assert_eq!(page, json!({"index": 1, "max_size": 20, "total_pages": 1, "total": 0, "items": []}));
}
