//! `/api/v1/stacks` and `/api/v1/components` (read-only: trove serves the
//! `default` stack it creates on first start).

use super::extract::{Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::stacks;
use crate::db::tables::{COMPONENTS, STACKS};
use actix_web::{get, HttpRequest};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/stacks").service(list_stacks).service(get_stack))
        .service(scope("/components").service(list_components).service(get_component));
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_list_stacks", summary = "List stacks", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::stack::StackResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list_stacks(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &STACKS, stacks::list_stacks).await
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_get_stack", summary = "Get a stack", security(("bearer" = [])), params(("stack_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::stack::StackResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{stack_id}")]
async fn get_stack(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let stack = state.db.read(move |c| stacks::stack_responses(c, &[stacks::get_stack(c, &id)?], hydrate)).await?;
    Ok(json::ok(&stack.into_iter().next()))
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_list_components", summary = "List stack components", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::stack::ComponentResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list_components(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &COMPONENTS, stacks::list_components).await
}

#[utoipa::path(tag = "stacks", operation_id = "stacks_get_component", summary = "Get a stack component", security(("bearer" = [])), params(("component_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::stack::ComponentResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{component_id}")]
async fn get_component(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let component = state.db.read(move |c| stacks::get_component(c, &id)).await?;
    Ok(json::ok(&component.to_response(hydrate)))
}
