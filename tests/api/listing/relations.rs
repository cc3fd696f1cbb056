//! Filters on related rows (artifact, user, tags, run metadata), scopes and and/or.

use super::helpers::*;
use crate::helpers::*;
use serde_json::json;

#[actix_web::test]
async fn artifact_and_artifact_id_filter_by_name_or_id() {
    let app = spawn_app().await;
    let a1 = app.create("art_a", json!({})).await;
    app.create("art_a", json!({})).await;
    let b = app.create("art_b", json!({})).await;
    app.create("other", json!({})).await;
    let a_id = a1["body"]["artifact"]["id"].as_str().unwrap().to_string();
    let b_id = b["body"]["artifact"]["id"].as_str().unwrap().to_string();
    assert_eq!(artifacts(&app, &[("artifact", "art_a")]).await, ["art_a", "art_a"]);
    assert!(artifacts(&app, &[("artifact", "ART_A")]).await.is_empty(), "equality is case-sensitive");
    assert_eq!(artifacts(&app, &[("artifact", &a_id)]).await, ["art_a", "art_a"]);
    assert_eq!(artifacts(&app, &[("artifact", &a_id.replace('-', ""))]).await, ["art_a", "art_a"]);
    assert_eq!(artifacts(&app, &[("artifact", &format!("startswith:{}", &b_id[..8]))]).await, ["art_b"]);
    assert_eq!(artifacts(&app, &[("artifact", "startswith:ART_")]).await, ["art_a", "art_a", "art_b"]);
    assert_eq!(artifacts(&app, &[("artifact", "oneof:[\"art_b\",\"other\"]")]).await, ["art_b", "other"]);
    // (id part OR name part): a non-UUID `notequals` makes the id part match everything.
    assert_eq!(artifacts(&app, &[("artifact", "notequals:art_a")]).await, ["art_a", "art_a", "art_b", "other"]);
    assert!(artifacts(&app, &[("artifact", "art_a"), ("artifact", "art_b")]).await.is_empty());
    assert!(artifacts(&app, &[("artifact", "zzz")]).await.is_empty());
    // The deprecated alias takes names and ids, and is ignored when `artifact` is present.
    assert_eq!(artifacts(&app, &[("artifact_id", "art_b")]).await, ["art_b"]);
    assert_eq!(artifacts(&app, &[("artifact_id", &a_id)]).await, ["art_a", "art_a"]);
    assert_eq!(artifacts(&app, &[("artifact", "art_b"), ("artifact_id", "art_a")]).await, ["art_b"]);
}

#[actix_web::test]
async fn user_and_scope_user_filters() {
    let app = spawn_app().await;
    app.create("us", json!({})).await;
    app.create("us", json!({})).await;
    let (status, users) = app.get("/api/v1/users?name=admin").await;
    assert_eq!(status, 200, "{users}");
    let admin = id(&users["items"][0]);
    assert_eq!(versions(&app, &[("user", "admin")]).await, ["1", "2"]);
    assert_eq!(versions(&app, &[("user", "contains:DM")]).await, ["1", "2"]);
    assert_eq!(versions(&app, &[("user", &admin)]).await, ["1", "2"]);
    assert_eq!(versions(&app, &[("user", &admin.replace('-', ""))]).await, ["1", "2"]);
    assert!(versions(&app, &[("user", "ADMIN")]).await.is_empty());
    assert!(versions(&app, &[("user", "nobody")]).await.is_empty());
    // (id OR name OR full_name): the id part of a non-UUID `notequals` matches everything.
    assert_eq!(versions(&app, &[("user", "notequals:admin")]).await, ["1", "2"]);
    assert_eq!(versions(&app, &[("scope_user", &admin)]).await, ["1", "2"]);
    assert!(versions(&app, &[("scope_user", "00000000-0000-0000-0000-0000000000ab")]).await.is_empty());
    let msg = shape_a(&app, &[("scope_user", "admin")]).await;
    assert!(msg.contains("uuid_parsing") && msg.contains("scope_user"), "{msg}");
    // scope_user is never OR-ed.
    let pairs = [("logical_operator", "or"), ("scope_user", "00000000-0000-0000-0000-0000000000ab"), ("version", "1")];
    assert!(versions(&app, &pairs).await.is_empty());
}

