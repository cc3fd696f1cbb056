//! HTTP tests of the list language (filters, sorting, paging, and/or), as
//! specified in `spec/filtering.md`.

use crate::helpers::*;
use chrono::{Duration, NaiveDateTime, Timelike};
use reqwest::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

/// Percent-encode everything but the unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn qs(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// GET /artifact_versions with the given (encoded) query pairs.
async fn list(app: &TestApp, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/artifact_versions?{}", qs(pairs))).await
}

/// Version strings of the page (asserting 200).
async fn versions(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    app.list_versions(&qs(pairs)).await.into_iter().map(|(_, v)| v).collect()
}

/// Artifact names of the page (asserting 200).
async fn artifacts(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    app.list_versions(&qs(pairs)).await.into_iter().map(|(a, _)| a).collect()
}

/// Item ids of the page (asserting 200).
async fn ids(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    let (status, page) = list(app, pairs).await;
    assert_eq!(status, 200, "{pairs:?} → {page}");
    page["items"].as_array().unwrap().iter().map(id).collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// The request must fail with `status` and a shape-B `ValueError`; returns the message.
async fn shape_b(app: &TestApp, pairs: &[(&str, &str)], status: u16) -> String {
    let (got, body) = list(app, pairs).await;
    assert_eq!(got.as_u16(), status, "{pairs:?} → {body}");
    assert_eq!(error_name(&body), "ValueError", "{pairs:?} → {body}");
    body["detail"][1].as_str().unwrap_or_default().to_string()
}

/// The request must fail with 422 shape A (a bare `["ValueError", …]` list).
async fn shape_a(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let (got, body) = list(app, pairs).await;
    assert_eq!(got, 422, "{pairs:?} → {body}");
    assert_eq!(body[0], "ValueError", "{pairs:?} → {body}");
    body[1].as_str().unwrap_or_default().to_string()
}

/// A response timestamp (`2026-11-28T09:54:26.081951`) truncated to the second.
fn second_of(v: &Value, field: &str) -> NaiveDateTime {
    let text = v["body"][field].as_str().unwrap();
    let dt = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    dt.with_nanosecond(0).unwrap()
}

fn fmt(dt: NaiveDateTime) -> String {
    dt.format("%Y-%m-%d %H:%M:%S").to_string()
}

async fn create_project(app: &TestApp, name: &str) -> String {
    let (status, body) = app.post("/api/v1/projects", json!({ "name": name })).await;
    assert_eq!(status, 200, "{body}");
    id(&body)
}

// ---------------------------------------------------------------- filters

#[actix_web::test]
async fn id_filter_accepts_hyphenless_uppercase_prefixes_and_junk() {
    let app = spawn_app().await;
    let a = id(&app.create("ids", json!({})).await);
    let b = id(&app.create("ids", json!({})).await);
    let c = id(&app.create("ids", json!({})).await);
    assert_eq!(ids(&app, &[("id", &a)]).await, [a.as_str()]);
    assert_eq!(ids(&app, &[("id", &b.replace('-', "").to_uppercase())]).await, [b.as_str()]);
    // Prefix match, hyphens in the value ignored.
    assert_eq!(ids(&app, &[("id", &format!("startswith:{}", &c[..13]))]).await, [c.as_str()]);
    assert_eq!(ids(&app, &[("id", &format!("notequals:{b}"))]).await, [a.clone(), c.clone()]);
    assert_eq!(
        ids(&app, &[("id", &format!("oneof:[\"{a}\",\"{}\"]", c.replace('-', "")))]).await,
        [a.clone(), c.clone()]
    );
    // A non-UUID equality matches nothing, its negation everything; never an error.
    assert!(ids(&app, &[("id", "not-a-uuid")]).await.is_empty());
    assert_eq!(ids(&app, &[("id", "notequals:not-a-uuid")]).await.len(), 3);
    // Two id conditions are AND-ed.
    assert!(ids(&app, &[("id", &a), ("id", &b)]).await.is_empty());
}

#[actix_web::test]
async fn created_and_updated_filter_by_second_ranges() {
    let app = spawn_app().await;
    let a = app.create("times", json!({})).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let b = app.create("times", json!({})).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, a2) = app.put(&format!("/api/v1/artifact_versions/{}", id(&a)), json!({"add_tags": ["t"]})).await;
    assert_eq!(status, 200, "{a2}");
    let (a_sec, b_sec) = (second_of(&a, "created"), second_of(&b, "created"));
    let one = Duration::seconds(1);
    assert_eq!(versions(&app, &[("created", &format!("gte:{}", fmt(b_sec)))]).await, ["2"]);
    assert_eq!(versions(&app, &[("created", &format!("lt:{}", fmt(b_sec)))]).await, ["1"]);
    assert_eq!(versions(&app, &[("created", &format!("gt:{}", fmt(a_sec - one)))]).await, ["1", "2"]);
    // `in:` is an inclusive range of two datetimes.
    assert_eq!(versions(&app, &[("created", &format!("in:{},{}", fmt(a_sec), fmt(a_sec + one)))]).await, ["1"]);
    assert_eq!(versions(&app, &[("created", &format!("in:{},{}", fmt(a_sec), fmt(b_sec + one)))]).await, ["1", "2"]);
    // Two conditions AND-ed: a window that contains only b.
    let window = [("created", format!("gte:{}", fmt(b_sec))), ("created", format!("lt:{}", fmt(b_sec + one)))];
    let pairs: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(versions(&app, &pairs).await, ["2"]);
    // The update moved a's `updated` past b's.
    let a_updated = second_of(&a2, "updated");
    assert!(a_updated > b_sec);
    assert_eq!(versions(&app, &[("updated", &format!("gte:{}", fmt(a_updated)))]).await, ["1"]);
    assert_eq!(versions(&app, &[("updated", &format!("lte:{}", fmt(b_sec + one)))]).await, ["2"]);
    assert!(versions(&app, &[("created", "gt:2999-01-01 00:00:00")]).await.is_empty());
}

