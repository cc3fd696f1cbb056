//! Artifacts (the parents of versions).

use super::tables::ARTIFACTS;
use super::{list, pk_array, tags, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::artifact::{Artifact, ArtifactMetadata, ArtifactResources, ArtifactResponse};
use crate::models::Page;
use crate::models::{Entity, Id, Ts};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get artifact with ID '{}': No artifact with this ID found\"",
        id.hyphenated()
    ))
}

/// Get or create the artifact `name` in a project (spec §6.3): a `true`
/// `has_custom_name` flips an existing artifact to true, never back.
pub fn resolve_by_name(
    conn: &Connection,
    project_pk: i64,
    name: &str,
    has_custom_name: bool,
    user_pk: i64,
) -> DbResult<i64> {
    let found: Option<(i64, bool)> = conn
        .prepare_cached("SELECT pk, has_custom_name FROM artifacts WHERE project_pk = ?1 AND name = ?2")?
        .query_row(params![project_pk, name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        Some((pk, flag)) => {
            if has_custom_name && !flag {
                conn.prepare_cached("UPDATE artifacts SET has_custom_name = 1 WHERE pk = ?1")?.execute([pk])?;
            }
            Ok(pk)
        }
        None => {
            let now = Ts::now();
            conn.prepare_cached(
                "INSERT INTO artifacts (id, project_pk, name, has_custom_name, user_pk, created, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![Id::new_v4(), project_pk, name, has_custom_name, user_pk, now.0])?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// (pk, project pk, name) of an artifact id.
pub fn by_id(conn: &Connection, id: &Id) -> DbResult<(i64, i64, String)> {
    conn.prepare_cached("SELECT pk, project_pk, name FROM artifacts WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Full artifact responses for `pks`, in order, in a fixed number of queries.
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<ArtifactResponse>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.pk, a.id, a.name, a.has_custom_name, u.id, p.id, a.created, a.updated, a.user_pk,
                (SELECT v.pk FROM artifact_versions v WHERE v.artifact_pk = a.pk ORDER BY v.created DESC, v.id DESC LIMIT 1)
         FROM rarray(?1) r CROSS JOIN artifacts a ON a.pk = r.value
         JOIN projects p ON p.pk = a.project_pk LEFT JOIN users u ON u.pk = a.user_pk",
    )?;
    let mut rows: HashMap<i64, (Artifact, Option<i64>, Option<i64>)> = HashMap::new();
    let mut q = stmt.query([pk_array(pks)])?;
    while let Some(r) = q.next()? {
        let a = Artifact {
            id: r.get::<_, Id>(1)?,
            name: r.get(2)?,
            has_custom_name: r.get(3)?,
            user_id: r.get::<_, Option<Id>>(4)?,
            project_id: r.get::<_, Id>(5)?,
            created: Ts(r.get(6)?),
            updated: Ts(r.get(7)?),
        };
        rows.insert(r.get(0)?, (a, r.get(8)?, r.get(9)?));
    }
    drop(q);
    let user_pks: Vec<i64> = rows.values().filter_map(|r| r.1).collect();
    let users = users::nested_by_pks(conn, &user_pks)?;
    let latest_pks: Vec<i64> = rows.values().filter_map(|r| r.2).collect();
    let mut latest: HashMap<i64, (Id, String)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT av.pk, av.id, av.version FROM rarray(?1) r CROSS JOIN artifact_versions av ON av.pk = r.value",
    )?;
    let mut q = stmt.query([pk_array(&latest_pks)])?;
    while let Some(r) = q.next()? {
        latest.insert(r.get(0)?, (r.get::<_, Id>(1)?, r.get(2)?));
    }
    drop(q);
    let mut tag_map = tags::for_artifacts(conn, pks)?;
    let mut out = Vec::with_capacity(pks.len());
    for pk in pks {
        let Some((a, user_pk, latest_pk)) = rows.remove(pk) else { continue };
        let latest = latest_pk.and_then(|l| latest.get(&l));
        let resources = ArtifactResources {
            user: user_pk.and_then(|u| users.get(&u)).cloned(),
            tags: tag_map.remove(pk).unwrap_or_default(),
            latest_version_name: latest.map(|l| l.1.clone()),
            latest_version_id: latest.map(|l| l.0),
        };
        let metadata = hydrate.then_some(ArtifactMetadata { has_custom_name: a.has_custom_name });
        out.push(Entity::named(a.id, a.name.clone(), a.body(), metadata, Some(resources)));
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<ArtifactResponse> {
    let (pk, _, _) = by_id(conn, id)?;
    load(conn, &[pk], hydrate)?.pop().ok_or_else(|| not_found(id))
}

/// Delete an artifact and (by cascade) all its versions.
/// Deletes the artifact with its versions; refused (as a used version's
/// delete is) when a step run uses one of them: the reference deletes them
/// and silently drops the runs' links (spec oddity #8).
pub fn delete(conn: &Connection, id: &Id) -> DbResult<()> {
    let (pk, _, _) = by_id(conn, id)?;
    let used: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM artifact_versions v JOIN step_artifacts sa ON sa.version_pk = v.pk
                            WHERE v.artifact_pk = ?1)",
        )?
        .query_row([pk], |r| r.get(0))?;
    if used {
        return Err(super::DbError::Invalid(super::artifact_versions::USED_IN_RUNS.into()));
    }
    conn.prepare_cached("DELETE FROM artifacts WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

/// `GET /artifacts`: one page of the artifacts of a project (`project`, else
/// the default one), optionally of one creator (`scope_user`).
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<ArtifactResponse>> {
    let page = list::project_page(conn, &ARTIFACTS, q)?;
    let items = load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
