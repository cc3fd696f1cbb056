//! HTTP routes. `configure` mounts `/health`, `/ready` and everything under
//! `/api/v1`; each resource module adds its own routes.

pub mod artifact_versions;
pub mod artifacts;
pub mod auth;
pub mod extract;
pub mod projects;
pub mod server;
pub mod stacks;
pub mod tags;
pub mod users;

use crate::error::ApiError;
use actix_web::web;

/// Largest accepted request body (batch creates can be large).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(web::PathConfig::default().error_handler(|e, _| ApiError::internal(e).into()))
        .configure(server::configure)
        .service(
            web::scope("/api/v1")
                .configure(server::configure_api)
                .configure(auth::configure_api)
                .configure(projects::configure_api)
                .configure(artifact_versions::configure_api)
                .configure(artifacts::configure_api)
                .configure(users::configure_api)
                .configure(stacks::configure_api)
                .configure(tags::configure_api),
        )
        .default_service(web::to(not_found));
}

async fn not_found() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotFound().json(serde_json::json!({ "detail": "Not Found" }))
}
