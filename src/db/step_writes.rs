//! Step-run writes: create (status rules, retries, cached steps copying
//! their original's metadata, parents, input and output links) and update,
//! each followed by the run's status computation ([`super::run_status`]).

use super::steps::{links_of, pk_of};
use super::{logs, run_metadata, run_status, runs, DbError, DbResult};
use crate::models::run::{is_finished, LogsRef};
use crate::models::step::{StepRequest, StepUpdate};
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::Value;

fn version_pk(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM artifact_versions WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            DbError::NotFound(format!(
                "\"Unable to get artifact version with ID '{}': No artifact version with this ID found\"",
                id.hyphenated()
            ))
        })
}

fn link(
    conn: &Connection,
    step_pk: i64,
    is_output: bool,
    name: &str,
    version: i64,
    kind: Option<&str>,
    at: Option<i64>,
) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO step_artifacts (step_pk, is_output, name, version_pk, input_type, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![step_pk, is_output, name, version, kind, at])?;
    Ok(())
}

fn manual_status(status: &str) -> Option<DbError> {
    matches!(status, "retrying" | "retried" | "cancelling" | "queued")
        .then(|| DbError::Forbidden(format!("Execution status `{status}` cannot be set manually.")))
}

/// What a step create reads of the step's stored configuration: a few keys
/// of its `config` and `spec` (the columns `step_config` and `spec` of
/// `snapshot_steps`); the rest is skipped without building a JSON tree
/// (bench/README.md, "Partial parses"). Each key is a `Value` so that a key
/// of another type reads like a missing one.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StoredConfig {
    retry: Value,
    external_input_artifacts: Value,
    client_lazy_loaders: Value,
    parameters: Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StoredSpec {
    upstream_steps: Value,
    inputs: Value,
}

/// The type of an input that is not a step output of the spec.
fn other_input_type(config: &StoredConfig, name: &str) -> &'static str {
    let has = |v: &Value| v.as_object().is_some_and(|m| m.contains_key(name));
    if has(&config.external_input_artifacts) {
        "external"
    } else if has(&config.client_lazy_loaders) {
        "lazy_loaded"
    } else if has(&config.parameters) {
        "override"
    } else {
        "manual"
    }
}

