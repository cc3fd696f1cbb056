//! Step runs: the batch loader (a page of steps in a fixed number of
//! queries, their artifact versions loaded together), get and list. Their
//! writes are in [`super::step_writes`].

use super::tables::STEPS;
use super::{list, logs, pk_array, run_metadata, users, version_load, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::artifact_version::ArtifactVersionResponse;
use crate::models::raw::{raw, with_member};
use crate::models::run::substitutions;
use crate::models::step::{Named, Step, StepBody, StepInput, StepMetadata, StepResources, StepResponse};
use crate::models::user::UserResponse;
use crate::models::{Entity, Id, Page, Shared, Ts};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A step's columns (0–20), its run's (21–24: id, snapshot id, start,
/// the snapshot's own substitutions) and its user's (25–36,
/// [`users::JOINED`]); a hydrated load adds the step's stored `config`
/// without substitutions and its `spec` (37, 38).
const COLUMNS: &str = "st.pk, st.id, st.name, st.created, st.updated, u.id, p.id, st.status, st.version,
        st.is_retriable, st.start_time, st.end_time, st.run_pk, st.user_pk, st.cache_key, st.cache_expires_at,
        st.code_hash, st.docstring, st.source_code, st.exception_info, st.original_step_id,
        r.id, s.id, COALESCE(r.start_time, r.created), s.substitutions";
const JOINS: &str = "JOIN projects p ON p.pk = st.project_pk JOIN runs r ON r.pk = st.run_pk
 JOIN snapshots s ON s.pk = r.snapshot_pk LEFT JOIN users u ON u.pk = st.user_pk";
const USER_AT: usize = 25;
const CONFIG_AT: usize = USER_AT + 12;

/// The steps in `rarray(?1)` (the steps first: `CROSS JOIN` keeps that order).
fn rows_sql(hydrate: bool) -> &'static str {
    match hydrate {
        true => sql!(
            "SELECT {COLUMNS}, {}, c.step_config, c.spec FROM rarray(?1) x CROSS JOIN steps st ON st.pk = x.value {JOINS}
             LEFT JOIN snapshot_steps c ON c.snapshot_pk = r.snapshot_pk AND c.name = st.name",
            users::JOINED
        ),
        false => sql!(
            "SELECT {COLUMNS}, {} FROM rarray(?1) x CROSS JOIN steps st ON st.pk = x.value {JOINS}",
            users::JOINED
        ),
    }
}

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

/// What a step response takes from its run, its user and its snapshot.
struct Related {
    run_id: Id,
    snapshot_id: Id,
    substitutions: Map<String, Value>,
    user: Option<Shared<UserResponse>>,
    /// The stored `config` without its substitutions and the `spec` (JSON
    /// texts, `snapshot_steps.step_config` and `.spec`), when hydrated.
    config: Option<(Option<String>, Option<String>)>,
}

/// The steps of `pks` in that order, each with what it takes from its run,
/// user and snapshot, in one query.
fn rows_of(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<(Step, Related)>> {
    let mut stmt = conn.prepare_cached(rows_sql(hydrate))?;
    let mut users = HashMap::new();
    // Computed once per run: the steps of a page are mostly of one run.
    let mut runs: HashMap<i64, Map<String, Value>> = HashMap::new();
    let mut found: HashMap<i64, (Step, Related)> = HashMap::with_capacity(pks.len());
    let mut rows = stmt.query([pk_array(pks)])?;
    while let Some(r) = rows.next()? {
        let step = from_row(r)?;
        let subs = match runs.get(&step.run_pk) {
            Some(subs) => subs.clone(),
            None => {
                let own: Option<String> = r.get(24)?;
                let own: Option<Value> = own.and_then(|t| serde_json::from_str(&t).ok());
                let subs = substitutions(Ts(r.get(23)?), own.as_ref());
                runs.insert(step.run_pk, subs.clone());
                subs
            }
        };
        let related = Related {
            run_id: r.get::<_, Id>(21)?,
            snapshot_id: r.get::<_, Id>(22)?,
            substitutions: subs,
            user: users::nested_at(r, USER_AT, &mut users)?,
            config: if hydrate { Some((r.get(CONFIG_AT)?, r.get(CONFIG_AT + 1)?)) } else { None },
        };
        found.insert(step.pk, (step, related));
    }
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

/// A link of a step to a version: (step pk, is output, name, version pk, input type, position).
pub(super) type Link = (i64, bool, String, i64, Option<String>, Option<i64>);

pub(super) fn links_of(conn: &Connection, step_pks: &[i64]) -> DbResult<Vec<Link>> {
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

/// Responses for `pks` in order, in a fixed number of queries (rows with
/// their runs, users and configurations, logs, links, their versions,
/// parents, metadata).
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<StepResponse>> {
    let steps = rows_of(conn, pks, hydrate)?;
    let mut logs = logs::of_owners(conn, pks, true)?;
    let links = links_of(conn, pks)?;
    let versions: HashMap<i64, ArtifactVersionResponse> =
        version_load::bodies(conn, &links.iter().map(|l| l.3).collect::<Vec<_>>())?;
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
        .map(|(mut s, related)| {
            let Related { run_id, snapshot_id, substitutions: subs, user, config } = related;
            let meta = hydrate.then(|| {
                let (config, spec) = config.unwrap_or_default();
                StepMetadata {
                    config: with_member(
                        config.as_deref(),
                        "substitutions",
                        &serde_json::to_string(&subs).unwrap_or_default(),
                    ),
                    spec: spec.map_or_else(|| raw("{}".into()), raw),
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
                    snapshot_id,
                    pipeline_run_id: run_id,
                    original_step_run_id: s.original_step_run_id,
                    parent_step_ids: parents.remove(&s.pk).unwrap_or_default(),
                    run_metadata: metadata.remove(&s.pk).unwrap_or_else(run_metadata::empty),
                }
            });
            s.body.substitutions = subs;
            let resources = StepResources {
                user,
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

/// `GET /steps`.
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<StepResponse>> {
    let page = list::project_page(conn, &STEPS, q)?;
    let items = load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
