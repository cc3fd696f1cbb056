//! Models and model versions over HTTP: the version a run creates for
//! itself, numbering, stages, links and the filters that follow them.

use crate::helpers::*;
use crate::pipeline_runs::{output_version, run_body, snapshot_with};
use serde_json::json;

#[actix_web::test]
async fn runs_create_numbered_versions_and_links_follow_them() {
    let app = spawn_app().await;
    let model = json!({"model": {"name": "m-{date}", "description": "d", "tags": ["mtag"], "version": null}});
    let (_, snap, _) = snapshot_with(&app, "mpipe", model).await;
    let (s, first) = app.post("/api/v1/runs", run_body(&app, &snap, "r1", "initializing", None)).await;
    assert_eq!(s, 200, "{first}");
    let mv1 = &first[0]["resources"]["model_version"];
    assert_eq!(
        (&mv1["name"], &mv1["body"]["number"], &mv1["body"]["model"]["name"]),
        (&json!("1"), &json!(1), &json!("m-2026_12_02"))
    );
    let (_, second) = app.post("/api/v1/runs", run_body(&app, &snap, "r2", "initializing", None)).await;
    let mv2 = second[0]["resources"]["model_version"]["id"].as_str().unwrap().to_string();
    assert_eq!(second[0]["resources"]["model_version"]["name"], "2");
    // The model: no tags of its own, the newest version; the versions carry the tags.
    let (_, models) = app.get("/api/v1/models?name=equals:m-2026_12_02&hydrate=True").await;
    let m = &models["items"][0];
    assert_eq!((&m["resources"]["latest_version_name"], &m["resources"]["tags"]), (&json!("2"), &json!([])));
    assert_eq!(m["metadata"]["description"], "d");
    let (_, versions) = app.get("/api/v1/model_versions?model=m-2026_12_02&sort_by=desc:number&hydrate=True").await;
    let names: Vec<&str> = versions["items"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["2", "1"]);
    assert_eq!(versions["items"][0]["resources"]["tags"][0]["name"], "mtag");
    assert_eq!(versions["items"][0]["resources"]["services"]["total"], 0);
    let (_, by_number) = app.get("/api/v1/model_versions?model=m-2026_12_02&number=1").await;
    assert_eq!(by_number["total"], 1);
    // Links: an output of run 2, metadata, and the filters.
    let av = output_version(&app, "weights").await;
    let link = json!({"model_version": mv2, "artifact_version": av});
    let (s, created) = app.post("/api/v1/model_version_artifacts", link.clone()).await;
    assert_eq!(s, 200, "{created}");
    assert_eq!(created["body"]["artifact_version"]["id"], json!(av));
    let (_, again) = app.post("/api/v1/model_version_artifacts", link).await;
    assert_eq!(again["id"], created["id"], "get or create");
    let (_, avs) = app.get(&format!("/api/v1/artifact_versions?model_version_id={mv2}&only_unused=False")).await;
    assert_eq!(avs["total"], 1);
    let (_, avs) = app.get("/api/v1/artifact_versions?model=m-2026_12_02").await;
    assert_eq!(avs["total"], 1);
    let (_, runs) = app.get("/api/v1/runs?model=m-2026_12_02").await;
    assert_eq!(runs["total"], 2);
    let (_, run_links) = app.get(&format!("/api/v1/model_version_pipeline_runs?model_version_id={mv2}")).await;
    assert_eq!(run_links["items"][0]["body"]["pipeline_run"]["name"], "r2");
    let metadata = json!({"project": app.project_id, "resources": [{"id": mv2, "type": "model_version"}], "values": {"acc": 0.81}, "types": {"acc": "float"}});
    assert_eq!(app.post("/api/v1/run-metadata", metadata).await.0, 200);
    let (_, v) = app.get(&format!("/api/v1/model_versions/{mv2}")).await;
    assert_eq!(v["metadata"]["run_metadata"], json!({"acc": 0.81}));
    // Stages: one production version per model unless forced.
    let mv1 = mv1["id"].as_str().unwrap().to_string();
    let (s, _) = app.put(&format!("/api/v1/model_versions/{mv1}"), json!({"stage": "production"})).await;
    assert_eq!(s, 200);
    let (s, refused) = app.put(&format!("/api/v1/model_versions/{mv2}"), json!({"stage": "production"})).await;
    assert_eq!((s.as_u16(), error_name(&refused)), (409, "EntityExistsError"), "{refused}");
    let (s, _) = app.put(&format!("/api/v1/model_versions/{mv2}"), json!({"stage": "production", "force": true})).await;
    assert_eq!(s, 200);
    let (_, old) = app.get(&format!("/api/v1/model_versions/{mv1}")).await;
    assert_eq!(old["body"]["stage"], "archived");
    let (s, bad) = app.put(&format!("/api/v1/model_versions/{mv2}"), json!({"stage": "shiny"})).await;
    assert_eq!(s, 422, "{bad}");
    // Deleting a version keeps its artifact versions and the run.
    assert_eq!(app.delete(&format!("/api/v1/model_versions/{mv2}")).await.0, 200);
    assert_eq!(app.get(&format!("/api/v1/artifact_versions/{av}")).await.0, 200);
    let (_, runs) = app.get("/api/v1/runs?model=m-2026_12_02").await;
    assert_eq!(runs["total"], 1);
    let (s, _) = app.get(&format!("/api/v1/model_versions/{mv2}")).await;
    assert_eq!(s, 404);
}

