//! Sorting, paging and hydration.

use super::helpers::*;
use crate::helpers::*;
use serde_json::{json, Value};

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