#[actix_web::test]
async fn tags_filter_semantics() {
    let app = spawn_app().await;
    app.create("tg", json!({"version": "v1", "tags": ["prod", "team_x"]})).await;
    app.create("tg", json!({"version": "v2", "tags": ["prod"]})).await;
    app.create("tg", json!({"version": "v3", "tags": ["dev"]})).await;
    app.create("tg", json!({"version": "v4"})).await;
    assert_eq!(versions(&app, &[("tags", "prod")]).await, ["v1", "v2"]);
    assert!(versions(&app, &[("tags", "PROD")]).await.is_empty());
    assert_eq!(versions(&app, &[("tags", "contains:_X")]).await, ["v1"]);
    assert_eq!(versions(&app, &[("tags", "startswith:d")]).await, ["v3"]);
    assert_eq!(versions(&app, &[("tags", "prod"), ("tags", "team_x")]).await, ["v1"]);
    assert!(versions(&app, &[("tags", "prod"), ("tags", "dev")]).await.is_empty());
    assert_eq!(
        versions(&app, &[("tags", "prod"), ("tags", "dev"), ("logical_operator", "or")]).await,
        ["v1", "v2", "v3"]
    );
    assert_eq!(versions(&app, &[("tags", "isnull:")]).await, ["v4"]);
    assert_eq!(versions(&app, &[("tags", "isnotnull:")]).await, ["v1", "v2", "v3"]);
    // At least one tag other than `prod`; untagged versions do not match.
    assert_eq!(versions(&app, &[("tags", "notequals:prod")]).await, ["v1", "v3"]);
    assert_eq!(versions(&app, &[("tags", "oneof:[\"dev\",\"team_x\"]")]).await, ["v1", "v3"]);
    assert!(versions(&app, &[("tags", "nope")]).await.is_empty());
    // `tag` (singular) is not a parameter in 0.98: ignored.
    assert_eq!(versions(&app, &[("tag", "prod")]).await, ["v1", "v2", "v3", "v4"]);
}

#[actix_web::test]
async fn run_metadata_filter_compares_json_values() {
    let app = spawn_app().await;
    app.create("md", json!({"version": "v1", "metadata": {"acc": 0.9, "name": "alpha", "n": 5}})).await;
    app.create("md", json!({"version": "v2", "metadata": {"acc": 0.95, "name": "beta"}})).await;
    app.create("md", json!({"version": "v3", "metadata": {"acc": "high"}})).await;
    app.create("md", json!({"version": "v4"})).await;
    assert_eq!(versions(&app, &[("run_metadata", "name:alpha")]).await, ["v1"]);
    assert!(versions(&app, &[("run_metadata", "name:ALPHA")]).await.is_empty());
    assert_eq!(versions(&app, &[("run_metadata", "n:5")]).await, ["v1"]);
    assert_eq!(versions(&app, &[("run_metadata", "acc:0.9")]).await, ["v1"]);
    assert!(versions(&app, &[("run_metadata", "acc:0.90")]).await.is_empty());
    assert_eq!(versions(&app, &[("run_metadata", "acc:high")]).await, ["v3"]);
    assert_eq!(versions(&app, &[("run_metadata", "acc:gt:0.5")]).await, ["v1", "v2"]);
    assert_eq!(versions(&app, &[("run_metadata", "acc:gt:0.92")]).await, ["v2"]);
    assert_eq!(versions(&app, &[("run_metadata", "name:contains:LPH")]).await, ["v1"]);
    assert_eq!(versions(&app, &[("run_metadata", "name:startswith:be")]).await, ["v2"]);
    assert_eq!(versions(&app, &[("run_metadata", "name:notequals:alpha")]).await, ["v2"]);
    assert_eq!(versions(&app, &[("run_metadata", "acc:gt:0.5"), ("run_metadata", "name:beta")]).await, ["v2"]);
    // The key is matched exactly: `contains:ac:0.9` means key `contains`.
    assert!(versions(&app, &[("run_metadata", "contains:ac:0.9")]).await.is_empty());
    assert!(versions(&app, &[("run_metadata", "missing:1")]).await.is_empty());
    let msg = shape_b(&app, &[("run_metadata", "acc")], 422).await;
    assert!(msg.contains("Invalid run_metadata entry format: 'acc'"), "{msg}");
    shape_b(&app, &[("run_metadata", "acc:gt:abc")], 400).await;
    shape_b(&app, &[("run_metadata", "acc:in:1")], 422).await;
}

#[actix_web::test]
async fn only_unused_and_has_custom_name_booleans() {
    let app = spawn_app().await;
    app.create("auto", json!({})).await;
    app.create("custom", json!({"has_custom_name": true})).await;
    // No pipeline runs exist: every version is unused.
    assert_eq!(artifacts(&app, &[("only_unused", "True")]).await, ["auto", "custom"]);
    assert_eq!(artifacts(&app, &[("only_unused", "false")]).await, ["auto", "custom"]);
    assert_eq!(artifacts(&app, &[("has_custom_name", "True")]).await, ["custom"]);
    assert_eq!(artifacts(&app, &[("has_custom_name", "false")]).await, ["auto"]);
    // Booleans are ordinary conditions under `or`.
    let or_unused = [("logical_operator", "or"), ("only_unused", "true"), ("version", "nope")];
    assert_eq!(artifacts(&app, &or_unused).await, ["auto", "custom"]);
    let or_custom = [("logical_operator", "or"), ("has_custom_name", "true"), ("artifact", "auto")];
    assert_eq!(artifacts(&app, &or_custom).await, ["auto", "custom"]);
    for (k, v) in [("only_unused", "maybe"), ("has_custom_name", ""), ("hydrate", "nah")] {
        let msg = shape_a(&app, &[(k, v)]).await;
        assert!(msg.contains("bool_parsing"), "{k}={v}: {msg}");
    }
}

