//! Artifact-version requests: the create body (spec §5–§6) and the update
//! body (§8.2), parsed and validated here, before anything is written.

use super::tag::{parse_tag_refs, TagRef};
use super::validate::{Fields, Invalid};
use super::Id;
use crate::pycompat::json as pyjson;
use serde_json::Value;

pub const ARTIFACT_TYPES: &[&str] = &[
    "DataAnalysisArtifact",
    "DataArtifact",
    "ModelArtifact",
    "SchemaArtifact",
    "ServiceArtifact",
    "StatisticsArtifact",
    "BaseArtifact",
];
pub const SAVE_TYPES: &[&str] = &["step_output", "manual", "preexisting", "external"];
pub const SOURCE_TYPES: &[&str] =
    &["user", "builtin", "internal", "distribution_package", "code_repository", "notebook", "unknown"];
pub const VISUALIZATION_TYPES: &[&str] = &["csv", "html", "image", "markdown", "json"];
/// Metadata values whose JSON encoding is longer are dropped (as the reference does).
pub const MAX_METADATA_VALUE_CHARS: usize = 65535;

#[derive(Debug, Clone, PartialEq)]
pub enum ArtifactRef {
    Name(String),
    Id(Id),
}

#[derive(Debug, Clone)]
pub struct MetadataEntry {
    pub key: String,
    /// `json.dumps` of the value.
    pub value: String,
    pub type_name: &'static str,
}

#[derive(Debug, Clone)]
pub struct VisualizationRequest {
    pub vtype: String,
    pub uri: String,
}

/// A validated `POST /api/v1/artifact_versions` item.
#[derive(Debug, Clone)]
pub struct ArtifactVersionRequest {
    pub project: Id,
    pub artifact: ArtifactRef,
    /// `None` = next number.
    pub version: Option<String>,
    pub has_custom_name: bool,
    pub artifact_type: String,
    pub artifact_store_id: Option<Id>,
    pub uri: String,
    /// Compact JSON of the source.
    pub materializer: String,
    pub data_type: String,
    pub content_hash: Option<String>,
    pub tags: Vec<TagRef>,
    pub visualizations: Vec<VisualizationRequest>,
    pub save_type: String,
    pub metadata: Vec<MetadataEntry>,
    pub item_count: Option<i64>,
}

impl ArtifactVersionRequest {
    /// Validate one create body at `loc` (`["body"]`, or `["body", "<i>"]` in a batch).
    /// Schema problems come first (all of them), then handler-level rules.
    pub fn parse(v: &Value, loc: &[&str]) -> Result<ArtifactVersionRequest, Invalid> {
        let mut f = Fields::new(v, loc)?;
        let project = f.required_uuid("project");
        let artifact_id = f.optional_uuid("artifact_id");
        let artifact_name = f.optional_str("artifact_name", usize::MAX);
        let version = parse_version(&mut f);
        let has_custom_name = f.optional_bool("has_custom_name");
        let artifact_type = f.required_enum("type", ARTIFACT_TYPES);
        let artifact_store_id = f.optional_uuid("artifact_store_id");
        let uri = f.required_str("uri", 0, 65535);
        let materializer = parse_source(&mut f, "materializer");
        let data_type = parse_source(&mut f, "data_type");
        let content_hash = f.optional_str("content_hash", 255);
        let tags = f.optional_str_list("tags");
        let visualizations = parse_visualizations(&mut f);
        let save_type = f.required_enum("save_type", SAVE_TYPES);
        let metadata = parse_metadata(&mut f);
        let item_count = f.optional_int("item_count");
        let artifact = match (artifact_id, artifact_name) {
            (Some(id), Some(name)) => {
                let name = name.filter(|n| !n.is_empty());
                match (id, name) {
                    (Some(_), Some(_)) => {
                        f.model_issue("Value error, Only one of artifact_name and artifact_id can be set.");
                        None
                    }
                    (Some(id), None) => Some(ArtifactRef::Id(id)),
                    (None, Some(name)) => Some(ArtifactRef::Name(name)),
                    (None, None) => {
                        f.model_issue("Value error, Either artifact_name or artifact_id must be set.");
                        None
                    }
                }
            }
            _ => None, // the field itself is invalid and already reported
        };
        f.finish()?;
        let (Some(project), Some(artifact), Some(version)) = (project, artifact, version) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        if let ArtifactRef::Name(name) = &artifact {
            if name.chars().count() > 255 {
                return Err(Invalid::Value(
                    "1 validation error for ArtifactRequest\nname\n  String should have at most 255 characters".into(),
                ));
            }
        }
        let version = match version {
            VersionIn::Auto => None,
            VersionIn::Falsy => return Err(Invalid::Rule("Missing version for artifact version request.".into())),
            VersionIn::Given(s) => Some(s),
        };
        let tags = parse_tag_refs(&tags.flatten().unwrap_or_default())?;
        Ok(ArtifactVersionRequest {
            project,
            artifact,
            version,
            has_custom_name: has_custom_name.flatten().unwrap_or(false),
            artifact_type: artifact_type.unwrap_or_default(),
            artifact_store_id: artifact_store_id.flatten(),
            uri: uri.unwrap_or_default(),
            materializer: materializer.unwrap_or_default(),
            data_type: data_type.unwrap_or_default(),
            content_hash: content_hash.flatten(),
            tags,
            visualizations: visualizations.unwrap_or_default(),
            save_type: save_type.unwrap_or_default(),
            metadata: metadata.unwrap_or_default(),
            item_count: item_count.flatten(),
        })
    }
}

