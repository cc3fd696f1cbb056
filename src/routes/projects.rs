//! `/api/v1/projects`.

use super::extract::Body;
use super::extract::{json_body, Hydrate};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::projects;
use crate::db::tables::PROJECTS;
use crate::error::ApiError;
use crate::models::project::ProjectRequest;
use actix_web::web::Path;
use actix_web::{get, post, HttpRequest};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/projects").service(list).service(create).service(get));
}

#[utoipa::path(tag = "projects", operation_id = "projects_list", summary = "List projects", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::project::ProjectResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &PROJECTS, projects::list_page).await
}

#[utoipa::path(tag = "projects", operation_id = "projects_create", summary = "Create a project", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{name, display_name, description}"), responses((status = 200, body = inline(crate::models::project::ProjectResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(_: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = ProjectRequest::parse(&json_body(&body)?).map_err(ApiError::Validation)?;
    let project = state.db.write(move |tx| projects::insert(tx, &req)).await?;
    Ok(json::ok(&project.to_response(true)))
}

#[utoipa::path(tag = "projects", operation_id = "projects_get", summary = "Get a project by name or id", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::project::ProjectResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{project_name_or_id}")]
async fn get(_: AuthUser, key: Path<String>, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let key = key.into_inner();
    let project = state.db.read(move |c| projects::get(c, &key)).await?;
    Ok(json::ok(&project.to_response(hydrate)))
}
