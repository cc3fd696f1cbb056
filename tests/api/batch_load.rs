//! `db::version_load`, the batch loader behind every version response: its
//! queries look rows up by key from the pk array and never sort or copy the
//! array into a temporary index, and it still returns tags by name and
//! metadata and visualizations in the order they were recorded.

use serde_json::json;
use std::sync::Mutex;
use trove::db::{self, artifact_versions, projects, version_load, Db};
use trove::models::artifact_version::ArtifactVersionRequest;

/// Three versions whose tag names sort against their creation order, with
/// metadata keys and visualizations recorded out of alphabetical order; the
/// second one by another user.
fn seeded() -> (tempfile::TempDir, Db, Vec<i64>) {
    let (dir, db) = crate::helpers::prepared_db();
    let mut conn = db.conn().unwrap();
    let pks = db::write_sync(&mut conn, |tx| {
        let project = projects::default_project(tx)?.id.hyphenated();
        tx.execute_batch(
            "INSERT INTO users (pk, id, name, created, updated) VALUES (2, '0000000000000000000000000000beef', 'second', 0, 0)",
        )?;
        let mut pks = Vec::new();
        for i in 0..3 {
            let body = json!({
                "project": project, "artifact_name": format!("art{i}"), "type": "DataArtifact",
                "uri": format!("/d/{i}"), "save_type": "manual", "materializer": "m.M", "data_type": "builtins.int",
                "tags": ["zeta", "alpha", format!("mid{i}")],
                "metadata": {"z": i, "a": "x", "m": 0.5},
                "visualizations": [{"type": "markdown", "uri": "/v2.md"}, {"type": "html", "uri": "/v1.html"}],
            });
            let user_pk = if i == 1 { 2 } else { 1 };
            pks.push(artifact_versions::create(tx, &ArtifactVersionRequest::parse(&body, &["body"]).unwrap(), user_pk)?);
        }
        Ok(pks)
    })
    .unwrap();
    (dir, db, pks)
}

static TRACED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(sql: &str) {
    TRACED.lock().unwrap().push(sql.to_string());
}

#[test]
fn the_loader_looks_rows_up_by_key_and_sorts_nothing() {
    let (_dir, db, pks) = seeded();
    let mut conn = db.conn().unwrap();
    TRACED.lock().unwrap().clear();
    conn.trace(Some(trace));
    // Unsorted, with a duplicate: each version is still answered once.
    let loaded = version_load::load(&conn, &[pks[2], pks[0], pks[2], pks[1]], true).unwrap();
    conn.trace(None);
    assert_eq!(loaded.len(), 3);
    let statements: Vec<String> = TRACED.lock().unwrap().drain(..).collect();
    // Rows, users, tags, producing steps, run metadata, visualizations.
    assert_eq!(statements.len(), 6, "{statements:#?}");
    for sql in &statements {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect::<Vec<_>>();
        assert!(plan[0].starts_with("SCAN r VIRTUAL TABLE"), "{sql}\n{plan:#?}");
        assert!(plan.iter().all(|step| !step.contains("LIST SUBQUERY") && !step.contains("TEMP B-TREE")), "{plan:#?}");
    }
}

#[test]
fn the_loader_restores_the_orders_of_a_response() {
    let (_dir, db, pks) = seeded();
    let conn = db.conn().unwrap();
    let loaded = version_load::load(&conn, &[pks[1], pks[2], pks[0]], true).unwrap();
    for (i, version) in [1, 2, 0].into_iter().zip(&loaded) {
        let v = serde_json::to_value(version).unwrap();
        let tags: Vec<&str> =
            v["resources"]["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(tags, ["alpha", format!("mid{i}").as_str(), "zeta"]);
        let keys: Vec<&String> = v["metadata"]["run_metadata"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "m"]);
        let uris: Vec<&str> = v["metadata"]["visualizations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|vis| vis["body"]["uri"].as_str().unwrap())
            .collect();
        assert_eq!(uris, ["/v2.md", "/v1.html"]);
        assert_eq!(v["body"]["uri"], format!("/d/{i}"));
        let user = if i == 1 { "second" } else { "admin" };
        assert_eq!(v["resources"]["user"]["name"], user);
        assert_eq!(v["body"]["user_id"], v["resources"]["user"]["id"]);
    }
}
