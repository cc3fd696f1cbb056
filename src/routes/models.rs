//! `/api/v1/models`, `/api/v1/model_versions` and their links
//! (`/model_version_artifacts`, `/model_version_pipeline_runs`).

use super::extract::{json_body, query_pairs, Body, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::{MODELS, MODEL_VERSIONS, MODEL_VERSION_ARTIFACTS, MODEL_VERSION_RUNS};
use crate::db::{model_links, model_versions, models};
use crate::filter;
use crate::models::model::{ModelRequest, ModelUpdate};
use crate::models::model_version::{LinkRequest, ModelVersionRequest, ModelVersionUpdate};
use actix_web::web::Path;
use actix_web::{delete, get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/models")
            .service(list_models)
            .service(create_model)
            .service(get_model)
            .service(update_model)
            .service(delete_model)
            .service(versions_of_model),
    )
    .service(
        scope("/model_versions")
            .service(list_versions)
            .service(create_version)
            .service(get_version)
            .service(update_version)
            .service(delete_version)
            .service(delete_artifact_links)
            .service(delete_artifact_link)
            .service(delete_run_link),
    )
    .service(list_artifact_links)
    .service(create_artifact_link)
    .service(list_run_links)
    .service(create_run_link);
}

#[utoipa::path(tag = "models", operation_id = "models_list", summary = "List models", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::model::ModelResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list_models(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &MODELS, models::list_models).await
}

#[utoipa::path(tag = "models", operation_id = "models_create", summary = "Create a model", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a ModelRequest"), responses((status = 200, body = inline(crate::models::model::ModelResponse)), (status = 401, description = "Not authenticated"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create_model(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = ModelRequest::parse(&json_body(&body)?)?;
    Ok(json::ok(&state.db.write(move |tx| models::create_model(tx, &req, user.pk)).await?))
}

#[utoipa::path(tag = "models", operation_id = "models_get", summary = "Get a model", security(("bearer" = [])), params(("model_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::model::ModelResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{model_id}")]
async fn get_model(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    Ok(json::ok(&state.db.read(move |c| models::get_model(c, &id.hyphenated(), hydrate)).await?))
}

#[utoipa::path(tag = "models", operation_id = "models_update", summary = "Update a model", security(("bearer" = [])), params(("model_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "a ModelUpdate"), responses((status = 200, body = inline(crate::models::model::ModelResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{model_id}")]
async fn update_model(user: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = ModelUpdate::parse(&json_body(&body)?)?;
    Ok(json::ok(&state.db.write(move |tx| models::update_model(tx, &id.hyphenated(), &upd, user.pk)).await?))
}

