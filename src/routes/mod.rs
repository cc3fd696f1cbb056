//! HTTP routes. `configure` mounts `/health`, `/ready` and everything under
//! `/api/v1`; each resource module registers its annotated handlers as
//! services, so each is in the generated OpenAPI document (`/openapi.json`).
//! A module mounts its handlers in a scope named for its resource
//! (`scope("/steps")`, the handlers' paths relative to it): the router then
//! compares one prefix per resource instead of trying every route pattern
//! before the matching one (bench/README.md, "Route scopes"). Lone static
//! routes (`/run-metadata`, `/code_repositories`) stay unscoped.

pub mod artifact_data;
pub mod artifact_versions;
pub mod artifacts;
pub mod auth;
pub mod extract;
pub mod handler;
pub mod json;
pub mod logs;
pub mod metrics;
pub mod models;
pub mod pipelines;
pub mod projects;
pub mod runs;
pub mod server;
pub mod service_accounts;
pub mod stacks;
pub mod steps;
pub mod tags;
pub mod users;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(server::configure).service(
        utoipa_actix_web::scope("/api/v1")
            .configure(server::configure_api)
            .configure(auth::configure_api)
            .configure(projects::configure_api)
            .configure(artifact_versions::configure_api)
            .configure(artifacts::configure_api)
            .configure(users::configure_api)
            .configure(stacks::configure_api)
            .configure(tags::configure_api)
            .configure(logs::configure_api)
            .configure(pipelines::configure_api)
            .configure(runs::configure_api)
            .configure(steps::configure_api)
            .configure(models::configure_api)
            .configure(service_accounts::configure_api),
    );
}

/// The document's header: title, version, bearer security scheme; the
/// paths and schemas are collected from the registered handlers.
pub fn openapi_base() -> utoipa::openapi::OpenApi {
    use crate::models::{artifact as a, artifact_version as av, project as p, stack as s, tag as t, user as u};
    use crate::models::{
        logs as l, model as m, model_version as mv, pipeline as pl, run as r, snapshot as sn, step as st,
    };
    #[derive(utoipa::OpenApi)]
    #[openapi(components(schemas(
        av::ArtifactVersionBody,
        av::ArtifactVersionMetadata,
        av::ArtifactVersionResources,
        av::VisualizationBody,
        av::RunMetadata,
        a::ArtifactBody,
        a::ArtifactMetadata,
        a::ArtifactResources,
        t::TagBody,
        t::TagMetadata,
        t::TagResources,
        u::UserBody,
        u::UserMetadata,
        p::ProjectBody,
        p::ProjectMetadata,
        s::ComponentBody,
        s::ComponentMetadata,
        s::ComponentResources,
        s::FlavorBody,
        s::StackBody,
        s::StackMetadata,
        s::StackResources,
        l::LogsBody,
        l::LogsMetadata,
        l::LogsResources,
        pl::PipelineBody,
        pl::PipelineMetadata,
        pl::PipelineResources,
        sn::SnapshotBody,
        sn::SnapshotResources,
        r::RunBody,
        r::RunMetadataBlock,
        r::RunResources,
        st::StepBody,
        st::StepMetadata,
        st::StepResources,
        st::StepInput,
        m::ModelBody,
        m::ModelMetadata,
        m::ModelResources,
        mv::ModelVersionBody,
        mv::ModelVersionMetadata,
        mv::ModelVersionResources,
        mv::ArtifactLinkBody,
        mv::RunLinkBody,
        crate::models::service_account::ServiceAccountBody,
        crate::models::service_account::ServiceAccountMetadata,
        crate::models::api_key::ApiKeyBody,
        crate::models::api_key::ApiKeyMetadata,
        crate::models::Empty,
        crate::models::Id,
        crate::models::Ts
    )))]
    struct Schemas;
    let mut doc = <Schemas as utoipa::OpenApi>::openapi();
    doc.info = utoipa::openapi::InfoBuilder::new()
        .title("trove")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some("ZenML 0.98 artifact-version REST API served from SQLite"))
        .build();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    doc
}

pub async fn not_found() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotFound().json(serde_json::json!({ "detail": "Not Found" }))
}
