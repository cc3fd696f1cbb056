//! The artifact-version response object (spec §4). The requests live in
//! [`super::version_request`] and are re-exported here.

use super::artifact::ArtifactNested;
use super::tag::TagResponse;
use super::user::UserResponse;
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

pub use super::version_request::*;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactVersionBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    #[schema(value_type = ArtifactNested, inline)]
    pub artifact: Shared<ArtifactNested>,
    pub version: String,
    pub uri: String,
    #[serde(rename = "type")]
    pub artifact_type: String,
    #[schema(value_type = Object)]
    pub materializer: Box<RawValue>,
    #[schema(value_type = Object)]
    pub data_type: Box<RawValue>,
    pub save_type: String,
    pub artifact_store_id: Option<Id>,
    pub content_hash: Option<String>,
    pub item_count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisualizationBody {
    pub created: Ts,
    pub updated: Ts,
    #[serde(rename = "type")]
    pub vtype: String,
    pub uri: String,
}

pub type VisualizationResponse = Entity<VisualizationBody, Nothing, Nothing>;

/// Run metadata: key → stored JSON text, serialized as one JSON object.
#[derive(Debug, Clone, Default)]
pub struct RunMetadata(pub Vec<(String, Box<RawValue>)>);

impl utoipa::PartialSchema for RunMetadata {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new().description(Some("key → JSON value")).into()
    }
}
impl utoipa::ToSchema for RunMetadata {}

impl Serialize for RunMetadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactVersionMetadata {
    #[schema(inline)]
    pub visualizations: Vec<VisualizationResponse>,
    pub run_metadata: RunMetadata,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArtifactVersionResources {
    #[schema(value_type = Option<UserResponse>, inline)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Vec<TagResponse>, inline)]
    pub tags: Vec<Shared<TagResponse>>,
    pub producer_step_run_id: Option<Id>,
    pub producer_pipeline_run_id: Option<Id>,
}

pub type ArtifactVersionResponse = Entity<ArtifactVersionBody, ArtifactVersionMetadata, ArtifactVersionResources>;
