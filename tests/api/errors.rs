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
