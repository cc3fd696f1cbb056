//! `GET /api/v1/artifact_versions`: scope (project, scope_user), the shared
//! filter module's conditions, one page of keys, then the batch loader.

use super::{list, projects, version_load, DbResult};
use crate::filter::{ListQuery, ARTIFACT_VERSIONS};
use crate::models::artifact_version::ArtifactVersionResponse;
use crate::models::Page;
use rusqlite::types::Value;
use rusqlite::Connection;

pub const FROM: &str = "artifact_versions av";

/// The always-AND-ed scope of a version list: its project and `scope_user`.
pub fn scope(conn: &Connection, q: &ListQuery) -> DbResult<(String, Vec<Value>)> {
    let project = match &q.project {
        Some(p) => projects::get(conn, p)?,
        None => projects::default_project(conn)?,
    };
    let mut scope = String::from("av.project_pk = ?");
    let mut params = vec![Value::Integer(project.pk)];
    if let Some(user) = q.scope_user {
        scope.push_str(" AND av.user_pk IN (SELECT pk FROM users WHERE id = ?)");
        params.push(Value::Text(user.simple().to_string()));
    }
    Ok((scope, params))
}

pub fn list(conn: &Connection, q: &ListQuery) -> DbResult<Page<ArtifactVersionResponse>> {
    let (scope, params) = scope(conn, q)?;
    let page = list::page_pks(conn, FROM, &ARTIFACT_VERSIONS, &scope, params, q)?;
    let items = version_load::load(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