#[actix_web::test]
async fn datetime_filters_reject_other_formats() {
    let app = spawn_app().await;
    app.create("dt", json!({})).await;
    for bad in [
        "2026-11-28T09:54:26",
        "gte:2026-11-28T09:54:26",
        "gte:2026-11-28",
        "gte:2026-11-28 09:54:26.081951",
        "gte:2026-11-28 09:54:26Z",
        "in:2026-11-28 09:54:26",
        "gt:2026-11-28 09:54:26,2026-11-29 09:54:26",
        "contains:2026",
    ] {
        shape_b(&app, &[("created", bad)], 422).await;
    }
    let msg = shape_b(&app, &[("updated", "lt:yesterday")], 422).await;
    assert!(msg.contains("%Y-%m-%d %H:%M:%S"), "{msg}");
}

#[actix_web::test]
async fn version_filter_is_a_string_filter_with_numeric_comparisons() {
    let app = spawn_app().await;
    for v in ["1", "2", "10", "rc-1", "007"] {
        app.create("va", json!({ "version": v })).await;
    }
    app.create("vb", json!({"version": "1"})).await;
    let all = ["1", "2", "10", "rc-1", "007", "1"];
    assert_eq!(
        app.list_versions(&qs(&[("version", "1")])).await,
        [("va".into(), "1".into()), ("vb".into(), "1".into())]
    );
    assert!(versions(&app, &[("version", "7")]).await.is_empty(), "string equality: 7 is not 007");
    assert_eq!(versions(&app, &[("version", "contains:C")]).await, ["rc-1"]);
    assert_eq!(versions(&app, &[("version", "startswith:1")]).await, ["1", "10", "1"]);
    assert_eq!(versions(&app, &[("version", "endswith:-1")]).await, ["rc-1"]);
    assert_eq!(versions(&app, &[("version", "notequals:1")]).await, ["2", "10", "rc-1", "007"]);
    assert_eq!(versions(&app, &[("version", "oneof:[\"2\",\"10\"]")]).await, ["2", "10"]);
    assert_eq!(versions(&app, &[("version", "oneof:[2,10]")]).await, ["2", "10"]);
    assert_eq!(versions(&app, &[("version", "notoneof:[\"1\",\"2\"]")]).await, ["10", "rc-1", "007"]);
    // Numeric cast: non-numeric strings never match.
    assert_eq!(versions(&app, &[("version", "gt:1")]).await, ["2", "10", "007"]);
    assert_eq!(versions(&app, &[("version", "lte:2")]).await, ["1", "2", "1"]);
    assert_eq!(versions(&app, &[("version", "isnotnull:")]).await, all);
    // `foo:bar` is a literal, an empty value a real value.
    assert!(versions(&app, &[("version", "foo:bar")]).await.is_empty());
    assert!(versions(&app, &[("version", "")]).await.is_empty());
    let msg = shape_b(&app, &[("version", "lt:abc")], 400).await;
    assert!(msg.contains("must be numeric"), "{msg}");
    for bad in ["in:1", "oneof:1", "oneof:not-a-list", "isnull:x", "isnotnull:x"] {
        shape_b(&app, &[("version", bad)], 422).await;
    }
}

