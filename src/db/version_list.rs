//! `GET /api/v1/artifact_versions`: scope (project, scope_user), the shared
//! filter module's conditions, one page of keys (by whole blocks for a deep
//! page of the unfiltered list, see [`version_blocks`]; from the tag links
//! alone for an artifact + tag list, see [`tagged_versions`]), then the
//! batch loader.

use super::tables::ARTIFACT_VERSIONS;
use super::{list, tagged_versions, version_blocks, version_load, DbResult};
use crate::filter::ListQuery;
use crate::models::artifact_version::ArtifactVersionResponse;
use crate::models::Page;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

/// The always-AND-ed scope of a version list: its project and `scope_user`.
pub fn scope(conn: &Connection, q: &ListQuery) -> DbResult<(String, Vec<Value>)> {
    let (_, scope, params) = list::project_scope(conn, ARTIFACT_VERSIONS.alias, q)?;
    Ok((scope, params))
}

/// The maintained number of versions of a project (see `schema.sql`): the
/// total of an unfiltered list. Must agree with the general path's
/// `count(*)` ([`list::page_pks`]): compared by `tests/api/artifact_versions.rs`
/// (`maintained_counts_follow_every_kind_of_delete`) and
/// `tests/api/fast_paths.rs`.
fn project_count(conn: &Connection, project_pk: i64) -> DbResult<u64> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT n FROM project_version_counts WHERE project_pk = ?1")?
        .query_row([project_pk], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

pub fn list(conn: &Connection, q: &ListQuery) -> DbResult<Page<ArtifactVersionResponse>> {
    let (project_pk, scope, params) = list::project_scope(conn, ARTIFACT_VERSIONS.alias, q)?;
    // Without conditions the total is the project's maintained count.
    let known = match q.conditions.is_empty() && q.scope_user.is_none() {
        true => Some(project_count(conn, project_pk)?),
        false => None,
    };
    let deep = match known {
        Some(total) => version_blocks::page(conn, project_pk, q, total)?,
        None => None,
    };
    let page = match deep {
        Some(page) => page,
        None => match tagged_versions::page(conn, project_pk, q)? {
            Some(page) => page,
            None => list::page_pks_with_total(conn, &ARTIFACT_VERSIONS, &scope, params, q, known)?,
        },
    };
    let items = version_load::load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
