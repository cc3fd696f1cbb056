//! Projects.

use super::tables::PROJECTS;
use super::{list, pk_array, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::project::ProjectResponse;
use crate::models::project::{Project, ProjectRequest};
use crate::models::Page;
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub const COLUMNS: &str = "pk, id, name, display_name, description, created, updated";

pub fn from_row(r: &Row) -> rusqlite::Result<Project> {
    Ok(Project {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        display_name: r.get(3)?,
        description: r.get(4)?,
        created: Ts(r.get(5)?),
        updated: Ts(r.get(6)?),
    })
}

fn not_found(name_or_id: &str) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get project with name or ID '{name_or_id}': '{name_or_id}' is not a valid  UUID and no project with this name exists.\""
    ))
}

/// By id (any UUID form) or exact name.
pub fn get(conn: &Connection, name_or_id: &str) -> DbResult<Project> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = ?1 OR name = ?2");
    let id = Id::parse(name_or_id).map(|h| h.simple()).unwrap_or_default();
    conn.prepare_cached(&sql)?
        .query_row(params![id, name_or_id], from_row)
        .optional()?
        .ok_or_else(|| not_found(name_or_id))
}

pub fn get_by_id(conn: &Connection, id: &Id) -> DbResult<Project> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or_else(|| id_not_found(id))
}

pub fn id_not_found(id: &Id) -> DbError {
    DbError::NotFound(format!("\"Unable to get project with ID '{}': No project with this ID found\"", id.hyphenated()))
}

/// The pk of project `id` (none when there is no such project) and whether
/// the stack component `store` exists (true when none is named), in one
/// query: a create of a version or a log entry checks both.
pub fn pk_and_store(conn: &Connection, id: &Id, store: Option<&Id>) -> DbResult<(Option<i64>, bool)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT pk FROM projects WHERE id = ?1),
                    ?2 IS NULL OR EXISTS (SELECT 1 FROM stack_components WHERE id = ?2)",
        )?
        .query_row(params![id, store], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

fn no_default_project() -> DbError {
    DbError::Invalid("Project scope missing from the filter".into())
}

/// The pk of the project [`get`] finds, without reading its row.
pub fn pk_of(conn: &Connection, name_or_id: &str) -> DbResult<i64> {
    let id = Id::parse(name_or_id).map(|h| h.simple()).unwrap_or_default();
    conn.prepare_cached("SELECT pk FROM projects WHERE id = ?1 OR name = ?2")?
        .query_row(params![id, name_or_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(name_or_id))
}

/// The pk of the project named `default`, without reading its row.
pub fn default_pk(conn: &Connection) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM projects WHERE name = 'default'")?
        .query_row([], |r| r.get(0))
        .optional()?
        .ok_or_else(no_default_project)
}

/// The project named `default` (the scope of lists without `project`).
pub fn default_project(conn: &Connection) -> DbResult<Project> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE name = 'default'");
    conn.prepare_cached(&sql)?.query_row([], from_row).optional()?.ok_or_else(no_default_project)
}

pub fn insert(conn: &Connection, req: &ProjectRequest) -> DbResult<Project> {
    let now = Ts::now();
    let id = Id::new_v4();
    conn.prepare_cached(
        "INSERT INTO projects (id, name, display_name, description, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, req.name, req.display_name, req.description, now.0])
    .map_err(|e| match super::is_unique_violation(&e) {
        true => DbError::Conflict(format!(
            "Unable to create project {}: A project with this name already exists.",
            req.name
        )),
        false => e.into(),
    })?;
    get_by_id(conn, &id)
}

pub fn delete(conn: &Connection, name_or_id: &str) -> DbResult<()> {
    let p = get(conn, name_or_id)?;
    conn.execute("DELETE FROM projects WHERE pk = ?1", [p.pk])?;
    Ok(())
}

/// `GET /projects`: one page of projects (not scoped).
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<ProjectResponse>> {
    let page = list::page_pks(conn, &PROJECTS, "1", vec![], q)?;
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM rarray(?1) r CROSS JOIN projects ON projects.pk = r.value"))?;
    let rows: Vec<Project> = stmt.query_map([pk_array(&page.pks)], from_row)?.collect::<Result<_, _>>()?;
    let hydrate = q.hydrate.unwrap_or(false);
    let items =
        page.pks.iter().filter_map(|pk| rows.iter().find(|p| p.pk == *pk)).map(|p| p.to_response(hydrate)).collect();
    Ok(page.with_items(q, items))
}