#[actix_web::test]
async fn version_number_filter_is_an_integer_filter() {
    let app = spawn_app().await;
    for v in ["1", "2", "10", "rc-1", "007"] {
        app.create("vn", json!({ "version": v })).await;
    }
    assert_eq!(versions(&app, &[("version_number", "10")]).await, ["10"]);
    assert_eq!(versions(&app, &[("version_number", "7")]).await, ["007"]);
    assert_eq!(versions(&app, &[("version_number", "gt:1")]).await, ["2", "10", "007"]);
    assert_eq!(versions(&app, &[("version_number", "lte:2")]).await, ["1", "2"]);
    assert_eq!(versions(&app, &[("version_number", "notequals:2")]).await, ["1", "10", "007"]);
    assert_eq!(versions(&app, &[("version_number", "isnull:")]).await, ["rc-1"]);
    assert_eq!(versions(&app, &[("version_number", "isnotnull:")]).await, ["1", "2", "10", "007"]);
    for bad in ["contains:1", "startswith:1", "oneof:[1,2]", "abc", "gt:1.5", "in:1"] {
        let msg = shape_b(&app, &[("version_number", bad)], 422).await;
        assert!(!msg.is_empty(), "{bad}");
    }
    let msg = shape_b(&app, &[("version_number", "abc")], 422).await;
    assert!(msg.contains("The int filter only works with integer values."), "{msg}");
}

#[actix_web::test]
async fn uri_materializer_data_type_and_type_filters_match_stored_text() {
    let app = spawn_app().await;
    app.create("u1", json!({"uri": "/data/Alpha/x.csv"})).await;
    app.create(
        "u2",
        json!({"uri": "/data/beta/y.parquet", "materializer": "my.pkg.PandasMat", "type": "ModelArtifact",
               "data_type": {"module": "builtins", "attribute": "str", "type": "builtin"}}),
    )
    .await;
    app.create("u3", json!({"uri": "/other/z.csv"})).await;
    // uri: LIKE operators are case-insensitive, equality is not.
    assert_eq!(artifacts(&app, &[("uri", "contains:ALPHA")]).await, ["u1"]);
    assert_eq!(artifacts(&app, &[("uri", "endswith:.csv")]).await, ["u1", "u3"]);
    assert_eq!(artifacts(&app, &[("uri", "notcontains:data")]).await, ["u3"]);
    assert_eq!(artifacts(&app, &[("uri", "startswith:/DATA/")]).await, ["u1", "u2"]);
    assert_eq!(artifacts(&app, &[("uri", "/other/z.csv")]).await, ["u3"]);
    assert!(artifacts(&app, &[("uri", "/OTHER/z.csv")]).await.is_empty());
    assert!(artifacts(&app, &[("uri", "")]).await.is_empty());
    // materializer / data_type: the compact JSON text.
    assert_eq!(artifacts(&app, &[("materializer", "contains:pandasmat")]).await, ["u2"]);
    assert_eq!(artifacts(&app, &[("materializer", "contains:\"module\":\"my.pkg\"")]).await, ["u2"]);
    assert_eq!(artifacts(&app, &[("materializer", "contains:BuiltInMaterializer")]).await, ["u1", "u3"]);
    assert!(artifacts(&app, &[("materializer", "my.pkg.PandasMat")]).await.is_empty());
    assert_eq!(artifacts(&app, &[("data_type", "contains:\"attribute\":\"int\"")]).await, ["u1", "u3"]);
    assert_eq!(artifacts(&app, &[("data_type", "contains:\"attribute\":\"str\"")]).await, ["u2"]);
    assert!(artifacts(&app, &[("data_type", "builtins.int")]).await.is_empty());
    // type: the enum value.
    assert_eq!(artifacts(&app, &[("type", "ModelArtifact")]).await, ["u2"]);
    assert_eq!(artifacts(&app, &[("type", "contains:data")]).await, ["u1", "u3"]);
    assert_eq!(artifacts(&app, &[("type", "notequals:DataArtifact")]).await, ["u2"]);
    assert!(artifacts(&app, &[("type", "modelartifact")]).await.is_empty());
}

