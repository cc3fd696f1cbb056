//! Links of model versions to artifact versions and to runs.

use super::tables::{MODEL_VERSION_ARTIFACTS, MODEL_VERSION_RUNS};
use super::{list, model_versions, pk_array, runs, version_load, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::model_version::{ArtifactLinkBody, ArtifactLinkResponse, RunLinkBody, RunLinkResponse};
use crate::models::{Empty, Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// Link a run to a model version (kept when it exists).
pub fn link_run(conn: &Connection, version_pk: i64, run_pk: i64, user_pk: i64) -> DbResult<()> {
    let now = Ts::now();
    conn.prepare_cached(
        "INSERT OR IGNORE INTO model_version_runs (id, model_version_pk, run_pk, user_pk, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![Id::new_v4(), version_pk, run_pk, user_pk, now.0])?;
    Ok(())
}

/// The model version of each run (its first link), in one query.
pub fn versions_of_runs(conn: &Connection, run_pks: &[i64]) -> DbResult<HashMap<i64, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.value, (SELECT l.model_version_pk FROM model_version_runs l WHERE l.run_pk = r.value
                          ORDER BY l.created, l.pk LIMIT 1) FROM rarray(?1) r",
    )?;
    let rows = stmt.query_map([pk_array(run_pks)], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (run, version) = row?;
        if let Some(v) = version {
            out.insert(run, v);
        }
    }
    Ok(out)
}

fn artifact_links(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<ArtifactLinkResponse>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.pk, l.id, l.created, l.updated, v.id, l.version_pk FROM rarray(?1) r
         CROSS JOIN model_version_artifacts l ON l.pk = r.value JOIN model_versions v ON v.pk = l.model_version_pk",
    )?;
    let rows: Vec<(i64, Id, Ts, Ts, Id, i64)> = stmt
        .query_map([pk_array(pks)], |r| {
            Ok((r.get(0)?, r.get::<_, Id>(1)?, Ts(r.get(2)?), Ts(r.get(3)?), r.get::<_, Id>(4)?, r.get(5)?))
        })?
        .collect::<Result<_, _>>()?;
    let versions = version_load::bodies(conn, &rows.iter().map(|r| r.5).collect::<Vec<_>>())?;
    let mut by_pk: HashMap<i64, ArtifactLinkResponse> = HashMap::new();
    for (pk, id, created, updated, model_version, version_pk) in rows {
        let Some(v) = versions.get(&version_pk) else { continue };
        let body = ArtifactLinkBody { created, updated, model_version, artifact_version: v.clone() };
        let metadata = hydrate.then_some(Empty {});
        by_pk.insert(pk, Entity { body, metadata, resources: None, id, permission_denied: false, name: None });
    }
    Ok(pks.iter().filter_map(|pk| by_pk.remove(pk)).collect())
}

/// `POST /model_version_artifacts`: get or create the link.
pub fn create_artifact_link(
    conn: &Connection,
    model_version: &Id,
    artifact_version: &Id,
    user_pk: i64,
) -> DbResult<ArtifactLinkResponse> {
    let mv = model_versions::version_pk(conn, model_version)?;
    let av: i64 = conn
        .prepare_cached("SELECT pk FROM artifact_versions WHERE id = ?1")?
        .query_row([artifact_version], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            DbError::NotFound(format!(
                "\"Unable to get artifact version with ID '{}': No artifact version with this ID found\"",
                artifact_version.hyphenated()
            ))
        })?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO model_version_artifacts (id, model_version_pk, version_pk, user_pk, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![Id::new_v4(), mv, av, user_pk, Ts::now().0])?;
    let pk: i64 = conn
        .prepare_cached("SELECT pk FROM model_version_artifacts WHERE model_version_pk = ?1 AND version_pk = ?2")?
        .query_row([mv, av], |r| r.get(0))?;
    Ok(artifact_links(conn, &[pk], true)?.remove(0))
}

