use crate::helpers::*;
use serde_json::{json, Value};

fn tag_names(v: &Value) -> Vec<&str> {
    v["resources"]["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect()
}

#[actix_web::test]
async fn create_returns_the_full_hydrated_shape() {
    let app = spawn_app().await;
    let v = app
        .create(
            "shape",
            json!({"tags": ["t2", "t1"], "metadata": {"acc": 0.9, "n": 5, "name": "alpha"}, "content_hash": "h1",
                   "item_count": 3, "visualizations": [{"type": "markdown", "uri": "/v.md"}]}),
        )
        .await;
    assert_eq!(v["body"]["version"], "1");
    assert_eq!(v["body"]["project_id"], app.project_id);
    assert_eq!(v["body"]["artifact"]["name"], "shape");
    assert!(v["body"]["artifact"]["metadata"].is_null() && v["body"]["artifact"]["resources"].is_null());
    assert_eq!(v["body"]["materializer"]["type"], "unknown");
    assert_eq!(v["body"]["data_type"], json!({"module": "builtins", "attribute": "int", "type": "builtin"}));
    assert_eq!(v["body"]["content_hash"], "h1");
    assert_eq!(v["body"]["item_count"], 3);
    assert_eq!(v["metadata"]["run_metadata"], json!({"acc": 0.9, "n": 5, "name": "alpha"}));
    assert_eq!(v["metadata"]["visualizations"][0]["body"]["type"], "markdown");
    assert_eq!(tag_names(&v), vec!["t1", "t2"]);
    assert_eq!(v["resources"]["user"]["name"], "admin");
    assert!(v["resources"]["producer_step_run_id"].is_null());
    assert_eq!(v["permission_denied"], false);
    let created = v["body"]["created"].as_str().unwrap();
    assert!(!created.ends_with('Z') && created.contains('T'));
    // GET gives the same object.
    let (status, got) = app.get(&format!("/api/v1/artifact_versions/{}", v["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert_eq!(got, v);
}

#[actix_web::test]
async fn versions_number_themselves_like_zenml() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    for version in [
        json!(null),
        json!(null),
        json!("foo"),
        json!(null),
        json!(10),
        json!(null),
        json!("007"),
        json!("7"),
        json!("1_000"),
        json!(null),
    ] {
        let v = app.create("nums", json!({ "version": version })).await;
        seen.push(v["body"]["version"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, ["1", "2", "foo", "3", "10", "11", "007", "7", "1_000", "1001"]);
    for dup in [json!("foo"), json!(2)] {
        let (status, body) =
            app.post("/api/v1/artifact_versions", app.version_body("nums", json!({ "version": dup }))).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(error_name(&body), "EntityExistsError");
    }
    for falsy in [json!(0), json!("")] {
        let (status, _) =
            app.post("/api/v1/artifact_versions", app.version_body("nums", json!({ "version": falsy }))).await;
        assert_eq!(status, 400);
    }
    let v = app.create("other", json!({"version": "v1"})).await;
    assert_eq!(v["body"]["version"], "v1");
    assert_eq!(app.create("other", json!({})).await["body"]["version"], "1");
}

#[actix_web::test]
async fn create_by_artifact_id_and_its_errors() {
    let app = spawn_app().await;
    let first = app.create("byid", json!({})).await;
    let artifact_id = first["body"]["artifact"]["id"].clone();
    let mut body = app.version_body("x", json!({"artifact_id": artifact_id}));
    body.as_object_mut().unwrap().remove("artifact_name");
    let (status, v) = app.post("/api/v1/artifact_versions", body.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["body"]["version"], "2");
    body["version"] = json!("2");
    let (status, _) = app.post("/api/v1/artifact_versions", body.clone()).await;
    assert_eq!(status, 409);
    body["artifact_id"] = json!("00000000-0000-0000-0000-0000000000aa");
    let (status, _) = app.post("/api/v1/artifact_versions", body.clone()).await;
    assert_eq!(status, 404);
    let mut unknown_project = app.version_body("y", json!({}));
    unknown_project["project"] = json!("00000000-0000-0000-0000-0000000000bb");
    let (status, _) = app.post("/api/v1/artifact_versions", unknown_project).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn failed_creates_leave_nothing_behind() {
    let app = spawn_app().await;
    // Unknown tag id: 404, and neither the artifact nor the version exists.
    let (status, _) = app
        .post(
            "/api/v1/artifact_versions",
            app.version_body("atomic", json!({"tags": ["00000000-0000-0000-0000-0000000000cc"]})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) =
        app.post("/api/v1/artifact_versions", app.version_body("atomic", json!({"tags": ["bad\ttag"]}))).await;
    assert_eq!(status, 400);
    let (_, artifacts) = app.get("/api/v1/artifacts").await;
    assert_eq!(artifacts["total"], 0);
    // A batch with one duplicate creates nothing.
    app.create("batch", json!({"version": "x"})).await;
    let items = json!([app.version_body("batch", json!({})), app.version_body("batch", json!({"version": "x"}))]);
    let (status, _) = app.post("/api/v1/artifact_versions/batch", items).await;
    assert_eq!(status, 409);
    assert_eq!(app.list_versions("").await.len(), 1);
}

#[actix_web::test]
async fn batch_create_keeps_order() {
    let app = spawn_app().await;
    let items = json!([
        app.version_body("b1", json!({})),
        app.version_body("b1", json!({})),
        app.version_body("b2", json!({"version": "z"}))
    ]);
    let (status, body) = app.post("/api/v1/artifact_versions/batch", items).await;
    assert_eq!(status, 200, "{body}");
    let versions: Vec<&str> = body.as_array().unwrap().iter().map(|v| v["body"]["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["1", "2", "z"]);
    // Past the small-batch size (16), a batch is written alone and read
    // afterwards: the same order, and all or nothing.
    let large: Vec<Value> =
        (0..20).map(|i| app.version_body(if i % 2 == 0 { "b3" } else { "b4" }, json!({}))).collect();
    let (status, body) = app.post("/api/v1/artifact_versions/batch", Value::Array(large.clone())).await;
    assert_eq!(status, 200, "{body}");
    let got: Vec<(String, String)> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (v["body"]["artifact"]["name"].as_str().unwrap().into(), v["body"]["version"].as_str().unwrap().into())
        })
        .collect();
    let want: Vec<(String, String)> =
        (0..20).map(|i| ((if i % 2 == 0 { "b3" } else { "b4" }).into(), (i / 2 + 1).to_string())).collect();
    assert_eq!(got, want);
    let mut failing = large;
    failing.push(app.version_body("b3", json!({"version": "1"})));
    assert_eq!(app.post("/api/v1/artifact_versions/batch", Value::Array(failing)).await.0, 409);
    assert_eq!(app.list_versions("size=100").await.len(), 23, "the failed large batch created nothing");
    let (status, body) = app.post("/api/v1/artifact_versions/batch", json!([])).await;
    assert_eq!((status.as_u16(), body), (200, json!([])));
    let (status, body) = app.post("/api/v1/artifact_versions/batch", json!({})).await;
    assert_eq!(status, 422);
    assert!(body.is_array(), "shape A is a bare list: {body}");
}

#[actix_web::test]
async fn update_adds_then_removes_tags() {
    let app = spawn_app().await;
    let v = app.create("upd", json!({"tags": ["keep", "drop"]})).await;
    let path = format!("/api/v1/artifact_versions/{}", v["id"].as_str().unwrap());
    let (status, u) =
        app.put(&path, json!({"add_tags": ["new", "both"], "remove_tags": ["drop", "both", "never-existed"]})).await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(tag_names(&u), vec!["keep", "new"]);
    assert!(u["body"]["updated"].as_str() > v["body"]["updated"].as_str());
    let (status, u2) = app.put(&path, json!({"name": "renamed"})).await;
    assert_eq!(status, 200);
    assert_eq!(u2["body"]["artifact"]["name"], "upd");
    let (status, _) = app.put(&path, json!({"add_tags": "not-a-list"})).await;
    assert_eq!(status, 422);
    let (status, _) = app.put("/api/v1/artifact_versions/00000000-0000-0000-0000-000000000001", json!({})).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn exclusive_tags_move_between_versions_of_an_artifact() {
    let app = spawn_app().await;
    let v1 = app.create("ex", json!({"tags": ["prod"]})).await;
    // Make the tag exclusive directly in the database (no tag-update endpoint yet).
    let conn = rusqlite::Connection::open(app.dir.path().join("trove.db")).unwrap();
    conn.execute("UPDATE tags SET exclusive = 1 WHERE name = 'prod'", []).unwrap();
    let v2 = app.create("ex", json!({"tags": ["prod"]})).await;
    assert_eq!(tag_names(&v2), vec!["prod"]);
    let (_, v1) = app.get(&format!("/api/v1/artifact_versions/{}", v1["id"].as_str().unwrap())).await;
    assert!(tag_names(&v1).is_empty());
}

#[actix_web::test]
async fn get_hydration_and_id_forms() {
    let app = spawn_app().await;
    let v = app.create("hyd", json!({"metadata": {"k": 1}})).await;
    let id = v["id"].as_str().unwrap();
    let (_, plain) = app.get(&format!("/api/v1/artifact_versions/{id}?hydrate=False")).await;
    assert!(plain["metadata"].is_null());
    assert!(plain["resources"]["tags"].is_array());
    let upper = id.to_uppercase();
    let simple = id.replace('-', "");
    for form in [upper, simple] {
        let (status, _) = app.get(&format!("/api/v1/artifact_versions/{form}")).await;
        assert_eq!(status, 200, "{form}");
    }
    let (status, body) = app.get("/api/v1/artifact_versions/00000000-0000-0000-0000-00000000abcd").await;
    assert_eq!(status, 404);
    assert_eq!(error_name(&body), "KeyError");
}

#[actix_web::test]
async fn delete_then_renumber_and_refusals() {
    let app = spawn_app().await;
    app.create("del", json!({})).await;
    let v2 = app.create("del", json!({"artifact_store_id": null})).await;
    let path = format!("/api/v1/artifact_versions/{}", v2["id"].as_str().unwrap());
    let (status, body) = app.delete(&format!("{path}?delete_from_artifact_store=True")).await;
    assert_eq!(status, 400, "no store: {body}");
    let (status, body) = app.delete(&path).await;
    assert_eq!((status.as_u16(), body), (200, json!(null)));
    let (status, _) = app.delete(&path).await;
    assert_eq!(status, 404);
    assert_eq!(app.create("del", json!({})).await["body"]["version"], "2");
    let (_, artifacts) = app.get("/api/v1/artifacts").await;
    assert_eq!(artifacts["total"], 1, "the artifact survives");
}

#[actix_web::test]
async fn server_side_deletion_from_a_local_store_is_refused() {
    let app = spawn_app().await;
    let (_, stacks) = app.get("/api/v1/stacks?name=default").await;
    let (_, stack) = app.get(&format!("/api/v1/stacks/{}", stacks["items"][0]["id"].as_str().unwrap())).await;
    let store = stack["metadata"]["components"]["artifact_store"][0]["id"].clone();
    let v = app.create("local", json!({"artifact_store_id": store})).await;
    let path = format!("/api/v1/artifact_versions/{}", v["id"].as_str().unwrap());
    let (status, body) = app.delete(&format!("{path}?delete_from_artifact_store=true")).await;
    assert_eq!(status, 500);
    assert_eq!(error_name(&body), "RuntimeError");
    let (status, _) = app.get(&path).await;
    assert_eq!(status, 200, "nothing was deleted");
    let (status, _) = app
        .post(
            "/api/v1/artifact_versions",
            app.version_body("x", json!({"artifact_store_id": "00000000-0000-0000-0000-000000000009"})),
        )
        .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn prune_removes_the_projects_versions_and_optionally_empty_artifacts() {
    let app = spawn_app().await;
    let (_, other) = app.post("/api/v1/projects", json!({"name": "other"})).await;
    let mut elsewhere = app.version_body("keep-me", json!({}));
    elsewhere["project"] = other["id"].clone();
    let (status, _) = app.post("/api/v1/artifact_versions", elsewhere).await;
    assert_eq!(status, 200);
    app.create("p1", json!({"tags": ["pt"]})).await;
    app.create("p1", json!({})).await;
    let (status, body) = app.delete("/api/v1/artifact_versions?project_name_or_id=default&only_versions=True").await;
    assert_eq!((status.as_u16(), body), (200, json!(null)));
    assert!(app.list_versions("").await.is_empty());
    let (_, artifacts) = app.get("/api/v1/artifacts").await;
    assert_eq!(artifacts["total"], 1, "only_versions keeps artifacts");
    let (_, tag) = app.get("/api/v1/tags/pt").await;
    assert_eq!(tag["metadata"]["tagged_count"], 0, "tag links go with their versions");
    let (status, _) = app
        .delete(&format!("/api/v1/artifact_versions?project_name_or_id={}&only_versions=false", app.project_id))
        .await;
    assert_eq!(status, 200);
    let (_, artifacts) = app.get("/api/v1/artifacts").await;
    assert_eq!(artifacts["total"], 0);
    assert_eq!(app.list_versions("project=other").await.len(), 1, "other projects are untouched");
    let (status, _) = app.delete("/api/v1/artifact_versions?project_name_or_id=nope").await;
    assert_eq!(status, 404);
    let (status, _) = app.delete("/api/v1/artifact_versions").await;
    assert_eq!(status, 422);
}

/// The unfiltered total comes from a maintained per-project count; a filter
/// that matches everything (`only_unused=True`) is counted for real.
async fn totals(app: &TestApp, project: &str) -> (u64, u64) {
    let (_, maintained) = app.get(&format!("/api/v1/artifact_versions?project={project}")).await;
    let (_, counted) = app.get(&format!("/api/v1/artifact_versions?project={project}&only_unused=True")).await;
    (maintained["total"].as_u64().unwrap(), counted["total"].as_u64().unwrap())
}

#[actix_web::test]
async fn maintained_counts_follow_every_kind_of_delete() {
    let app = spawn_app().await;
    let (_, other) = app.post("/api/v1/projects", json!({"name": "side"})).await;
    let mut side = app.version_body("s", json!({}));
    side["project"] = other["id"].clone();
    app.post("/api/v1/artifact_versions", side).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(app.create(&format!("c{}", i % 2), json!({})).await["id"].as_str().unwrap().to_string());
    }
    let batch = json!([app.version_body("c2", json!({})), app.version_body("c2", json!({}))]);
    app.post("/api/v1/artifact_versions/batch", batch).await;
    assert_eq!(totals(&app, "default").await, (8, 8));
    app.delete(&format!("/api/v1/artifact_versions/{}", ids[0])).await;
    assert_eq!(totals(&app, "default").await, (7, 7));
    let (_, v) = app.get(&format!("/api/v1/artifact_versions/{}", ids[1])).await;
    app.delete(&format!("/api/v1/artifacts/{}", v["body"]["artifact"]["id"].as_str().unwrap())).await;
    assert_eq!(totals(&app, "default").await, (4, 4));
    // A failed batch changes nothing.
    let bad = json!([app.version_body("c2", json!({})), app.version_body("c2", json!({"version": "1"}))]);
    assert_eq!(app.post("/api/v1/artifact_versions/batch", bad).await.0, 409);
    assert_eq!(totals(&app, "default").await, (4, 4));
    app.delete("/api/v1/artifact_versions?project_name_or_id=default").await;
    assert_eq!(totals(&app, "default").await, (0, 0));
    assert_eq!(totals(&app, "side").await, (1, 1));
}

#[actix_web::test]
async fn data_endpoints_answer_like_a_local_store_server() {
    let app = spawn_app().await;
    let (_, stacks) = app.get("/api/v1/stacks?name=default").await;
    let (_, stack) = app.get(&format!("/api/v1/stacks/{}", stacks["items"][0]["id"].as_str().unwrap())).await;
    let store = stack["metadata"]["components"]["artifact_store"][0]["id"].clone();
    let vis = json!([{"type": "csv", "uri": "/v.csv"}]);
    let local = app.create("vis", json!({"artifact_store_id": store, "visualizations": vis})).await;
    let storeless = app.create("vis", json!({})).await;
    let (l, s) = (local["id"].as_str().unwrap(), storeless["id"].as_str().unwrap());

    let (status, body) = app.get(&format!("/api/v1/artifact_versions/{s}/visualize")).await;
    assert_eq!((status.as_u16(), error_name(&body)), (404, "KeyError"));
    let (status, body) = app.get(&format!("/api/v1/artifact_versions/{l}/visualize?index=1")).await;
    assert_eq!((status.as_u16(), error_name(&body)), (404, "DoesNotExistException"));
    let (status, body) = app.get(&format!("/api/v1/artifact_versions/{l}/visualize")).await;
    assert_eq!((status.as_u16(), error_name(&body)), (403, "IllegalOperationError"));
    assert_eq!(app.get(&format!("/api/v1/artifact_versions/{l}/visualize?index=x")).await.0, 422);
    assert_eq!(app.get(&format!("/api/v1/artifact_versions/{l}/download-token")).await.0, 403);
    assert_eq!(app.get(&format!("/api/v1/artifact_versions/{s}/download-token")).await.0, 404);

    // `data` is authenticated by its own token only.
    let data = |id: &str, token: Option<&str>| {
        let mut url = format!("{}/api/v1/artifact_versions/{id}/data", app.base);
        if let Some(t) = token {
            url.push_str(&format!("?token={t}"));
        }
        app.client.get(url).send()
    };
    assert_eq!(data(l, None).await.unwrap().status(), 422);
    assert_eq!(data(l, Some("garbage")).await.unwrap().status(), 401);
    let exp = chrono::Utc::now().timestamp() + 30;
    let sign = |resource: &str| {
        let claims = json!({"exp": exp, "download_type": "artifact_version", "resource_id": resource});
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    assert_eq!(data(l, Some(&sign(l))).await.unwrap().status(), 403, "valid token, local store");
    assert_eq!(data(l, Some(&sign(s))).await.unwrap().status(), 401, "token for another version");
}