#[actix_web::test]
async fn artifact_store_id_filter_matches_the_uuid_or_nothing() {
    let app = spawn_app().await;
    let (status, components) = app.get("/api/v1/components?size=100").await;
    assert_eq!(status, 200, "{components}");
    let store = components["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"]["type"] == "artifact_store")
        .map(id)
        .expect("default artifact store");
    let with = id(&app.create("st", json!({ "artifact_store_id": store })).await);
    let without = id(&app.create("st", json!({"artifact_store_id": null})).await);
    assert_eq!(ids(&app, &[("artifact_store_id", &store)]).await, [with.as_str()]);
    assert_eq!(ids(&app, &[("artifact_store_id", &store.replace('-', "").to_uppercase())]).await, [with.as_str()]);
    assert_eq!(ids(&app, &[("artifact_store_id", &format!("startswith:{}", &store[..8]))]).await, [with.as_str()]);
    assert_eq!(ids(&app, &[("artifact_store_id", "isnull:")]).await, [without.as_str()]);
    assert!(ids(&app, &[("artifact_store_id", "abc")]).await.is_empty());
    assert!(ids(&app, &[("artifact_store_id", "00000000-0000-0000-0000-000000000000")]).await.is_empty());
}

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

// ---------------------------------------------------------------- sorting

#[actix_web::test]
async fn sorting_by_created_version_and_version_number() {
    let app = spawn_app().await;
    let mut by_version: Vec<(String, String)> = Vec::new();
    for (artifact, v) in [("sa", "2"), ("sa", "rc-1"), ("sa", "10"), ("sa", "1"), ("sb", "1")] {
        let created = app.create(artifact, json!({ "version": v })).await;
        by_version.push((v.to_string(), id(&created)));
    }
    let created_order = s(&["2", "rc-1", "10", "1", "1"]);
    assert_eq!(versions(&app, &[]).await, created_order);
    assert_eq!(versions(&app, &[("sort_by", "created")]).await, created_order);
    assert_eq!(versions(&app, &[("sort_by", "asc:created")]).await, created_order);
    let mut reversed = created_order.clone();
    reversed.reverse();
    assert_eq!(versions(&app, &[("sort_by", "desc:created")]).await, reversed);
    // Unknown or uppercase prefixes: ascending on the rest.
    assert_eq!(versions(&app, &[("sort_by", "xyz:created")]).await, created_order);
    assert_eq!(versions(&app, &[("sort_by", "DESC:created")]).await, created_order);
    // `version` is text order with an id tie-breaker in the same direction.
    by_version.sort();
    let want: Vec<String> = by_version.iter().map(|(_, i)| i.clone()).collect();
    assert_eq!(ids(&app, &[("sort_by", "version")]).await, want);
    let mut want_desc = want.clone();
    want_desc.reverse();
    assert_eq!(ids(&app, &[("sort_by", "desc:version")]).await, want_desc);
    // `version_number`: NULL (non-numeric) first ascending, last descending.
    assert_eq!(versions(&app, &[("sort_by", "version_number")]).await, ["rc-1", "1", "1", "2", "10"]);
    assert_eq!(versions(&app, &[("sort_by", "desc:version_number")]).await, ["10", "2", "1", "1", "rc-1"]);
}

