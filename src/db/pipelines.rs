//! Pipelines: create, get, list, update, delete (which takes their
//! snapshots and runs along, as the reference does).

use super::tables::PIPELINES;
use super::tags::{self, TagLinks};
use super::{is_unique_violation, list, pk_array, projects, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::pipeline::{
    Pipeline, PipelineBody, PipelineMetadata, PipelineRequest, PipelineResources, PipelineResponse, PipelineUpdate,
};
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const SELECT: &str = "SELECT pl.pk, pl.id, pl.name, pl.description, pl.created, pl.updated, u.id, p.id, pl.user_pk
 FROM pipelines pl JOIN projects p ON p.pk = pl.project_pk LEFT JOIN users u ON u.pk = pl.user_pk";

fn from_row(r: &Row) -> rusqlite::Result<Pipeline> {
    Ok(Pipeline {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        body: PipelineBody {
            created: Ts(r.get(4)?),
            updated: Ts(r.get(5)?),
            user_id: r.get::<_, Option<Id>>(6)?,
            project_id: r.get::<_, Id>(7)?,
        },
        user_pk: r.get(8)?,
        latest_run: None,
    })
}

pub fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get pipeline with ID '{}': No pipeline with this ID found\"",
        id.hyphenated()
    ))
}

/// Pipelines by pk (in `pks` order), without their newest runs.
pub fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Pipeline>> {
    let sql = sql!("{SELECT} WHERE pl.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(sql)?;
    let mut found: HashMap<i64, Pipeline> =
        stmt.query_map([pk_array(pks)], from_row)?.map(|p| p.map(|p| (p.pk, p))).collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

pub fn pk_of(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM pipelines WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Responses for `pks` in order, in a fixed number of queries: rows, newest
/// runs, users, tags.
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<PipelineResponse>> {
    let mut pipelines = by_pks(conn, pks)?;
    let mut latest = conn.prepare_cached(
        "SELECT r.value, x.id, x.status, x.user_pk FROM rarray(?1) r
         CROSS JOIN runs x ON x.pk = (SELECT y.pk FROM runs y WHERE y.pipeline_pk = r.value
                                      ORDER BY y.created DESC, y.id DESC LIMIT 1)",
    )?;
    let mut runs: HashMap<i64, (Id, String, Option<i64>)> = latest
        .query_map([pk_array(pks)], |r| Ok((r.get(0)?, (r.get::<_, Id>(1)?, r.get(2)?, r.get(3)?))))?
        .collect::<Result<_, _>>()?;
    for p in &mut pipelines {
        p.latest_run = runs.remove(&p.pk);
    }
    let user_pks: Vec<i64> =
        pipelines.iter().flat_map(|p| p.user_pk.into_iter().chain(p.latest_run.as_ref().and_then(|r| r.2))).collect();
    let users = users::nested_by_pks(conn, &user_pks)?;
    let mut tags = tags::for_owners(conn, TagLinks::Pipelines, pks)?;
    Ok(pipelines
        .into_iter()
        .map(|p| {
            let resources = PipelineResources {
                user: p.user_pk.and_then(|pk| users.get(&pk).cloned()),
                latest_run_user: p.latest_run.as_ref().and_then(|r| r.2).and_then(|pk| users.get(&pk).cloned()),
                latest_run_id: p.latest_run.as_ref().map(|r| r.0),
                latest_run_status: p.latest_run.as_ref().map(|r| r.1.clone()),
                tags: tags.remove(&p.pk).unwrap_or_default(),
                visualizations: Vec::new(),
            };
            let metadata = hydrate.then(|| PipelineMetadata { description: p.description.clone() });
            Entity::named(p.id, p.name, p.body, metadata, Some(resources))
        })
        .collect())
}

pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<PipelineResponse> {
    let pk = pk_of(conn, id)?;
    load(conn, &[pk], hydrate)?.pop().ok_or_else(|| not_found(id))
}

pub fn create(conn: &Connection, req: &PipelineRequest, user_pk: i64) -> DbResult<PipelineResponse> {
    let project = projects::get_by_id(conn, &req.project)?;
    let id = Id::new_v4();
    let now = Ts::now();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO pipelines (id, project_pk, name, description, user_pk, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![id, project.pk, req.name, req.description, user_pk, now.0]);
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(DbError::Conflict(format!(
                "Unable to create pipeline in project '{}': A pipeline with the name {} already exists.",
                project.id.hyphenated(),
                req.name
            )))
        }
        Err(e) => return Err(e.into()),
    }
    let pk = conn.last_insert_rowid();
    let tag_pks = tags::resolve_or_create(conn, &req.tags, user_pk)?;
    tags::attach_to(conn, TagLinks::Pipelines, pk, &tag_pks)?;
    Ok(load(conn, &[pk], true)?.remove(0))
}

pub fn update(conn: &Connection, id: &Id, upd: &PipelineUpdate, user_pk: i64) -> DbResult<PipelineResponse> {
    let pk = pk_of(conn, id)?;
    if let Some(description) = &upd.description {
        conn.prepare_cached("UPDATE pipelines SET description = ?2 WHERE pk = ?1")?
            .execute(params![pk, description])?;
    }
    let tag_pks = tags::resolve_or_create(conn, &upd.add_tags, user_pk)?;
    tags::attach_to(conn, TagLinks::Pipelines, pk, &tag_pks)?;
    tags::detach_from(conn, TagLinks::Pipelines, pk, &upd.remove_tags)?;
    conn.prepare_cached("UPDATE pipelines SET updated = ?2 WHERE pk = ?1")?.execute(params![pk, Ts::now().0])?;
    Ok(load(conn, &[pk], true)?.remove(0))
}

/// Delete a pipeline with its snapshots and runs (their steps, logs and
/// links go by cascade; artifact versions stay).
pub fn delete(conn: &Connection, id: &Id) -> DbResult<()> {
    let pk = pk_of(conn, id)?;
    conn.prepare_cached(
        "DELETE FROM runs WHERE pipeline_pk = ?1 OR snapshot_pk IN (SELECT pk FROM snapshots WHERE pipeline_pk = ?1)",
    )?
    .execute([pk])?;
    conn.prepare_cached("DELETE FROM pipelines WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

/// `GET /pipelines`.
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<PipelineResponse>> {
    let page = list::project_page(conn, &PIPELINES, q)?;
    let items = load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
