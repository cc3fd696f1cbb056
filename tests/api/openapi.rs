//! `/openapi.json` is generated from the registered handlers; this test makes
//! sure no route escapes it.

use crate::helpers::*;
use std::collections::BTreeSet;

/// The scope prefix of each handler that `text`'s `configure_api` mounts:
/// `.service(name)` inside `scope("/prefix")…` (tracked by parentheses),
/// and, for `.configure(super::module::configure_api)`, the scope that
/// module's own handlers are mounted in under `"mod module"`.
fn mounted_in(text: &str) -> Vec<(String, String)> {
    let body = &text[text.find("pub fn configure_api").expect("configure_api")..];
    let body = &body[..body.find("\n}").unwrap()];
    let (mut depth, mut scopes, mut out) = (0usize, Vec::<(usize, String)>::new(), Vec::new());
    let ident = |rest: &str| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap().to_string();
    for (i, c) in body.char_indices() {
        let rest = &body[i..];
        let prefix = || scopes.last().map(|(_, p): &(usize, String)| p.clone()).unwrap_or_default();
        if let Some(r) = rest.strip_prefix("scope(\"") {
            scopes.push((depth, r[..r.find('"').unwrap()].to_string()));
        } else if let Some(r) = rest.strip_prefix(".service(") {
            out.push((ident(r), prefix()));
        } else if let Some(r) = rest.strip_prefix(".configure(super::") {
            out.push((format!("mod {}", ident(r)), prefix()));
        }
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if scopes.last().is_some_and(|(d, _)| *d > depth) {
                    scopes.pop();
                }
            }
            _ => {}
        }
    }
    out
}

/// (method, full path below `/api/v1` or the root) of every
/// `#[get("…")]`-style handler in `src/routes/`, its path joined to the
/// scope it is mounted in.
fn declared_routes() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        files.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap());
    }
    // (module, handler) -> scope prefix
    let mut scope_of = std::collections::HashMap::new();
    for (module, text) in files.iter().filter(|(_, t)| t.contains("pub fn configure_api")) {
        for (name, prefix) in mounted_in(text) {
            match name.strip_prefix("mod ") {
                Some(other) => scope_of.insert((other.to_string(), "*".to_string()), prefix),
                None => scope_of.insert((module.clone(), name), prefix),
            };
        }
    }
    let mut out = Vec::new();
    for (module, text) in &files {
        assert!(!text.contains(".route("), "register routes as annotated services, not with .route()");
        let unscoped = text.replace("utoipa_actix_web::scope", "");
        assert!(
            !unscoped.contains("web::scope("),
            "mount scopes with utoipa_actix_web::scope, so that they are documented"
        );
        for method in ["get", "post", "put", "delete"] {
            let marker = format!("#[{method}(\"");
            for (pos, _) in text.match_indices(&marker) {
                let rest = &text[pos + marker.len()..];
                let path = &rest[..rest.find('"').unwrap()];
                let name = rest[rest.find("async fn ").unwrap() + 9..].split('(').next().unwrap().to_string();
                let outer = scope_of.get(&(module.clone(), "*".to_string())).cloned().unwrap_or_default();
                let own = scope_of.get(&(module.clone(), name)).cloned().unwrap_or_default();
                out.push((method.to_string(), format!("{outer}{own}{path}")));
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
    let mut found = BTreeSet::new();
    for (method, path) in &declared {
        let full = [path.clone(), format!("/api/v1{path}")];
        let hit = full.into_iter().find(|p| documented.contains(&(method.clone(), p.clone())));
        let hit = hit.unwrap_or_else(|| panic!("{method} {path} is not in /openapi.json"));
        assert!(found.insert((method.clone(), hit.clone())), "{method} {hit} is declared twice");
    }
    assert_eq!(found, documented, "documented routes that are not registered");
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
