//! `/api/v1/logs`: create, get and link log entries.

use super::extract::Body;
use super::extract::{json_body, PathId};
use super::handler::{Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::logs;
use crate::models::logs::{LogsRequest, LogsUpdate};
use actix_web::{get, post, put};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/logs").service(create).service(get).service(update));
}

#[utoipa::path(tag = "logs", operation_id = "logs_create", summary = "Create a log entry", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a LogsRequest"), responses((status = 200, body = inline(crate::models::logs::LogsResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Referenced run, step or store not found"), (status = 409, description = "The id exists"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = LogsRequest::parse(&json_body(&body)?, &["body"])?;
    let entry = state.db.write(move |tx| logs::create_and_get(tx, &req, user.pk)).await?;
    Ok(json::ok(&entry))
}

#[utoipa::path(tag = "logs", operation_id = "logs_get", summary = "Get a log entry", security(("bearer" = [])), params(("logs_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::logs::LogsResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{logs_id}")]
async fn get(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    let entry = state.db.read(move |c| logs::get(c, &id)).await?;
    Ok(json::ok(&entry))
}

#[utoipa::path(tag = "logs", operation_id = "logs_update", summary = "Link a log entry to a run or a step", security(("bearer" = [])), params(("logs_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "{pipeline_run_id} or {step_run_id}"), responses((status = 200, body = inline(crate::models::logs::LogsResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Linked elsewhere"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{logs_id}")]
async fn update(_: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = LogsUpdate::parse(&json_body(&body)?)?;
    let entry = state.db.write(move |tx| logs::update(tx, &id, &upd)).await?;
    Ok(json::ok(&entry))
}
