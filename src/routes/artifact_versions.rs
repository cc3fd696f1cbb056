//! `/api/v1/artifact_versions`: list, create, batch create, get, update,
//! delete and prune. Thin: parse → one database call → JSON.

use super::extract::Body;
use super::extract::{bool_param, json_body, last, path_uuid, query_pairs, Hydrate, PathId};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::ARTIFACT_VERSIONS;
use crate::db::{artifact_versions as av, version_list, version_load};
use crate::error::{ApiError, Issue};
use crate::models::artifact_version::{ArtifactVersionRequest, ArtifactVersionUpdate};
use crate::models::validate::Invalid;
use actix_web::web::Path;
use actix_web::{delete, get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

const ID: &str = "artifact_version_id";

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/artifact_versions")
            .service(list)
            .service(create)
            .service(prune)
            .service(batch_create)
            .service(get)
            .service(update)
            .service(delete)
            .configure(super::artifact_data::configure_api),
    );
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_list", summary = "List artifact versions (ZenML filter language)", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::artifact_version::ArtifactVersionResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &ARTIFACT_VERSIONS, version_list::list).await
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_create", summary = "Create an artifact version", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "an artifact-version create body (spec §6.1)"), responses((status = 200, body = inline(crate::models::artifact_version::ArtifactVersionResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let request = ArtifactVersionRequest::parse(&json_body(&body)?, &["body"])?;
    let version = state.db.write(move |tx| av::create_and_load(tx, &request, user.pk)).await?;
    Ok(json::ok(&version))
}

/// All items are validated first and created in one transaction: all or nothing.
#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_batch_create", summary = "Create several versions, all or nothing", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a JSON array of create bodies"), responses((status = 200, body = inline(Vec<crate::models::artifact_version::ArtifactVersionResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[post("/batch")]
async fn batch_create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let Value::Array(items) = json_body(&body)? else {
        return Err(ApiError::validation(Issue::new("list_type", &["body"], "Input should be a valid list", "{...}")));
    };
    let mut requests = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    let mut first_other: Option<Invalid> = None;
    for (i, item) in items.iter().enumerate() {
        match ArtifactVersionRequest::parse(item, &["body", &i.to_string()]) {
            Ok(r) => requests.push(r),
            Err(Invalid::Schema(mut found)) => issues.append(&mut found),
            Err(other) => {
                first_other.get_or_insert(other);
            }
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if let Some(e) = first_other {
        return Err(e.into());
    }
    if requests.len() <= av::SMALL_BATCH {
        let created = state.db.write(move |tx| av::create_all_and_load(tx, &requests, user.pk)).await?;
        return Ok(json::ok(&created));
    }
    let pks = state
        .db
        .write_alone(move |tx| requests.iter().map(|r| av::create(tx, r, user.pk)).collect::<Result<Vec<_>, _>>())
        .await?;
    let created = state.db.read(move |c| version_load::load(c, &pks, true)).await?;
    Ok(json::ok(&created))
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_get", summary = "Get an artifact version", security(("bearer" = [])), params(("artifact_version_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::artifact_version::ArtifactVersionResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{artifact_version_id}")]
async fn get(_: AuthUser, PathId(id): PathId, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let version = state.db.read(move |c| av::get(c, &id, hydrate)).await?;
    Ok(json::ok(&version))
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_update", summary = "Add and remove tags", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "{add_tags: [...], remove_tags: [...]}"), responses((status = 200, body = inline(crate::models::artifact_version::ArtifactVersionResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[put("/{artifact_version_id}")]
async fn update(user: AuthUser, path: Path<String>, Body(body): Body, state: State) -> Reply {
    let id = path_uuid(&path, ID)?;
    let upd = ArtifactVersionUpdate::parse(&json_body(&body)?)?;
    let version = state.db.write(move |tx| av::update_and_load(tx, &id, &upd, user.pk)).await?;
    Ok(json::ok(&version))
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_delete", summary = "Delete an artifact version (200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[delete("/{artifact_version_id}")]
async fn delete(_: AuthUser, req: HttpRequest, path: Path<String>, state: State) -> Reply {
    let id = path_uuid(&path, ID)?;
    let pairs = query_pairs(&req)?;
    let delete_metadata = bool_param(&pairs, "delete_metadata", true)?;
    let from_store = bool_param(&pairs, "delete_from_artifact_store", false)?;
    state.db.write(move |tx| av::delete(tx, &id, delete_metadata, from_store)).await?;
    Ok(json::ok(&Value::Null))
}

/// `DELETE /api/v1/artifact_versions?project_name_or_id=…&only_versions=…`
#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_prune", summary = "Delete the unused versions of a project (query: project_name_or_id, only_versions)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[delete("")]
async fn prune(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    let pairs = query_pairs(&req)?;
    let only_versions = bool_param(&pairs, "only_versions", true)?;
    let project = last(&pairs, "project_name_or_id")
        .ok_or_else(|| {
            ApiError::validation(Issue::new("missing", &["query", "project_name_or_id"], "Field required", "None"))
        })?
        .to_string();
    state.db.write_alone(move |tx| av::prune(tx, &project, only_versions)).await?;
    Ok(json::ok(&Value::Null))
}
