//! `/api/v1/tags` (list, get). Tags are created implicitly by artifact
//! version create/update.

use super::extract::Hydrate;
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::TAGS;
use crate::db::tags;
use actix_web::web::Path;
use actix_web::{get, HttpRequest};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/tags").service(list).service(get));
}

#[utoipa::path(tag = "tags", operation_id = "tags_list", summary = "List tags", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::tag::TagResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &TAGS, tags::list_page).await
}

#[utoipa::path(tag = "tags", operation_id = "tags_get", summary = "Get a tag by name or id", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::tag::TagResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{tag_name_or_id}")]
async fn get(_: AuthUser, key: Path<String>, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let key = key.into_inner();
    let tag = state.db.read(move |c| tags::get_response(c, &key, hydrate)).await?;
    Ok(json::ok(&tag))
}
