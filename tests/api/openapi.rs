//! `/openapi.json` is generated from the registered handlers; this test makes
//! sure no route escapes it.

use crate::helpers::*;
use std::collections::BTreeSet;

/// (method, path) of every `#[get("…")]`-style handler in `src/routes/`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(".route("), "register routes as annotated services, not with .route()");
        for method in ["get", "post", "put", "delete"] {
            let marker = format!("#[{method}(\"");
            for (pos, _) in text.match_indices(&marker) {
                let rest = &text[pos + marker.len()..];
                let path = &rest[..rest.find('"').unwrap()];
                out.insert((method.to_string(), path.to_string()));
            }
        }
    }
    out
}

#[actix_web::test]
async fn every_route_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let resp = app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let doc: serde_json::Value = resp.json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            documented.insert((method.clone(), path.clone()));
            if method == "get" || method == "delete" {
                assert!(op.get("requestBody").is_none(), "{method} {path} documents a request body");
            }
        }
    }
    let declared = declared_routes();
    assert!(declared.len() >= 28, "{declared:?}");
    for (method, path) in &declared {
        let full = [path.clone(), format!("/api/v1{path}")];
        assert!(
            full.iter().any(|p| documented.contains(&(method.clone(), p.clone()))),
            "{method} {path} is not in /openapi.json"
        );
    }
    assert_eq!(documented.len(), declared.len(), "documented routes that are not registered: {documented:?}");
    // Every schema reference resolves.
    let schemas = doc["components"]["schemas"].as_object().expect("component schemas");
    let text = doc.to_string();
    let marker = "\"$ref\":\"#/components/schemas/";
    for (pos, _) in text.match_indices(marker) {
        let rest = &text[pos + marker.len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling schema reference {name}");
    }
    assert!(schemas.contains_key("ArtifactVersionBody"), "response schemas come from the model types");
}
