//! API keys of service accounts: each belongs to one account (deleted with
//! it) and stores only the SHA-256 of its secret (see
//! [`crate::auth::api_key`]). Callers hand in hashes, never secrets.

use super::service_accounts;
use super::tables::API_KEYS;
use super::{list, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::api_key::{ApiKeyBody, ApiKeyMetadata, ApiKeyRequest, ApiKeyResponse, ApiKeyUpdate, KeyRecord};
use crate::models::service_account::ServiceAccount;
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "pk, id, name, description, active, retain_period, last_login, last_rotated, created, updated";

struct Key {
    pk: i64,
    id: Id,
    name: String,
    description: String,
    active: bool,
    retain_period: i64,
    last_login: Option<i64>,
    last_rotated: Option<i64>,
    created: i64,
    updated: i64,
}

fn from_row(r: &Row) -> rusqlite::Result<Key> {
    Ok(Key {
        pk: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        active: r.get(4)?,
        retain_period: r.get(5)?,
        last_login: r.get(6)?,
        last_rotated: r.get(7)?,
        created: r.get(8)?,
        updated: r.get(9)?,
    })
}

impl Key {
    fn to_response(&self, account: &ServiceAccount, hydrate: bool) -> ApiKeyResponse {
        let body = ApiKeyBody {
            created: Ts(self.created),
            updated: Ts(self.updated),
            key: None,
            active: self.active,
            service_account: account.to_response(false),
        };
        let metadata = hydrate.then(|| ApiKeyMetadata {
            description: self.description.clone(),
            retain_period_minutes: self.retain_period,
            last_login: self.last_login.map(Ts),
            last_rotated: self.last_rotated.map(Ts),
        });
        Entity::named(self.id, self.name.clone(), body, metadata, None)
    }
}

/// A key of `account` by id (a UUID in any form) or else by name.
fn find(conn: &Connection, account: &ServiceAccount, name_or_id: &str) -> DbResult<Option<Key>> {
    let (column, value) = match Id::parse(name_or_id) {
        Some(id) => ("id", id.simple()),
        None => ("name", name_or_id.to_string()),
    };
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE {column} = ?1 AND account_pk = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![value, account.pk], from_row).optional()?)
}

/// The account (404 if none) and its key (404 if none), the reference's words.
fn account_key(conn: &Connection, account_id: &Id, name_or_id: &str) -> DbResult<(ServiceAccount, Key)> {
    let account = service_accounts::get_by_id(conn, account_id)?;
    let key = find(conn, &account, name_or_id)?.ok_or_else(|| {
        DbError::NotFound(format!(
            "\"An API key with ID or name '{name_or_id}' is not configured for service account with ID '{}'.\"",
            account_id.hyphenated()
        ))
    })?;
    Ok((account, key))
}

fn name_taken(verb: &str, name: &str, account: &ServiceAccount) -> DbError {
    DbError::Conflict(format!(
        "Unable to {verb} API key with name '{name}': Found an existing API key with the same name configured for the same '{}' service account.",
        account.name
    ))
}

