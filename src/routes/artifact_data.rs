//! The artifact-data endpoints of a version: `visualize`, `download-token`
//! and `data`. trove's artifact stores are local: their files belong to the
//! clients, and the server refuses to read them, exactly as ZenML does for a
//! local store (`artifact-versions.md` §10).

use super::extract::{last, path_uuid, query_pairs};
use super::handler::{Reply, State};
use crate::auth::AuthUser;
use crate::db::artifact_versions as av;
use crate::error::{ApiError, Issue};
use crate::models::Id;
use crate::pycompat::repr_str;
use crate::state::AppState;
use actix_web::web::Path;
use actix_web::{get, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

const ID: &str = "artifact_version_id";
const LOCAL_REFUSAL: &str = "Files in a local artifact store cannot be accessed from the server.";

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(visualize).service(download_token).service(data);
}

/// The version's store, or the reference's 404 when it has none.
async fn store_of(state: &AppState, id: &Id) -> Result<((Id, String), i64), ApiError> {
    let key = *id;
    let (store, visualizations) = state.db.read(move |c| av::store_of(c, &key)).await?;
    let store = store
        .ok_or_else(|| ApiError::NotFound(format!("'Artifact version {} has no artifact store'", id.hyphenated())))?;
    Ok((store, visualizations))
}

fn refuse_local(flavor: &str) -> ApiError {
    match flavor {
        "local" => ApiError::Forbidden(LOCAL_REFUSAL.into()),
        other => ApiError::Runtime(format!("Artifact stores of flavor '{other}' are not supported by trove.")),
    }
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_visualize", summary = "Render a visualization (403 for local stores)", security(("bearer" = [])), params(("index" = Option<i64>, Query, description = "visualization index, default 0")), responses((status = 200, body = serde_json::Value), (status = 403, description = "Local artifact store"), (status = 404, description = "No artifact store or no such visualization")))]
#[get("/{artifact_version_id}/visualize")]
async fn visualize(_: AuthUser, req: HttpRequest, path: Path<String>, state: State) -> Reply {
    let id = path_uuid(&path, ID)?;
    let pairs = query_pairs(&req)?;
    let index: i64 = match last(&pairs, "index") {
        None => 0,
        Some(raw) => raw.trim().parse().map_err(|_| {
            ApiError::validation(Issue::new(
                "int_parsing",
                &["query", "index"],
                "Input should be a valid integer, unable to parse string as an integer",
                repr_str(raw),
            ))
        })?,
    };
    let ((_, flavor), count) = store_of(&state, &id).await?;
    if index < 0 || index >= count {
        return Err(ApiError::DoesNotExist(format!(
            "Artifact '{}' only has {count} visualizations, but index {index} was requested.",
            id.hyphenated()
        )));
    }
    Err(refuse_local(&flavor))
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_download_token", summary = "A short-lived download token (403 for local stores)", security(("bearer" = [])), responses((status = 200, body = String, content_type = "application/json"), (status = 403, description = "Local artifact store"), (status = 404, description = "No artifact store")))]
#[get("/{artifact_version_id}/download-token")]
async fn download_token(_: AuthUser, path: Path<String>, state: State) -> Reply {
    let id = path_uuid(&path, ID)?;
    let ((_, flavor), _) = store_of(&state, &id).await?;
    Err(refuse_local(&flavor))
}

#[utoipa::path(tag = "artifact_versions", operation_id = "artifact_versions_data", summary = "Download the artifact data (authenticated by its token; 403 for local stores)", params(("token" = String, Query, description = "download token")), responses((status = 200, description = "tar.gz of the data"), (status = 401, description = "Invalid token"), (status = 403, description = "Local artifact store")))]
#[get("/{artifact_version_id}/data")]
async fn data(req: HttpRequest, path: Path<String>, state: State) -> Reply {
    let id = path_uuid(&path, ID)?;
    let pairs = query_pairs(&req)?;
    let token = last(&pairs, "token")
        .ok_or_else(|| ApiError::validation(Issue::new("missing", &["query", "token"], "Field required", "None")))?;
    state.tokens.verify_download(token, &id).map_err(ApiError::LoginFailed)?;
    let ((_, flavor), _) = store_of(&state, &id).await?;
    Err(refuse_local(&flavor))
}
