//! Writes of artifact versions: create (spec §5–§6), tag updates (§8.2),
//! delete (§8.3) and prune (§9). Each function runs inside the caller's
//! transaction, so a failure leaves nothing behind.

use super::{artifacts, projects, tags, version_blocks, version_load, DbError, DbResult};
use crate::models::artifact_version::{
    version_number, ArtifactRef, ArtifactVersionRequest, ArtifactVersionResponse, ArtifactVersionUpdate,
};
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension};

fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get artifact version with ID '{}': No artifact version with this ID found\"",
        id.hyphenated()
    ))
}

/// (pk, artifact pk, uri, artifact store id) of a version id.
fn lookup(conn: &Connection, id: &Id) -> DbResult<(i64, i64, String, Option<String>)> {
    conn.prepare_cached("SELECT pk, artifact_pk, uri, artifact_store_id FROM artifact_versions WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| not_found(id))
}

pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<ArtifactVersionResponse> {
    version_load::load_by_id(conn, id, hydrate)?.ok_or_else(|| not_found(id))
}

/// What the data endpoints need: the version's artifact store (with its
/// flavor, when the component still exists) and its number of visualizations.
pub fn store_of(conn: &Connection, id: &Id) -> DbResult<(Option<(Id, String)>, i64)> {
    conn.prepare_cached(
        "SELECT c.id, c.flavor, (SELECT count(*) FROM visualizations v WHERE v.version_pk = av.pk)
         FROM artifact_versions av LEFT JOIN stack_components c ON c.id = av.artifact_store_id WHERE av.id = ?1",
    )?
    .query_row([id], |r| {
        let store = match (r.get::<_, Option<Id>>(0)?, r.get::<_, Option<String>>(1)?) {
            (Some(id), Some(flavor)) => Some((id, flavor)),
            _ => None,
        };
        Ok((store, r.get(2)?))
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// Create one version; returns its pk.
pub fn create(conn: &Connection, req: &ArtifactVersionRequest, user_pk: i64) -> DbResult<i64> {
    let (project_pk, store_exists) = projects::pk_and_store(conn, &req.project, req.artifact_store_id.as_ref())?;
    if let (Some(store), false) = (&req.artifact_store_id, store_exists) {
        return Err(DbError::NotFound(format!(
            "'The artifact store with ID {} referenced by the artifact version being created was not found'",
            store.hyphenated()
        )));
    }
    let project_pk = project_pk.ok_or_else(|| projects::id_not_found(&req.project))?;
    let (artifact_pk, artifact_name) = match &req.artifact {
        ArtifactRef::Name(name) => {
            (artifacts::resolve_by_name(conn, project_pk, name, req.has_custom_name, user_pk)?, name.clone())
        }
        ArtifactRef::Id(id) => {
            let (pk, own_project, name) = artifacts::by_id(conn, id)?;
            if project_pk != own_project {
                return Err(DbError::Invalid(format!(
                    "The artifact {} belongs to another project than {}.",
                    id.hyphenated(),
                    req.project.hyphenated()
                )));
            }
            (pk, name)
        }
    };
    let tag_pks = tags::resolve_or_create(conn, &req.tags, user_pk)?;
    let version = match &req.version {
        Some(v) => v.clone(),
        None => next_version(conn, artifact_pk)?.to_string(),
    };

    let now = Ts::now();
    let id = Id::new_v4();
    conn.prepare_cached(
        "INSERT INTO artifact_versions (id, artifact_pk, project_pk, user_pk, version, version_number, uri, type,
            materializer, data_type, save_type, artifact_store_id, content_hash, item_count, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
    )?
    .execute(params![
        id,
        artifact_pk,
        project_pk,
        user_pk,
        version,
        version_number(&version),
        req.uri,
        req.artifact_type,
        req.materializer,
        req.data_type,
        req.save_type,
        req.artifact_store_id.as_ref(),
        req.content_hash,
        req.item_count,
        now.0,
    ])
    .map_err(|e| match super::is_unique_violation(&e) {
        true => DbError::Conflict(format!(
            "Unable to create artifact version {artifact_name} (version {version}): \
             An artifact with the same name and version already exists."
        )),
        false => e.into(),
    })?;
    let pk = conn.last_insert_rowid();
    version_blocks::split_full(conn, project_pk, now.0, &id.simple())?;

    let mut vis = conn.prepare_cached(
        "INSERT INTO visualizations (id, version_pk, type, uri, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    for v in &req.visualizations {
        vis.execute(params![Id::new_v4(), pk, v.vtype, v.uri, Ts::now().0])?;
    }
    tags::attach(conn, pk, artifact_pk, &tag_pks)?;
    let mut meta = conn.prepare_cached(
        "INSERT INTO run_metadata (version_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for m in &req.metadata {
        meta.execute(params![pk, m.key, m.value, m.type_name, now.0])?;
    }
    Ok(pk)
}

/// [`create`], then the new version's response, read in the same
/// transaction: its pages are in the writer's cache, whereas a reader
/// connection would re-read them all (SQLite drops a connection's page cache
/// when another connection commits).
pub fn create_and_load(
    conn: &Connection,
    req: &ArtifactVersionRequest,
    user_pk: i64,
) -> DbResult<ArtifactVersionResponse> {
    let pk = create(conn, req, user_pk)?;
    load_written(conn, pk)
}

/// A batch of at most this many versions is created like a single one: in
/// a shared (or inline) write, with its responses loaded in the same
/// transaction. A larger one changes many pages and is written alone, its
/// responses read afterwards (see [`crate::db::writer::Grouping`]).
pub const SMALL_BATCH: usize = 16;

/// [`create`] each of `reqs` (a batch of at most [`SMALL_BATCH`]), then
/// their responses, in the request's order.
pub fn create_all_and_load(
    conn: &Connection,
    reqs: &[ArtifactVersionRequest],
    user_pk: i64,
) -> DbResult<Vec<ArtifactVersionResponse>> {
    let pks = reqs.iter().map(|r| create(conn, r, user_pk)).collect::<DbResult<Vec<_>>>()?;
    version_load::load(conn, &pks, true)
}

/// [`update`], then the version's response (as [`create_and_load`]).
pub fn update_and_load(
    conn: &Connection,
    id: &Id,
    upd: &ArtifactVersionUpdate,
    user_pk: i64,
) -> DbResult<ArtifactVersionResponse> {
    let pk = update(conn, id, upd, user_pk)?;
    load_written(conn, pk)
}

fn load_written(conn: &Connection, pk: i64) -> DbResult<ArtifactVersionResponse> {
    version_load::load(conn, &[pk], true)?.pop().ok_or_else(|| DbError::Task("a written version vanished".into()))
}

/// Auto-increment: the highest numeric version of the artifact plus one, else 1.
fn next_version(conn: &Connection, artifact_pk: i64) -> DbResult<i64> {
    let max: Option<i64> = conn
        .prepare_cached("SELECT max(version_number) FROM artifact_versions WHERE artifact_pk = ?1")?
        .query_row([artifact_pk], |r| r.get(0))?;
    match max {
        None => Ok(1),
        Some(n) => n
            .checked_add(1)
            .ok_or_else(|| DbError::Invalid("The next version number of this artifact would overflow.".into())),
    }
}

/// Apply `add_tags` then `remove_tags` and bump `updated`; returns the pk.
pub fn update(conn: &Connection, id: &Id, upd: &ArtifactVersionUpdate, user_pk: i64) -> DbResult<i64> {
    let (pk, artifact_pk, ..) = lookup(conn, id)?;
    let tag_pks = tags::resolve_or_create(conn, &upd.add_tags, user_pk)?;
    tags::attach(conn, pk, artifact_pk, &tag_pks)?;
    tags::detach(conn, pk, &upd.remove_tags)?;
    conn.prepare_cached("UPDATE artifact_versions SET updated = ?1 WHERE pk = ?2")?
        .execute(params![Ts::now().0, pk])?;
    Ok(pk)
}

/// Delete one version (spec §8.3). trove has only local artifact stores,
/// whose files the server refuses to touch (the client deletes them itself).
pub fn delete(conn: &Connection, id: &Id, delete_metadata: bool, delete_from_artifact_store: bool) -> DbResult<()> {
    let (pk, _, uri, store) = lookup(conn, id)?;
    if delete_from_artifact_store {
        if store.is_none() {
            return Err(DbError::Invalid("Artifact version has no artifact store, cannot delete data.".into()));
        }
        return Err(DbError::Refused(format!(
            "Artifact data at '{uri}' could not be deleted. Delete the data manually from the artifact store. \
             Full error: Files in a local artifact store cannot be accessed from the server."
        )));
    }
    if delete_metadata {
        if used_by_steps(conn, &[pk])? {
            return Err(DbError::Invalid(USED_IN_RUNS.into()));
        }
        conn.prepare_cached("DELETE FROM artifact_versions WHERE pk = ?1")?.execute([pk])?;
    }
    Ok(())
}

/// The reference's refusal to delete versions that runs use.
pub const USED_IN_RUNS: &str = "The metadata of artifact versions that are used in runs cannot be deleted. \
     Please delete all runs that use this artifact version first.";

/// Whether a step run reads or produced any of the versions `pks`.
pub fn used_by_steps(conn: &Connection, pks: &[i64]) -> DbResult<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM rarray(?1) x CROSS JOIN step_artifacts sa ON sa.version_pk = x.value)",
    )?;
    Ok(stmt.query_row([super::pk_array(pks)], |r| r.get(0))?)
}

/// Prune (spec §9, intended semantics): delete every unused version of the
/// project (one that no step run reads or produced) with its tag links and
/// metadata; with `only_versions = false` also the project's artifacts that
/// are left without versions.
pub fn prune(conn: &Connection, project_name_or_id: &str, only_versions: bool) -> DbResult<()> {
    let project = projects::get(conn, project_name_or_id)?;
    conn.prepare_cached(
        "DELETE FROM artifact_versions WHERE project_pk = ?1
           AND NOT EXISTS (SELECT 1 FROM step_artifacts sa WHERE sa.version_pk = artifact_versions.pk)",
    )?
    .execute([project.pk])?;
    if !only_versions {
        conn.prepare_cached(
            "DELETE FROM artifacts WHERE project_pk = ?1
               AND NOT EXISTS (SELECT 1 FROM artifact_versions v WHERE v.artifact_pk = artifacts.pk)",
        )?
        .execute([project.pk])?;
    }
    Ok(())
}
