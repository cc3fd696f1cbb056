//! Every fast path of the version list against its general path, over HTTP.
//!
//! The same request is sent twice: as it is, which a fast path answers
//! (deep pages by blocks with the maintained total, artifact + tag lists
//! from the tag links), and with `only_unused=True`, a condition that
//! matches every version here (no step uses one) and so sends the request
//! down the general path (a real `count(*)` and a plain OFFSET over the
//! filter's SQL). Ids, totals and page counts, or the error, must agree.
//! `tests/api/deep_pages.rs` and `tests/api/tagged_versions.rs` compare the
//! same paths function by function, in more shapes.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use trove::db::tables::ARTIFACT_VERSIONS;
use trove::db::{projects, tagged_versions, version_blocks};
use trove::filter;

const ARTIFACTS: usize = 4;
const TAGS: usize = 5;
/// Enough for pages deeper than `2 × BLOCK` rows, where the blocks answer.
const VERSIONS: usize = 1000;

/// `n` versions through the batch endpoint, artifacts and tags in turn, and
/// a few in a second project (which the default project's pages and totals
/// must not count). Returns the default project's version ids.
async fn seed(app: &TestApp, n: usize) -> Vec<String> {
    let (_, other) = app.post("/api/v1/projects", json!({"name": "elsewhere"})).await;
    let mut side = app.version_body("a0", json!({"tags": ["t0"]}));
    side["project"] = other["id"].clone();
    assert_eq!(app.post("/api/v1/artifact_versions", side).await.0, 200);
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(400) {
        let bodies: Vec<Value> = chunk
            .iter()
            .map(|i| {
                let tags = [format!("t{}", i % TAGS), format!("t{}", (i / 3) % TAGS)];
                app.version_body(&format!("a{}", i % ARTIFACTS), json!({ "tags": tags }))
            })
            .collect();
        let (status, created) = app.post("/api/v1/artifact_versions/batch", Value::Array(bodies)).await;
        assert_eq!(status, 200, "{created}");
        ids.extend(created.as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()));
    }
    ids
}

/// Tie `created` in groups of 16 versions (the API never writes ties, but
/// a database may hold them; the id breaks them, against insertion order),
/// in the version rows and in their tag links' copies.
fn tie_created(app: &TestApp) {
    let conn = app.db.conn().unwrap();
    conn.execute_batch(
        "UPDATE artifact_versions SET created = 1700000000000000 + pk / 16;
         UPDATE artifact_version_tags SET created = (SELECT v.created FROM artifact_versions v WHERE v.pk = version_pk);",
    )
    .unwrap();
}

/// What a list answers: ids, total and page count, or the error.
#[derive(Debug, PartialEq)]
enum Answer {
    Page(Vec<String>, u64, u64),
    Error(StatusCode, Value),
}

