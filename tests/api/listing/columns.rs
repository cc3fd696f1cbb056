//! Filters on the versions' own columns.

use super::helpers::*;
use crate::helpers::*;
use chrono::Duration;
use serde_json::json;

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
    // Each step a second later on the database's clock: the wall clock may
    // not have moved on to the next second yet.
    let second_later = || app.db.clock().advance(std::time::Duration::from_secs(1));
    let a = app.create("times", json!({})).await;
    second_later();
    let b = app.create("times", json!({})).await;
    second_later();
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
