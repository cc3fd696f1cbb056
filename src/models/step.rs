//! Step runs (`/steps`): one execution (or cache hit) of a pipeline step.

use super::artifact_version::{ArtifactVersionResponse, RunMetadata};
use super::logs::{LogsNested, LogsRequest};
use super::run::{object_text, parse_logs_ref, LogsRef, STATUSES};
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Shared, Ts};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A validated `POST /steps` body.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub project: Id,
    pub name: String,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub status: String,
    pub pipeline_run_id: Id,
    pub cache_key: Option<String>,
    pub cache_expires_at: Option<i64>,
    pub code_hash: Option<String>,
    pub docstring: Option<String>,
    pub source_code: Option<String>,
    pub original_step_run_id: Option<Id>,
    pub inputs: Vec<(String, Vec<Id>)>,
    pub outputs: Vec<(String, Vec<Id>)>,
    pub logs: Option<LogsRef>,
    pub exception_info: Option<String>,
}

impl StepRequest {
    pub fn parse(v: &Value) -> Result<StepRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let name = f.required_str("name", 0, 255);
        let start_time = f.optional_datetime("start_time");
        let end_time = f.optional_datetime("end_time");
        let status = f.required_enum("status", STATUSES);
        let pipeline_run_id = f.required_uuid("pipeline_run_id");
        let cache_key = f.optional_str("cache_key", 255);
        let cache_expires_at = f.optional_datetime("cache_expires_at");
        let code_hash = f.optional_str("code_hash", 255);
        let docstring = f.optional_str("docstring", 65535);
        let source_code = f.optional_str("source_code", usize::MAX);
        let original = f.optional_uuid("original_step_run_id");
        let inputs = f.uuid_lists("inputs");
        let outputs = f.uuid_lists("outputs");
        let logs = parse_logs_ref(&mut f, "logs");
        let exception_info = object_text(&mut f, "exception_info");
        f.finish()?;
        let (Some(project), Some(name), Some(start_time), Some(end_time), Some(status), Some(pipeline_run_id)) =
            (project, name, start_time, end_time, status, pipeline_run_id)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        let (Some(cache_key), Some(cache_expires_at), Some(code_hash), Some(docstring), Some(source_code)) =
            (cache_key, cache_expires_at, code_hash, docstring, source_code)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        let (Some(original), Some(inputs), Some(outputs), Some(logs), Some(exception_info)) =
            (original, inputs, outputs, logs, exception_info)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(StepRequest {
            project,
            name,
            start_time,
            end_time,
            status,
            pipeline_run_id,
            cache_key,
            cache_expires_at,
            code_hash,
            docstring,
            source_code,
            original_step_run_id: original,
            inputs,
            outputs,
            logs,
            exception_info,
        })
    }
}

/// A validated `PUT /steps/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct StepUpdate {
    pub outputs: Vec<(String, Vec<Id>)>,
    pub loaded_artifact_versions: Vec<(String, Vec<Id>)>,
    pub status: Option<String>,
    pub end_time: Option<i64>,
    pub exception_info: Option<String>,
    pub cache_expires_at: Option<i64>,
    pub add_logs: Vec<LogsRequest>,
}

impl StepUpdate {
    pub fn parse(v: &Value) -> Result<StepUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let outputs = f.uuid_lists("outputs");
        let loaded = f.uuid_lists("loaded_artifact_versions");
        let status = f.get("status").map(|s| f.check_enum(&["status"], s, STATUSES));
        let end_time = f.optional_datetime("end_time");
        let exception_info = object_text(&mut f, "exception_info");
        let cache_expires_at = f.optional_datetime("cache_expires_at");
        let mut add_logs = Vec::new();
        if let Some(Value::Array(items)) = f.get("add_logs") {
            for (i, item) in items.iter().enumerate() {
                add_logs.push(LogsRequest::parse(item, &["body", "add_logs", &i.to_string()])?);
            }
        }
        f.finish()?;
        let (Some(outputs), Some(loaded), Some(end_time), Some(exception_info), Some(cache_expires_at)) =
            (outputs, loaded, end_time, exception_info, cache_expires_at)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(StepUpdate {
            outputs,
            loaded_artifact_versions: loaded,
            status: status.flatten(),
            end_time,
            exception_info,
            cache_expires_at,
            add_logs,
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    #[serde(rename = "type")]
    pub step_type: Option<String>,
    pub status: String,
    pub version: i64,
    pub is_retriable: bool,
    pub start_time: Option<Ts>,
    pub end_time: Option<Ts>,
    pub latest_heartbeat: Option<Ts>,
    pub model_version_id: Option<Id>,
    pub resource_request_id: Option<Id>,
    #[schema(value_type = Object)]
    pub substitutions: Map<String, Value>,
    pub heartbeat_threshold: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepMetadata {
    /// The stored configuration with the run's substitutions.
    #[schema(value_type = Object)]
    pub config: Box<RawValue>,
    #[schema(value_type = Object)]
    pub spec: Box<RawValue>,
    pub cache_key: Option<String>,
    pub cache_expires_at: Option<Ts>,
    pub code_hash: Option<String>,
    pub docstring: Option<String>,
    pub source_code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub exception_info: Value,
    pub snapshot_id: Id,
    pub pipeline_run_id: Id,
    pub original_step_run_id: Option<Id>,
    pub parent_step_ids: Vec<Id>,
    pub run_metadata: RunMetadata,
}

/// An input of a step: the version (body only) and how it got there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepInput {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub version: ArtifactVersionResponse,
    pub input_type: String,
    pub index: Option<i64>,
    pub chunk_index: Option<i64>,
    pub chunk_size: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Vec<Object>)]
    pub log_collection: Vec<LogsNested>,
    #[schema(value_type = Option<Object>)]
    pub model_version: Option<Value>,
    #[schema(value_type = Object)]
    pub inputs: Named<StepInput>,
    #[schema(value_type = Object)]
    pub outputs: Named<ArtifactVersionResponse>,
    #[schema(value_type = Option<Object>)]
    pub resource_request: Option<Value>,
}

/// Lists by input/output name, serialized as one JSON object.
#[derive(Debug, Clone)]
pub struct Named<T>(pub Vec<(String, Vec<T>)>);

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

pub type StepResponse = Entity<StepBody, StepMetadata, StepResources>;

/// A step row as loaded.
#[derive(Debug, Clone)]
pub struct Step {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub body: StepBody,
    pub run_pk: i64,
    pub user_pk: Option<i64>,
    pub cache_key: Option<String>,
    pub cache_expires_at: Option<Ts>,
    pub code_hash: Option<String>,
    pub docstring: Option<String>,
    pub source_code: Option<String>,
    pub exception_info: Option<String>,
    pub original_step_run_id: Option<Id>,
}
