//! Version lists filtered by one artifact and one tag name, sorted by
//! `created` (`artifact=X&tags=T`: what the ZenML client sends for
//! `list_artifact_versions(artifact=..., tags=[...])`), answered from the
//! tag links.
//!
//! The links of one (tag, artifact) pair are one range of the index
//! `artifact_version_tags_by_tag (tag_pk, artifact_pk, created, version_pk)`
//! and hold exactly the list's matches (a version's project is its
//! artifact's, so the artifact is looked up in the list's project). The
//! count reads only that range, and the page walks it in `created` order and
//! reads the version rows of the page alone (for the id that breaks ties):
//! the general path reads the row of every match, twice: a random page
//! each in a large table (see bench/README.md, "Artifact + tag lists").
//!
//! Fast path of [`super::list::page_pks`] on the same query (the narrowed
//! tag subquery), which it must agree with page for page: compared by
//! `tests/api/tagged_versions.rs` (the functions) and
//! `tests/api/fast_paths.rs` (the HTTP list).

use super::list::PkPage;
use super::tables::ARTIFACT_VERSIONS;
use super::DbResult;
use crate::filter::{self, ListQuery, TagOf};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

/// The page of keys when `q` has that shape and its artifact condition picks
/// at most one artifact of the project; `None` means "use the general path".
pub fn page(conn: &Connection, project_pk: i64, q: &ListQuery) -> DbResult<Option<PkPage>> {
    if q.scope_user.is_some() {
        return Ok(None);
    }
    let Some(TagOf { tag, related, desc }) = q.tag_of(&ARTIFACT_VERSIONS)? else { return Ok(None) };
    let tag_pk: Option<i64> =
        conn.prepare_cached("SELECT pk FROM tags WHERE name = ?1")?.query_row([&tag], |r| r.get(0)).optional()?;
    let mut artifact_params = vec![Value::Integer(project_pk)];
    artifact_params.extend(related.params);
    let artifact_pks = conn
        .prepare_cached(&format!("SELECT f.pk FROM artifacts f WHERE f.project_pk = ? AND ({}) LIMIT 2", related.sql))?
        .query_map(params_from_iter(artifact_params.iter()), |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    let (tag_pk, artifact_pk) = match (tag_pk, artifact_pks.as_slice()) {
        (_, [_, _, ..]) => return Ok(None),
        (Some(t), [a]) => (t, *a),
        _ => return Ok(Some(PkPage { pks: Vec::new(), total: 0, total_pages: filter::check_page(q, 0)? })),
    };
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM artifact_version_tags WHERE tag_pk = ?1 AND artifact_pk = ?2")?
        .query_row(params![tag_pk, artifact_pk], |r| r.get(0))?;
    let total_pages = filter::check_page(q, total as u64)?;
    let dir = if desc { "DESC" } else { "ASC" };
    let pks = conn
        .prepare_cached(&format!(
            "SELECT l.version_pk FROM artifact_version_tags l JOIN artifact_versions av ON av.pk = l.version_pk
             WHERE l.tag_pk = ?1 AND l.artifact_pk = ?2
             ORDER BY l.created {dir}, av.id {dir} LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(params![tag_pk, artifact_pk, q.size as i64, q.offset() as i64], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some(PkPage { pks, total: total as u64, total_pages }))
}
