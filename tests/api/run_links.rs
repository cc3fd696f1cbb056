//! What step runs change on the artifact-version side (pipeline-runs.md §4):
//! producers, `only_unused`, the `pipeline_run` filter, prune and deletes.
//! Runs and steps are written here as rows (their endpoints have their own
//! tests); the version side is read through the library as the server does.

use serde_json::json;
use trove::db::tables::ARTIFACT_VERSIONS;
use trove::db::{self, artifact_versions, artifacts, projects, version_list, version_load, Db, DbError};
use trove::filter;
use trove::models::artifact_version::ArtifactVersionRequest;

const RUN_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const RUN_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const STEP_LOAD: &str = "a1000000000000000000000000000000";
const STEP_TOTAL: &str = "a2000000000000000000000000000000";
const STEP_CACHED: &str = "b1000000000000000000000000000000";

/// Versions v1..v4 of artifacts `numbers` (v1, v2), `sum` (v3) and `lonely`
/// (v4); run A: `load` (completed) produced v1 and `total` (completed) read
/// v1 and produced v3; run B: `load` (cached, created earlier than A's)
/// lists v1 as its output, and `boom` (failed) produced v2.
fn seeded() -> (tempfile::TempDir, Db, Vec<i64>) {
    let (dir, db) = crate::helpers::prepared_db();
    let mut conn = db.conn().unwrap();
    let pks = db::write_sync(&mut conn, |tx| {
        let project = projects::default_project(tx)?.id.hyphenated();
        let mut pks = Vec::new();
        for (i, name) in ["numbers", "numbers", "sum", "lonely"].iter().enumerate() {
            let body = json!({
                "project": project, "artifact_name": name, "type": "DataArtifact", "uri": format!("/s/{i}"),
                "save_type": "step_output", "materializer": "m.M", "data_type": "builtins.list",
            });
            pks.push(artifact_versions::create(tx, &ArtifactVersionRequest::parse(&body, &["body"]).unwrap(), 1)?);
        }
        tx.execute_batch(&format!(
            "INSERT INTO pipelines (pk, id, project_pk, name, created, updated) VALUES (1, 'p1', 1, 'pipe', 0, 0);
             INSERT INTO snapshots (pk, id, project_pk, pipeline_pk, run_name_template, pipeline_configuration,
                 step_count, metadata, created, updated) VALUES (1, 's1', 1, 1, 't', '{{}}', 2, '{{}}', 0, 0);
             INSERT INTO runs (pk, id, project_pk, pipeline_pk, snapshot_pk, name, status, in_progress, run_index,
                 created, updated)
               VALUES (1, '{RUN_A}', 1, 1, 1, 'run-a', 'completed', 0, 1, 10, 10),
                      (2, '{RUN_B}', 1, 1, 1, 'run-b', 'failed', 0, 2, 5, 5);
             INSERT INTO steps (pk, id, project_pk, run_pk, name, status, created, updated)
               VALUES (1, '{STEP_LOAD}', 1, 1, 'load', 'completed', 10, 10),
                      (2, '{STEP_TOTAL}', 1, 1, 'total', 'completed', 11, 11),
                      (3, '{STEP_CACHED}', 1, 2, 'load', 'cached', 5, 5),
                      (4, 'b2000000000000000000000000000000', 1, 2, 'boom', 'failed', 6, 6);
             INSERT INTO step_artifacts (step_pk, is_output, name, version_pk, input_type, position)
               VALUES (1, 1, 'numbers', {v1}, NULL, NULL),
                      (2, 0, 'numbers', {v1}, 'step_output', 0),
                      (2, 1, 'sum', {v3}, NULL, NULL),
                      (3, 1, 'numbers', {v1}, NULL, NULL),
                      (4, 1, 'numbers', {v2}, NULL, NULL);",
            v1 = pks[0],
            v2 = pks[1],
            v3 = pks[2],
        ))?;
        Ok(pks)
    })
    .unwrap();
    (dir, db, pks)
}

fn hyphenated(hex: &str) -> String {
    uuid::Uuid::parse_str(hex).unwrap().hyphenated().to_string()
}

fn list_uris(db: &Db, params: &[(&str, &str)]) -> Vec<String> {
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let q = filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap();
    let conn = db.conn().unwrap();
    let page = version_list::list(&conn, &q).unwrap();
    let value = serde_json::to_value(&page).unwrap();
    value["items"].as_array().unwrap().iter().map(|v| v["body"]["uri"].as_str().unwrap().to_string()).collect()
}

#[test]
fn producer_is_the_oldest_completed_step_that_output_it() {
    let (_dir, db, pks) = seeded();
    let conn = db.conn().unwrap();
    let versions = serde_json::to_value(version_load::load(&conn, &pks, false).unwrap()).unwrap();
    let producer = |i: usize| {
        let r = &versions[i]["resources"];
        (r["producer_step_run_id"].as_str().map(String::from), r["producer_pipeline_run_id"].as_str().map(String::from))
    };
    // v1: the cached step of run B is older but never counts.
    assert_eq!(producer(0), (Some(hyphenated(STEP_LOAD)), Some(hyphenated(RUN_A))));
    // v2: only a failed step produced it.
    assert_eq!(producer(1), (None, None));
    assert_eq!(producer(2), (Some(hyphenated(STEP_TOTAL)), Some(hyphenated(RUN_A))));
    assert_eq!(producer(3), (None, None));
}

#[test]
fn only_unused_and_pipeline_run_answer_from_the_step_links() {
    let (_dir, db, _) = seeded();
    assert_eq!(list_uris(&db, &[("only_unused", "true")]), ["/s/3"]);
    assert_eq!(list_uris(&db, &[("only_unused", "false")]).len(), 4);
    assert_eq!(list_uris(&db, &[("pipeline_run", "run-a")]), ["/s/0", "/s/2"]);
    assert_eq!(list_uris(&db, &[("pipeline_run", &hyphenated(RUN_B))]), ["/s/0", "/s/1"]);
    assert!(list_uris(&db, &[("pipeline_run", "no-such-run")]).is_empty());
}

#[test]
fn prune_keeps_what_runs_use_and_used_versions_are_not_deleted() {
    let (_dir, db, pks) = seeded();
    let mut conn = db.conn().unwrap();
    let refused = db::write_sync(&mut conn, |tx| {
        let id = version_load::load(tx, &pks[..1], false)?.remove(0).id;
        artifact_versions::delete(tx, &id, true, false)
    });
    assert!(matches!(&refused, Err(DbError::Invalid(m)) if m == artifact_versions::USED_IN_RUNS), "{refused:?}");
    let refused = db::write_sync(&mut conn, |tx| {
        let artifact = version_load::load(tx, &pks[2..3], false)?.remove(0).body.artifact.id;
        artifacts::delete(tx, &artifact)
    });
    assert!(matches!(&refused, Err(DbError::Invalid(_))), "{refused:?}");

    db::write_sync(&mut conn, |tx| artifact_versions::prune(tx, "default", false)).unwrap();
    assert_eq!(list_uris(&db, &[]), ["/s/0", "/s/1", "/s/2"]);
    let names: Vec<String> = conn
        .prepare("SELECT name FROM artifacts ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(names, ["numbers", "sum"]);

    // Without its runs, a version is unused again and prune takes it.
    conn.execute_batch("DELETE FROM runs").unwrap();
    assert_eq!(list_uris(&db, &[("only_unused", "true")]).len(), 3);
    db::write_sync(&mut conn, |tx| artifact_versions::prune(tx, "default", true)).unwrap();
    assert!(list_uris(&db, &[]).is_empty());
}
