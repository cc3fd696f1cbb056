//! Service accounts: rows of `users` with `is_service_account = 1` and no
//! password. Their API keys are [`super::api_keys`].

use super::tables::SERVICE_ACCOUNTS;
use super::{list, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::service_account::{
    ServiceAccount, ServiceAccountRequest, ServiceAccountResponse, ServiceAccountUpdate,
};
use crate::models::{Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const COLUMNS: &str = "pk, id, name, full_name, description, avatar_url, active, created, updated";

fn from_row(r: &Row) -> rusqlite::Result<ServiceAccount> {
    Ok(ServiceAccount {
        pk: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        full_name: r.get(3)?,
        description: r.get(4)?,
        avatar_url: r.get(5)?,
        active: r.get(6)?,
        created: Ts(r.get(7)?),
        updated: Ts(r.get(8)?),
    })
}

fn not_found(name_or_id: &str) -> DbError {
    DbError::NotFound(format!("\"No service account with the '{name_or_id}' name or ID was found\""))
}

/// By id (a UUID in any form) or else by name.
pub fn find(conn: &Connection, name_or_id: &str) -> DbResult<Option<ServiceAccount>> {
    if let Some(id) = Id::parse(name_or_id) {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1 AND is_service_account = 1");
        return Ok(conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?);
    }
    let sql = format!("SELECT {COLUMNS} FROM users WHERE name = ?1 AND is_service_account = 1");
    Ok(conn.prepare_cached(&sql)?.query_row([name_or_id], from_row).optional()?)
}

/// [`find`], or the reference's 404.
pub fn get(conn: &Connection, name_or_id: &str) -> DbResult<ServiceAccount> {
    find(conn, name_or_id)?.ok_or_else(|| not_found(name_or_id))
}

/// By id only (the API-key routes), with the 404 naming the hyphenated id.
pub fn get_by_id(conn: &Connection, id: &Id) -> DbResult<ServiceAccount> {
    get(conn, &id.hyphenated())
}

pub fn by_pks(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, ServiceAccount>> {
    let sql = format!("SELECT {COLUMNS} FROM rarray(?1) r CROSS JOIN users ON users.pk = r.value");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([super::pk_array(pks)], |r| from_row(r).map(|a| (a.pk, a)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Changing service accounts and their keys is for admins (the
/// reference's rule without RBAC); `action` names it in the 403.
pub fn require_admin(conn: &Connection, user_pk: i64, action: &str) -> DbResult<()> {
    let admin: bool =
        conn.prepare_cached("SELECT is_admin FROM users WHERE pk = ?1")?.query_row([user_pk], |r| r.get(0))?;
    match admin {
        true => Ok(()),
        false => Err(DbError::Forbidden(format!("Only admin users can perform `{action}` without RBAC enabled."))),
    }
}

/// The name is free for a service account (`users.name` is unique across
/// users and service accounts alike).
fn check_name_free(conn: &Connection, name: &str, verb: &str, exists: &str) -> DbResult<()> {
    let taken: Option<bool> = conn
        .prepare_cached("SELECT is_service_account FROM users WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    match taken {
        None => Ok(()),
        Some(true) => Err(DbError::Conflict(format!("Unable to {verb} service account with name '{name}': {exists}"))),
        Some(false) => Err(DbError::Conflict(format!(
            "Unable to {verb} service account with name '{name}': Found an existing user account with this name."
        ))),
    }
}

pub fn create(conn: &Connection, req: &ServiceAccountRequest) -> DbResult<ServiceAccountResponse> {
    check_name_free(conn, &req.name, "create", "Found existing service account with this name.")?;
    let now = Ts::now();
    let id = Id::new_v4();
    conn.prepare_cached(
        "INSERT INTO users (id, name, full_name, description, avatar_url, active, is_service_account,
                            email_opted_in, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 0, ?7, ?7)",
    )?
    .execute(params![id, req.name, req.full_name, req.description, req.avatar_url, req.active, now.0])?;
    Ok(get_by_id(conn, &id)?.to_response(true))
}

pub fn update(conn: &Connection, name_or_id: &str, upd: &ServiceAccountUpdate) -> DbResult<ServiceAccountResponse> {
    let account = get(conn, name_or_id)?;
    if let Some(name) = upd.name.as_deref().filter(|n| *n != account.name) {
        check_name_free(conn, name, "update", "Found an existing service account with this name.")?;
    }
    conn.prepare_cached(
        "UPDATE users SET name = coalesce(?2, name), full_name = coalesce(?3, full_name),
                description = coalesce(?4, description), active = coalesce(?5, active),
                avatar_url = coalesce(?6, avatar_url), updated = ?7
          WHERE pk = ?1",
    )?
    .execute(params![
        account.pk,
        upd.name,
        upd.full_name,
        upd.description,
        upd.active,
        upd.avatar_url,
        Ts::now().0
    ])?;
    Ok(get_by_id(conn, &account.id)?.to_response(true))
}

/// Does the account own any resource (a row of any table whose `user_pk`
/// refers to it)? The tables are found from the schema's foreign keys, so
/// tables added later are counted too.
fn owns_resources(conn: &Connection, pk: i64) -> DbResult<bool> {
    let tables: Vec<String> = conn
        .prepare_cached(
            "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND f.\"table\" = 'users' AND f.\"from\" = 'user_pk'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE user_pk = ?1)");
        if conn.prepare_cached(&sql)?.query_row([pk], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Delete an account and its API keys; refused (403) once it owns
/// resources, as the reference does.
pub fn delete(conn: &Connection, name_or_id: &str) -> DbResult<Id> {
    let account = get(conn, name_or_id)?;
    if owns_resources(conn, account.pk)? {
        return Err(DbError::Forbidden(
            "The service account has already been used to create other resources that it now owns and therefore \
             cannot be deleted. Please delete all resources owned by the service account or consider deactivating \
             it instead."
                .into(),
        ));
    }
    conn.prepare_cached("DELETE FROM users WHERE pk = ?1")?.execute([account.pk])?;
    Ok(account.id)
}

/// `GET /service_accounts`: one page (users are not listed).
pub fn list_page(conn: &Connection, q: &ListQuery) -> DbResult<Page<ServiceAccountResponse>> {
    let page = list::page_pks(conn, &SERVICE_ACCOUNTS, "u.is_service_account = 1", vec![], q)?;
    let found = by_pks(conn, &page.pks)?;
    let hydrate = q.hydrate.unwrap_or(false);
    let items = page.pks.iter().filter_map(|pk| found.get(pk)).map(|a| a.to_response(hydrate)).collect();
    Ok(page.with_items(q, items))
}
