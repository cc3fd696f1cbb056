//! `/api/v1/tags` (list, get). Tags are created implicitly by artifact
//! version create/update.

use super::extract::{bool_param, query_pairs};
use crate::auth::AuthUser;
use crate::db::{self, tags, users};
use crate::error::ApiError;
use crate::filter::{self, TAGS};
use crate::models::tag::{Tag, TagMetadata, TagResources, TagResponse};
use crate::models::Entity;
use crate::state::AppState;
use actix_web::web::Path;
use actix_web::{get, web, HttpRequest, HttpResponse};
use rusqlite::Connection;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get);
}

/// Responses for tags with their owner pks, in a fixed number of queries.
fn responses(
    c: &Connection,
    found: Vec<(i64, Tag, Option<i64>)>,
    hydrate: bool,
) -> Result<Vec<TagResponse>, db::DbError> {
    let pks: Vec<i64> = found.iter().map(|t| t.0).collect();
    let owners: Vec<i64> = found.iter().filter_map(|t| t.2).collect();
    let counts = if hydrate { tags::tagged_counts(c, &pks)? } else { Default::default() };
    let owners = users::by_pks(c, &owners)?;
    Ok(found
        .into_iter()
        .map(|(pk, tag, owner)| {
            let metadata = hydrate.then(|| TagMetadata { tagged_count: counts.get(&pk).copied().unwrap_or(0) });
            let user = owner.and_then(|o| owners.get(&o)).map(|u| u.to_response(false));
            Entity::named(tag.id.clone(), tag.name.clone(), tag.body(), metadata, Some(TagResources { user }))
        })
        .collect())
}

#[utoipa::path(tag = "tags", operation_id = "tags_list", summary = "List tags", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::tag::TagResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/tags")]
async fn list(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&TAGS, &query_pairs(&req)?)?;
    let page = state
        .db
        .read(move |c| {
            let page = db::list::page_pks(c, "tags t", &TAGS, "1", vec![], &q)?;
            let items = responses(c, tags::by_pks(c, &page.pks)?, q.hydrate.unwrap_or(false))?;
            Ok(page.with_items(&q, items))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(tag = "tags", operation_id = "tags_get", summary = "Get a tag by name or id", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::tag::TagResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/tags/{tag_name_or_id}")]
async fn get(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let hydrate = bool_param(&query_pairs(&req)?, "hydrate", true)?;
    let key = path.into_inner();
    let resp = state
        .db
        .read(move |c| {
            let found = tags::get(c, &key)?;
            Ok(responses(c, vec![found], hydrate)?.pop())
        })
        .await?;
    Ok(HttpResponse::Ok().json(resp))
}