#[actix_web::test]
async fn model_pipeline_run_and_model_version_filters_never_error() {
    let app = spawn_app().await;
    app.create("mp", json!({})).await;
    let uuid = "3fe1ba14-4f60-4c8f-9e3c-000000000001";
    for pairs in [
        [("model", "x")],
        [("model", uuid)],
        [("model", "startswith:x")],
        [("pipeline_run", "run-1")],
        [("pipeline_run", uuid)],
        [("model_version_id", uuid)],
        [("model_version_id", "junk")],
    ] {
        let (status, page) = list(&app, &pairs).await;
        assert_eq!(status, 200, "{pairs:?} → {page}");
        assert_eq!(page["total"], 0, "{pairs:?} → {page}");
    }
    // An unmatched condition is simply false under `or`.
    let pairs = [("logical_operator", "or"), ("model", "x"), ("pipeline_run", "r"), ("version", "1")];
    assert_eq!(versions(&app, &pairs).await, ["1"]);
}

#[actix_web::test]
async fn project_scope_isolates_and_unknown_project_is_404() {
    let app = spawn_app().await;
    let p2 = create_project(&app, "second").await;
    app.create("shared", json!({})).await;
    app.create("shared", json!({"project": p2})).await;
    app.create("only2", json!({"project": p2, "version": "9"})).await;
    assert_eq!(artifacts(&app, &[]).await, ["shared"]);
    assert_eq!(artifacts(&app, &[("project", "default")]).await, ["shared"]);
    assert_eq!(artifacts(&app, &[("project", "")]).await, ["shared"]);
    assert_eq!(artifacts(&app, &[("project", "second")]).await, ["shared", "only2"]);
    assert_eq!(artifacts(&app, &[("project", &p2)]).await, ["shared", "only2"]);
    assert_eq!(artifacts(&app, &[("project", &p2.replace('-', ""))]).await, ["shared", "only2"]);
    assert_eq!(artifacts(&app, &[("project", &app.project_id)]).await, ["shared"]);
    for bad in ["nope", "contains:def", "00000000-0000-0000-0000-000000000077"] {
        let (status, body) = list(&app, &[("project", bad)]).await;
        assert_eq!(status, 404, "{bad} → {body}");
        assert_eq!(error_name(&body), "KeyError");
        let msg = body["detail"][1].as_str().unwrap();
        assert!(msg.contains(&format!("Unable to get project with name or ID '{bad}'")), "{msg}");
    }
    // The project is AND-ed even under `or`.
    let pairs = [("project", "second"), ("logical_operator", "or"), ("artifact", "nothing"), ("version", "9")];
    assert_eq!(artifacts(&app, &pairs).await, ["only2"]);
    let pairs = [("logical_operator", "or"), ("artifact", "only2"), ("version", "1")];
    assert_eq!(artifacts(&app, &pairs).await, ["shared"]);
}

#[actix_web::test]
async fn logical_or_combines_every_condition() {
    let app = spawn_app().await;
    app.create("flt_a", json!({})).await;
    app.create("flt_a", json!({})).await;
    app.create("flt_a", json!({"version": "10"})).await;
    app.create("flt_b", json!({"version": "10"})).await;
    app.create("flt_b", json!({"version": "2"})).await;
    let or = [("logical_operator", "or"), ("artifact", "flt_a"), ("version", "10")];
    let and = [("logical_operator", "and"), ("artifact", "flt_a"), ("version", "10")];
    let got = app.list_versions(&qs(&or)).await;
    let want: Vec<(String, String)> = [("flt_a", "1"), ("flt_a", "2"), ("flt_a", "10"), ("flt_b", "10")]
        .iter()
        .map(|(a, v)| (a.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(app.list_versions(&qs(&and)).await, [("flt_a".to_string(), "10".to_string())]);
    // Two occurrences of one parameter are two conditions.
    assert_eq!(
        versions(&app, &[("logical_operator", "or"), ("version", "1"), ("version", "2")]).await,
        ["1", "2", "2"]
    );
    // A single condition: or = and.
    assert_eq!(versions(&app, &[("logical_operator", "or"), ("artifact", "flt_b")]).await, ["10", "2"]);
    // No condition at all: everything.
    assert_eq!(versions(&app, &[("logical_operator", "or")]).await.len(), 5);
    for bad in ["xor", "OR", ""] {
        let msg = shape_a(&app, &[("logical_operator", bad)]).await;
        assert!(msg.contains("logical_operator"), "{bad}: {msg}");
    }
}
