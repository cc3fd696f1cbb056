//! `/api/v1/steps` (create, list incl. the cache lookup, get, update) and
//! `/api/v1/run-metadata`.

use super::extract::Body;
use super::extract::{json_body, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::STEPS;
use crate::db::{run_metadata, step_writes, steps};
use crate::models::run_metadata::RunMetadataRequest;
use crate::models::step::{StepRequest, StepUpdate};
use actix_web::{get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/steps").service(list).service(create).service(get).service(update)).service(create_metadata);
}

#[utoipa::path(tag = "steps", operation_id = "steps_list", summary = "List step runs (also the client's cache lookup)", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::step::StepResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &STEPS, steps::list_page).await
}

#[utoipa::path(tag = "steps", operation_id = "steps_create", summary = "Create a step run", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a StepRunRequest"), responses((status = 200, body = inline(crate::models::step::StepResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Run finished or status not settable"), (status = 404, description = "Run, configuration or version not found"), (status = 409, description = "A successful step of this name exists"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = StepRequest::parse(&json_body(&body)?)?;
    let step = state
        .db
        .write(move |tx| {
            let pk = step_writes::create(tx, &req, user.pk)?;
            Ok(steps::load(tx, &[pk], true)?.pop())
        })
        .await?;
    Ok(json::ok(&step))
}

#[utoipa::path(tag = "steps", operation_id = "steps_get", summary = "Get a step run", security(("bearer" = [])), params(("step_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::step::StepResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{step_id}")]
async fn get(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let step = state.db.read(move |c| steps::get(c, &id, hydrate)).await?;
    Ok(json::ok(&step))
}

#[utoipa::path(tag = "steps", operation_id = "steps_update", summary = "Update a step run (status, outputs)", security(("bearer" = [])), params(("step_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "a StepRunUpdate"), responses((status = 200, body = inline(crate::models::step::StepResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Step finished"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{step_id}")]
async fn update(user: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = StepUpdate::parse(&json_body(&body)?)?;
    let step = state
        .db
        .write(move |tx| {
            let pk = step_writes::update(tx, &id, &upd, user.pk)?;
            Ok(steps::load(tx, &[pk], true)?.pop())
        })
        .await?;
    Ok(json::ok(&step))
}

#[utoipa::path(tag = "run_metadata", operation_id = "run_metadata_create", summary = "Log metadata to runs, steps or artifact versions (200 null)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{project, resources, values, types}"), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "A resource not found"), (status = 422, description = "Request validation failed")))]
#[post("/run-metadata")]
async fn create_metadata(_: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = RunMetadataRequest::parse(&json_body(&body)?)?;
    state.db.write(move |tx| run_metadata::create(tx, &req)).await?;
    Ok(json::ok(&Value::Null))
}