fn run_links(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<RunLinkResponse>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.pk, l.id, l.created, l.updated, v.id, l.run_pk FROM rarray(?1) r
         CROSS JOIN model_version_runs l ON l.pk = r.value JOIN model_versions v ON v.pk = l.model_version_pk",
    )?;
    let rows: Vec<(i64, Id, Ts, Ts, Id, i64)> = stmt
        .query_map([pk_array(pks)], |r| {
            Ok((r.get(0)?, r.get::<_, Id>(1)?, Ts(r.get(2)?), Ts(r.get(3)?), r.get::<_, Id>(4)?, r.get(5)?))
        })?
        .collect::<Result<_, _>>()?;
    let run_pks: Vec<i64> = rows.iter().map(|r| r.5).collect();
    let loaded = runs::load(conn, &run_pks, false)?;
    let runs: HashMap<i64, _> = run_pks.iter().copied().zip(loaded).collect();
    let mut by_pk: HashMap<i64, RunLinkResponse> = HashMap::new();
    for (pk, id, created, updated, model_version, run_pk) in rows {
        let Some(run) = runs.get(&run_pk) else { continue };
        let body = RunLinkBody { created, updated, model_version, pipeline_run: run.clone().into_body_only() };
        let metadata = hydrate.then_some(Empty {});
        by_pk.insert(pk, Entity { body, metadata, resources: None, id, permission_denied: false, name: None });
    }
    Ok(pks.iter().filter_map(|pk| by_pk.remove(pk)).collect())
}

/// `POST /model_version_pipeline_runs`: get or create the link.
pub fn create_run_link(conn: &Connection, model_version: &Id, run: &Id, user_pk: i64) -> DbResult<RunLinkResponse> {
    let mv = model_versions::version_pk(conn, model_version)?;
    let run_pk = runs::pk_of(conn, run)?;
    link_run(conn, mv, run_pk, user_pk)?;
    let pk: i64 = conn
        .prepare_cached("SELECT pk FROM model_version_runs WHERE model_version_pk = ?1 AND run_pk = ?2")?
        .query_row([mv, run_pk], |r| r.get(0))?;
    Ok(run_links(conn, &[pk], true)?.remove(0))
}

pub fn list_artifact_links(conn: &Connection, q: &ListQuery) -> DbResult<Page<ArtifactLinkResponse>> {
    let page = list::page_pks(conn, &MODEL_VERSION_ARTIFACTS, "1", vec![], q)?;
    let items = artifact_links(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

pub fn list_run_links(conn: &Connection, q: &ListQuery) -> DbResult<Page<RunLinkResponse>> {
    let page = list::page_pks(conn, &MODEL_VERSION_RUNS, "1", vec![], q)?;
    let items = run_links(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

/// `DELETE /model_versions/{id}/artifacts/{link id or artifact name}`.
pub fn delete_artifact_link(conn: &Connection, model_version: &Id, link: &str) -> DbResult<()> {
    let mv = model_versions::version_pk(conn, model_version)?;
    let id = Id::parse(link).map(|h| h.simple()).unwrap_or_default();
    let n = conn
        .prepare_cached(
            "DELETE FROM model_version_artifacts WHERE model_version_pk = ?1 AND (id = ?2 OR version_pk IN
               (SELECT v.pk FROM artifact_versions v JOIN artifacts a ON a.pk = v.artifact_pk WHERE a.name = ?3))",
        )?
        .execute(params![mv, id, link])?;
    match n {
        0 => Err(DbError::NotFound(format!(
            "\"No link '{link}' of model version {} found\"",
            model_version.hyphenated()
        ))),
        _ => Ok(()),
    }
}

/// `DELETE /model_versions/{id}/artifacts`: every artifact link of the version.
pub fn delete_artifact_links(conn: &Connection, model_version: &Id) -> DbResult<()> {
    let mv = model_versions::version_pk(conn, model_version)?;
    conn.prepare_cached("DELETE FROM model_version_artifacts WHERE model_version_pk = ?1")?.execute([mv])?;
    Ok(())
}

/// `DELETE /model_versions/{id}/runs/{link id or run name}`.
pub fn delete_run_link(conn: &Connection, model_version: &Id, link: &str) -> DbResult<()> {
    let mv = model_versions::version_pk(conn, model_version)?;
    let id = Id::parse(link).map(|h| h.simple()).unwrap_or_default();
    let n = conn
        .prepare_cached(
            "DELETE FROM model_version_runs WHERE model_version_pk = ?1 AND (id = ?2 OR run_pk IN
               (SELECT pk FROM runs WHERE name = ?3))",
        )?
        .execute(params![mv, id, link])?;
    match n {
        0 => Err(DbError::NotFound(format!(
            "\"No link '{link}' of model version {} found\"",
            model_version.hyphenated()
        ))),
        _ => Ok(()),
    }
}
