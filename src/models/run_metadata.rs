//! `POST /run-metadata`: key/value metadata logged to runs, steps and
//! artifact versions (`pipeline-runs.md` §3.9).

use super::validate::{Fields, Invalid};
use super::Id;
use crate::pycompat::json as pyjson;
use serde_json::Value;

pub const RESOURCE_TYPES: &[&str] =
    &["pipeline_run", "step_run", "artifact_version", "model_version", "schedule", "wait_condition"];
pub const VALUE_TYPES: &[&str] =
    &["str", "int", "float", "bool", "list", "dict", "tuple", "set", "Uri", "Path", "DType", "StorageSize"];

/// One stored entry: key, `json.dumps` of the value, declared type.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub type_name: String,
}

/// A validated `POST /run-metadata` body.
#[derive(Debug, Clone)]
pub struct RunMetadataRequest {
    pub project: Id,
    /// `(resource type, id)`.
    pub resources: Vec<(String, Id)>,
    pub entries: Vec<Entry>,
}

impl RunMetadataRequest {
    pub fn parse(v: &Value) -> Result<RunMetadataRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let mut resources = Vec::new();
        if let Some(list) = f.required("resources") {
            match list {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = i.to_string();
                        let id = item.get("id").and_then(Value::as_str).and_then(Id::parse);
                        let kind = item.get("type").cloned().unwrap_or(Value::Null);
                        let kind = f.check_enum(&["resources", &at, "type"], &kind, RESOURCE_TYPES);
                        match (id, kind) {
                            (Some(id), Some(kind)) => resources.push((kind, id)),
                            (None, _) => f.issue(
                                "uuid_parsing",
                                &["resources", &at, "id"],
                                "Input should be a valid UUID",
                                item.get("id").unwrap_or(&Value::Null),
                            ),
                            _ => {}
                        }
                    }
                }
                other => f.issue("list_type", &["resources"], "Input should be a valid list", other),
            }
        }
        let values = f.required("values").cloned();
        let types = f.required("types").cloned();
        let mut entries = Vec::new();
        match (&values, &types) {
            (Some(Value::Object(values)), Some(Value::Object(types))) => {
                for (key, t) in types {
                    f.check_enum(&["types", key], t, VALUE_TYPES);
                }
                for (key, value) in values {
                    let type_name = types.get(key).and_then(Value::as_str).unwrap_or("str").to_string();
                    entries.push(Entry { key: key.clone(), value: pyjson::dumps(value), type_name });
                }
            }
            _ => {
                for (key, given) in [("values", &values), ("types", &types)] {
                    if let Some(given) = given.as_ref().filter(|g| !g.is_object()) {
                        f.issue("dict_type", &[key], "Input should be a valid dictionary", given);
                    }
                }
            }
        }
        f.finish()?;
        let Some(project) = project else { return Err(Invalid::Schema(Vec::new())) };
        Ok(RunMetadataRequest { project, resources, entries })
    }
}