enum VersionIn {
    Auto,
    Falsy,
    Given(String),
}

/// `version`: absent/null, an integer or a string (spec §5).
fn parse_version(f: &mut Fields) -> Option<VersionIn> {
    let Some(v) = f.get("version") else { return Some(VersionIn::Auto) };
    let text = match v {
        Value::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 9.2e18 => (x as i64).to_string(),
            _ => {
                f.issue(
                    "int_from_float",
                    &["version", "int"],
                    "Input should be a valid integer, got a number with a fractional part",
                    v,
                );
                return None;
            }
        },
        Value::String(s) => {
            if s.is_empty() {
                return Some(VersionIn::Falsy);
            }
            s.clone()
        }
        other => {
            f.issue("string_type", &["version", "str"], "Input should be a valid string", other);
            return None;
        }
    };
    if text == "0" && !v.is_string() {
        return Some(VersionIn::Falsy);
    }
    if text.chars().count() >= 255 {
        let msg = "Assertion failed, The length of the value for this field can not exceed 255";
        f.issue("assertion_error", &["version"], msg, v);
        return None;
    }
    Some(VersionIn::Given(text))
}

/// Python's `int(s)` for a version string, within i64 (else not numeric).
pub fn version_number(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let n: i128 = clean.parse().ok()?;
    let n = if neg { -n } else { n };
    i64::try_from(n).ok()
}

/// A source object or dotted import path → compact JSON (module, attribute, type, extras).
fn parse_source(f: &mut Fields, key: &str) -> Option<String> {
    let v = f.required(key)?;
    let (module, attribute, stype, extras) = match v {
        Value::String(path) => {
            let path = path.split('@').next().unwrap_or_default();
            if path.is_empty() {
                f.issue("value_error", &[key], "Value error, Invalid empty import path.", v);
                return None;
            }
            let (m, a) = match path.rsplit_once('.') {
                Some((m, a)) => (m.to_string(), Value::String(a.to_string())),
                None => (path.to_string(), Value::Null),
            };
            (m, a, "unknown".to_string(), serde_json::Map::new())
        }
        Value::Object(obj) => {
            let mut sub = Fields::new(v, &[]).ok()?;
            let module = sub.required_str("module", 0, usize::MAX);
            let attribute = sub.optional_str("attribute", usize::MAX);
            let stype = sub.required_enum("type", SOURCE_TYPES);
            for mut issue in sub.take_issues() {
                issue.loc.insert(0, key.to_string());
                f.issue(issue.kind, &issue.loc.iter().map(String::as_str).collect::<Vec<_>>(), issue.msg, &Value::Null);
            }
            let (Some(module), Some(attribute), Some(stype)) = (module, attribute, stype) else { return None };
            let extras = obj
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "module" | "attribute" | "type"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (module, attribute.map(Value::String).unwrap_or(Value::Null), stype, extras)
        }
        other => {
            f.issue("model_type", &[key], "Input should be a valid dictionary or instance of Source", other);
            return None;
        }
    };
    let mut out = serde_json::Map::new();
    out.insert("module".into(), Value::String(module));
    out.insert("attribute".into(), attribute);
    out.insert("type".into(), Value::String(stype));
    out.extend(extras);
    Some(Value::Object(out).to_string())
}

