//! Pipeline runs (`/runs`): requests, the status rules of the reference
//! (`pipeline-runs.md` §3.6) and the response object.

use super::artifact_version::RunMetadata;
use super::logs::{LogsNested, LogsRequest};
use super::model_version::ModelVersionResponse;
use super::pipeline::PipelineNested;
use super::raw::RawObject;
use super::snapshot::{without_packages, SnapshotNested};
use super::stack::StackResponse;
use super::tag::{parse_tag_refs, TagRef, TagResponse};
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Shared, Ts};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// ZenML's `ExecutionStatus` values.
pub const STATUSES: &[&str] = &[
    "initializing",
    "provisioning",
    "queued",
    "running",
    "failed",
    "completed",
    "cached",
    "skipped",
    "retrying",
    "retried",
    "cancelling",
    "cancelled",
    "paused",
    "resuming",
    "stopped",
    "stopping",
];

/// `ExecutionStatus.is_finished`.
pub fn is_finished(status: &str) -> bool {
    matches!(status, "failed" | "completed" | "cached" | "skipped" | "retried" | "stopped" | "cancelled")
}

/// A placeholder run: created by the client before the orchestrator starts.
pub fn is_placeholder(status: &str) -> bool {
    matches!(status, "initializing" | "provisioning")
}

/// A run's `logs` field: an existing entry's id or a new entry.
#[derive(Debug, Clone)]
pub enum LogsRef {
    Id(Id),
    New(LogsRequest),
}

/// `logs` of a run or step create body.
pub fn parse_logs_ref(f: &mut Fields, key: &str) -> Option<Option<LogsRef>> {
    match f.get(key) {
        None => Some(None),
        Some(Value::String(_)) => f.optional_uuid(key).map(|id| id.map(LogsRef::Id)),
        Some(v) => match LogsRequest::parse(v, &["body", key]) {
            Ok(l) => Some(Some(LogsRef::New(l))),
            Err(_) => {
                f.issue("model_type", &[key], "Input should be a valid UUID or a LogsRequest", v);
                None
            }
        },
    }
}

/// An optional JSON object stored as text (`None` for absent or null).
pub(crate) fn object_text(f: &mut Fields, key: &str) -> Option<Option<String>> {
    f.optional_object(key).map(|o| o.map(|m| Value::Object(m.clone()).to_string()))
}

/// A validated `POST /runs` body.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub project: Id,
    pub name: String,
    pub snapshot: Id,
    pub status: String,
    pub orchestrator_run_id: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub status_reason: Option<String>,
    /// JSON text, without `python_packages`.
    pub orchestrator_environment: String,
    pub trigger_info: Option<String>,
    pub exception_info: Option<String>,
    pub tags: Vec<TagRef>,
    pub logs: Option<LogsRef>,
}

impl RunRequest {
    pub fn parse(v: &Value) -> Result<RunRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let name = f.required_str("name", 0, 255);
        let snapshot = f.required_uuid("snapshot");
        let status = f.required_enum("status", STATUSES);
        let orchestrator_run_id = f.optional_str("orchestrator_run_id", 255);
        let start_time = f.optional_datetime("start_time");
        let end_time = f.optional_datetime("end_time");
        let status_reason = f.optional_str("status_reason", usize::MAX);
        let env = f.optional_object("orchestrator_environment");
        let trigger_info = object_text(&mut f, "trigger_info");
        let exception_info = object_text(&mut f, "exception_info");
        let tags = f.optional_str_list("tags");
        let logs = parse_logs_ref(&mut f, "logs");
        f.finish()?;
        let (
            Some(project),
            Some(name),
            Some(snapshot),
            Some(status),
            Some(orchestrator_run_id),
            Some(start_time),
            Some(end_time),
            Some(status_reason),
            Some(env),
            Some(trigger_info),
            Some(exception_info),
            Some(tags),
            Some(logs),
        ) = (
            project,
            name,
            snapshot,
            status,
            orchestrator_run_id,
            start_time,
            end_time,
            status_reason,
            env,
            trigger_info,
            exception_info,
            tags,
            logs,
        )
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        let env = env.map_or(Value::Object(Map::new()), |m| without_packages(&Value::Object(m.clone())));
        Ok(RunRequest {
            project,
            name,
            snapshot,
            status,
            orchestrator_run_id,
            start_time,
            end_time,
            status_reason,
            orchestrator_environment: env.to_string(),
            trigger_info,
            exception_info,
            tags: parse_tag_refs(&tags.unwrap_or_default())?,
            logs,
        })
    }
}

/// A validated `PUT /runs/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct RunUpdate {
    pub status: Option<String>,
    /// Given (possibly null) or absent.
    pub status_reason: Option<Option<String>>,
    pub orchestrator_run_id: Option<String>,
    pub end_time: Option<i64>,
    pub exception_info: Option<String>,
    pub add_tags: Vec<TagRef>,
    pub remove_tags: Vec<String>,
    pub add_logs: Vec<LogsRequest>,
}

