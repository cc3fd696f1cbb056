//! Models (`/models`): a named model of a project, the parent of its
//! numbered versions (`pipeline-runs.md` §5).

use super::tag::{parse_tag_refs, TagRef, TagResponse};
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::Serialize;
use serde_json::Value;

/// The descriptive text fields of a model, in the reference's order.
pub const TEXT_FIELDS: [&str; 7] =
    ["license", "description", "audience", "use_cases", "limitations", "trade_offs", "ethics"];

/// The text fields and the registry flag of a model request or update.
#[derive(Debug, Clone, Default)]
pub struct ModelFields {
    /// `TEXT_FIELDS` in order; `None` = absent.
    pub texts: [Option<Option<String>>; 7],
    pub save_models_to_registry: Option<bool>,
}

fn parse_fields(f: &mut Fields) -> Option<ModelFields> {
    let mut out = ModelFields::default();
    let mut ok = true;
    for (i, key) in TEXT_FIELDS.iter().enumerate() {
        let given = f.get(key).is_some();
        match f.optional_str(key, 65535) {
            Some(v) => out.texts[i] = given.then_some(v),
            None => ok = false,
        }
    }
    match f.optional_bool("save_models_to_registry") {
        Some(v) => out.save_models_to_registry = v,
        None => ok = false,
    }
    ok.then_some(out)
}

/// A validated `POST /models` body (also built from a run's `Model(...)`).
#[derive(Debug, Clone)]
pub struct ModelRequest {
    pub project: Id,
    pub name: String,
    pub fields: ModelFields,
    pub tags: Vec<TagRef>,
}

impl ModelRequest {
    pub fn parse(v: &Value) -> Result<ModelRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let name = f.required_str("name", 1, 255);
        let fields = parse_fields(&mut f);
        let tags = f.optional_str_list("tags");
        f.finish()?;
        let (Some(project), Some(name), Some(fields), Some(tags)) = (project, name, fields, tags) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ModelRequest { project, name, fields, tags: parse_tag_refs(&tags.unwrap_or_default())? })
    }
}

/// A validated `PUT /models/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct ModelUpdate {
    pub name: Option<String>,
    pub fields: ModelFields,
    pub add_tags: Vec<TagRef>,
    pub remove_tags: Vec<String>,
}

impl ModelUpdate {
    pub fn parse(v: &Value) -> Result<ModelUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.optional_str("name", 255);
        let fields = parse_fields(&mut f);
        let add = f.optional_str_list("add_tags");
        let remove = f.optional_str_list("remove_tags");
        f.finish()?;
        let (Some(name), Some(fields), Some(add), Some(remove)) = (name, fields, add, remove) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ModelUpdate {
            name,
            fields,
            add_tags: parse_tag_refs(&add.unwrap_or_default())?,
            remove_tags: remove.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelMetadata {
    pub license: Option<String>,
    pub description: Option<String>,
    pub audience: Option<String>,
    pub use_cases: Option<String>,
    pub limitations: Option<String>,
    pub trade_offs: Option<String>,
    pub ethics: Option<String>,
    pub save_models_to_registry: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Shared<TagResponse>>,
    pub latest_version_name: Option<String>,
    pub latest_version_id: Option<Id>,
    #[schema(value_type = Vec<Object>)]
    pub visualizations: Vec<Value>,
}

pub type ModelResponse = Entity<ModelBody, ModelMetadata, ModelResources>;
pub type ModelNested = Entity<ModelBody, Nothing, Nothing>;

/// A model row as loaded.
#[derive(Debug, Clone)]
pub struct Model {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub body: ModelBody,
    pub user_pk: Option<i64>,
    pub metadata: ModelMetadata,
}

impl Model {
    pub fn nested(&self) -> ModelNested {
        Entity::named(self.id, self.name.clone(), self.body.clone(), None, None)
    }
}