fn parse_visualizations(f: &mut Fields) -> Option<Vec<VisualizationRequest>> {
    let Some(v) = f.get("visualizations") else { return Some(Vec::new()) };
    let Value::Array(items) = v else {
        f.issue("list_type", &["visualizations"], "Input should be a valid list", v);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let idx = i.to_string();
        let Value::Object(obj) = item else {
            f.issue("model_type", &["visualizations", &idx], "Input should be a valid dictionary", item);
            continue;
        };
        let vtype = match obj.get("type") {
            Some(t) => f.check_enum(&["visualizations", &idx, "type"], t, VISUALIZATION_TYPES),
            None => {
                f.issue("missing", &["visualizations", &idx, "type"], "Field required", item);
                None
            }
        };
        let uri = match obj.get("uri") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                f.issue("string_type", &["visualizations", &idx, "uri"], "Input should be a valid string", other);
                None
            }
            None => {
                f.issue("missing", &["visualizations", &idx, "uri"], "Field required", item);
                None
            }
        };
        if let (Some(vtype), Some(uri)) = (vtype, uri) {
            out.push(VisualizationRequest { vtype, uri });
        }
    }
    Some(out)
}

fn parse_metadata(f: &mut Fields) -> Option<Vec<MetadataEntry>> {
    let Some(v) = f.get("metadata") else { return Some(Vec::new()) };
    let Value::Object(map) = v else {
        f.issue("dict_type", &["metadata"], "Input should be a valid dictionary", v);
        return None;
    };
    let mut out = Vec::with_capacity(map.len());
    for (key, value) in map {
        let type_name = match value {
            Value::Null => {
                f.issue(
                    "union_tag_invalid",
                    &["metadata", key],
                    "Input should be a valid string, number, boolean, list or dictionary",
                    value,
                );
                continue;
            }
            Value::String(_) => "str",
            Value::Bool(_) => "bool",
            Value::Number(n) if n.is_f64() => "float",
            Value::Number(_) => "int",
            Value::Array(_) => "list",
            Value::Object(_) => "dict",
        };
        let text = pyjson::dumps(value);
        if text.chars().count() <= MAX_METADATA_VALUE_CHARS {
            out.push(MetadataEntry { key: key.clone(), value: text, type_name });
        }
    }
    Some(out)
}

/// `PUT /api/v1/artifact_versions/{id}`: only the tag lists matter (`name` is ignored).
#[derive(Debug, Clone, Default)]
pub struct ArtifactVersionUpdate {
    pub add_tags: Vec<TagRef>,
    /// Names or ids; unknown ones are ignored.
    pub remove_tags: Vec<String>,
}

impl ArtifactVersionUpdate {
    pub fn parse(v: &Value) -> Result<ArtifactVersionUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let _ignored_name = f.optional_str("name", usize::MAX);
        let add = f.optional_str_list("add_tags");
        let remove = f.optional_str_list("remove_tags");
        f.finish()?;
        Ok(ArtifactVersionUpdate {
            add_tags: parse_tag_refs(&add.flatten().unwrap_or_default())?,
            remove_tags: remove.flatten().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[path = "version_request_tests.rs"]
mod tests;
