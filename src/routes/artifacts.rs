//! `/api/v1/artifacts` (list, get, delete; used by `zenml artifact list|prune`).

use super::extract::{path_uuid, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::artifacts;
use crate::db::tables::ARTIFACTS;
use actix_web::web::Path;
use actix_web::{delete, get, HttpRequest};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/artifacts").service(list).service(get).service(delete));
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_list", summary = "List artifacts", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::artifact::ArtifactResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &ARTIFACTS, artifacts::list_page).await
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_get", summary = "Get an artifact", security(("bearer" = [])), params(("artifact_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::artifact::ArtifactResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{artifact_id}")]
async fn get(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let artifact = state.db.read(move |c| artifacts::get(c, &id, hydrate)).await?;
    Ok(json::ok(&artifact))
}

#[utoipa::path(tag = "artifacts", operation_id = "artifacts_delete", summary = "Delete an artifact and its versions (200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[delete("/{artifact_id}")]
async fn delete(_: AuthUser, path: Path<String>, state: State) -> Reply {
    let id = path_uuid(&path, "artifact_id")?;
    state.db.write_alone(move |tx| artifacts::delete(tx, &id)).await?;
    Ok(json::ok(&serde_json::Value::Null))
}
