//! Handlers through the whole application (routes, extractors, auth,
//! database, error shapes), in process.

use crate::helpers::*;
use actix_web::test::{init_service, TestRequest};
use serde_json::{json, Value};
use trove::startup::build_app;

/// A valid create body for artifact `name` in `project`.
fn version_body(project: &str, name: &str) -> Value {
    json!({
        "project": project, "artifact_name": name, "type": "DataArtifact",
        "uri": format!("/data/{name}"), "save_type": "manual",
        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
        "data_type": {"module": "builtins", "attribute": "int", "type": "builtin"},
    })
}

#[actix_web::test]
async fn login_answers_a_bearer_token_and_refuses_a_wrong_password() {
    let (_dir, state) = state();
    let app = init_service(build_app(state)).await;
    let (status, body) = send(&app, login_form("admin", PASSWORD)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap();
    let (status, me) = send(&app, authed(TestRequest::get().uri("/api/v1/current-user"), token)).await;
    assert_eq!((status.as_u16(), &me["name"]), (200, &json!("admin")));

    let (status, body) = send(&app, login_form("admin", "wrong")).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"][0], "CredentialsNotValid");
}

#[actix_web::test]
async fn a_created_version_is_listed_and_read_back() {
    let (_dir, state) = state();
    let app = init_service(build_app(state)).await;
    let token = admin_token(&app).await;
    let (_, project) = send(&app, authed(TestRequest::get().uri("/api/v1/projects/default"), &token)).await;
    let project = project["id"].as_str().unwrap();

    let create = TestRequest::post().uri("/api/v1/artifact_versions").set_json(version_body(project, "inproc"));
    let (status, created) = send(&app, authed(create, &token)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["body"]["version"], "1");
    let id = created["id"].as_str().unwrap();

    let (status, page) = send(&app, authed(TestRequest::get().uri("/api/v1/artifact_versions?size=5"), &token)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!((page["index"].as_u64(), page["max_size"].as_u64()), (Some(1), Some(5)));
    assert_eq!((page["total"].as_u64(), page["total_pages"].as_u64()), (Some(1), Some(1)));
    assert_eq!(page["items"][0]["id"], id);

    let get = TestRequest::get().uri(&format!("/api/v1/artifact_versions/{id}"));
    let (status, got) = send(&app, authed(get, &token)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["body"]["artifact"]["name"], "inproc");
}

#[actix_web::test]
async fn unknown_ids_are_404_shape_b_and_unknown_routes_404_shape_c() {
    let (_dir, state) = state();
    let app = init_service(build_app(state)).await;
    let token = admin_token(&app).await;
    let get = TestRequest::get().uri("/api/v1/artifact_versions/00000000-0000-4000-8000-000000000001");
    let (status, body) = send(&app, authed(get, &token)).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"][0], "KeyError", "{body}");
    let (status, body) = send(&app, authed(TestRequest::get().uri("/api/v1/no-such-thing"), &token)).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Not Found"})));
}

#[actix_web::test]
async fn invalid_requests_are_422_and_missing_tokens_401() {
    let (_dir, state) = state();
    let app = init_service(build_app(state)).await;
    let token = admin_token(&app).await;
    let create = TestRequest::post().uri("/api/v1/artifact_versions").set_json(json!({}));
    let (status, body) = send(&app, authed(create, &token)).await;
    assert_eq!(status, 422);
    assert_eq!(body[0], "ValueError", "{body}");
    assert!(body[1].as_str().unwrap().starts_with("7 validation errors:"), "{body}");
    let (status, body) = send(&app, authed(TestRequest::get().uri("/api/v1/artifact_versions/xyz"), &token)).await;
    assert_eq!(status, 422, "{body}");
    let list = TestRequest::get().uri("/api/v1/artifact_versions?hydrate=maybe");
    let (status, body) = send(&app, authed(list, &token)).await;
    assert_eq!(status, 422);
    assert!(body.is_array(), "{body}");

    let (status, body) = send(&app, TestRequest::get().uri("/api/v1/artifact_versions")).await;
    assert_eq!((status.as_u16(), body), (401, json!({"detail": "Not authenticated"})));
}

#[actix_web::test]
async fn the_openapi_document_lists_the_routes() {
    let (_dir, state) = state();
    let app = init_service(build_app(state)).await;
    let (status, doc) = send(&app, TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/api/v1/artifact_versions"]["get"].is_object(), "{}", doc["paths"]);
}
