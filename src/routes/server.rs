//! Public server endpoints: `/health`, `/ready`, `/api/v1/info`, `/api/v1/version`.

use super::json;
use crate::models::Ts;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

/// The ZenML version trove speaks (the client warns on a mismatch).
pub const ZENML_VERSION: &str = "0.98.0";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(info).service(version);
}

#[utoipa::path(tag = "server", operation_id = "server_health", summary = "Liveness: `ok`", responses((status = 200, body = String)))]
#[get("/health")]
async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

#[utoipa::path(tag = "server", operation_id = "server_ready", summary = "Readiness: `ok`", responses((status = 200, body = String)))]
#[get("/ready")]
async fn ready() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

#[utoipa::path(tag = "server", operation_id = "server_version", summary = "ZenML version spoken (public)", responses((status = 200, body = String, content_type = "application/json")))]
#[get("/version")]
async fn version() -> HttpResponse {
    json::ok(&ZENML_VERSION)
}

#[derive(Serialize)]
struct ServerInfo {
    id: String,
    name: &'static str,
    version: &'static str,
    active: bool,
    debug: bool,
    deployment_type: &'static str,
    database_type: &'static str,
    secrets_store_type: &'static str,
    auth_scheme: &'static str,
    server_url: &'static str,
    dashboard_url: &'static str,
    analytics_enabled: bool,
    metadata: serde_json::Map<String, serde_json::Value>,
    last_user_activity: Ts,
    pro_dashboard_url: Option<String>,
    pro_api_url: Option<String>,
    pro_organization_id: Option<String>,
    pro_organization_name: Option<String>,
    pro_workspace_id: Option<String>,
    pro_workspace_name: Option<String>,
}

#[utoipa::path(tag = "server", operation_id = "server_info", summary = "Server information (public)", responses((status = 200, body = serde_json::Value)))]
#[get("/info")]
async fn info(state: web::Data<AppState>) -> HttpResponse {
    json::ok(&ServerInfo {
        id: state.server_id.hyphenated(),
        name: "default",
        version: ZENML_VERSION,
        active: true,
        debug: false,
        deployment_type: "other",
        database_type: "sqlite",
        secrets_store_type: "none",
        auth_scheme: "OAUTH2_PASSWORD_BEARER",
        server_url: "",
        dashboard_url: "",
        analytics_enabled: false,
        metadata: Default::default(),
        last_user_activity: Ts::now(),
        pro_dashboard_url: None,
        pro_api_url: None,
        pro_organization_id: None,
        pro_organization_name: None,
        pro_workspace_id: None,
        pro_workspace_name: None,
    })
}
