//! The generic half of every list endpoint: count the matching rows, check
//! the page, and select one page of primary keys in order. Each resource then
//! loads its rows for those keys in a fixed number of queries.

use super::DbResult;
use crate::filter::{self, ListQuery, ResourceSpec};
use crate::models::Page;
use rusqlite::types::Value;
use rusqlite::Connection;

/// One page of primary keys plus the totals.
pub struct PkPage {
    pub pks: Vec<i64>,
    pub total: u64,
    pub total_pages: u64,
}

impl PkPage {
    /// The response envelope around the loaded `items` of this page.
    pub fn with_items<T>(&self, q: &ListQuery, items: Vec<T>) -> Page<T> {
        Page { index: q.page, max_size: q.size, total_pages: self.total_pages, total: self.total, items }
    }
}

/// The SQL of one list request: the count and the page query with their
/// shared parameters (also used by the query-plan test).
pub struct ListSql {
    pub count: String,
    pub page: String,
    pub params: Vec<Value>,
}

/// `scope` is an SQL condition on the table's alias that is always AND-ed
/// (project, scope_user).
pub fn list_sql(spec: &ResourceSpec, scope: &str, scope_params: Vec<Value>, q: &ListQuery) -> DbResult<ListSql> {
    let cond = q.where_sql(spec)?;
    let (from, alias) = (spec.from(), spec.alias);
    let mut params = scope_params;
    params.extend(cond.params);
    let where_sql = format!("({scope}) AND ({})", cond.sql);
    Ok(ListSql {
        count: format!("SELECT count(*) FROM {from} WHERE {where_sql}"),
        page: format!(
            "SELECT {alias}.pk FROM {from} WHERE {where_sql} ORDER BY {} LIMIT {} OFFSET {}",
            q.order_sql(spec),
            q.size,
            q.offset()
        ),
        params,
    })
}

/// Count the matching rows, check the page number, select one page of keys.
pub fn page_pks(
    conn: &Connection,
    spec: &ResourceSpec,
    scope: &str,
    scope_params: Vec<Value>,
    q: &ListQuery,
) -> DbResult<PkPage> {
    page_pks_with_total(conn, spec, scope, scope_params, q, None)
}

/// [`page_pks`] for a caller that may already know the total (a maintained count).
pub fn page_pks_with_total(
    conn: &Connection,
    spec: &ResourceSpec,
    scope: &str,
    scope_params: Vec<Value>,
    q: &ListQuery,
    known_total: Option<u64>,
) -> DbResult<PkPage> {
    let sql = list_sql(spec, scope, scope_params, q)?;
    let params = rusqlite::params_from_iter(sql.params.iter());
    let total = match known_total {
        Some(n) => n,
        None => conn.prepare_cached(&sql.count)?.query_row(params.clone(), |r| r.get::<_, i64>(0))? as u64,
    };
    let total_pages = filter::check_page(q, total)?;
    let mut stmt = conn.prepare_cached(&sql.page)?;
    let pks = stmt.query_map(params, |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    Ok(PkPage { pks, total, total_pages })
}

/// The always-AND-ed scope of a project resource's list, on `alias`: its
/// project (`project`, else the default one) and `scope_user`.
pub fn project_scope(conn: &Connection, alias: &str, q: &ListQuery) -> DbResult<(i64, String, Vec<Value>)> {
    let project_pk = match &q.project {
        Some(p) => super::projects::pk_of(conn, p)?,
        None => super::projects::default_pk(conn)?,
    };
    let mut scope = format!("{alias}.project_pk = ?");
    let mut params = vec![Value::Integer(project_pk)];
    if let Some(user) = q.scope_user {
        scope.push_str(&format!(" AND {alias}.user_pk IN (SELECT pk FROM users WHERE id = ?)"));
        params.push(Value::Text(user.simple().to_string()));
    }
    Ok((project_pk, scope, params))
}

/// One page of keys of a project resource ([`project_scope`], then [`page_pks`]).
pub fn project_page(conn: &Connection, spec: &ResourceSpec, q: &ListQuery) -> DbResult<PkPage> {
    let (_, scope, params) = project_scope(conn, spec.alias, q)?;
    page_pks(conn, spec, &scope, params, q)
}
