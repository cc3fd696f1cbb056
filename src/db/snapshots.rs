//! Pipeline snapshots: one per run, with its step configurations.

use super::{pipelines, pk_array, projects, stacks, users, DbError, DbResult};
use crate::models::snapshot::{
    ConfigKeys, Snapshot, SnapshotBody, SnapshotRequest, SnapshotResources, SnapshotResponse,
};
use crate::models::step_parts::StepParts;
use crate::models::{Entity, Id, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const SELECT: &str = "SELECT s.pk, s.id, s.name, s.created, s.updated, u.id, p.id, s.is_dynamic, pl.id,
        s.pipeline_pk, s.stack_pk, s.user_pk, s.run_name_template, s.pipeline_configuration, s.step_count, s.metadata
 FROM snapshots s JOIN projects p ON p.pk = s.project_pk JOIN pipelines pl ON pl.pk = s.pipeline_pk
 LEFT JOIN users u ON u.pk = s.user_pk";

fn from_row(r: &Row) -> rusqlite::Result<Snapshot> {
    Ok(Snapshot {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        body: SnapshotBody {
            created: Ts(r.get(3)?),
            updated: Ts(r.get(4)?),
            user_id: r.get::<_, Option<Id>>(5)?,
            project_id: r.get::<_, Id>(6)?,
            runnable: false,
            deployable: false,
            is_dynamic: r.get(7)?,
            pipeline_id: r.get::<_, Id>(8)?,
        },
        pipeline_pk: r.get(9)?,
        stack_pk: r.get(10)?,
        user_pk: r.get(11)?,
        run_name_template: r.get(12)?,
        pipeline_configuration: r.get(13)?,
        step_count: r.get(14)?,
        metadata: r.get(15)?,
    })
}

pub fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get pipeline snapshot with ID '{}': No pipeline snapshot with this ID found\"",
        id.hyphenated()
    ))
}

pub fn by_id(conn: &Connection, id: &Id) -> DbResult<Option<Snapshot>> {
    let sql = sql!("{SELECT} WHERE s.id = ?1");
    Ok(conn.prepare_cached(sql)?.query_row([id], from_row).optional()?)
}

/// Snapshots by pk, in one query.
pub fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, Snapshot>> {
    let sql = sql!("{SELECT} WHERE s.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([pk_array(pks)], from_row)?;
    Ok(rows.map(|s| s.map(|s| (s.pk, s))).collect::<Result<_, _>>()?)
}

/// The step configurations of a snapshot as stored, in request order.
pub fn steps_of(conn: &Connection, snapshot_pk: i64) -> DbResult<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, config FROM snapshot_steps WHERE snapshot_pk = ?1 ORDER BY position")?;
    let rows = stmt.query_map([snapshot_pk], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn create(conn: &Connection, req: &SnapshotRequest, user_pk: i64) -> DbResult<SnapshotResponse> {
    let project = projects::get_by_id(conn, &req.project)?;
    let pipeline_pk = pipelines::pk_of(conn, &req.pipeline).map_err(|_| {
        DbError::NotFound(format!(
            "The pipeline with ID {} referenced by the pipeline snapshot being created was not found in the '{}' project",
            req.pipeline.hyphenated(),
            project.id.hyphenated()
        ))
    })?;
    let stack = stacks::get_stack(conn, &req.stack)?;
    if let Some(name) = &req.name {
        let taken: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM snapshots WHERE pipeline_pk = ?1 AND name = ?2")?
            .query_row(params![pipeline_pk, name], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(DbError::Conflict(format!(
                "A pipeline snapshot with name {name} already exists for this pipeline."
            )));
        }
    }
    let id = Id::new_v4();
    let now = Ts::now();
    let keys = ConfigKeys::of(&req.pipeline_configuration);
    conn.prepare_cached(
        "INSERT INTO snapshots (id, project_pk, pipeline_pk, stack_pk, user_pk, name, run_name_template,
                                pipeline_configuration, step_count, is_dynamic, metadata, created, updated,
                                execution_mode, substitutions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        project.pk,
        pipeline_pk,
        stack.pk,
        user_pk,
        req.name,
        req.run_name_template,
        req.pipeline_configuration,
        req.steps.len() as i64,
        req.is_dynamic,
        req.metadata,
        now.0,
        keys.execution_mode,
        keys.substitutions
    ])?;
    let pk = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO snapshot_steps (snapshot_pk, name, position, config, spec, step_config)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, (name, config)) in req.steps.iter().enumerate() {
        let parts = StepParts::of(config);
        insert.execute(params![pk, name, i as i64, config, parts.spec, parts.step_config])?;
    }
    get(conn, &id, true)
}

/// `GET /pipeline_snapshots/{id}` and the answer of create.
pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<SnapshotResponse> {
    let s = by_id(conn, id)?.ok_or_else(|| not_found(id))?;
    let pipeline = pipelines::by_pks(conn, &[s.pipeline_pk])?.pop().ok_or_else(|| not_found(id))?;
    let stack = match s.stack_pk {
        Some(pk) => stacks::stacks_by_pks(conn, &[pk])?.pop().map(|st| st.to_response(None).into_body_only()),
        None => None,
    };
    let latest: Option<(Id, String, Option<i64>)> = conn
        .prepare_cached("SELECT id, status, user_pk FROM runs WHERE snapshot_pk = ?1 ORDER BY created DESC LIMIT 1")?
        .query_row([s.pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let user_pks: Vec<i64> = s.user_pk.into_iter().chain(latest.as_ref().and_then(|l| l.2)).collect();
    let users = users::nested_by_pks(conn, &user_pks)?;
    let metadata = match hydrate {
        true => Some(s.metadata(steps_of(conn, s.pk)?)),
        false => None,
    };
    let resources = SnapshotResources {
        user: s.user_pk.and_then(|pk| users.get(&pk).cloned()),
        pipeline: pipeline.nested(),
        stack,
        build: None,
        schedule: None,
        code_reference: None,
        deployment: None,
        tags: Vec::new(),
        latest_run_id: latest.as_ref().map(|l| l.0),
        latest_run_status: latest.as_ref().map(|l| l.1.clone()),
        latest_run_user: latest.as_ref().and_then(|l| l.2).and_then(|pk| users.get(&pk).cloned()),
        visualizations: Vec::new(),
    };
    Ok(Entity { body: s.body, metadata, resources: Some(resources), id: s.id, permission_denied: false, name: s.name })
}