#[actix_web::test]
async fn sorting_by_tags_user_and_uri() {
    let app = spawn_app().await;
    app.create("so", json!({"version": "v1", "tags": ["team_x", "prod"], "uri": "/b"})).await;
    app.create("so", json!({"version": "v2", "tags": ["prod"], "uri": "/c"})).await;
    app.create("so", json!({"version": "v3", "tags": ["dev"], "uri": "/a"})).await;
    app.create("so", json!({"version": "v4", "uri": "/d"})).await;
    // Tag names sorted and joined with ", "; untagged (NULL) first ascending.
    assert_eq!(versions(&app, &[("sort_by", "tags")]).await, ["v4", "v3", "v2", "v1"]);
    assert_eq!(versions(&app, &[("sort_by", "desc:tags")]).await, ["v1", "v2", "v3", "v4"]);
    assert_eq!(versions(&app, &[("sort_by", "uri")]).await, ["v3", "v1", "v2", "v4"]);
    assert_eq!(versions(&app, &[("sort_by", "desc:uri")]).await, ["v4", "v2", "v1", "v3"]);
    // A single user: sorting by user is accepted and keeps every row.
    for sort in ["user", "desc:user"] {
        let mut got = versions(&app, &[("sort_by", sort)]).await;
        got.sort();
        assert_eq!(got, ["v1", "v2", "v3", "v4"], "{sort}");
    }
}

#[actix_web::test]
async fn invalid_sort_columns_are_422() {
    let app = spawn_app().await;
    app.create("bad_sort", json!({})).await;
    for column in ["project", "scope_user", "run_metadata", "artifact", "artifact_id", "only_unused", "model", "page"] {
        let msg = shape_b(&app, &[("sort_by", column)], 422).await;
        assert!(msg.contains(&format!("This resource can not be sorted by this field: '{column}'")), "{column}: {msg}");
    }
    for column in ["name", "content_hash", "tag", "bogus", "desc:", "", "desc:bogus"] {
        let msg = shape_b(&app, &[("sort_by", column)], 422).await;
        assert!(msg.contains("You can only sort by valid fields of this resource"), "{column:?}: {msg}");
    }
}

// ---------------------------------------------------------------- paging

#[actix_web::test]
async fn paging_envelope_and_out_of_range_pages() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.create("pg", json!({})).await;
    }
    let mut seen = Vec::new();
    for (page_no, count) in [(1, 2), (2, 2), (3, 1)] {
        let (status, page) = list(&app, &[("size", "2"), ("page", &page_no.to_string())]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["index"], page_no);
        assert_eq!(page["max_size"], 2);
        assert_eq!(page["total"], 5);
        assert_eq!(page["total_pages"], 3);
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), count);
        seen.extend(items.iter().map(|i| i["body"]["version"].as_str().unwrap().to_string()));
    }
    assert_eq!(seen, ["1", "2", "3", "4", "5"]);
    // Paging follows the sort order.
    assert_eq!(versions(&app, &[("size", "2"), ("page", "2"), ("sort_by", "desc:created")]).await, ["3", "2"]);
    let msg = shape_b(&app, &[("size", "2"), ("page", "4")], 400).await;
    assert_eq!(
        msg,
        "Invalid page 4. The requested page size is 2 and there are a total of 5 items for this query. \
         The maximum page value therefore is 3."
    );
    // max_size is the requested size, not the item count.
    let (_, page) = list(&app, &[("size", "10000")]).await;
    assert_eq!((page["max_size"].clone(), page["total_pages"].clone()), (json!(10000), json!(1)));
    // Last occurrence of a single parameter wins.
    let (_, page) = list(&app, &[("size", "2"), ("page", "1"), ("page", "3")]).await;
    assert_eq!(page["index"], 3);
}

