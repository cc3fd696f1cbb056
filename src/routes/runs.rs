//! `/api/v1/runs`: get-or-create (answers `[run, created]`), list, get,
//! update, delete.

use super::extract::Body;
use super::extract::{bool_param, json_body, query_pairs, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::runs;
use crate::db::tables::RUNS;
use crate::models::run::{RunRequest, RunUpdate};
use actix_web::{delete, get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/runs").service(list).service(create).service(get).service(update).service(remove));
}

#[utoipa::path(tag = "runs", operation_id = "runs_list", summary = "List pipeline runs", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::run::RunResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &RUNS, runs::list_page).await
}

/// Get or create by `(snapshot, orchestrator_run_id)`; a started run
/// replaces its snapshot's placeholder (`pipeline-runs.md` §3.6.1).
#[utoipa::path(tag = "runs", operation_id = "runs_get_or_create", summary = "Get or create a pipeline run: [run, created]", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a PipelineRunRequest"), responses((status = 200, body = serde_json::Value, description = "[run, created]"), (status = 401, description = "Not authenticated"), (status = 404, description = "Snapshot not found"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = RunRequest::parse(&json_body(&body)?)?;
    let answer = state
        .db
        .write(move |tx| {
            let (pk, created) = runs::get_or_create(tx, &req, user.pk)?;
            Ok((runs::load(tx, &[pk], true)?.pop(), created))
        })
        .await?;
    Ok(json::ok(&answer))
}

#[utoipa::path(tag = "runs", operation_id = "runs_get", summary = "Get a pipeline run", security(("bearer" = [])), params(("run_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::run::RunResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{run_id}")]
async fn get(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, req: HttpRequest, state: State) -> Reply {
    let full = bool_param(&query_pairs(&req)?, "include_full_metadata", false)?;
    let run = match full && hydrate {
        true => state.db.read(move |c| runs::get_with_step_metadata(c, &id)).await?,
        false => state.db.read(move |c| runs::get(c, &id, hydrate)).await?,
    };
    Ok(json::ok(&run))
}

#[utoipa::path(tag = "runs", operation_id = "runs_update", summary = "Update a pipeline run (status rules of the reference)", security(("bearer" = [])), params(("run_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "a PipelineRunUpdate"), responses((status = 200, body = inline(crate::models::run::RunResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Illegal status change"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{run_id}")]
async fn update(user: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = RunUpdate::parse(&json_body(&body)?)?;
    let run = state
        .db
        .write(move |tx| {
            let pk = runs::update(tx, &id, &upd, user.pk)?;
            Ok(runs::load(tx, &[pk], true)?.pop())
        })
        .await?;
    Ok(json::ok(&run))
}

/// Steps, logs and links go with the run; artifact versions stay.
#[utoipa::path(tag = "runs", operation_id = "runs_delete", summary = "Delete a pipeline run (200 null)", security(("bearer" = [])), params(("run_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{run_id}")]
async fn remove(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    state.db.write(move |tx| runs::delete(tx, &id)).await?;
    Ok(json::ok(&Value::Null))
}
