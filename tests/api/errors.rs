use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn schema_errors_are_422_shape_a_listing_every_problem() {
    let app = spawn_app().await;
    let (status, body) = app.post("/api/v1/artifact_versions", json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0], "ValueError");
    let text = body[1].as_str().unwrap();
    assert!(text.starts_with("7 validation errors:"), "{text}");
    assert!(text.contains("'loc': ('body', 'project')"), "{text}");
    for bad in [
        json!({"type": "Nope"}),
        json!({"save_type": "x"}),
        json!({"project": "default"}),
        json!({"uri": "u".repeat(65536)}),
        json!({"content_hash": "h".repeat(256)}),
        json!({"tags": "solo"}),
        json!({"metadata": {"k": null}}),
        json!({"visualizations": [{"type": "pdf", "uri": "x"}]}),
        json!({"version": 1.5}),
    ] {
        let (status, body) = app.post("/api/v1/artifact_versions", app.version_body("bad", bad.clone())).await;
        assert_eq!(status, 422, "{bad} → {body}");
        assert!(body.is_array(), "{bad} → {body}");
    }
}

#[actix_web::test]
async fn malformed_bodies_and_ids_never_500() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/artifact_versions", app.base);
    for raw in ["", "{", "null", "[1,2", "\"x\"", "{\"project\": []}"] {
        let resp = app
            .client
            .post(&url)
            .bearer_auth(&app.token)
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{raw:?}");
    }
    for path in
        ["/api/v1/artifact_versions/xyz", "/api/v1/artifact_versions/%00", "/api/v1/stacks/1", "/api/v1/components/-"]
    {
        let (status, _) = app.call(Method::GET, path, None).await;
        assert_eq!(status, 422, "{path}");
    }
    let resp = app
        .client
        .post(&url)
        .bearer_auth(&app.token)
        .header("Idempotency-Key", "not-a-uuid")
        .json(&app.version_body("idem", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "an invalid Idempotency-Key is ignored");
}

#[actix_web::test]
async fn handler_errors_are_shape_b() {
    let app = spawn_app().await;
    let (status, body) = app.post("/api/v1/artifact_versions", app.version_body(&"n".repeat(256), json!({}))).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0], "ValueError");
    let (status, body) =
        app.post("/api/v1/artifact_versions", app.version_body("t", json!({"tags": ["x".repeat(256)]}))).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0], "ValueError");
    let (status, body) = app.get("/api/v1/artifact_versions?hydrate=maybe").await;
    assert_eq!(status, 422);
    assert!(body.is_array());
}

/// A version or log entry naming an unknown project or artifact store is a
/// 404 that names what is missing; with both unknown, a version names the
/// store first and a log entry the project first (one query checks both).
#[actix_web::test]
async fn unknown_projects_and_artifact_stores_are_404s_naming_what_is_missing() {
    let app = spawn_app().await;
    let nobody = "0d7c4a3e-5b8f-4c2a-9e1d-6f3b2a1c0e9d";
    let store = app.get("/api/v1/components").await.1["items"][0]["id"].as_str().unwrap().to_string();
    let store_missing = "referenced by the artifact version being created was not found";
    let project_missing = format!("Unable to get project with ID '{nobody}'");
    let component_missing = format!("Unable to get stack component with ID '{nobody}'");
    let version = |extra: serde_json::Value| app.version_body("checked", extra);
    let log = |project: &str, store: &str| json!({"project": project, "source": "client", "artifact_store_id": store});
    let cases = [
        ("/api/v1/artifact_versions", version(json!({"artifact_store_id": nobody})), store_missing.to_string()),
        ("/api/v1/artifact_versions", version(json!({"project": nobody})), project_missing.clone()),
        (
            "/api/v1/artifact_versions",
            version(json!({"project": nobody, "artifact_store_id": nobody})),
            store_missing.to_string(),
        ),
        ("/api/v1/logs", log(&app.project_id, nobody), component_missing.clone()),
        ("/api/v1/logs", log(nobody, &store), project_missing.clone()),
        ("/api/v1/logs", log(nobody, nobody), project_missing.clone()),
    ];
    for (path, body, says) in cases {
        let (status, answer) = app.post(path, body.clone()).await;
        assert_eq!(status, 404, "{path} {body} → {answer}");
        assert!(answer.to_string().contains(&says), "{path} {body} → {answer}, not {says}");
    }
    let (status, body) = app.post("/api/v1/logs", log(&app.project_id, &store)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["body"]["project_id"], json!(app.project_id));
    assert_eq!(app.post("/api/v1/artifact_versions", version(json!({"artifact_store_id": store}))).await.0, 200);
}
