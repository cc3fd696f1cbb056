//! Artifact responses: the full object of `/api/v1/artifacts` and the short
//! form nested in every artifact version.

use super::tag::TagResponse;
use super::user::UserResponse;
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactMetadata {
    pub has_custom_name: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactResources {
    #[schema(value_type = Option<UserResponse>, inline)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Vec<TagResponse>, inline)]
    pub tags: Vec<Shared<TagResponse>>,
    pub latest_version_name: Option<String>,
    pub latest_version_id: Option<Id>,
}

pub type ArtifactResponse = Entity<ArtifactBody, ArtifactMetadata, ArtifactResources>;
/// The parent artifact inside a version: never with metadata or resources.
pub type ArtifactNested = Entity<ArtifactBody, Nothing, Nothing>;

/// An artifact row as loaded by the database layer.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub id: Id,
    pub name: String,
    pub has_custom_name: bool,
    pub user_id: Option<Id>,
    pub project_id: Id,
    pub created: Ts,
    pub updated: Ts,
}

impl Artifact {
    pub fn body(&self) -> ArtifactBody {
        ArtifactBody {
            created: self.created,
            updated: self.updated,
            user_id: self.user_id,
            project_id: self.project_id,
        }
    }

    pub fn nested(&self) -> ArtifactNested {
        Entity::named(self.id, self.name.clone(), self.body(), None, None)
    }
}
