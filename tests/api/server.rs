use crate::helpers::*;
use serde_json::json;

#[actix_web::test]
async fn health_and_info_are_public() {
    let app = spawn_app().await;
    let resp = app.client.get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .get(format!("{}/api/v1/info", app.base))
        .header("Authorization", "Bearer junk")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let info: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(info["version"], "0.98.0");
    assert_eq!(info["auth_scheme"], "OAUTH2_PASSWORD_BEARER");
    assert_eq!(info["deployment_type"], "other");
    let (status, v) = app.get("/api/v1/version").await;
    assert_eq!((status.as_u16(), v), (200, json!("0.98.0")));
}

#[actix_web::test]
async fn exactly_one_default_project_exists_at_first() {
    let app = spawn_app().await;
    let (status, page) =
        app.get("/api/v1/projects?hydrate=False&sort_by=created&logical_operator=and&page=1&size=20").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], "default");
    assert!(page["items"][0]["metadata"].is_null());
    let (status, p) = app.get(&format!("/api/v1/projects/{}", app.project_id)).await;
    assert_eq!(status, 200);
    assert_eq!(p["metadata"]["description"], "");
}

#[actix_web::test]
async fn projects_can_be_created_once_per_name() {
    let app = spawn_app().await;
    let (status, p) = app.post("/api/v1/projects", json!({"name": "exp", "description": "d"})).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["body"]["display_name"], "exp");
    let (status, _) = app.post("/api/v1/projects", json!({"name": "exp"})).await;
    assert_eq!(status, 409);
    let (status, _) = app.post("/api/v1/projects", json!({})).await;
    assert_eq!(status, 422);
    let (status, body) = app.get("/api/v1/projects/nope").await;
    assert_eq!(status, 404);
    assert_eq!(error_name(&body), "KeyError");
}

#[actix_web::test]
async fn users_list_and_get() {
    let app = spawn_app().await;
    let (status, page) = app.get("/api/v1/users").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["name"], "admin");
    let (status, u) = app.get("/api/v1/users/admin").await;
    assert_eq!(status, 200);
    assert!(u["metadata"].is_object());
    let (status, _) = app.get("/api/v1/users/nobody").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn default_stack_has_a_local_orchestrator_and_artifact_store() {
    let app = spawn_app().await;
    let (status, page) = app.get("/api/v1/stacks?name=default").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
    let stack_id = page["items"][0]["id"].as_str().unwrap().to_string();
    let (status, stack) = app.get(&format!("/api/v1/stacks/{stack_id}?hydrate=True")).await;
    assert_eq!(status, 200);
    let components = &stack["metadata"]["components"];
    assert_eq!(components["orchestrator"][0]["body"]["flavor_name"], "local");
    let store = &components["artifact_store"][0];
    assert_eq!(
        store["resources"]["flavor"]["body"]["source"],
        "zenml.artifact_stores.local_artifact_store.LocalArtifactStoreFlavor"
    );
    let store_id = store["id"].as_str().unwrap();
    let (status, c) = app.get(&format!("/api/v1/components/{store_id}?hydrate=True")).await;
    assert_eq!(status, 200);
    let path = c["metadata"]["configuration"]["path"].as_str().unwrap();
    assert!(path.ends_with("artifacts"), "{path}");
    let (_, hydrated) = app.get("/api/v1/stacks?name=default&hydrate=True").await;
    let listed = &hydrated["items"][0]["metadata"]["components"];
    assert_eq!(listed, components, "a hydrated list shows the same components as a get");
    let (status, page) = app.get(&format!("/api/v1/components?hydrate=True&stack_id={stack_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 2);
    let (status, _) = app.get("/api/v1/components/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn artifacts_list_get_and_delete_cascade() {
    let app = spawn_app().await;
    let v1 = app.create("art", json!({"tags": ["x"]})).await;
    app.create("art", json!({})).await;
    let artifact_id = v1["body"]["artifact"]["id"].as_str().unwrap().to_string();
    let (status, a) = app.get(&format!("/api/v1/artifacts/{artifact_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(a["resources"]["latest_version_name"], "2");
    assert_eq!(a["metadata"]["has_custom_name"], false);
    let (_, page) = app.get("/api/v1/artifacts").await;
    assert_eq!(page["total"], 1);
    let (status, body) = app.delete(&format!("/api/v1/artifacts/{artifact_id}")).await;
    assert_eq!((status.as_u16(), body), (200, json!(null)));
    assert!(app.list_versions("").await.is_empty());
    let (status, _) = app.get(&format!("/api/v1/artifacts/{artifact_id}")).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn tags_list_and_get_with_tagged_count() {
    let app = spawn_app().await;
    app.create("a", json!({"tags": ["red-one"]})).await;
    app.create("b", json!({"tags": ["red-one"]})).await;
    let (status, t) = app.get("/api/v1/tags/red-one").await;
    assert_eq!(status, 200);
    assert_eq!(t["metadata"]["tagged_count"], 2);
    let (_, page) = app.get("/api/v1/tags").await;
    assert_eq!(page["total"], 1);
    let (status, _) = app.get("/api/v1/tags/none-such").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn unknown_routes_are_json_404() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "Not Found");
}
