//! Users.

use super::tables::USERS;
use super::{list, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::user::User;
use crate::models::user::UserResponse;
use crate::models::Page;
use crate::models::{Id, Shared, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const COLUMNS: &str = "pk, id, name, full_name, email, email_opted_in, active, is_admin, \
                       is_service_account, password_changed_at, created, updated";

fn from_row(r: &Row) -> rusqlite::Result<(i64, User)> {
    from_row_at(r, 0)
}

/// A user from the [`COLUMNS`] of a row that start at column `at`.
fn from_row_at(r: &Row, at: usize) -> rusqlite::Result<(i64, User)> {
    Ok((
        r.get(at)?,
        User {
            id: r.get::<_, Id>(at + 1)?,
            name: r.get(at + 2)?,
            full_name: r.get(at + 3)?,
            email: r.get(at + 4)?,
            email_opted_in: r.get(at + 5)?,
            active: r.get(at + 6)?,
            is_admin: r.get(at + 7)?,
            is_service_account: r.get(at + 8)?,
            password_changed_at: r.get::<_, Option<i64>>(at + 9)?.map(Ts),
            created: Ts(r.get(at + 10)?),
            updated: Ts(r.get(at + 11)?),
        },
    ))
}

/// The user columns of a `LEFT JOIN users u`, for a query that nests its rows'
/// users itself ([`nested_at`]) instead of asking [`nested_by_pks`].
pub const JOINED: &str = "u.pk, u.id, u.name, u.full_name, u.email, u.email_opted_in, u.active, u.is_admin, \
                          u.is_service_account, u.password_changed_at, u.created, u.updated";

/// The nested user of a row whose [`JOINED`] columns start at `at` (none
/// when the join found none), built once per user in `seen`.
pub fn nested_at(
    r: &Row,
    at: usize,
    seen: &mut HashMap<i64, Shared<UserResponse>>,
) -> rusqlite::Result<Option<Shared<UserResponse>>> {
    let Some(pk) = r.get::<_, Option<i64>>(at)? else { return Ok(None) };
    if let Some(user) = seen.get(&pk) {
        return Ok(Some(user.clone()));
    }
    let user = Shared::new(from_row_at(r, at)?.1.to_response(false));
    seen.insert(pk, user.clone());
    Ok(Some(user))
}

/// The user and its pk.
pub fn get_by_id(conn: &Connection, id: &Id) -> DbResult<Option<(i64, User)>> {
    let sql = sql!("SELECT {COLUMNS} FROM users WHERE id = ?1");
    Ok(conn.prepare_cached(sql)?.query_row([id], from_row).optional()?)
}

pub fn get_by_pk(conn: &Connection, pk: i64) -> DbResult<User> {
    let sql = sql!("SELECT {COLUMNS} FROM users WHERE pk = ?1");
    Ok(conn.prepare_cached(sql)?.query_row([pk], from_row)?.1)
}

/// By name, or by id when the value is a UUID.
pub fn get_by_name_or_id(conn: &Connection, name_or_id: &str) -> DbResult<(i64, User)> {
    let by_id = match Id::parse(name_or_id) {
        Some(id) => get_by_id(conn, &id)?,
        None => None,
    };
    if let Some(found) = by_id {
        return Ok(found);
    }
    let sql = sql!("SELECT {COLUMNS} FROM users WHERE name = ?1");
    conn.prepare_cached(sql)?
        .query_row([name_or_id], from_row)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("\"No user account with the '{name_or_id}' name or ID was found\"")))
}

/// The password hash of a login name (or user id), with the user.
pub fn credentials(conn: &Connection, name_or_id: &str) -> DbResult<Option<(User, Option<String>)>> {
    let sql = sql!("SELECT {COLUMNS}, password_hash FROM users WHERE name = ?1 OR id = ?2");
    let id = Id::parse(name_or_id).map(|h| h.simple()).unwrap_or_default();
    Ok(conn.prepare_cached(sql)?.query_row(params![name_or_id, id], |r| Ok((from_row(r)?.1, r.get(12)?))).optional()?)
}

pub fn count(conn: &Connection) -> DbResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

pub fn insert(conn: &Connection, name: &str, password_hash: &str, is_admin: bool) -> DbResult<User> {
    let now = Ts::now();
    let id = Id::new_v4();
    conn.prepare_cached(
        "INSERT INTO users (id, name, password_hash, is_admin, password_changed_at, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)",
    )?
    .execute(params![id, name, password_hash, is_admin, now.0])
    .map_err(|e| match super::is_unique_violation(&e) {
        true => DbError::Conflict(format!("a user named '{name}' already exists")),
        false => e.into(),
    })?;
    Ok(get_by_id(conn, &id)?.map(|(_, u)| u).expect("just inserted"))
}

pub fn set_password(conn: &Connection, name: &str, password_hash: &str) -> DbResult<()> {
    let now = Ts::now();
    let n = conn.execute(
        "UPDATE users SET password_hash = ?1, password_changed_at = ?2, updated = ?2 WHERE name = ?3",
        params![password_hash, now.0, name],
    )?;
    if n == 0 {
        return Err(DbError::NotFound(format!("no user named '{name}'")));
    }
    Ok(())
}

pub fn all(conn: &Connection) -> DbResult<Vec<User>> {
    let sql = sql!("SELECT {COLUMNS} FROM users ORDER BY created, id");
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.map(|r| r.map(|(_, u)| u)).collect::<Result<_, _>>()?)
}

/// Users by pk, for nesting into other responses (one query for a page).
pub fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, User>> {
    let sql = sql!("SELECT {COLUMNS} FROM rarray(?1) r CROSS JOIN users ON users.pk = r.value");
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([super::pk_array(pks)], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Users by pk as nested in other resources (built once, shared by the page).
pub fn nested_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, Shared<UserResponse>>> {
    Ok(by_pks(conn, pks)?.into_iter().map(|(pk, u)| (pk, Shared::new(u.to_response(false)))).collect())
}

/// `GET /users`: one page of users (service accounts are not listed).
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<UserResponse>> {
    let page = list::page_pks(conn, &USERS, "u.is_service_account = 0", vec![], q)?;
    let found = by_pks(conn, &page.pks)?;
    let hydrate = q.hydrate.unwrap_or(false);
    let items = page.pks.iter().filter_map(|pk| found.get(pk)).map(|u| u.to_response(hydrate)).collect();
    Ok(page.with_items(q, items))
}
