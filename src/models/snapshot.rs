//! Pipeline snapshots (`/pipeline_snapshots`): the configuration a run
//! executes, stored as the client sent it (one per run; the client's merged
//! step configurations are kept verbatim, see `pipeline-runs.md` §6 #18).

use super::pipeline::PipelineNested;
use super::raw::{null, raw, RawObject};
use super::stack::StackResponse;
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::Serialize;
use serde_json::{Map, Value};

/// The metadata fields stored as one JSON object (besides the configuration).
const STORED_METADATA: &[(&str, &str)] = &[
    ("description", "description"),
    ("source_code", "source_code"),
    ("client_environment", "client_environment"),
    ("client_version", "client_version"),
    ("server_version", "server_version"),
    ("pipeline_version_hash", "pipeline_version_hash"),
    ("pipeline_spec", "pipeline_spec"),
    ("code_path", "code_path"),
    ("template", "template_id"),
    ("source_snapshot", "source_snapshot_id"),
];

/// A validated `POST /pipeline_snapshots` body.
#[derive(Debug, Clone)]
pub struct SnapshotRequest {
    pub project: Id,
    pub stack: Id,
    pub pipeline: Id,
    pub name: Option<String>,
    pub run_name_template: String,
    /// JSON text of the pipeline configuration object.
    pub pipeline_configuration: String,
    /// `(invocation id, JSON text of {"spec", "config", ...})` in request order.
    pub steps: Vec<(String, String)>,
    pub is_dynamic: bool,
    /// JSON text of the other metadata fields (response names).
    pub metadata: String,
}

/// `python_packages` is only sent, never answered (`pipeline-runs.md` §3.1).
pub fn without_packages(env: &Value) -> Value {
    let mut env = env.clone();
    if let Value::Object(m) = &mut env {
        m.shift_remove("python_packages");
    }
    env
}

impl SnapshotRequest {
    pub fn parse(v: &Value) -> Result<SnapshotRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let project = f.required_uuid("project");
        let stack = f.required_uuid("stack");
        let pipeline = f.required_uuid("pipeline");
        let name = f.optional_str("name", 255);
        let run_name_template = f.required_str("run_name_template", 0, usize::MAX);
        let configuration = match f.required("pipeline_configuration") {
            Some(_) => f.optional_object("pipeline_configuration").flatten(),
            None => None,
        };
        let steps = f.optional_object("step_configurations");
        let is_dynamic = f.optional_bool("is_dynamic");
        let _ = f.optional_object("client_environment");
        f.finish()?;
        let (Some(project), Some(stack), Some(pipeline), Some(name), Some(run_name_template), Some(configuration)) =
            (project, stack, pipeline, name, run_name_template, configuration)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        let obj = v.as_object().expect("checked by Fields::new");
        let mut metadata = Map::new();
        for (key, as_name) in STORED_METADATA {
            let value = obj.get(*key).cloned().unwrap_or(Value::Null);
            let value = if *key == "client_environment" { without_packages(&value) } else { value };
            metadata.insert((*as_name).to_string(), value);
        }
        let steps = steps.flatten().map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect());
        Ok(SnapshotRequest {
            project,
            stack,
            pipeline,
            name,
            run_name_template,
            pipeline_configuration: Value::Object(configuration.clone()).to_string(),
            steps: steps.unwrap_or_default(),
            is_dynamic: is_dynamic.flatten().unwrap_or(false),
            metadata: Value::Object(metadata).to_string(),
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SnapshotBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub project_id: Id,
    pub runnable: bool,
    pub deployable: bool,
    pub is_dynamic: bool,
    pub pipeline_id: Id,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SnapshotResources {
    #[schema(value_type = Option<Object>)]
    pub user: Option<Shared<UserResponse>>,
    #[schema(value_type = Object)]
    pub pipeline: PipelineNested,
    #[schema(value_type = Option<Object>)]
    pub stack: Option<StackResponse>,
    #[schema(value_type = Option<Object>)]
    pub build: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub code_reference: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub deployment: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Value>,
    pub latest_run_id: Option<Id>,
    pub latest_run_status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub latest_run_user: Option<Shared<UserResponse>>,
    #[schema(value_type = Vec<Object>)]
    pub visualizations: Vec<Value>,
}

pub type SnapshotResponse = Entity<SnapshotBody, RawObject, SnapshotResources>;
pub type SnapshotNested = Entity<SnapshotBody, Nothing, Nothing>;

/// A snapshot row as loaded.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub pk: i64,
    pub id: Id,
    pub name: Option<String>,
    pub body: SnapshotBody,
    pub pipeline_pk: i64,
    pub stack_pk: Option<i64>,
    pub user_pk: Option<i64>,
    pub run_name_template: String,
    /// JSON text.
    pub pipeline_configuration: String,
    pub step_count: i64,
    /// JSON text of the stored metadata fields.
    pub metadata: String,
}

impl Snapshot {
    pub fn nested(&self) -> SnapshotNested {
        Entity {
            body: self.body.clone(),
            metadata: None,
            resources: None,
            id: self.id,
            permission_denied: false,
            name: None,
        }
    }

    /// The stored metadata fields (`client_environment`, `code_path`, ...).
    pub fn stored(&self) -> RawObject {
        RawObject::parse(&self.metadata)
    }

    /// The hydrated metadata, in the reference's field order; `steps` are
    /// the step configurations as stored (raw JSON text, not re-read).
    pub fn metadata(&self, steps: Vec<(String, String)>) -> RawObject {
        let stored = self.stored();
        let mut m = RawObject::default();
        m.set("description", stored.get_or_null("description"));
        m.set("source_code", stored.get_or_null("source_code"));
        m.set("run_name_template", raw(serde_json::to_string(&self.run_name_template).unwrap_or_default()));
        m.set("pipeline_configuration", raw(self.pipeline_configuration.clone()));
        m.set(
            "step_configurations",
            raw(serde_json::to_string(&RawObject(steps.into_iter().map(|(k, v)| (k, raw(v))).collect()))
                .unwrap_or_default()),
        );
        for k in [
            "client_environment",
            "client_version",
            "server_version",
            "pipeline_version_hash",
            "pipeline_spec",
            "code_path",
            "template_id",
            "source_snapshot_id",
        ] {
            m.set(k, stored.get_or_null(k));
        }
        if m.get("client_environment").is_some_and(|v| v.get() == "null") {
            m.set("client_environment", raw("{}".into()));
        }
        m.set("config_template", null());
        m.set("config_schema", null());
        m
    }
}