#[actix_web::test]
async fn models_by_hand_and_their_errors() {
    let app = spawn_app().await;
    let (s, m) = app
        .post("/api/v1/models", json!({"project": app.project_id, "name": "hand", "license": "MIT", "tags": ["t"]}))
        .await;
    assert_eq!(s, 200, "{m}");
    let id = m["id"].as_str().unwrap().to_string();
    assert_eq!((&m["metadata"]["license"], &m["resources"]["tags"][0]["name"]), (&json!("MIT"), &json!("t")));
    let (s, dup) = app.post("/api/v1/models", json!({"project": app.project_id, "name": "hand"})).await;
    assert_eq!((s.as_u16(), error_name(&dup)), (409, "EntityExistsError"));
    let (s, missing) = app.post("/api/v1/models", json!({"project": app.project_id})).await;
    assert_eq!(s, 422, "{missing}");
    let (_, upd) = app.put(&format!("/api/v1/models/{id}"), json!({"description": "new", "remove_tags": ["t"]})).await;
    assert_eq!((&upd["metadata"]["description"], &upd["resources"]["tags"]), (&json!("new"), &json!([])));
    let (s, v) =
        app.post("/api/v1/model_versions", json!({"project": app.project_id, "model": id, "name": "alpha"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((&v["name"], &v["body"]["number"]), (&json!("alpha"), &json!(1)));
    let (_, v2) = app.post("/api/v1/model_versions", json!({"project": app.project_id, "model": id})).await;
    assert_eq!(v2["name"], "2");
    let (s, dup) =
        app.post("/api/v1/model_versions", json!({"project": app.project_id, "model": id, "name": "alpha"})).await;
    assert_eq!(s, 409, "{dup}");
    let (_, of_model) = app.get("/api/v1/models/hand/model_versions?sort_by=number").await;
    assert_eq!(of_model["total"], 2);
    let unknown = "00000000-0000-4000-8000-000000000002";
    for path in ["models", "model_versions"] {
        let (s, body) = app.get(&format!("/api/v1/{path}/{unknown}")).await;
        assert_eq!((s.as_u16(), error_name(&body)), (404, "KeyError"), "{path}: {body}");
    }
    let (s, body) = app.post("/api/v1/model_versions", json!({"project": app.project_id, "model": unknown})).await;
    assert_eq!(s, 404, "{body}");
    let (s, body) = app
        .post("/api/v1/model_version_artifacts", json!({"model_version": v["id"], "artifact_version": unknown}))
        .await;
    assert_eq!(s, 404, "{body}");
    assert_eq!(app.delete(&format!("/api/v1/models/{id}")).await.0, 200);
    let (_, versions) = app.get("/api/v1/model_versions").await;
    assert_eq!(versions["total"], 0, "a model's versions go with it");
}