/// Create a key whose secret hashes to `key_hash` (the response's `key` is
/// left for the caller, who alone knows the secret).
pub fn create(conn: &Connection, account_id: &Id, req: &ApiKeyRequest, key_hash: &str) -> DbResult<ApiKeyResponse> {
    let account = service_accounts::get_by_id(conn, account_id)?;
    if find(conn, &account, &req.name)?.is_some() {
        return Err(name_taken("register", &req.name, &account));
    }
    let id = Id::new_v4();
    conn.prepare_cached(
        "INSERT INTO api_keys (id, account_pk, name, description, key_hash, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![id, account.pk, req.name, req.description, key_hash, Ts::now().0])?;
    get(conn, account_id, &id.hyphenated(), true)
}

pub fn get(conn: &Connection, account_id: &Id, name_or_id: &str, hydrate: bool) -> DbResult<ApiKeyResponse> {
    let (account, key) = account_key(conn, account_id, name_or_id)?;
    Ok(key.to_response(&account, hydrate))
}

pub fn update(conn: &Connection, account_id: &Id, name_or_id: &str, upd: &ApiKeyUpdate) -> DbResult<ApiKeyResponse> {
    let (account, key) = account_key(conn, account_id, name_or_id)?;
    if let Some(name) = upd.name.as_deref().filter(|n| *n != key.name) {
        if find(conn, &account, name)?.is_some() {
            return Err(name_taken("update", name, &account));
        }
    }
    conn.prepare_cached(
        "UPDATE api_keys SET name = coalesce(?2, name), description = coalesce(?3, description),
                active = coalesce(?4, active), updated = ?5
          WHERE pk = ?1",
    )?
    .execute(params![key.pk, upd.name, upd.description, upd.active, Ts::now().0])?;
    get(conn, account_id, &key.id.hyphenated(), true)
}

/// A new secret (`key_hash`) for the key: the old hash becomes the previous
/// one, accepted for `retain_minutes` more; the generation goes up by one,
/// which ends tokens of older generations. Answered without metadata, as
/// the reference does.
pub fn rotate(
    conn: &Connection,
    account_id: &Id,
    name_or_id: &str,
    retain_minutes: i64,
    key_hash: &str,
) -> DbResult<ApiKeyResponse> {
    let (_, key) = account_key(conn, account_id, name_or_id)?;
    conn.prepare_cached(
        "UPDATE api_keys SET previous_hash = key_hash, key_hash = ?2, key_generation = key_generation + 1,
                retain_period = ?3, last_rotated = ?4, updated = ?4
          WHERE pk = ?1",
    )?
    .execute(params![key.pk, key_hash, retain_minutes, Ts::now().0])?;
    get(conn, account_id, &key.id.hyphenated(), false)
}

pub fn delete(conn: &Connection, account_id: &Id, name_or_id: &str) -> DbResult<()> {
    let (_, key) = account_key(conn, account_id, name_or_id)?;
    conn.prepare_cached("DELETE FROM api_keys WHERE pk = ?1")?.execute([key.pk])?;
    Ok(())
}

/// `GET .../api_keys`: one page of the account's keys (404 for no account).
pub fn list_page(conn: &Connection, account_id: &Id, q: &ListQuery) -> DbResult<Page<ApiKeyResponse>> {
    let account = service_accounts::get_by_id(conn, account_id)?;
    let scope = vec![rusqlite::types::Value::Integer(account.pk)];
    let page = list::page_pks(conn, &API_KEYS, "k.account_pk = ?", scope, q)?;
    let sql = format!("SELECT {COLUMNS} FROM rarray(?1) r CROSS JOIN api_keys ON api_keys.pk = r.value");
    let mut stmt = conn.prepare_cached(&sql)?;
    let found: std::collections::HashMap<i64, Key> =
        stmt.query_map([super::pk_array(&page.pks)], |r| from_row(r).map(|k| (k.pk, k)))?.collect::<Result<_, _>>()?;
    let hydrate = q.hydrate.unwrap_or(false);
    let items = page.pks.iter().filter_map(|pk| found.get(pk)).map(|k| k.to_response(&account, hydrate)).collect();
    Ok(page.with_items(q, items))
}

/// What a login with key `id` (or a token from one) is checked against.
pub fn record(conn: &Connection, id: &Id) -> DbResult<Option<KeyRecord>> {
    conn.prepare_cached(
        "SELECT k.id, k.name, u.pk, u.id, u.name, u.active, k.active, k.key_hash, k.previous_hash,
                k.key_generation, k.retain_period, k.last_rotated
           FROM api_keys k JOIN users u ON u.pk = k.account_pk
          WHERE k.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(KeyRecord {
            id: r.get(0)?,
            name: r.get(1)?,
            account_pk: r.get(2)?,
            account_id: r.get(3)?,
            account_name: r.get(4)?,
            account_active: r.get(5)?,
            active: r.get(6)?,
            key_hash: r.get(7)?,
            previous_hash: r.get(8)?,
            generation: r.get(9)?,
            retain_period_minutes: r.get(10)?,
            last_rotated: r.get(11)?,
        })
    })
    .optional()
    .map_err(Into::into)
}

/// Stamp a login with key `id` (`last_login`, and `updated` as ZenML does).
pub fn touch_login(conn: &Connection, id: &Id) -> DbResult<()> {
    let now = Ts::now().0;
    conn.prepare_cached("UPDATE api_keys SET last_login = ?2, updated = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}
