//! What every resource's handlers share: the reply type and the list
//! endpoint (parse the query against the resource's table description, load
//! one page in one read transaction, answer JSON).

use super::extract::query_pairs;
use super::json;
use crate::db::DbResult;
use crate::error::ApiError;
use crate::filter::{self, ListQuery, ResourceSpec};
use crate::models::Page;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use rusqlite::Connection;
use serde::Serialize;

/// A handler's answer.
pub type Reply = Result<HttpResponse, ApiError>;

/// The application state, as handlers take it.
pub type State = web::Data<AppState>;

/// `GET /<resources>`: `table`'s filter language, then `page` (a db list function).
pub async fn list<T>(
    req: &HttpRequest,
    state: &AppState,
    table: &'static ResourceSpec,
    page: fn(&Connection, &ListQuery) -> DbResult<Page<T>>,
) -> Reply
where
    T: Serialize + Send + 'static,
{
    let q = filter::parse(table, &query_pairs(req)?)?;
    let items = state.db.read(move |c| page(c, &q)).await?;
    Ok(json::ok(&items))
}