async fn answer(app: &TestApp, query: &str) -> Answer {
    let (status, body) = app.get(&format!("/api/v1/artifact_versions?{query}")).await;
    if status != 200 {
        return Answer::Error(status, body);
    }
    let ids = body["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    Answer::Page(ids, body["total"].as_u64().unwrap(), body["total_pages"].as_u64().unwrap())
}

/// The fast and the general answer to `query`; returns the fast one.
async fn assert_agree(app: &TestApp, query: &str) -> Answer {
    let fast = answer(app, query).await;
    let general = answer(app, &format!("{query}&only_unused=True")).await;
    assert_eq!(fast, general, "{query}");
    fast
}

/// The first pages of the unfiltered list, then every page from just above
/// the depth where the blocks answer to the one past the end, in each
/// order; returns how many of them were deep enough for the blocks.
async fn assert_unfiltered_lists_agree(app: &TestApp) -> usize {
    let first_deep = |size: u64| 2 * version_blocks::BLOCK as u64 / size + 1;
    let mut deep = 0;
    for sort in ["", "&sort_by=desc:created", "&sort_by=asc:created"] {
        for size in [20u64] {
            for page in (1..=2).chain(first_deep(size) - 1..) {
                let query = format!("size={size}&page={page}{sort}");
                match assert_agree(app, &query).await {
                    Answer::Page(ids, total, _) => {
                        assert!(!ids.is_empty() || total == 0, "{query}");
                        deep += usize::from(page >= first_deep(size));
                    }
                    Answer::Error(..) => break,
                }
            }
        }
    }
    deep
}

#[actix_web::test]
async fn deep_pages_and_maintained_totals_agree_with_the_general_path() {
    let app = spawn_app().await;
    let ids = seed(&app, VERSIONS).await;
    tie_created(&app);
    assert!(assert_unfiltered_lists_agree(&app).await > 20);

    // The blocks do answer a deep page (the comparison is not general against general).
    let conn = app.db.conn().unwrap();
    let project_pk = projects::default_project(&conn).unwrap().pk;
    let pairs = [("size".to_string(), "20".to_string()), ("page".to_string(), "30".to_string())];
    let q = filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap();
    assert!(version_blocks::page(&conn, project_pk, &q, VERSIONS as u64).unwrap().is_some());
    drop(conn);

    // Deletes: single versions, then a whole artifact (the cascade).
    for id in ids.iter().step_by(7) {
        assert_eq!(app.delete(&format!("/api/v1/artifact_versions/{id}")).await.0, 200);
    }
    let (_, a1) = app.get("/api/v1/artifacts?name=a1").await;
    let a1 = a1["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.delete(&format!("/api/v1/artifacts/{a1}")).await.0, 200);
    assert!(assert_unfiltered_lists_agree(&app).await > 10);
}

#[actix_web::test]
async fn artifact_and_tag_lists_agree_with_the_general_path() {
    let app = spawn_app().await;
    seed(&app, 240).await;
    tie_created(&app);
    let (_, a2) = app.get("/api/v1/artifacts?name=a2").await;
    let a2_id = a2["items"][0]["id"].as_str().unwrap().to_string();
    let artifacts = ["a0".to_string(), "a3".into(), a2_id, "equals:a1".into(), "missing".into()];
    let tags = ["t0", "t2", "t4", "missing"];
    let mut non_empty = 0;
    for artifact in &artifacts {
        for tag in tags {
            for sort in ["&sort_by=desc:created", "&sort_by=asc:created"] {
                for size in [7u64, 20] {
                    let mut page = 1;
                    loop {
                        let query = format!("artifact={artifact}&tags={tag}&size={size}&page={page}{sort}");
                        match assert_agree(&app, &query).await {
                            Answer::Page(ids, ..) if !ids.is_empty() => non_empty += 1,
                            _ => break,
                        }
                        page += 1;
                    }
                }
            }
        }
    }
    assert!(non_empty > 80, "{non_empty} non-empty pages compared");

    // The tag links do answer these lists.
    let conn = app.db.conn().unwrap();
    let project_pk = projects::default_project(&conn).unwrap().pk;
    let pairs = [("artifact".to_string(), "a0".to_string()), ("tags".to_string(), "t0".to_string())];
    let q = filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap();
    assert!(tagged_versions::page(&conn, project_pk, &q).unwrap().is_some());
}

/// Every version with its tags as loaded (from the row's copy of its tag
/// pks), as ids by tag name.
async fn tags_as_loaded(app: &TestApp) -> BTreeSet<(String, String)> {
    let (status, page) = app.get("/api/v1/artifact_versions?size=1000").await;
    assert_eq!(status, 200, "{page}");
    let mut out = BTreeSet::new();
    for v in page["items"].as_array().unwrap() {
        for t in v["resources"]["tags"].as_array().unwrap() {
            out.insert((t["name"].as_str().unwrap().to_string(), v["id"].as_str().unwrap().to_string()));
        }
    }
    out
}

/// The same, from the tag links: the versions the `tags` filter selects.
async fn tags_as_linked(app: &TestApp, names: &[&str]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for name in names {
        let (status, page) = app.get(&format!("/api/v1/artifact_versions?size=1000&tags={name}")).await;
        assert_eq!(status, 200, "{page}");
        for v in page["items"].as_array().unwrap() {
            out.insert((name.to_string(), v["id"].as_str().unwrap().to_string()));
        }
    }
    out
}

#[actix_web::test]
async fn tags_loaded_from_the_version_rows_agree_with_the_tag_links() {
    let app = spawn_app().await;
    let ids = seed(&app, 60).await;
    let names = ["t0", "t1", "t2", "t3", "t4", "extra"];
    let check = |step: &'static str| {
        let app = &app;
        async move {
            let loaded = tags_as_loaded(app).await;
            assert!(!loaded.is_empty());
            assert_eq!(loaded, tags_as_linked(app, &names).await, "after {step}");
        }
    };
    check("seeding").await;
    for (i, id) in ids.iter().enumerate().step_by(5) {
        let body = match i % 3 {
            0 => json!({"add_tags": ["extra", "t0"]}),
            1 => json!({"remove_tags": [format!("t{}", i % TAGS)]}),
            _ => json!({"add_tags": ["extra"], "remove_tags": ["t1", "t2", "t3"]}),
        };
        assert_eq!(app.put(&format!("/api/v1/artifact_versions/{id}"), body).await.0, 200);
    }
    check("updates").await;
    for id in ids.iter().step_by(4) {
        assert_eq!(app.delete(&format!("/api/v1/artifact_versions/{id}")).await.0, 200);
    }
    check("deletes").await;
}
