//! Pipelines (`/pipelines`): a named pipeline of a project, the parent of
//! its snapshots and runs.

use super::tag::{parse_tag_refs, TagRef, TagResponse};
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::Serialize;
use serde_json::Value;

/// A validated `POST /pipelines` body.
#[derive(Debug, Clone)]
pub struct PipelineRequest {
    pub project: Id,
    pub name: String,
    pub description: Option<String>,
    pub tags: Vec<TagRef>,
}

impl PipelineRequest {
    pub fn parse(v: &Value) -> Result<PipelineRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let name = f.required_str("name", 0, 255);
        let description = f.optional_str("description", 65535);
        let tags = f.optional_str_list("tags");
        f.finish()?;
        let (Some(project), Some(name), Some(description), Some(tags)) = (project, name, description, tags) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(PipelineRequest { project, name, description, tags: parse_tag_refs(&tags.unwrap_or_default())? })
    }
}

/// A validated `PUT /pipelines/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct PipelineUpdate {
    pub description: Option<Option<String>>,
    pub add_tags: Vec<TagRef>,
    pub remove_tags: Vec<String>,
}

impl PipelineUpdate {
    pub fn parse(v: &Value) -> Result<PipelineUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let has_description = f.get("description").is_some();
        let description = f.optional_str("description", 65535);
        let add = f.optional_str_list("add_tags");
        let remove = f.optional_str_list("remove_tags");
        f.finish()?;
        let (Some(description), Some(add), Some(remove)) = (description, add, remove) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(PipelineUpdate {
            description: has_description.then_some(description),
            add_tags: parse_tag_refs(&add.unwrap_or_default())?,
            remove_tags: remove.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PipelineBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PipelineMetadata {
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PipelineResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Option<Object>)]
    pub latest_run_user: Option<Shared<UserResponse>>,
    pub latest_run_id: Option<Id>,
    pub latest_run_status: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Shared<TagResponse>>,
    #[schema(value_type = Vec<Object>)]
    pub visualizations: Vec<Value>,
}

pub type PipelineResponse = Entity<PipelineBody, PipelineMetadata, PipelineResources>;
pub type PipelineNested = Entity<PipelineBody, Nothing, Nothing>;

/// A pipeline row as loaded, with its newest run (pk, id, status, user pk).
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub body: PipelineBody,
    pub user_pk: Option<i64>,
    pub latest_run: Option<(Id, String, Option<i64>)>,
}

impl Pipeline {
    pub fn nested(&self) -> PipelineNested {
        Entity::named(self.id, self.name.clone(), self.body.clone(), None, None)
    }
}
