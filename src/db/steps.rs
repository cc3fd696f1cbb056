//! Step runs: create (retries, cached steps, parents, input and output
//! links), update, and the batch loader (a page of steps in a fixed number
//! of queries, their artifact versions loaded together).

use super::tables::STEPS;
use super::{list, logs, pk_array, run_metadata, run_status, runs, users, version_load, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::artifact_version::ArtifactVersionResponse;
use crate::models::raw::{raw, RawObject};
use crate::models::run::{is_finished, substitutions, LogsRef};
use crate::models::step::{
    Named, Step, StepBody, StepInput, StepMetadata, StepRequest, StepResources, StepResponse, StepUpdate,
};
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};
use std::collections::HashMap;

const SELECT: &str = "SELECT st.pk, st.id, st.name, st.created, st.updated, u.id, p.id, st.status, st.version,
        st.is_retriable, st.start_time, st.end_time, st.run_pk, st.user_pk, st.cache_key, st.cache_expires_at,
        st.code_hash, st.docstring, st.source_code, st.exception_info, st.original_step_id
 FROM steps st JOIN projects p ON p.pk = st.project_pk LEFT JOIN users u ON u.pk = st.user_pk";

fn from_row(r: &Row) -> rusqlite::Result<Step> {
    Ok(Step {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        body: StepBody {
            created: Ts(r.get(3)?),
            updated: Ts(r.get(4)?),
            user_id: r.get::<_, Option<Id>>(5)?,
            project_id: r.get::<_, Id>(6)?,
            step_type: None,
            status: r.get(7)?,
            version: r.get(8)?,
            is_retriable: r.get(9)?,
            start_time: r.get::<_, Option<i64>>(10)?.map(Ts),
            end_time: r.get::<_, Option<i64>>(11)?.map(Ts),
            latest_heartbeat: None,
            model_version_id: None,
            resource_request_id: None,
            substitutions: Map::new(),
            heartbeat_threshold: None,
        },
        run_pk: r.get(12)?,
        user_pk: r.get(13)?,
        cache_key: r.get(14)?,
        cache_expires_at: r.get::<_, Option<i64>>(15)?.map(Ts),
        code_hash: r.get(16)?,
        docstring: r.get(17)?,
        source_code: r.get(18)?,
        exception_info: r.get(19)?,
        original_step_run_id: r.get::<_, Option<Id>>(20)?,
    })
}

pub fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get step run with ID '{}': No step run with this ID found\"",
        id.hyphenated()
    ))
}

pub fn pk_of(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM steps WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(id))
}

fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Step>> {
    let sql = format!("{SELECT} WHERE st.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found: HashMap<i64, Step> =
        stmt.query_map([pk_array(pks)], from_row)?.map(|s| s.map(|s| (s.pk, s))).collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

/// What a step response takes from its run: id, snapshot id, substitutions.
struct RunOfStep {
    id: Id,
    snapshot_id: Id,
    substitutions: Map<String, Value>,
}

fn runs_of(conn: &Connection, run_pks: &[i64]) -> DbResult<HashMap<i64, RunOfStep>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.pk, r.id, s.id, COALESCE(r.start_time, r.created), json_extract(s.pipeline_configuration, '$.substitutions')
         FROM rarray(?1) x CROSS JOIN runs r ON r.pk = x.value JOIN snapshots s ON s.pk = r.snapshot_pk",
    )?;
    let rows = stmt.query_map([pk_array(run_pks)], |r| {
        let own: Option<String> = r.get(4)?;
        let own: Option<Value> = own.and_then(|t| serde_json::from_str(&t).ok());
        Ok((
            r.get(0)?,
            RunOfStep {
                id: r.get::<_, Id>(1)?,
                snapshot_id: r.get::<_, Id>(2)?,
                substitutions: substitutions(Ts(r.get(3)?), own.as_ref()),
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A link of a step to a version: (step pk, is output, name, version pk, input type, position).
type Link = (i64, bool, String, i64, Option<String>, Option<i64>);

fn links_of(conn: &Connection, step_pks: &[i64]) -> DbResult<Vec<Link>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.step_pk, l.is_output, l.name, l.version_pk, l.input_type, l.position
         FROM rarray(?1) r CROSS JOIN step_artifacts l ON l.step_pk = r.value",
    )?;
    let rows = stmt
        .query_map([pk_array(step_pks)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
    let mut links: Vec<Link> = rows.collect::<Result<_, _>>()?;
    links.sort_by(|a, b| (a.0, a.1, a.5, &a.2).cmp(&(b.0, b.1, b.5, &b.2)));
    Ok(links)
}

fn parents_of(conn: &Connection, step_pks: &[i64]) -> DbResult<HashMap<i64, Vec<Id>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.step_pk, p.id FROM rarray(?1) r CROSS JOIN step_parents l ON l.step_pk = r.value
         JOIN steps p ON p.pk = l.parent_pk ORDER BY p.created",
    )?;
    let mut out: HashMap<i64, Vec<Id>> = HashMap::new();
    let mut rows = stmt.query([pk_array(step_pks)])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(r.get::<_, Id>(1)?);
    }
    Ok(out)
}

/// Responses for `pks` in order, in a fixed number of queries (rows, runs,
/// configurations, users, logs, links, their versions, parents, metadata).
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<StepResponse>> {
    let steps = by_pks(conn, pks)?;
    let runs = runs_of(conn, &steps.iter().map(|s| s.run_pk).collect::<Vec<_>>())?;
    let mut configs = match hydrate {
        true => super::snapshots::configs_of_steps(conn, pks)?,
        false => HashMap::new(),
    };
    let users = users::nested_by_pks(conn, &steps.iter().filter_map(|s| s.user_pk).collect::<Vec<_>>())?;
    let mut logs = logs::of_owners(conn, pks, true)?;
    let links = links_of(conn, pks)?;
    let version_pks: Vec<i64> = links.iter().map(|l| l.3).collect();
    let mut versions: HashMap<i64, ArtifactVersionResponse> = HashMap::new();
    let mut ordered = version_pks.clone();
    ordered.sort_unstable();
    ordered.dedup();
    for (pk, v) in ordered.iter().zip(version_load::load(conn, &ordered, false)?) {
        versions.insert(*pk, v.into_body_only());
    }
    let (mut parents, mut metadata) = match hydrate {
        true => (parents_of(conn, pks)?, run_metadata::of_owners(conn, pks, true)?),
        false => (HashMap::new(), HashMap::new()),
    };
    let mut inputs: HashMap<i64, Named<StepInput>> = HashMap::new();
    let mut outputs: HashMap<i64, Named<ArtifactVersionResponse>> = HashMap::new();
    for (step_pk, is_output, name, version_pk, input_type, position) in links {
        let Some(v) = versions.get(&version_pk).cloned() else { continue };
        if is_output {
            push_named(outputs.entry(step_pk).or_default(), name, v);
        } else {
            let input = StepInput {
                version: v,
                input_type: input_type.unwrap_or_else(|| "step_output".into()),
                index: position,
                chunk_index: None,
                chunk_size: None,
            };
            push_named(inputs.entry(step_pk).or_default(), name, input);
        }
    }
    Ok(steps
        .into_iter()
        .map(|mut s| {
            let run = runs.get(&s.run_pk);
            let subs = run.map(|r| r.substitutions.clone()).unwrap_or_default();
            s.body.substitutions = subs.clone();
            let meta = hydrate.then(|| {
                let stored = RawObject::parse(&configs.remove(&s.pk).unwrap_or_default());
                let mut config = stored.get("config").map(|c| RawObject::parse(c.get())).unwrap_or_default();
                config.set("substitutions", raw(Value::Object(subs).to_string()));
                StepMetadata {
                    config,
                    spec: match stored.get("spec") {
                        Some(spec) => spec.to_owned(),
                        None => raw("{}".into()),
                    },
                    cache_key: s.cache_key.clone(),
                    cache_expires_at: s.cache_expires_at,
                    code_hash: s.code_hash.clone(),
                    docstring: s.docstring.clone(),
                    source_code: s.source_code.clone(),
                    exception_info: s
                        .exception_info
                        .as_deref()
                        .and_then(|t| serde_json::from_str(t).ok())
                        .unwrap_or(Value::Null),
                    snapshot_id: run.map(|r| r.snapshot_id).unwrap_or_else(Id::nil),
                    pipeline_run_id: run.map(|r| r.id).unwrap_or_else(Id::nil),
                    original_step_run_id: s.original_step_run_id,
                    parent_step_ids: parents.remove(&s.pk).unwrap_or_default(),
                    run_metadata: metadata.remove(&s.pk).unwrap_or_else(run_metadata::empty),
                }
            });
            let resources = StepResources {
                user: s.user_pk.and_then(|pk| users.get(&pk).cloned()),
                log_collection: logs.remove(&s.pk).unwrap_or_default().iter().map(|l| l.nested()).collect(),
                model_version: None,
                inputs: inputs.remove(&s.pk).unwrap_or_default(),
                outputs: outputs.remove(&s.pk).unwrap_or_default(),
                resource_request: None,
            };
            Entity::named(s.id, s.name, s.body, meta, Some(resources))
        })
        .collect())
}

fn push_named<T>(named: &mut Named<T>, name: String, item: T) {
    match named.0.iter_mut().find(|(n, _)| *n == name) {
        Some((_, items)) => items.push(item),
        None => named.0.push((name, vec![item])),
    }
}

pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<StepResponse> {
    let pk = pk_of(conn, id)?;
    load(conn, &[pk], hydrate)?.pop().ok_or_else(|| not_found(id))
}

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

/// The type of an input that is not a step output of the spec.
fn other_input_type(config: &Map<String, Value>, name: &str) -> &'static str {
    let has = |key: &str| config.get(key).and_then(Value::as_object).is_some_and(|m| m.contains_key(name));
    if has("external_input_artifacts") {
        "external"
    } else if has("client_lazy_loaders") {
        "lazy_loaded"
    } else if has("parameters") {
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
    let run_pk = runs::pk_of(conn, &req.pipeline_run_id)?;
    let run = runs::row(conn, run_pk)?;
    let (mode, step_config): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT json_extract(s.pipeline_configuration, '$.execution_mode'), c.config
             FROM snapshots s LEFT JOIN snapshot_steps c ON c.snapshot_pk = s.pk AND c.name = ?2 WHERE s.pk = ?1",
        )?
        .query_row(params![run.snapshot_pk, req.name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if matches!(run.body.status.as_str(), "stopping" | "stopped") {
        return Err(DbError::Forbidden(format!(
            "Cannot create step run `{}` for pipeline run with status `{}`.",
            req.name, run.body.status
        )));
    }
    if run.body.status == "failed" && mode.as_deref() != Some("continue_on_failure") {
        return Err(DbError::Forbidden(format!("Cannot create step run `{}` for a failed pipeline run.", req.name)));
    }
    let Some(step_config) = step_config else {
        return Err(DbError::NotFound(format!("'Step configuration for step `{}` not found.'", req.name)));
    };
    let stored: Map<String, Value> = serde_json::from_str(&step_config).unwrap_or_default();
    let config = stored.get("config").and_then(Value::as_object).cloned().unwrap_or_default();
    let spec = stored.get("spec").and_then(Value::as_object).cloned().unwrap_or_default();
    let max_retries = config.get("retry").and_then(|r| r.get("max_retries")).and_then(Value::as_i64).unwrap_or(0);
    let earlier: Vec<String> = conn
        .prepare_cached("SELECT status FROM steps WHERE run_pk = ?1 AND name = ?2")?
        .query_map(params![run_pk, req.name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if earlier.iter().any(|s| matches!(s.as_str(), "completed" | "cached")) {
        return Err(DbError::Conflict(format!(
            "Unable to create step `{}`: A successful step with this name already exists in the pipeline run with ID '{}'.",
            req.name,
            run.id.hyphenated()
        )));
    }
    let tries = earlier.len() as i64;
    if tries > max_retries {
        return Err(DbError::Conflict(format!(
            "Unable to create step `{}`: The step has already been retried {max_retries} times.",
            req.name
        )));
    }
    conn.prepare_cached("UPDATE steps SET status = 'retried' WHERE run_pk = ?1 AND name = ?2")?
        .execute(params![run_pk, req.name])?;
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
    for parent in spec.get("upstream_steps").and_then(Value::as_array).into_iter().flatten() {
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
    let spec_inputs = spec.get("inputs").and_then(Value::as_object);
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
    let pk = pk_of(conn, id)?;
    let (current, run_pk, retriable): (String, i64, bool) = conn
        .prepare_cached("SELECT status, run_pk, is_retriable FROM steps WHERE pk = ?1")?
        .query_row([pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if let Some(status) = &upd.status {
        if is_finished(&current) {
            return Err(DbError::Forbidden("The status of finished steps can not be updated.".into()));
        }
        if let Some(e) = manual_status(status) {
            return Err(e);
        }
        let status = match status.as_str() {
            "failed" | "cancelled" if retriable => "retrying",
            s => s,
        };
        conn.prepare_cached("UPDATE steps SET status = ?2 WHERE pk = ?1")?.execute(params![pk, status])?;
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
        "UPDATE steps SET end_time = COALESCE(?2, end_time), exception_info = COALESCE(?3, exception_info),
                cache_expires_at = COALESCE(?4, cache_expires_at), updated = ?5 WHERE pk = ?1",
    )?
    .execute(params![pk, upd.end_time, upd.exception_info, upd.cache_expires_at, Ts::now().0])?;
    for l in &upd.add_logs {
        logs::create(conn, l, user_pk, None, Some(pk))?;
    }
    run_status::refresh(conn, run_pk, None, None)?;
    Ok(pk)
}

/// `GET /steps`.
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<StepResponse>> {
    let page = list::project_page(conn, &STEPS, q)?;
    let items = load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
