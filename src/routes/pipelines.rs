//! `/api/v1/pipelines`, `/api/v1/pipeline_snapshots` and
//! `/api/v1/code_repositories` (trove has none: always an empty page).

use super::extract::Body;
use super::extract::{json_body, query_pairs, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::{CODE_REPOSITORIES, PIPELINES};
use crate::db::{pipelines, snapshots};
use crate::filter;
use crate::models::pipeline::{PipelineRequest, PipelineUpdate};
use crate::models::snapshot::SnapshotRequest;
use crate::models::Page;
use actix_web::{delete, get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/pipelines").service(list).service(create).service(get).service(update).service(remove))
        .service(scope("/pipeline_snapshots").service(create_snapshot).service(get_snapshot))
        .service(code_repositories);
}

#[utoipa::path(tag = "pipelines", operation_id = "pipelines_list", summary = "List pipelines", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::pipeline::PipelineResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &PIPELINES, pipelines::list_page).await
}

#[utoipa::path(tag = "pipelines", operation_id = "pipelines_create", summary = "Create a pipeline", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{project, name, description, tags}"), responses((status = 200, body = inline(crate::models::pipeline::PipelineResponse)), (status = 401, description = "Not authenticated"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = PipelineRequest::parse(&json_body(&body)?)?;
    let pipeline = state.db.write(move |tx| pipelines::create(tx, &req, user.pk)).await?;
    Ok(json::ok(&pipeline))
}

#[utoipa::path(tag = "pipelines", operation_id = "pipelines_get", summary = "Get a pipeline", security(("bearer" = [])), params(("pipeline_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::pipeline::PipelineResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{pipeline_id}")]
async fn get(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let pipeline = state.db.read(move |c| pipelines::get(c, &id, hydrate)).await?;
    Ok(json::ok(&pipeline))
}

#[utoipa::path(tag = "pipelines", operation_id = "pipelines_update", summary = "Update a pipeline (description, tags)", security(("bearer" = [])), params(("pipeline_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "{description, add_tags, remove_tags}"), responses((status = 200, body = inline(crate::models::pipeline::PipelineResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{pipeline_id}")]
async fn update(user: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = PipelineUpdate::parse(&json_body(&body)?)?;
    let pipeline = state.db.write(move |tx| pipelines::update(tx, &id, &upd, user.pk)).await?;
    Ok(json::ok(&pipeline))
}

/// Its snapshots and runs go with it (as the reference does).
#[utoipa::path(tag = "pipelines", operation_id = "pipelines_delete", summary = "Delete a pipeline with its runs (200 null)", security(("bearer" = [])), params(("pipeline_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{pipeline_id}")]
async fn remove(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    state.db.write(move |tx| pipelines::delete(tx, &id)).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "pipeline_snapshots", operation_id = "pipeline_snapshots_create", summary = "Create a pipeline snapshot", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a PipelineSnapshotRequest"), responses((status = 200, body = serde_json::Value, description = "a PipelineSnapshotResponse"), (status = 401, description = "Not authenticated"), (status = 404, description = "Pipeline or stack not found"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create_snapshot(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = match SnapshotRequest::parse_bytes(&body) {
        Some(req) => req?,
        None => SnapshotRequest::parse(&json_body(&body)?)?,
    };
    let snapshot = state.db.write(move |tx| snapshots::create(tx, &req, user.pk)).await?;
    Ok(json::ok(&snapshot))
}

#[utoipa::path(tag = "pipeline_snapshots", operation_id = "pipeline_snapshots_get", summary = "Get a pipeline snapshot", security(("bearer" = [])), params(("snapshot_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value, description = "a PipelineSnapshotResponse"), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{snapshot_id}")]
async fn get_snapshot(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let snapshot = state.db.read(move |c| snapshots::get(c, &id, hydrate)).await?;
    Ok(json::ok(&snapshot))
}

/// The query is validated as the reference does; trove has no code repositories.
#[utoipa::path(tag = "code_repositories", operation_id = "code_repositories_list", summary = "List code repositories (always empty)", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<serde_json::Value>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("/code_repositories")]
async fn code_repositories(_: AuthUser, req: HttpRequest) -> Reply {
    let q = filter::parse(&CODE_REPOSITORIES, &query_pairs(&req)?)?;
    let empty: Page<Value> = Page { index: q.page, max_size: q.size, total_pages: 1, total: 0, items: Vec::new() };
    Ok(json::ok(&empty))
}
