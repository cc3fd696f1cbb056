//! Pipeline runs: get-or-create (`pipeline-runs.md` §3.6.1), update with
//! the reference's status guards, delete, and the batch loader (a page of
//! runs in a fixed number of queries).

use super::tables::RUNS;
use super::tags::{self, TagLinks};
use super::{is_unique_violation, list, logs, pipelines, pk_array, projects, run_metadata, run_status, snapshots};
use super::{model_links, model_versions, stacks, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::raw::{raw, RawObject};
use crate::models::run::{
    is_finished, is_placeholder, substitutions, LogsRef, Run, RunBody, RunMetadataBlock, RunRequest, RunResources,
    RunResponse, RunUpdate,
};
use crate::models::snapshot::Snapshot;
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};
use std::collections::HashMap;

const SELECT: &str = "SELECT r.pk, r.id, r.name, r.created, r.updated, u.id, p.id, r.status, r.in_progress,
        r.status_reason, r.run_index, pl.id, r.pipeline_pk, r.snapshot_pk, r.user_pk, r.orchestrator_run_id,
        r.start_time, r.end_time, r.orchestrator_environment, r.trigger_info, r.exception_info, r.enable_heartbeat
 FROM runs r JOIN projects p ON p.pk = r.project_pk LEFT JOIN pipelines pl ON pl.pk = r.pipeline_pk
 LEFT JOIN users u ON u.pk = r.user_pk";

fn from_row(r: &Row) -> rusqlite::Result<Run> {
    Ok(Run {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        body: RunBody {
            created: Ts(r.get(3)?),
            updated: Ts(r.get(4)?),
            user_id: r.get::<_, Option<Id>>(5)?,
            project_id: r.get::<_, Id>(6)?,
            status: r.get(7)?,
            in_progress: r.get(8)?,
            status_reason: r.get(9)?,
            index: r.get(10)?,
            pipeline_id: r.get::<_, Option<Id>>(11)?,
            child_key: None,
            root_run_id: None,
        },
        pipeline_pk: r.get(12)?,
        snapshot_pk: r.get(13)?,
        user_pk: r.get(14)?,
        orchestrator_run_id: r.get(15)?,
        start_time: r.get::<_, Option<i64>>(16)?.map(Ts),
        end_time: r.get::<_, Option<i64>>(17)?.map(Ts),
        orchestrator_environment: r.get(18)?,
        trigger_info: r.get(19)?,
        exception_info: r.get(20)?,
        enable_heartbeat: r.get(21)?,
    })
}

pub fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get pipeline run with ID '{}': No pipeline run with this ID found\"",
        id.hyphenated()
    ))
}

