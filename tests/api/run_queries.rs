//! Run and step lists keep the fixed-number-of-queries rule: a page of 1
//! and a page of 100 take the same statements (counted by tracing the
//! connection), whatever their runs, steps, logs, tags and versions.

use serde_json::json;
use std::sync::Mutex;
use trove::db::tables::{RUNS, STEPS};
use trove::db::{self, artifact_versions, pipelines, projects, runs, snapshots, stacks, step_writes, steps};
use trove::filter;
use trove::models::artifact_version::ArtifactVersionRequest;
use trove::models::pipeline::PipelineRequest;
use trove::models::run::RunRequest;
use trove::models::snapshot::SnapshotRequest;
use trove::models::step::{StepRequest, StepUpdate};

static TRACED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(sql: &str) {
    TRACED.lock().unwrap().push(sql.to_string());
}

/// 120 runs of one pipeline, each with a completed `load` (one output) and
/// a `total` reading it, tags on every run.
fn seeded() -> (tempfile::TempDir, db::Db) {
    let (dir, db) = crate::helpers::prepared_db();
    let mut conn = db.conn().unwrap();
    db::write_sync(&mut conn, |tx| {
        let project = projects::default_project(tx)?.id.hyphenated();
        let stack = stacks::list_stacks(tx, &filter::parse(&trove::db::tables::STACKS, &[]).unwrap())?.items[0].id.hyphenated();
        let p = pipelines::create(tx, &PipelineRequest::parse(&json!({"project": project, "name": "pipe"})).unwrap(), 1)?;
        let config = |name: &str| json!({"spec": {"upstream_steps": if name == "total" { vec!["load"] } else { vec![] }, "inputs": {}}, "config": {"name": name}});
        let snap = SnapshotRequest::parse(&json!({
            "project": project, "stack": stack, "pipeline": p.id.hyphenated(), "run_name_template": "t",
            "pipeline_configuration": {"name": "pipe"},
            "step_configurations": {"load": config("load"), "total": config("total")},
        }))
        .unwrap();
        let snap = snapshots::create(tx, &snap, 1)?;
        for i in 0..120 {
            let run = RunRequest::parse(&json!({
                "project": project, "name": format!("run-{i}"), "snapshot": snap.id.hyphenated(), "status": "running",
                "orchestrator_run_id": format!("o-{i}"), "tags": ["a", "b"],
            }))
            .unwrap();
            let (run_pk, _) = runs::get_or_create(tx, &run, 1)?;
            let run_id: String = tx.query_row("SELECT id FROM runs WHERE pk = ?1", [run_pk], |r| r.get(0))?;
            let v = ArtifactVersionRequest::parse(
                &json!({"project": project, "artifact_name": "numbers", "type": "DataArtifact", "uri": format!("/s/{i}"),
                        "save_type": "step_output", "materializer": "m.M", "data_type": "builtins.list"}),
                &["body"],
            )
            .unwrap();
            let vpk = artifact_versions::create(tx, &v, 1)?;
            let vid: String = tx.query_row("SELECT id FROM artifact_versions WHERE pk = ?1", [vpk], |r| r.get(0))?;
            let step = |name: &str, inputs| {
                StepRequest::parse(&json!({"project": project, "name": name, "status": "running", "pipeline_run_id": run_id,
                                           "start_time": "2026-12-02T20:36:21", "inputs": inputs}))
                .unwrap()
            };
            let load = step_writes::create(tx, &step("load", json!({})), 1)?;
            let load_id: String = tx.query_row("SELECT id FROM steps WHERE pk = ?1", [load], |r| r.get(0))?;
            let done = StepUpdate::parse(&json!({"outputs": {"numbers": [vid]}, "status": "completed"})).unwrap();
            step_writes::update(tx, &trove::models::Id::parse(&load_id).unwrap(), &done, 1)?;
            step_writes::create(tx, &step("total", json!({"numbers": [vid]})), 1)?;
        }
        Ok(())
    })
    .unwrap();
    (dir, db)
}

fn statements(conn: &rusqlite::Connection, f: impl FnOnce(&rusqlite::Connection) -> usize) -> (usize, Vec<String>) {
    TRACED.lock().unwrap().clear();
    let n = f(conn);
    (n, TRACED.lock().unwrap().drain(..).collect())
}

#[test]
fn run_and_step_pages_take_a_fixed_number_of_queries() {
    let (_dir, db) = seeded();
    let mut conn = db.conn().unwrap();
    conn.trace(Some(trace));
    for hydrate in ["False", "True"] {
        let query =
            |size: &str| vec![("size".to_string(), size.to_string()), ("hydrate".to_string(), hydrate.to_string())];
        let (one, one_sql) =
            statements(&conn, |c| runs::list_page(c, &filter::parse(&RUNS, &query("1")).unwrap()).unwrap().items.len());
        let (hundred, hundred_sql) = statements(&conn, |c| {
            runs::list_page(c, &filter::parse(&RUNS, &query("100")).unwrap()).unwrap().items.len()
        });
        assert_eq!((one, hundred), (1, 100));
        assert_eq!(one_sql.len(), hundred_sql.len(), "runs, hydrate={hydrate}: {one_sql:#?}\n{hundred_sql:#?}");
        // Rows, snapshots, pipelines, stacks, users, tags, logs, metadata, model
        // versions (links, rows, models), after the scope, count and page.
        assert!(one_sql.len() <= 14, "runs: {one_sql:#?}");
        let (one, one_sql) = statements(&conn, |c| {
            steps::list_page(c, &filter::parse(&STEPS, &query("1")).unwrap()).unwrap().items.len()
        });
        let (hundred, hundred_sql) = statements(&conn, |c| {
            steps::list_page(c, &filter::parse(&STEPS, &query("100")).unwrap()).unwrap().items.len()
        });
        assert_eq!((one, hundred), (1, 100));
        assert_eq!(one_sql.len(), hundred_sql.len(), "steps, hydrate={hydrate}: {one_sql:#?}\n{hundred_sql:#?}");
        assert!(one_sql.len() <= 16, "steps: {one_sql:#?}");
    }
    conn.trace(None);
}
