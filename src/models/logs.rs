//! Log entries (`/logs`): where a run's or step's log file lives. trove
//! never reads the files; it records the entry and its run or step.

use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::Serialize;
use serde_json::Value;

/// A validated `LogsRequest` (`POST /logs`, or inlined in a run or step create).
#[derive(Debug, Clone)]
pub struct LogsRequest {
    pub project: Id,
    /// Chosen by the client; generated when absent.
    pub id: Option<Id>,
    pub uri: Option<String>,
    pub source: String,
    pub artifact_store_id: Option<Id>,
    pub log_store_id: Option<Id>,
    pub pipeline_run_id: Option<Id>,
    pub step_run_id: Option<Id>,
    pub hook_invocation_id: Option<Id>,
}

impl LogsRequest {
    pub fn parse(v: &Value, loc: &[&str]) -> Result<LogsRequest, Invalid> {
        let mut f = Fields::new(v, loc)?;
        let project = f.required_uuid("project");
        let id = f.optional_uuid("id");
        let uri = f.optional_str("uri", usize::MAX);
        let source = f.required_str("source", 0, usize::MAX);
        let artifact_store_id = f.optional_uuid("artifact_store_id");
        let log_store_id = f.optional_uuid("log_store_id");
        let pipeline_run_id = f.optional_uuid("pipeline_run_id");
        let step_run_id = f.optional_uuid("step_run_id");
        let hook_invocation_id = f.optional_uuid("hook_invocation_id");
        if matches!((&artifact_store_id, &log_store_id), (Some(None), Some(None))) {
            f.model_issue("Value error, Either an `artifact_store_id` or a `log_store_id` must be set.");
        }
        f.finish()?;
        let (Some(project), Some(id), Some(uri), Some(source)) = (project, id, uri, source) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(LogsRequest {
            project,
            id,
            uri,
            source,
            artifact_store_id: artifact_store_id.flatten(),
            log_store_id: log_store_id.flatten(),
            pipeline_run_id: pipeline_run_id.flatten(),
            step_run_id: step_run_id.flatten(),
            hook_invocation_id: hook_invocation_id.flatten(),
        })
    }
}

/// `PUT /logs/{id}`: attach the entry to a run or a step.
#[derive(Debug, Clone)]
pub struct LogsUpdate {
    pub pipeline_run_id: Option<Id>,
    pub step_run_id: Option<Id>,
}

impl LogsUpdate {
    pub fn parse(v: &Value) -> Result<LogsUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let run = f.optional_uuid("pipeline_run_id");
        let step = f.optional_uuid("step_run_id");
        if matches!((&run, &step), (Some(Some(_)), Some(Some(_)))) {
            f.model_issue("Value error, Two different IDs can not be set at the same time.");
        }
        f.finish()?;
        Ok(LogsUpdate { pipeline_run_id: run.flatten(), step_run_id: step.flatten() })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogsBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    pub uri: Option<String>,
    pub source: String,
    pub step_run_id: Option<Id>,
    pub pipeline_run_id: Option<Id>,
    pub artifact_store_id: Option<Id>,
    pub log_store_id: Option<Id>,
    pub hook_invocation_id: Option<Id>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogsMetadata {
    pub step_run_id: Option<Id>,
    pub pipeline_run_id: Option<Id>,
    pub artifact_store_id: Option<Id>,
    pub log_store_id: Option<Id>,
    pub hook_invocation_id: Option<Id>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogsResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
}

pub type LogsResponse = Entity<LogsBody, LogsMetadata, LogsResources>;
/// A log entry inside a run's or step's `log_collection`.
pub type LogsNested = Entity<LogsBody, Nothing, Nothing>;

/// A log entry as loaded.
#[derive(Debug, Clone)]
pub struct Logs {
    pub id: Id,
    pub body: LogsBody,
    pub user_pk: Option<i64>,
}

impl Logs {
    pub fn nested(&self) -> LogsNested {
        Entity {
            body: self.body.clone(),
            metadata: None,
            resources: None,
            id: self.id,
            permission_denied: false,
            name: None,
        }
    }

    pub fn to_response(&self, user: Option<Shared<UserResponse>>) -> LogsResponse {
        let b = &self.body;
        let metadata = LogsMetadata {
            step_run_id: b.step_run_id,
            pipeline_run_id: b.pipeline_run_id,
            artifact_store_id: b.artifact_store_id,
            log_store_id: b.log_store_id,
            hook_invocation_id: b.hook_invocation_id,
        };
        Entity {
            body: b.clone(),
            metadata: Some(metadata),
            resources: Some(LogsResources { user }),
            id: self.id,
            permission_denied: false,
            name: None,
        }
    }
}
