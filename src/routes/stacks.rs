//! `/api/v1/stacks` and `/api/v1/components` (read-only: trove serves the
//! `default` stack it creates on first start).

use super::extract::{bool_param, path_uuid, query_pairs};
use super::json;
use crate::auth::AuthUser;
use crate::db::stacks;
use crate::db::tables::{COMPONENTS, STACKS};
use crate::error::ApiError;
use crate::filter;
use crate::state::AppState;
use actix_web::web::Path;
use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(list_stacks).service(get_stack).service(list_components).service(get_component);
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_list_stacks", summary = "List stacks", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::stack::StackResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/stacks")]
async fn list_stacks(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&STACKS, &query_pairs(&req)?)?;
    let page = state.db.read(move |c| stacks::list_stacks(c, &q)).await?;
    Ok(json::ok(&page))
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_get_stack", summary = "Get a stack", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::stack::StackResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/stacks/{stack_id}")]
async fn get_stack(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, "stack_id")?;
    let hydrate = bool_param(&query_pairs(&req)?, "hydrate", true)?;
    let stack = state.db.read(move |c| stacks::stack_responses(c, &[stacks::get_stack(c, &id)?], hydrate)).await?;
    Ok(json::ok(&stack.into_iter().next()))
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_list_components", summary = "List stack components", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::stack::ComponentResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/components")]
async fn list_components(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&COMPONENTS, &query_pairs(&req)?)?;
    let page = state.db.read(move |c| stacks::list_components(c, &q)).await?;
    Ok(json::ok(&page))
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_get_component", summary = "Get a stack component", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::stack::ComponentResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/components/{component_id}")]
async fn get_component(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, "component_id")?;
    let hydrate = bool_param(&query_pairs(&req)?, "hydrate", true)?;
    let component = state.db.read(move |c| stacks::get_component(c, &id)).await?;
    Ok(json::ok(&component.to_response(hydrate)))
}