/// `POST /steps` (§3.8.1); the step's pk.
pub fn create(conn: &Connection, req: &StepRequest, user_pk: i64) -> DbResult<i64> {
    if let Some(e) = manual_status(&req.status) {
        return Err(e);
    }
    // The run, its snapshot's execution mode and the step's stored configuration, at once.
    type Found = (i64, Id, String, Option<String>, bool, Option<String>, Option<String>);
    let found: Option<Found> = conn
        .prepare_cached(
            "SELECT r.pk, r.id, r.status, s.execution_mode, c.snapshot_pk IS NOT NULL, c.step_config, c.spec
             FROM runs r JOIN snapshots s ON s.pk = r.snapshot_pk
             LEFT JOIN snapshot_steps c ON c.snapshot_pk = s.pk AND c.name = ?2 WHERE r.id = ?1",
        )?
        .query_row(params![req.pipeline_run_id, req.name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .optional()?;
    let (run_pk, run_id, run_status, mode, configured, config, spec) =
        found.ok_or_else(|| runs::not_found(&req.pipeline_run_id))?;
    if matches!(run_status.as_str(), "stopping" | "stopped") {
        return Err(DbError::Forbidden(format!(
            "Cannot create step run `{}` for pipeline run with status `{}`.",
            req.name, run_status
        )));
    }
    if run_status == "failed" && mode.as_deref() != Some("continue_on_failure") {
        return Err(DbError::Forbidden(format!("Cannot create step run `{}` for a failed pipeline run.", req.name)));
    }
    if !configured {
        return Err(DbError::NotFound(format!("'Step configuration for step `{}` not found.'", req.name)));
    }
    let config: StoredConfig = config.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let spec: StoredSpec = spec.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let max_retries = config.retry.get("max_retries").and_then(Value::as_i64).unwrap_or(0);
    let earlier: Vec<String> = conn
        .prepare_cached("SELECT status FROM steps WHERE run_pk = ?1 AND name = ?2")?
        .query_map(params![run_pk, req.name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if earlier.iter().any(|s| matches!(s.as_str(), "completed" | "cached")) {
        return Err(DbError::Conflict(format!(
            "Unable to create step `{}`: A successful step with this name already exists in the pipeline run with ID '{}'.",
            req.name,
            run_id.hyphenated()
        )));
    }
    let tries = earlier.len() as i64;
    if tries > max_retries {
        return Err(DbError::Conflict(format!(
            "Unable to create step `{}`: The step has already been retried {max_retries} times.",
            req.name
        )));
    }
    if tries > 0 {
        conn.prepare_cached("UPDATE steps SET status = 'retried' WHERE run_pk = ?1 AND name = ?2")?
            .execute(params![run_pk, req.name])?;
    }
    let original = match &req.original_step_run_id {
        Some(id) => Some(pk_of(conn, id)?),
        None => None,
    };
    let id = Id::new_v4();
    let now = Ts::now();
    conn.prepare_cached(
        "INSERT INTO steps (id, project_pk, run_pk, user_pk, name, status, version, is_retriable, start_time, end_time,
                            cache_key, cache_expires_at, code_hash, docstring, source_code, exception_info,
                            original_step_id, created, updated)
         SELECT ?1, project_pk, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17
         FROM runs WHERE pk = ?2",
    )?
    .execute(params![
        id,
        run_pk,
        user_pk,
        req.name,
        req.status,
        tries + 1,
        tries < max_retries,
        req.start_time,
        req.end_time,
        req.cache_key,
        req.cache_expires_at,
        req.code_hash,
        req.docstring,
        req.source_code,
        req.exception_info,
        req.original_step_run_id.as_ref(),
        now.0
    ])?;
    let pk = conn.last_insert_rowid();
    match &req.logs {
        Some(LogsRef::Id(id)) => logs::link(conn, id, None, Some(pk))?,
        Some(LogsRef::New(l)) => {
            logs::create(conn, l, user_pk, None, Some(pk))?;
        }
        None => {}
    }
    if let Some(original) = original.filter(|_| matches!(req.status.as_str(), "cached" | "skipped")) {
        run_metadata::copy_step(conn, original, pk)?;
    }
    for parent in spec.upstream_steps.as_array().into_iter().flatten() {
        let Some(parent) = parent.as_str() else { continue };
        let parent_pk: Option<i64> = conn
            .prepare_cached("SELECT pk FROM steps WHERE run_pk = ?1 AND name = ?2 ORDER BY version DESC LIMIT 1")?
            .query_row(params![run_pk, parent], |r| r.get(0))
            .optional()?;
        let Some(parent_pk) = parent_pk else {
            return Err(DbError::Invalid(format!("Parent step run `{parent}` not found.")));
        };
        conn.prepare_cached("INSERT OR IGNORE INTO step_parents (step_pk, parent_pk) VALUES (?1, ?2)")?
            .execute([pk, parent_pk])?;
    }
    let spec_inputs = spec.inputs.as_object();
    let original_links = match original {
        Some(o) => links_of(conn, &[o])?,
        None => Vec::new(),
    };
    for (name, ids) in &req.inputs {
        for (i, vid) in ids.iter().enumerate() {
            let vpk = version_pk(conn, vid)?;
            let copied = original_links.iter().find(|l| !l.1 && l.2 == *name && l.3 == vpk);
            let (kind, at) = match copied {
                Some(l) => (l.4.clone().unwrap_or_else(|| "step_output".into()), l.5),
                None if spec_inputs.is_some_and(|m| m.contains_key(name)) => {
                    ("step_output".to_string(), Some(i as i64))
                }
                None => (other_input_type(&config, name).to_string(), None),
            };
            link(conn, pk, false, name, vpk, Some(&kind), at)?;
        }
    }
    for (name, ids) in &req.outputs {
        for vid in ids {
            let vpk = version_pk(conn, vid)?;
            link(conn, pk, true, name, vpk, None, None)?;
        }
    }
    if req.status != "running" {
        run_status::refresh(conn, run_pk, None, None)?;
    }
    Ok(pk)
}

/// `PUT /steps/{id}` (§3.8.2); the step's pk.
pub fn update(conn: &Connection, id: &Id, upd: &StepUpdate, user_pk: i64) -> DbResult<i64> {
    let (pk, current, run_pk, retriable): (i64, String, i64, bool) = conn
        .prepare_cached("SELECT pk, status, run_pk, is_retriable FROM steps WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| super::steps::not_found(id))?;
    let mut new_status = None;
    if let Some(status) = &upd.status {
        if is_finished(&current) {
            return Err(DbError::Forbidden("The status of finished steps can not be updated.".into()));
        }
        if let Some(e) = manual_status(status) {
            return Err(e);
        }
        new_status = Some(match status.as_str() {
            "failed" | "cancelled" if retriable => "retrying",
            s => s,
        });
    }
    for (name, ids) in &upd.outputs {
        for vid in ids {
            link(conn, pk, true, name, version_pk(conn, vid)?, None, None)?;
        }
    }
    for (name, ids) in &upd.loaded_artifact_versions {
        for vid in ids {
            link(conn, pk, false, name, version_pk(conn, vid)?, Some("manual"), None)?;
        }
    }
    conn.prepare_cached(
        "UPDATE steps SET status = COALESCE(?6, status), end_time = COALESCE(?2, end_time),
                exception_info = COALESCE(?3, exception_info), cache_expires_at = COALESCE(?4, cache_expires_at),
                updated = ?5 WHERE pk = ?1",
    )?
    .execute(params![pk, upd.end_time, upd.exception_info, upd.cache_expires_at, Ts::now().0, new_status])?;
    for l in &upd.add_logs {
        logs::create(conn, l, user_pk, None, Some(pk))?;
    }
    run_status::refresh(conn, run_pk, None, None)?;
    Ok(pk)
}
