//! Model versions (`/model_versions`) and their links to artifact
//! versions and runs.

use super::artifact_version::{ArtifactVersionResponse, RunMetadata};
use super::model::ModelNested;
use super::run::RunResponse;
use super::tag::{parse_tag_refs, TagRef, TagResponse};
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Empty, Entity, Id, Page, Shared, Ts};
use serde::Serialize;
use serde_json::Value;

/// ZenML's `ModelStages`.
pub const STAGES: &[&str] = &["none", "staging", "production", "archived", "latest"];

/// A validated `POST /model_versions` body.
#[derive(Debug, Clone)]
pub struct ModelVersionRequest {
    pub project: Id,
    pub model: Id,
    pub name: Option<String>,
    pub description: Option<String>,
    pub stage: Option<String>,
    pub tags: Vec<TagRef>,
}

impl ModelVersionRequest {
    pub fn parse(v: &Value) -> Result<ModelVersionRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let model = f.required_uuid("model");
        let name = f.optional_str("name", 255);
        let description = f.optional_str("description", 65535);
        let stage = f.get("stage").map(|s| f.check_enum(&["stage"], s, STAGES));
        let tags = f.optional_str_list("tags");
        f.finish()?;
        let (Some(project), Some(model), Some(name), Some(description), Some(tags)) =
            (project, model, name, description, tags)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ModelVersionRequest {
            project,
            model,
            name,
            description,
            stage: stage.flatten(),
            tags: parse_tag_refs(&tags.unwrap_or_default())?,
        })
    }
}

/// A validated `PUT /model_versions/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct ModelVersionUpdate {
    pub stage: Option<String>,
    pub force: bool,
    pub name: Option<String>,
    pub description: Option<String>,
    pub add_tags: Vec<TagRef>,
    pub remove_tags: Vec<String>,
}

impl ModelVersionUpdate {
    pub fn parse(v: &Value) -> Result<ModelVersionUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let stage = f.get("stage").map(|s| f.check_enum(&["stage"], s, STAGES));
        let force = f.optional_bool("force");
        let name = f.optional_str("name", 255);
        let description = f.optional_str("description", 65535);
        let add = f.optional_str_list("add_tags");
        let remove = f.optional_str_list("remove_tags");
        f.finish()?;
        let (Some(force), Some(name), Some(description), Some(add), Some(remove)) =
            (force, name, description, add, remove)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ModelVersionUpdate {
            stage: stage.flatten(),
            force: force.unwrap_or(false),
            name,
            description,
            add_tags: parse_tag_refs(&add.unwrap_or_default())?,
            remove_tags: remove.unwrap_or_default(),
        })
    }
}

/// `POST /model_version_artifacts` / `POST /model_version_pipeline_runs`:
/// the model version and the other side of the link.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    pub model_version: Id,
    pub other: Id,
}

impl LinkRequest {
    pub fn parse(v: &Value, other: &str) -> Result<LinkRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let model_version = f.required_uuid("model_version");
        let id = f.required_uuid(other);
        f.finish()?;
        match (model_version, id) {
            (Some(model_version), Some(other)) => Ok(LinkRequest { model_version, other }),
            _ => Err(Invalid::Schema(Vec::new())),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelVersionBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    pub stage: Option<String>,
    pub number: i64,
    #[schema(value_type = Object)]
    pub model: ModelNested,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelVersionMetadata {
    pub description: Option<String>,
    pub run_metadata: RunMetadata,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelVersionResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    /// Always an empty page (trove serves no model services).
    #[schema(value_type = Object)]
    pub services: Page<Value>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Shared<TagResponse>>,
}

pub type ModelVersionResponse = Entity<ModelVersionBody, ModelVersionMetadata, ModelVersionResources>;

/// The empty page of `resources.services` (required by the client).
pub fn no_services() -> Page<Value> {
    Page { index: 1, max_size: 5, total_pages: 1, total: 0, items: Vec::new() }
}

/// A model version row as loaded.
#[derive(Debug, Clone)]
pub struct ModelVersion {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub body: ModelVersionBody,
    pub user_pk: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactLinkBody {
    pub created: Ts,
    pub updated: Ts,
    pub model_version: Id,
    #[schema(value_type = Object)]
    pub artifact_version: ArtifactVersionResponse,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunLinkBody {
    pub created: Ts,
    pub updated: Ts,
    pub model_version: Id,
    #[schema(value_type = Object)]
    pub pipeline_run: RunResponse,
}

/// A link's `metadata` is `{}` when hydrated (also for an existing link,
/// where the reference answers `null`: `pipeline-runs.md` §6 #21).
pub type ArtifactLinkResponse = Entity<ArtifactLinkBody, Empty, Empty>;
pub type RunLinkResponse = Entity<RunLinkBody, Empty, Empty>;