#[utoipa::path(tag = "models", operation_id = "models_delete", summary = "Delete a model with its versions (200 null)", security(("bearer" = [])), params(("model_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{model_id}")]
async fn delete_model(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    state.db.write(move |tx| models::delete_model(tx, &id.hyphenated())).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "models", operation_id = "models_list_versions", summary = "List the versions of a model (by name or id)", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::model_version::ModelVersionResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("/{model_name_or_id}/model_versions")]
async fn versions_of_model(_: AuthUser, req: HttpRequest, model: Path<String>, state: State) -> Reply {
    let mut pairs = query_pairs(&req)?;
    pairs.retain(|(k, _)| k != "model");
    pairs.push(("model".into(), model.into_inner()));
    let q = filter::parse(&MODEL_VERSIONS, &pairs)?;
    Ok(json::ok(&state.db.read(move |c| model_versions::list_versions(c, &q)).await?))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_list", summary = "List model versions", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::model_version::ModelVersionResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list_versions(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &MODEL_VERSIONS, model_versions::list_versions).await
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_create", summary = "Create a model version (next number)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a ModelVersionRequest"), responses((status = 200, body = inline(crate::models::model_version::ModelVersionResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Model not found"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create_version(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = ModelVersionRequest::parse(&json_body(&body)?)?;
    Ok(json::ok(&state.db.write(move |tx| model_versions::create_version(tx, &req, user.pk)).await?))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_get", summary = "Get a model version", security(("bearer" = [])), params(("model_version_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::model_version::ModelVersionResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{model_version_id}")]
async fn get_version(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    Ok(json::ok(&state.db.read(move |c| model_versions::get_version(c, &id, hydrate)).await?))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_update", summary = "Update a model version (stage, name, description, tags)", security(("bearer" = [])), params(("model_version_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "a ModelVersionUpdate"), responses((status = 200, body = inline(crate::models::model_version::ModelVersionResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 409, description = "Stage held by another version (use force)"), (status = 422, description = "Request validation failed")))]
#[put("/{model_version_id}")]
async fn update_version(user: AuthUser, PathId(id): PathId, Body(body): Body, state: State) -> Reply {
    let upd = ModelVersionUpdate::parse(&json_body(&body)?)?;
    Ok(json::ok(&state.db.write(move |tx| model_versions::update_version(tx, &id, &upd, user.pk)).await?))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_delete", summary = "Delete a model version and its links (200 null)", security(("bearer" = [])), params(("model_version_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{model_version_id}")]
async fn delete_version(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    state.db.write(move |tx| model_versions::delete_version(tx, &id)).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_delete_artifact_links", summary = "Unlink every artifact version of a model version (200 null)", security(("bearer" = [])), params(("model_version_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{model_version_id}/artifacts")]
async fn delete_artifact_links(_: AuthUser, PathId(id): PathId, state: State) -> Reply {
    state.db.write(move |tx| model_links::delete_artifact_links(tx, &id)).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_delete_artifact_link", summary = "Unlink an artifact (link id or artifact name) (200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{model_version_id}/artifacts/{model_version_artifact_link_name_or_id}")]
async fn delete_artifact_link(_: AuthUser, path: Path<(String, String)>, state: State) -> Reply {
    let (id, link) = path.into_inner();
    let id = super::extract::path_uuid(&id, "model_version_id")?;
    state.db.write(move |tx| model_links::delete_artifact_link(tx, &id, &link)).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_versions_delete_run_link", summary = "Unlink a run (link id or run name) (200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{model_version_id}/runs/{model_version_pipeline_run_link_name_or_id}")]
async fn delete_run_link(_: AuthUser, path: Path<(String, String)>, state: State) -> Reply {
    let (id, link) = path.into_inner();
    let id = super::extract::path_uuid(&id, "model_version_id")?;
    state.db.write(move |tx| model_links::delete_run_link(tx, &id, &link)).await?;
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_version_artifacts_list", summary = "List model-version ↔ artifact-version links", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::model_version::ArtifactLinkResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("/model_version_artifacts")]
async fn list_artifact_links(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &MODEL_VERSION_ARTIFACTS, model_links::list_artifact_links).await
}

#[utoipa::path(tag = "model_versions", operation_id = "model_version_artifacts_create", summary = "Link an artifact version to a model version (get or create)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{model_version, artifact_version}"), responses((status = 200, body = inline(crate::models::model_version::ArtifactLinkResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[post("/model_version_artifacts")]
async fn create_artifact_link(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = LinkRequest::parse(&json_body(&body)?, "artifact_version")?;
    let link = state
        .db
        .write(move |tx| model_links::create_artifact_link(tx, &req.model_version, &req.other, user.pk))
        .await?;
    Ok(json::ok(&link))
}

#[utoipa::path(tag = "model_versions", operation_id = "model_version_pipeline_runs_list", summary = "List model-version ↔ run links", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::model_version::RunLinkResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("/model_version_pipeline_runs")]
async fn list_run_links(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &MODEL_VERSION_RUNS, model_links::list_run_links).await
}

#[utoipa::path(tag = "model_versions", operation_id = "model_version_pipeline_runs_create", summary = "Link a run to a model version (get or create)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{model_version, pipeline_run}"), responses((status = 200, body = inline(crate::models::model_version::RunLinkResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[post("/model_version_pipeline_runs")]
async fn create_run_link(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = LinkRequest::parse(&json_body(&body)?, "pipeline_run")?;
    let link =
        state.db.write(move |tx| model_links::create_run_link(tx, &req.model_version, &req.other, user.pk)).await?;
    Ok(json::ok(&link))
}