#[actix_web::test]
async fn empty_results_have_one_page() {
    let app = spawn_app().await;
    app.create("empty", json!({})).await;
    let (status, page) = list(&app, &[("version", "nope")]).await;
    assert_eq!(status, 200);
    assert_eq!(page, json!({"index": 1, "max_size": 20, "total_pages": 1, "total": 0, "items": []}));
    let msg = shape_b(&app, &[("version", "nope"), ("page", "2")], 400).await;
    assert!(msg.contains("a total of 0 items") && msg.contains("The maximum page value therefore is 1."), "{msg}");
}

#[actix_web::test]
async fn paging_parameter_validation() {
    let app = spawn_app().await;
    for (k, v, kind) in [
        ("size", "0", "greater_than_equal"),
        ("size", "10001", "less_than_equal"),
        ("page", "0", "greater_than_equal"),
        ("page", "-1", "greater_than_equal"),
        ("page", "abc", "int_parsing"),
        ("size", "", "int_parsing"),
    ] {
        let msg = shape_a(&app, &[(k, v)]).await;
        assert!(msg.contains(kind) && msg.contains(&format!("('query', '{k}')")), "{k}={v}: {msg}");
    }
}

#[actix_web::test]
async fn hydrate_controls_metadata() {
    let app = spawn_app().await;
    app.create("hy", json!({"metadata": {"k": 1}})).await;
    for flag in ["false", "False", "0"] {
        let (status, page) = list(&app, &[("hydrate", flag)]).await;
        assert_eq!(status, 200);
        assert!(page["items"][0]["metadata"].is_null(), "{flag}: {page}");
        assert_eq!(page["items"][0]["body"]["version"], "1");
    }
    let (_, page) = list(&app, &[]).await;
    assert!(page["items"][0]["metadata"].is_null(), "not hydrated by default");
    for flag in ["True", "true", "1", "yes"] {
        let (status, page) = list(&app, &[("hydrate", flag)]).await;
        assert_eq!(status, 200);
        assert_eq!(page["items"][0]["metadata"]["run_metadata"], json!({"k": 1}), "{flag}: {page}");
    }
}

// ---------------------------------------------------------------- other lists

#[actix_web::test]
async fn other_lists_share_the_filter_language() {
    let app = spawn_app().await;
    app.create("xylo", json!({"tags": ["yellow", "blue"]})).await;
    app.create("box", json!({"tags": ["yak"]})).await;
    app.create("plain", json!({})).await;
    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
    };
    let (status, page) = app.get(&format!("/api/v1/artifacts?{}", qs(&[("name", "contains:X")]))).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page), ["xylo", "box"]);
    assert_eq!(page["total"], 2);
    let (_, page) = app.get(&format!("/api/v1/artifacts?{}", qs(&[("sort_by", "desc:name"), ("size", "2")]))).await;
    assert_eq!(names(&page), ["xylo", "plain"]);
    assert_eq!((page["total"].clone(), page["total_pages"].clone()), (json!(3), json!(2)));
    let (status, _) = app.get("/api/v1/artifacts?sort_by=bogus").await;
    assert_eq!(status, 422);
    let (status, page) =
        app.get(&format!("/api/v1/tags?{}", qs(&[("name", "startswith:y"), ("sort_by", "name")]))).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page), ["yak", "yellow"]);
    let (status, page) = app.get("/api/v1/users?name=admin").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page), ["admin"]);
    let (_, page) = app.get("/api/v1/users?name=nobody").await;
    assert_eq!((page["total"].clone(), page["total_pages"].clone()), (json!(0), json!(1)));
    let (status, _) = app.get("/api/v1/tags?size=0").await;
    assert_eq!(status, 422);
}
