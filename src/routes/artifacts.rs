//! `/api/v1/artifacts` (list, get, delete; used by `zenml artifact list|prune`).

use super::extract::{bool_param, path_uuid, query_pairs};
use super::json;
use crate::auth::AuthUser;
use crate::db::artifacts;
use crate::db::tables::ARTIFACTS;
use crate::error::ApiError;
use crate::filter;
use crate::state::AppState;
use actix_web::web::Path;
use actix_web::{delete, get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get).service(delete);
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_list", summary = "List artifacts", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::artifact::ArtifactResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/artifacts")]
async fn list(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&ARTIFACTS, &query_pairs(&req)?)?;
    let page = state.db.read(move |c| artifacts::list_page(c, &q)).await?;
    Ok(json::ok(&page))
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_get", summary = "Get an artifact", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::artifact::ArtifactResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/artifacts/{artifact_id}")]
async fn get(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, "artifact_id")?;
    let hydrate = bool_param(&query_pairs(&req)?, "hydrate", true)?;
    let artifact = state.db.read(move |c| artifacts::get(c, &id, hydrate)).await?;
    Ok(json::ok(&artifact))
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_delete", summary = "Delete an artifact and its versions (200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[delete("/artifacts/{artifact_id}")]
async fn delete(_: AuthUser, path: Path<String>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, "artifact_id")?;
    state.db.write_alone(move |tx| artifacts::delete(tx, &id)).await?;
    Ok(json::ok(&serde_json::Value::Null))
}