pub fn pk_of(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM runs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// A run row by pk.
fn row(conn: &Connection, pk: i64) -> DbResult<Run> {
    let sql = sql!("{SELECT} WHERE r.pk = ?1");
    Ok(conn.prepare_cached(sql)?.query_row([pk], from_row)?)
}

fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Run>> {
    let sql = sql!("{SELECT} WHERE r.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(sql)?;
    let mut found: HashMap<i64, Run> =
        stmt.query_map([pk_array(pks)], from_row)?.map(|r| r.map(|r| (r.pk, r))).collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

fn json_or_null(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

/// The run's configuration: the snapshot's, with the run's substitutions.
pub fn config_of(run: &Run, snapshot: Option<&Snapshot>) -> RawObject {
    let mut config = snapshot.map(|s| RawObject::parse(&s.pipeline_configuration)).unwrap_or_default();
    let own: Option<Value> = config.get("substitutions").and_then(|v| serde_json::from_str(v.get()).ok());
    let subs = substitutions(run.started(), own.as_ref());
    config.set("substitutions", raw(Value::Object(subs).to_string()));
    config
}

/// Responses for `pks` in order: rows, snapshots, pipelines, stacks,
/// users, tags, logs and (hydrated) metadata, one query each.
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<RunResponse>> {
    let runs = by_pks(conn, pks)?;
    let snapshots = snapshots::by_pks(conn, &runs.iter().map(|r| r.snapshot_pk).collect::<Vec<_>>())?;
    let pipelines: HashMap<i64, _> =
        pipelines::by_pks(conn, &runs.iter().filter_map(|r| r.pipeline_pk).collect::<Vec<_>>())?
            .into_iter()
            .map(|p| (p.pk, p.nested()))
            .collect();
    let stack_pks: Vec<i64> = snapshots.values().filter_map(|s| s.stack_pk).collect();
    let stacks: HashMap<i64, _> = stacks::stacks_by_pks(conn, &stack_pks)?
        .into_iter()
        .map(|s| (s.pk, s.to_response(None).into_body_only()))
        .collect();
    let users = users::nested_by_pks(conn, &runs.iter().filter_map(|r| r.user_pk).collect::<Vec<_>>())?;
    let mut tags = tags::for_owners(conn, TagLinks::Runs, pks)?;
    let mut logs = logs::of_owners(conn, pks, false)?;
    let mut metadata = match hydrate {
        true => run_metadata::of_owners(conn, pks, false)?,
        false => HashMap::new(),
    };
    let version_of = model_links::versions_of_runs(conn, pks)?;
    let versions = model_versions::nested_versions(conn, &version_of.values().copied().collect::<Vec<_>>())?;
    Ok(runs
        .into_iter()
        .map(|run| {
            let snapshot = snapshots.get(&run.snapshot_pk);
            let stored = match hydrate {
                true => snapshot.map(Snapshot::stored).unwrap_or_default(),
                false => RawObject::default(),
            };
            let meta = hydrate.then(|| RunMetadataBlock {
                run_metadata: metadata.remove(&run.pk).unwrap_or_else(run_metadata::empty),
                config: config_of(&run, snapshot),
                start_time: run.start_time,
                end_time: run.end_time,
                client_environment: match stored.get("client_environment") {
                    Some(env) if env.get() != "null" => env.to_owned(),
                    _ => raw("{}".into()),
                },
                orchestrator_environment: json_or_null(Some(&run.orchestrator_environment)),
                orchestrator_run_id: run.orchestrator_run_id.clone(),
                code_path: stored.get("code_path").and_then(|v| serde_json::from_str(v.get()).ok()),
                template_id: None,
                is_templatable: false,
                trigger_info: json_or_null(run.trigger_info.as_deref()),
                enable_heartbeat: run.enable_heartbeat,
                exception_info: json_or_null(run.exception_info.as_deref()),
                trigger_execution_info: None,
            });
            let resources = RunResources {
                user: run.user_pk.and_then(|pk| users.get(&pk).cloned()),
                snapshot: snapshot.map(Snapshot::nested),
                source_snapshot: None,
                stack: snapshot.and_then(|s| s.stack_pk).and_then(|pk| stacks.get(&pk).cloned()),
                pipeline: run.pipeline_pk.and_then(|pk| pipelines.get(&pk).cloned()),
                build: None,
                schedule: None,
                code_reference: None,
                model_version: version_of.get(&run.pk).and_then(|v| versions.get(v)).cloned(),
                tags: tags.remove(&run.pk).unwrap_or_default(),
                log_collection: logs.remove(&run.pk).unwrap_or_default().iter().map(|l| l.nested()).collect(),
                visualizations: Vec::new(),
                trigger: None,
                original_run: None,
                parent_run: None,
                active_wait_condition: None,
                outputs: Map::new(),
            };
            Entity::named(run.id, run.name, run.body, meta, Some(resources))
        })
        .collect())
}

pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<RunResponse> {
    let pk = pk_of(conn, id)?;
    load(conn, &[pk], hydrate)?.pop().ok_or_else(|| not_found(id))
}

/// `GET /runs/{id}?include_full_metadata=true`: the run's metadata followed
/// by its steps', each key as `<step>::<key>` (the same rules per step).
pub fn get_with_step_metadata(conn: &Connection, id: &Id) -> DbResult<RunResponse> {
    let pk = pk_of(conn, id)?;
    let mut run = load(conn, &[pk], true)?.pop().ok_or_else(|| not_found(id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT st.name, m.pk, m.key, m.value FROM steps st JOIN run_step_metadata m ON m.step_pk = st.pk
         WHERE st.run_pk = ?1 ORDER BY st.created, st.pk",
    )?;
    let rows = stmt
        .query_map([pk], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get(3)?)))?
        .map(|row| row.map(|(step, pk, key, value)| (0, pk, format!("{step}::{key}"), value)))
        .collect::<Result<Vec<_>, _>>()?;
    if let (Some(meta), Some(steps)) = (run.metadata.as_mut(), run_metadata::fold(rows).remove(&0)) {
        meta.run_metadata.0.extend(steps.0);
    }
    Ok(run)
}

fn link_logs(conn: &Connection, logs_ref: &Option<LogsRef>, user_pk: i64, run_pk: i64) -> DbResult<()> {
    match logs_ref {
        Some(LogsRef::Id(id)) => logs::link(conn, id, Some(run_pk), None),
        Some(LogsRef::New(req)) => logs::create(conn, req, user_pk, Some(run_pk), None).map(|_| ()),
        None => Ok(()),
    }
}

fn name_taken(name: &str) -> DbError {
    DbError::Conflict(format!(
        "Pipeline run name '{name}' already exists in this project. Each pipeline run must have a unique name.\n\n\
         To fix this, you can:\n1. Use a different run name\n2. Use a dynamic run name with placeholders like: \
         `@pipeline(name=\"my_pipeline_{{date}}_{{time}}\")`\n3. Clear existing runs with the same name\n\n\
         For more information on run naming, see: https://docs.zenml.io/concepts/steps_and_pipelines#pipeline-run-naming"
    ))
}

/// `POST /runs`: `(run pk, created)`.
pub fn get_or_create(conn: &Connection, req: &RunRequest, user_pk: i64) -> DbResult<(i64, bool)> {
    let project = projects::get_by_id(conn, &req.project)?;
    // A snapshot of another project is as unknown as a missing one.
    let snapshot = snapshots::by_id(conn, &req.snapshot)?.filter(|s| s.body.project_id == project.id).ok_or_else(|| {
        DbError::NotFound(format!(
            "The pipeline snapshot with ID {} referenced by the pipeline run being created was not found in the '{}' project",
            req.snapshot.hyphenated(),
            project.id.hyphenated()
        ))
    })?;
    // 1. The same orchestrator run of this snapshot, already started.
    if let Some(orchestrator_run_id) = &req.orchestrator_run_id {
        let existing: Option<i64> = conn
            .prepare_cached(
                "SELECT pk FROM runs WHERE snapshot_pk = ?1 AND orchestrator_run_id = ?2
                 AND status NOT IN ('initializing', 'provisioning')",
            )?
            .query_row(params![snapshot.pk, orchestrator_run_id], |r| r.get(0))
            .optional()?;
        if let Some(pk) = existing {
            return Ok((pk, false));
        }
    }
    let tag_pks = tags::resolve_or_create(conn, &req.tags, user_pk)?;
    // 2. A started run replaces the placeholder of its snapshot.
    if !is_placeholder(&req.status) {
        let placeholder: Option<i64> = conn
            .prepare_cached(
                "SELECT pk FROM runs WHERE snapshot_pk = ?1 AND status IN ('initializing', 'provisioning')
                 AND (orchestrator_run_id IS NULL OR orchestrator_run_id = ?2)
                 ORDER BY orchestrator_run_id IS NULL, created LIMIT 1",
            )?
            .query_row(params![snapshot.pk, req.orchestrator_run_id], |r| r.get(0))
            .optional()?;
        if let Some(pk) = placeholder {
            conn.prepare_cached(
                "UPDATE runs SET orchestrator_run_id = ?2, orchestrator_environment = ?3, status = ?4,
                        in_progress = ?5, updated = ?6 WHERE pk = ?1",
            )?
            .execute(params![
                pk,
                req.orchestrator_run_id,
                req.orchestrator_environment,
                req.status,
                !is_finished(&req.status),
                Ts::now().0
            ])?;
            tags::attach_to(conn, TagLinks::Runs, pk, &tag_pks)?;
            link_logs(conn, &req.logs, user_pk, pk)?;
            return Ok((pk, true));
        }
    }
    // 3. A new run: the next index of its pipeline.
    conn.prepare_cached("UPDATE pipelines SET run_count = run_count + 1 WHERE pk = ?1")?
        .execute([snapshot.pipeline_pk])?;
    let index: i64 = conn
        .prepare_cached("SELECT run_count FROM pipelines WHERE pk = ?1")?
        .query_row([snapshot.pipeline_pk], |r| r.get(0))?;
    /// The keys a run create reads from the pipeline configuration; the
    /// rest is skipped without building a JSON tree.
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct RunConfig {
        enable_heartbeat: Value,
        model: Value,
        substitutions: Option<Value>,
    }
    let config: RunConfig = serde_json::from_str(&snapshot.pipeline_configuration).unwrap_or_default();
    let heartbeat = config.enable_heartbeat.as_bool().unwrap_or(true);
    let id = Id::new_v4();
    let now = Ts::now();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO runs (id, project_pk, pipeline_pk, snapshot_pk, user_pk, name, status, in_progress,
                               status_reason, run_index, orchestrator_run_id, start_time, end_time,
                               orchestrator_environment, trigger_info, exception_info, enable_heartbeat, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)",
        )?
        .execute(params![
            id,
            project.pk,
            snapshot.pipeline_pk,
            snapshot.pk,
            user_pk,
            req.name,
            req.status,
            !is_finished(&req.status),
            req.status_reason,
            index,
            req.orchestrator_run_id,
            req.start_time,
            req.end_time,
            req.orchestrator_environment,
            req.trigger_info,
            req.exception_info,
            heartbeat,
            now.0
        ]);
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(name_taken(&req.name)),
        Err(e) => return Err(e.into()),
    }
    let pk = conn.last_insert_rowid();
    tags::attach_to(conn, TagLinks::Runs, pk, &tag_pks)?;
    link_logs(conn, &req.logs, user_pk, pk)?;
    // `@pipeline(model=Model(...))`: the model and this run's version (§5.1).
    if let Value::Object(model) = &config.model {
        let subs = substitutions(Ts(req.start_time.unwrap_or(now.0)), config.substitutions.as_ref());
        model_versions::version_for_run(conn, project.pk, model, &subs, pk, user_pk)?;
    }
    Ok((pk, true))
}

/// `PUT /runs/{id}` with the reference's guards (§3.6.3).
pub fn update(conn: &Connection, id: &Id, upd: &RunUpdate, user_pk: i64) -> DbResult<i64> {
    let pk = pk_of(conn, id)?;
    let run = row(conn, pk)?;
    if let Some(orchestrator_run_id) = &upd.orchestrator_run_id {
        if !is_placeholder(&run.body.status) {
            return Err(DbError::Forbidden(
                "Cannot update the orchestrator run id of a pipeline run that is not a placeholder run.".into(),
            ));
        }
        conn.prepare_cached("UPDATE runs SET orchestrator_run_id = ?2 WHERE pk = ?1")?
            .execute(params![pk, orchestrator_run_id])?;
    }
    if let Some(status) = &upd.status {
        if matches!(status.as_str(), "cached" | "skipped" | "retrying" | "retried") {
            return Err(DbError::Forbidden(format!("Execution status `{status}` is not valid for pipeline runs.")));
        }
        let current = run.body.status.as_str();
        let ignored = (status == "provisioning" && current != "initializing") || current == "completed";
        if !ignored {
            if is_finished(current) && !is_finished(status) {
                return Err(DbError::Forbidden("Cannot update the status of a finished run.".into()));
            }
            run_status::refresh(conn, pk, Some(status), upd.status_reason.as_ref())?;
        }
    } else if let Some(reason) = &upd.status_reason {
        conn.prepare_cached("UPDATE runs SET status_reason = ?2 WHERE pk = ?1")?.execute(params![pk, reason])?;
    }
    if let Some(info) = &upd.exception_info {
        conn.prepare_cached("UPDATE runs SET exception_info = ?2 WHERE pk = ?1")?.execute(params![pk, info])?;
    }
    if let Some(end) = upd.end_time {
        conn.prepare_cached("UPDATE runs SET end_time = ?2 WHERE pk = ?1")?.execute(params![pk, end])?;
    }
    let tag_pks = tags::resolve_or_create(conn, &upd.add_tags, user_pk)?;
    tags::attach_to(conn, TagLinks::Runs, pk, &tag_pks)?;
    tags::detach_from(conn, TagLinks::Runs, pk, &upd.remove_tags)?;
    for l in &upd.add_logs {
        logs::create(conn, l, user_pk, Some(pk), None)?;
    }
    conn.prepare_cached("UPDATE runs SET updated = ?2 WHERE pk = ?1")?.execute(params![pk, Ts::now().0])?;
    Ok(pk)
}

/// `DELETE /runs/{id}`: the run with its steps, logs and links (versions stay).
pub fn delete(conn: &Connection, id: &Id) -> DbResult<()> {
    let pk = pk_of(conn, id)?;
    conn.prepare_cached("DELETE FROM runs WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

/// `GET /runs`.
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<RunResponse>> {
    let page = list::project_page(conn, &RUNS, q)?;
    let items = load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

/// The status of a run, `None` when there is no such run.
pub fn status_of(conn: &Connection, id: &Id) -> DbResult<Option<String>> {
    Ok(conn.prepare_cached("SELECT status FROM runs WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
}
