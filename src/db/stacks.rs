//! Stacks and stack components.

use super::tables::{COMPONENTS, STACKS};
use super::{list, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::stack::{Component, Stack};
use crate::models::stack::{ComponentResponse, StackResponse};
use crate::models::Page;
use crate::models::{Id, Ts};
use rusqlite::{Connection, OptionalExtension, Row};

const COMPONENT_COLUMNS: &str = "c.pk, c.id, c.name, c.type, c.flavor, c.configuration, c.created, c.updated";
const STACK_COLUMNS: &str = "s.pk, s.id, s.name, s.description, s.created, s.updated";

fn component(r: &Row) -> rusqlite::Result<(i64, Component)> {
    Ok((
        r.get(0)?,
        Component {
            id: r.get::<_, Id>(1)?,
            name: r.get(2)?,
            component_type: r.get(3)?,
            flavor: r.get(4)?,
            configuration: r.get(5)?,
            created: Ts(r.get(6)?),
            updated: Ts(r.get(7)?),
        },
    ))
}

fn stack(r: &Row) -> rusqlite::Result<Stack> {
    Ok(Stack {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        created: Ts(r.get(4)?),
        updated: Ts(r.get(5)?),
    })
}

pub fn get_component(conn: &Connection, id: &Id) -> DbResult<Component> {
    let sql = format!("SELECT {COMPONENT_COLUMNS} FROM stack_components c WHERE c.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], component).optional()?.map(|(_, c)| c).ok_or_else(|| {
        DbError::NotFound(format!(
            "\"Unable to get stack component with ID '{}': No stack component with this ID found\"",
            id.hyphenated()
        ))
    })
}

pub fn components_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Component>> {
    let sql = format!("SELECT {COMPONENT_COLUMNS} FROM rarray(?1) r CROSS JOIN stack_components c ON c.pk = r.value");
    let mut stmt = conn.prepare_cached(&sql)?;
    let found: std::collections::HashMap<i64, Component> =
        stmt.query_map([super::pk_array(pks)], component)?.collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.get(pk).cloned()).collect())
}

/// The components of many stacks in one query, each list by type then age.
pub fn components_of_stacks(
    conn: &Connection,
    stack_pks: &[i64],
) -> DbResult<std::collections::HashMap<i64, Vec<Component>>> {
    let sql = format!(
        "SELECT l.stack_pk, {COMPONENT_COLUMNS} FROM rarray(?1) r
         CROSS JOIN stack_component_links l ON l.stack_pk = r.value
         JOIN stack_components c ON c.pk = l.component_pk ORDER BY c.type, c.created"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([super::pk_array(stack_pks)])?;
    let mut out: std::collections::HashMap<i64, Vec<Component>> = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let c = Component {
            id: r.get::<_, Id>(2)?,
            name: r.get(3)?,
            component_type: r.get(4)?,
            flavor: r.get(5)?,
            configuration: r.get(6)?,
            created: Ts(r.get(7)?),
            updated: Ts(r.get(8)?),
        };
        out.entry(r.get(0)?).or_default().push(c);
    }
    Ok(out)
}

pub fn get_stack(conn: &Connection, id: &Id) -> DbResult<Stack> {
    let sql = format!("SELECT {STACK_COLUMNS} FROM stacks s WHERE s.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], stack).optional()?.ok_or_else(|| {
        DbError::NotFound(format!("\"Unable to get stack with ID '{}': No stack with this ID found\"", id.hyphenated()))
    })
}

pub fn stacks_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Stack>> {
    let sql = format!("SELECT {STACK_COLUMNS} FROM rarray(?1) r CROSS JOIN stacks s ON s.pk = r.value");
    let mut stmt = conn.prepare_cached(&sql)?;
    let found: Vec<Stack> = stmt.query_map([super::pk_array(pks)], stack)?.collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.iter().find(|s| s.pk == *pk).cloned()).collect())
}

/// Responses for stacks, with their components (one query for all) when hydrating.
pub fn stack_responses(conn: &Connection, stacks: &[Stack], hydrate: bool) -> DbResult<Vec<StackResponse>> {
    let mut components = match hydrate {
        true => components_of_stacks(conn, &stacks.iter().map(|s| s.pk).collect::<Vec<_>>())?,
        false => Default::default(),
    };
    Ok(stacks
        .iter()
        .map(|s| {
            let mine = hydrate.then(|| components.remove(&s.pk).unwrap_or_default());
            s.to_response(mine.as_deref())
        })
        .collect())
}

/// `GET /stacks`: one page of stacks.
pub fn list_stacks(conn: &Connection, q: &ListQuery) -> DbResult<Page<StackResponse>> {
    let page = list::page_pks(conn, &STACKS, "1", vec![], q)?;
    let items = stack_responses(conn, &stacks_by_pks(conn, &page.pks)?, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

/// `GET /components`: one page of stack components.
pub fn list_components(conn: &Connection, q: &ListQuery) -> DbResult<Page<ComponentResponse>> {
    let page = list::page_pks(conn, &COMPONENTS, "1", vec![], q)?;
    let hydrate = q.hydrate.unwrap_or(false);
    let items = components_by_pks(conn, &page.pks)?.iter().map(|c| c.to_response(hydrate)).collect();
    Ok(page.with_items(q, items))
}