impl RunUpdate {
    pub fn parse(v: &Value) -> Result<RunUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let status = f.get("status").map(|s| f.check_enum(&["status"], s, STATUSES));
        let has_reason = f.get("status_reason").is_some() || v.get("status_reason").is_some();
        let status_reason = f.optional_str("status_reason", usize::MAX);
        let orchestrator_run_id = f.optional_str("orchestrator_run_id", 255);
        let end_time = f.optional_datetime("end_time");
        let exception_info = object_text(&mut f, "exception_info");
        let add = f.optional_str_list("add_tags");
        let remove = f.optional_str_list("remove_tags");
        let mut add_logs = Vec::new();
        if let Some(v) = f.get("add_logs") {
            match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match LogsRequest::parse(item, &["body", "add_logs", &i.to_string()]) {
                            Ok(l) => add_logs.push(l),
                            Err(Invalid::Schema(issues)) => return Err(Invalid::Schema(issues)),
                            Err(other) => return Err(other),
                        }
                    }
                }
                other => f.issue("list_type", &["add_logs"], "Input should be a valid list", other),
            }
        }
        f.finish()?;
        let (
            Some(status_reason),
            Some(orchestrator_run_id),
            Some(end_time),
            Some(exception_info),
            Some(add),
            Some(remove),
        ) = (status_reason, orchestrator_run_id, end_time, exception_info, add, remove)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(RunUpdate {
            status: status.flatten(),
            status_reason: has_reason.then_some(status_reason),
            orchestrator_run_id,
            end_time,
            exception_info,
            add_tags: parse_tag_refs(&add.unwrap_or_default())?,
            remove_tags: remove.unwrap_or_default(),
            add_logs,
        })
    }
}

/// The run substitutions: `date` and `time` of the start, then the
/// configuration's own (`PipelineConfiguration._get_full_substitutions`).
pub fn substitutions(start: Ts, configured: Option<&Value>) -> Map<String, Value> {
    let iso = start.iso();
    let (date, time) = iso.split_once('T').unwrap_or((&iso, "00:00:00"));
    let (hms, frac) = time.split_once('.').unwrap_or((time, "000000"));
    let mut m = Map::new();
    m.insert("date".into(), Value::String(date.replace('-', "_")));
    m.insert("time".into(), Value::String(format!("{}_{frac:0<6}", hms.replace(':', "_"))));
    if let Some(Value::Object(own)) = configured {
        for (k, v) in own {
            m.insert(k.clone(), v.clone());
        }
    }
    m
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    pub status: String,
    pub in_progress: bool,
    pub status_reason: Option<String>,
    pub index: i64,
    pub pipeline_id: Option<Id>,
    pub child_key: Option<String>,
    pub root_run_id: Option<Id>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunMetadataBlock {
    pub run_metadata: RunMetadata,
    /// The snapshot's configuration with the run's substitutions.
    #[schema(value_type = Object)]
    pub config: RawObject,
    pub start_time: Option<Ts>,
    pub end_time: Option<Ts>,
    #[schema(value_type = Object)]
    pub client_environment: Box<RawValue>,
    #[schema(value_type = Object)]
    pub orchestrator_environment: Value,
    pub orchestrator_run_id: Option<String>,
    pub code_path: Option<String>,
    pub template_id: Option<Id>,
    pub is_templatable: bool,
    #[schema(value_type = Option<Object>)]
    pub trigger_info: Value,
    pub enable_heartbeat: bool,
    #[schema(value_type = Option<Object>)]
    pub exception_info: Value,
    #[schema(value_type = Option<Object>)]
    pub trigger_execution_info: Option<Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Option<Object>)]
    pub snapshot: Option<SnapshotNested>,
    #[schema(value_type = Option<Object>)]
    pub source_snapshot: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub stack: Option<StackResponse>,
    #[schema(value_type = Option<Object>)]
    pub pipeline: Option<PipelineNested>,
    #[schema(value_type = Option<Object>)]
    pub build: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub code_reference: Option<Value>,
    /// The run's model version (body only), as the step context needs it.
    #[schema(value_type = Option<Object>)]
    pub model_version: Option<ModelVersionResponse>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Shared<TagResponse>>,
    #[schema(value_type = Vec<Object>)]
    pub log_collection: Vec<LogsNested>,
    #[schema(value_type = Vec<Object>)]
    pub visualizations: Vec<Value>,
    #[schema(value_type = Option<Object>)]
    pub trigger: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub original_run: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub parent_run: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub active_wait_condition: Option<Value>,
    #[schema(value_type = Object)]
    pub outputs: Map<String, Value>,
}

pub type RunResponse = Entity<RunBody, RunMetadataBlock, RunResources>;

/// A run row as loaded.
#[derive(Debug, Clone)]
pub struct Run {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub body: RunBody,
    pub pipeline_pk: Option<i64>,
    pub snapshot_pk: i64,
    pub user_pk: Option<i64>,
    pub orchestrator_run_id: Option<String>,
    pub start_time: Option<Ts>,
    pub end_time: Option<Ts>,
    /// JSON text.
    pub orchestrator_environment: String,
    pub trigger_info: Option<String>,
    pub exception_info: Option<String>,
    pub enable_heartbeat: bool,
}

impl Run {
    /// The start the substitutions are computed from.
    pub fn started(&self) -> Ts {
        self.start_time.unwrap_or(self.body.created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutions_are_the_start_date_and_time() {
        let start = Ts(1_796_243_780_836_781); // 2026-12-02T20:36:20.836781
        let s = substitutions(start, None);
        assert_eq!(s["date"], "2026_12_02");
        assert_eq!(s["time"], "20_36_20_836781");
        let whole = substitutions(Ts(1_796_243_780_000_000), Some(&serde_json::json!({"date": "mine", "x": "y"})));
        assert_eq!(whole["time"], "20_36_20_000000");
        assert_eq!(whole["date"], "mine");
        assert_eq!(whole["x"], "y");
    }
}
