//! Storage guarantees: a page costs a fixed number of statements whatever its
//! size, and the main list queries never scan the versions table.

use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use trove::db::tables::ARTIFACT_VERSIONS;
use trove::db::{self, artifact_versions, list, version_list, Db};
use trove::filter;
use trove::models::artifact_version::ArtifactVersionRequest;

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

fn count_statement(_: &str) {
    STATEMENTS.fetch_add(1, Ordering::SeqCst);
}

/// A prepared database with `n` versions over 3 artifacts, each with 2 tags,
/// 3 metadata keys and a visualization.
fn seeded(n: usize) -> (tempfile::TempDir, Db) {
    let (dir, db) = crate::helpers::prepared_db();
    let mut conn = db.conn().unwrap();
    let project = db::projects::default_project(&conn).unwrap().id.hyphenated();
    db::write_sync(&mut conn, |tx| {
        for i in 0..n {
            let body = json!({
                "project": project, "artifact_name": format!("art{}", i % 3), "type": "DataArtifact",
                "uri": format!("/d/{i}"), "save_type": "manual", "materializer": "m.M", "data_type": "builtins.int",
                "tags": [format!("t{}", i % 5), "common"], "metadata": {"a": i, "b": "x", "c": [1, 2]},
                "visualizations": [{"type": "csv", "uri": "/v.csv"}],
            });
            let req = ArtifactVersionRequest::parse(&body, &["body"]).unwrap();
            artifact_versions::create(tx, &req, 1)?;
        }
        Ok(())
    })
    .unwrap();
    (dir, db)
}

fn query(params: &[(&str, &str)]) -> filter::ListQuery {
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap()
}

#[test]
fn a_page_costs_the_same_statements_for_1_or_100_items() {
    let (_dir, db) = seeded(120);
    let mut conn = db.conn().unwrap();
    let mut statements_for = |size: &str, hydrate: &str| {
        let q = query(&[("size", size), ("hydrate", hydrate), ("sort_by", "desc:created")]);
        conn.trace(Some(count_statement));
        STATEMENTS.store(0, Ordering::SeqCst);
        let page = version_list::list(&conn, &q).unwrap();
        conn.trace(None);
        assert_eq!(page.items.len(), size.parse::<usize>().unwrap());
        assert!(page.items.iter().all(|v| v.resources.as_ref().unwrap().tags.len() == 2));
        STATEMENTS.load(Ordering::SeqCst)
    };
    let (one, hundred) = (statements_for("1", "false"), statements_for("100", "false"));
    assert_eq!(one, hundred, "unhydrated page: {one} statements for 1 item, {hundred} for 100");
    assert!(one <= 7, "{one} statements");
    let (one, hundred) = (statements_for("1", "true"), statements_for("100", "true"));
    assert_eq!(one, hundred, "hydrated page: {one} statements for 1 item, {hundred} for 100");
    assert!(one <= 9, "{one} statements");
}

/// `EXPLAIN QUERY PLAN` of a list request's count and page queries.
fn plans(conn: &rusqlite::Connection, params: &[(&str, &str)]) -> Vec<String> {
    let q = query(params);
    let (scope, scope_params) = version_list::scope(conn, &q).unwrap();
    let sql = list::list_sql(&ARTIFACT_VERSIONS, &scope, scope_params, &q).unwrap();
    [sql.count, sql.page]
        .iter()
        .map(|s| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {s}")).unwrap();
            let rows =
                stmt.query_map(rusqlite::params_from_iter(sql.params.iter()), |r| r.get::<_, String>(3)).unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
        })
        .collect()
}

#[test]
fn main_list_queries_never_scan_the_versions_table() {
    let (_dir, db) = seeded(30);
    let conn = db.conn().unwrap();
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("sort_by", "desc:created"), ("size", "1")],
        &[("page", "2"), ("size", "5")],
        &[("artifact", "art1")],
        &[("artifact", "art1"), ("sort_by", "desc:created"), ("size", "1"), ("version", "3")],
        &[("tags", "t1")],
        &[("artifact", "art1"), ("tags", "common")],
        &[("id", "startswith:0a")],
        &[("user", "admin")],
        &[("created", "gte:2020-01-01 00:00:00")],
        &[("uri", "/d/7")],
        &[("only_unused", "True"), ("id", "0a0a0a0a-0000-0000-0000-000000000000")],
        &[("only_unused", "True")],
        &[("pipeline_run", "some-run")],
    ];
    for params in cases {
        for plan in plans(&conn, params) {
            let full_scan = plan.split(" | ").any(|step| {
                (step.starts_with("SCAN av") || step.starts_with("SCAN artifact_versions")) && !step.contains("INDEX")
            });
            assert!(!full_scan, "{params:?} scans the versions table: {plan}");
        }
    }
}

/// An artifact + tag list reads only the tag links of that artifact (index
/// on (tag, artifact)) and fetches those versions by key; it never walks all
/// versions of the tag nor all versions of the artifact.
#[test]
fn artifact_and_tag_lists_read_only_the_matching_tag_links() {
    let (_dir, db) = seeded(30);
    let conn = db.conn().unwrap();
    for plan in plans(&conn, &[("artifact", "art1"), ("tags", "common")]) {
        let first = plan.split(" | ").next().unwrap();
        assert!(first.contains("INTEGER PRIMARY KEY"), "{plan}");
        assert!(plan.contains("artifact_version_tags_by_tag (tag_pk=? AND artifact_pk=?)"), "{plan}");
    }
    // Without an artifact, a tag's (possibly huge) version list never drives.
    for plan in plans(&conn, &[("tags", "common")]) {
        let first = plan.split(" | ").next().unwrap();
        assert!(first.contains("artifact_versions_by_project_created"), "{plan}");
    }
}
