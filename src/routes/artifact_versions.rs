//! `/api/v1/artifact_versions`: list, create, batch create, get, update,
//! delete and prune. Thin: parse → one database call → JSON.

use super::extract::{bool_param, json_body, last, path_uuid, query_pairs};
use crate::auth::AuthUser;
use crate::db::{artifact_versions as av, version_list, version_load};
use crate::error::{ApiError, Issue};
use crate::filter::{self, ARTIFACT_VERSIONS};
use crate::models::artifact_version::{ArtifactVersionRequest, ArtifactVersionUpdate};
use crate::models::validate::Invalid;
use crate::state::AppState;
use actix_web::web::{Bytes, Path};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

const ID: &str = "artifact_version_id";

pub fn configure_api(cfg: &mut web::ServiceConfig) {
    cfg.route("/artifact_versions", web::get().to(list))
        .route("/artifact_versions", web::post().to(create))
        .route("/artifact_versions", web::delete().to(prune))
        .route("/artifact_versions/batch", web::post().to(batch_create))
        .route("/artifact_versions/{artifact_version_id}", web::get().to(get))
        .route("/artifact_versions/{artifact_version_id}", web::put().to(update))
        .route("/artifact_versions/{artifact_version_id}", web::delete().to(delete));
}

async fn list(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = filter::parse(&ARTIFACT_VERSIONS, &query_pairs(&req)?)?;
    let page = state.db.read(move |c| version_list::list(c, &q)).await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn create(user: AuthUser, body: Bytes, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let request = ArtifactVersionRequest::parse(&json_body(&body)?, &["body"])?;
    let created = state
        .db
        .write(move |tx| {
            let pk = av::create(tx, &request, user.pk)?;
            Ok(version_load::load(tx, &[pk], true)?.pop())
        })
        .await?;
    Ok(HttpResponse::Ok().json(created.ok_or_else(|| ApiError::internal("created version vanished"))?))
}

/// All items are validated first and created in one transaction: all or nothing.
async fn batch_create(user: AuthUser, body: Bytes, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
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
    let created = state
        .db
        .write(move |tx| {
            let mut pks = Vec::with_capacity(requests.len());
            for r in &requests {
                pks.push(av::create(tx, r, user.pk)?);
            }
            version_load::load(tx, &pks, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(created))
}

async fn get(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, ID)?;
    let hydrate = bool_param(&query_pairs(&req)?, "hydrate", true)?;
    let version = state.db.read(move |c| av::get(c, &id, hydrate)).await?;
    Ok(HttpResponse::Ok().json(version))
}

async fn update(
    user: AuthUser,
    path: Path<String>,
    body: Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, ID)?;
    let upd = ArtifactVersionUpdate::parse(&json_body(&body)?)?;
    let version = state
        .db
        .write(move |tx| {
            let pk = av::update(tx, &id, &upd, user.pk)?;
            Ok(version_load::load(tx, &[pk], true)?.pop())
        })
        .await?;
    Ok(HttpResponse::Ok().json(version.ok_or_else(|| ApiError::internal("updated version vanished"))?))
}

async fn delete(
    _: AuthUser,
    req: HttpRequest,
    path: Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&path, ID)?;
    let pairs = query_pairs(&req)?;
    let delete_metadata = bool_param(&pairs, "delete_metadata", true)?;
    let from_store = bool_param(&pairs, "delete_from_artifact_store", false)?;
    state.db.write(move |tx| av::delete(tx, &id, delete_metadata, from_store)).await?;
    Ok(HttpResponse::Ok().json(Value::Null))
}

/// `DELETE /api/v1/artifact_versions?project_name_or_id=…&only_versions=…`
async fn prune(_: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req)?;
    let only_versions = bool_param(&pairs, "only_versions", true)?;
    let project = last(&pairs, "project_name_or_id")
        .ok_or_else(|| {
            ApiError::validation(Issue::new("missing", &["query", "project_name_or_id"], "Field required", "None"))
        })?
        .to_string();
    state.db.write(move |tx| av::prune(tx, &project, only_versions)).await?;
    Ok(HttpResponse::Ok().json(Value::Null))
}
