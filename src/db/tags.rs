//! Tags and their links to artifact versions.

use super::tables::TAGS;
use super::{list, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::tag::{Tag, TagRef, TAG_COLORS};
use crate::models::tag::{TagMetadata, TagResources, TagResponse};
use crate::models::{Entity, Page};
use crate::models::{Id, Shared, Ts};
use rand::seq::SliceRandom;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

pub const COLUMNS: &str = "t.pk, t.id, t.name, t.color, t.exclusive, u.id, t.created, t.updated";
pub const FROM: &str = "tags t LEFT JOIN users u ON u.pk = t.user_pk";

/// The tag whose `COLUMNS` start at column `at` (its pk there, the rest after).
fn tag_at(r: &Row, at: usize) -> rusqlite::Result<(i64, Tag)> {
    Ok((
        r.get(at)?,
        Tag {
            id: r.get::<_, Id>(at + 1)?,
            name: r.get(at + 2)?,
            color: r.get(at + 3)?,
            exclusive: r.get(at + 4)?,
            user_id: r.get::<_, Option<Id>>(at + 5)?,
            created: Ts(r.get(at + 6)?),
            updated: Ts(r.get(at + 7)?),
        },
    ))
}

pub fn from_row(r: &Row) -> rusqlite::Result<(i64, Tag)> {
    tag_at(r, 0)
}

fn tag_id_not_found(id: &Id) -> DbError {
    DbError::NotFound(format!("\"Unable to get tag with ID '{}': No tag with this ID found\"", id.hyphenated()))
}

/// Resolve tag references to tag pks: ids must exist, names are created when
/// missing (random colour, not exclusive, owned by `user_pk`).
pub fn resolve_or_create(conn: &Connection, refs: &[TagRef], user_pk: i64) -> DbResult<Vec<(i64, bool)>> {
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        let found = match r {
            TagRef::Id(id) => Some(
                conn.prepare_cached("SELECT pk, exclusive FROM tags WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
                    .ok_or_else(|| tag_id_not_found(id))?,
            ),
            TagRef::Name(name) => conn
                .prepare_cached("SELECT pk, exclusive FROM tags WHERE name = ?1")?
                .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
        };
        let entry = match (found, r) {
            (Some(found), _) => found,
            (None, TagRef::Name(name)) => {
                let color = TAG_COLORS.choose(&mut rand::thread_rng()).copied().unwrap_or("grey");
                let now = Ts::now();
                conn.prepare_cached(
                    "INSERT INTO tags (id, name, color, exclusive, user_pk, created, updated) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?5)",
                )?
                .execute(params![Id::new_v4(), name, color, user_pk, now.0])?;
                (conn.last_insert_rowid(), false)
            }
            (None, TagRef::Id(id)) => return Err(tag_id_not_found(id)),
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Attach tags to a version. An exclusive tag is first detached from the
/// other versions of the same artifact. A link copies its version's artifact
/// and `created` from the version row (see `schema.sql`).
pub fn attach(conn: &Connection, version_pk: i64, artifact_pk: i64, tags: &[(i64, bool)]) -> DbResult<()> {
    for (tag_pk, exclusive) in tags {
        if *exclusive {
            conn.prepare_cached(
                "DELETE FROM artifact_version_tags WHERE tag_pk = ?1 AND artifact_pk = ?2 AND version_pk != ?3",
            )?
            .execute(params![tag_pk, artifact_pk, version_pk])?;
        }
        conn.prepare_cached(
            "INSERT OR IGNORE INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created)
             SELECT pk, ?2, artifact_pk, created FROM artifact_versions WHERE pk = ?1",
        )?
        .execute(params![version_pk, tag_pk])?;
    }
    Ok(())
}

/// Detach tags given by name or id; unknown ones are ignored.
pub fn detach(conn: &Connection, version_pk: i64, names_or_ids: &[String]) -> DbResult<()> {
    for s in names_or_ids {
        let id = Id::parse(s).map(|h| h.simple()).unwrap_or_default();
        conn.prepare_cached(
            "DELETE FROM artifact_version_tags WHERE version_pk = ?1
               AND tag_pk IN (SELECT pk FROM tags WHERE name = ?2 OR id = ?3)",
        )?
        .execute(params![version_pk, s, id])?;
    }
    Ok(())
}

/// Nested tag responses by tag pk, in one query.
pub fn nested_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, Shared<TagResponse>>> {
    Ok(found_by_pks(conn, pks)?.into_iter().map(|(pk, (tag, _))| (pk, Shared::new(tag.nested()))).collect())
}

/// Nested tag responses per owner; each tag is built once and shared.
pub type TagsByOwner = HashMap<i64, Vec<Shared<TagResponse>>>;

/// A table linking tags to the rows of one resource: (table, owner column).
#[derive(Debug, Clone, Copy)]
pub enum TagLinks {
    Artifacts,
    Pipelines,
    Runs,
    Models,
    ModelVersions,
}

impl TagLinks {
    const fn sql(self) -> (&'static str, &'static str) {
        match self {
            TagLinks::Artifacts => ("artifact_tags", "artifact_pk"),
            TagLinks::Pipelines => ("pipeline_tags", "pipeline_pk"),
            TagLinks::Runs => ("run_tags", "run_pk"),
            TagLinks::Models => ("model_tags", "model_pk"),
            TagLinks::ModelVersions => ("model_version_tags", "model_version_pk"),
        }
    }
}

/// The tags of many artifacts in one query ([`for_owners`]).
pub fn for_artifacts(conn: &Connection, artifact_pks: &[i64]) -> DbResult<TagsByOwner> {
    for_owners(conn, TagLinks::Artifacts, artifact_pks)
}

/// The tags of many rows of one resource in one query, each list sorted by
/// name here, not in SQL (see bench/README.md, "Batch loaders").
pub fn for_owners(conn: &Connection, links: TagLinks, owner_pks: &[i64]) -> DbResult<TagsByOwner> {
    let (table, owner) = links.sql();
    let sql = format!(
        "SELECT l.{owner}, {COLUMNS} FROM rarray(?1) r
         CROSS JOIN {table} l ON l.{owner} = r.value
         CROSS JOIN tags t ON t.pk = l.tag_pk LEFT JOIN users u ON u.pk = t.user_pk"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([super::pk_array(owner_pks)])?;
    let mut out = TagsByOwner::new();
    let mut seen: HashMap<i64, Shared<TagResponse>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let tag_pk: i64 = r.get(1)?;
        let tag = match seen.get(&tag_pk) {
            Some(tag) => tag.clone(),
            None => seen.entry(tag_pk).or_insert(Shared::new(tag_at(r, 1)?.1.nested())).clone(),
        };
        out.entry(r.get(0)?).or_default().push(tag);
    }
    for tags in out.values_mut() {
        tags.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// Attach resolved tags to one row (links that exist are kept).
pub fn attach_to(conn: &Connection, links: TagLinks, owner_pk: i64, tags: &[(i64, bool)]) -> DbResult<()> {
    let (table, owner) = links.sql();
    let mut stmt = conn.prepare_cached(&format!("INSERT OR IGNORE INTO {table} ({owner}, tag_pk) VALUES (?1, ?2)"))?;
    for (tag_pk, _) in tags {
        stmt.execute([owner_pk, *tag_pk])?;
    }
    Ok(())
}

/// Detach tags given by name or id from one row; unknown ones are ignored.
pub fn detach_from(conn: &Connection, links: TagLinks, owner_pk: i64, names_or_ids: &[String]) -> DbResult<()> {
    let (table, owner) = links.sql();
    let sql = format!(
        "DELETE FROM {table} WHERE {owner} = ?1 AND tag_pk IN (SELECT pk FROM tags WHERE name = ?2 OR id = ?3)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for v in names_or_ids {
        let id = Id::parse(v).map(|h| h.simple()).unwrap_or_default();
        stmt.execute(params![owner_pk, v, id])?;
    }
    Ok(())
}

/// A tag by name or id, with its pk and owner pk.
pub fn get(conn: &Connection, name_or_id: &str) -> DbResult<(i64, Tag, Option<i64>)> {
    let sql = format!("SELECT {COLUMNS}, t.user_pk FROM {FROM} WHERE t.id = ?1 OR t.name = ?2");
    let id = Id::parse(name_or_id).map(|h| h.simple()).unwrap_or_default();
    conn.prepare_cached(&sql)?
        .query_row(params![id, name_or_id], |r| {
            let (pk, tag) = from_row(r)?;
            Ok((pk, tag, r.get(8)?))
        })
        .optional()?
        .ok_or_else(|| {
            DbError::NotFound(format!(
                "\"Unable to get tag with name or ID '{name_or_id}': No tag with this name or ID found\""
            ))
        })
}

/// Tags by pk in the given order, with owner pks.
pub fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<(i64, Tag, Option<i64>)>> {
    let found = found_by_pks(conn, pks)?;
    Ok(pks.iter().filter_map(|pk| found.get(pk).map(|(t, u)| (*pk, t.clone(), *u))).collect())
}

/// Tags by pk with their owner pks, in one query.
fn found_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, (Tag, Option<i64>)>> {
    let sql = format!(
        "SELECT {COLUMNS}, t.user_pk FROM rarray(?1) r
         CROSS JOIN tags t ON t.pk = r.value LEFT JOIN users u ON u.pk = t.user_pk"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let found = stmt.query_map([super::pk_array(pks)], |r| {
        let (pk, tag) = from_row(r)?;
        Ok((pk, (tag, r.get(8)?)))
    })?;
    Ok(found.collect::<Result<_, _>>()?)
}

/// Number of links (versions, artifacts, pipelines, runs, models, model versions) per tag pk.
pub fn tagged_counts(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.value,
                (SELECT count(*) FROM artifact_version_tags WHERE tag_pk = t.value)
              + (SELECT count(*) FROM artifact_tags WHERE tag_pk = t.value)
              + (SELECT count(*) FROM pipeline_tags WHERE tag_pk = t.value)
              + (SELECT count(*) FROM run_tags WHERE tag_pk = t.value)
              + (SELECT count(*) FROM model_tags WHERE tag_pk = t.value)
              + (SELECT count(*) FROM model_version_tags WHERE tag_pk = t.value)
         FROM rarray(?1) t",
    )?;
    let rows = stmt.query_map([super::pk_array(pks)], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Responses for tags with their owner pks, in a fixed number of queries.
fn responses(conn: &Connection, found: Vec<(i64, Tag, Option<i64>)>, hydrate: bool) -> DbResult<Vec<TagResponse>> {
    let pks: Vec<i64> = found.iter().map(|t| t.0).collect();
    let owners: Vec<i64> = found.iter().filter_map(|t| t.2).collect();
    let counts = if hydrate { tagged_counts(conn, &pks)? } else { Default::default() };
    let owners = users::by_pks(conn, &owners)?;
    Ok(found
        .into_iter()
        .map(|(pk, tag, owner)| {
            let metadata = hydrate.then(|| TagMetadata { tagged_count: counts.get(&pk).copied().unwrap_or(0) });
            let user = owner.and_then(|o| owners.get(&o)).map(|u| u.to_response(false));
            Entity::named(tag.id, tag.name.clone(), tag.body(), metadata, Some(TagResources { user }))
        })
        .collect())
}

/// `GET /tags`: one page of tags.
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<TagResponse>> {
    let page = list::page_pks(conn, &TAGS, "1", vec![], q)?;
    let items = responses(conn, by_pks(conn, &page.pks)?, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

/// `GET /tags/{name_or_id}`.
pub fn get_response(conn: &Connection, name_or_id: &str, hydrate: bool) -> DbResult<TagResponse> {
    let found = get(conn, name_or_id)?;
    let id = found.1.id;
    responses(conn, vec![found], hydrate)?.pop().ok_or_else(|| tag_id_not_found(&id))
}
