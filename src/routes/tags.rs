//! `/api/v1/tags` (list, get). Tags are created implicitly by artifact
//! version create/update.

use super::extract::{bool_param, query_pairs};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::TAGS;
use crate::db::tags;
use crate::error::ApiError;
use crate::filter;
use crate::state::AppState;
use actix_web::web::Path;
use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get);
}

#[utoipa::path(tag = "tags", operation_id = "tags_list", summary = "List tags", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::tag::TagResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/tags")]
async fn list(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&TAGS, &query_pairs(&req)?)?;
    let page = state.db.read(move |c| tags::list_page(c, &q)).await?;
    Ok(json::ok(&page))
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
    let tag = state.db.read(move |c| tags::get_response(c, &key, hydrate)).await?;
    Ok(json::ok(&tag))
}
