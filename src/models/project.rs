//! Project responses and the create request.

use super::validate::{Fields, Issues};
use super::{Entity, Id, Nothing, Ts};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectBody {
    pub created: Ts,
    pub updated: Ts,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectMetadata {
    pub description: String,
    #[schema(value_type = Object)]
    pub project_metadata: serde_json::Map<String, serde_json::Value>,
}

pub type ProjectResponse = Entity<ProjectBody, ProjectMetadata, Nothing>;

#[derive(Debug, Clone)]
pub struct Project {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub created: Ts,
    pub updated: Ts,
}

impl Project {
    pub fn to_response(&self, hydrate: bool) -> ProjectResponse {
        let body =
            ProjectBody { created: self.created, updated: self.updated, display_name: self.display_name.clone() };
        let metadata = hydrate
            .then(|| ProjectMetadata { description: self.description.clone(), project_metadata: Default::default() });
        Entity::named(self.id, self.name.clone(), body, metadata, None)
    }
}

/// `POST /api/v1/projects` body.
#[derive(Debug, Clone)]
pub struct ProjectRequest {
    pub name: String,
    pub display_name: String,
    pub description: String,
}

impl ProjectRequest {
    pub fn parse(v: &serde_json::Value) -> Result<ProjectRequest, Issues> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.required_str("name", 1, 255);
        let display_name = f.optional_str("display_name", 255);
        let description = f.optional_str("description", 65535);
        f.finish()?;
        let name = name.unwrap_or_default();
        Ok(ProjectRequest {
            display_name: display_name.flatten().unwrap_or_else(|| name.clone()),
            description: description.flatten().unwrap_or_default(),
            name,
        })
    }
}
