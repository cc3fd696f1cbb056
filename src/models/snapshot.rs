//! Pipeline snapshots (`/pipeline_snapshots`): the configuration a run
//! executes, stored as the client sent it (one per run; the client's merged
//! step configurations are kept verbatim, see `pipeline-runs.md` §6 #18).

use super::pipeline::PipelineNested;
use super::raw::{minified, null, raw, RawObject};
use super::stack::StackResponse;
use super::user::UserResponse;
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Shared, Ts};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
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

/// What step writes read of a snapshot's pipeline configuration, taken out
/// of it once, when the snapshot is created, and stored beside it (see
/// `schema.sql`, section snapshot_keys; the upgrade to version 9 fills them
/// with the same rules in SQL).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConfigKeys {
    /// `execution_mode`, when it is a string.
    pub execution_mode: Option<String>,
    /// `substitutions` as compact JSON text, when it is an object.
    pub substitutions: Option<String>,
}

impl ConfigKeys {
    /// The keys of `configuration` (compact JSON text of an object); the
    /// rest of it is skipped without building values.
    pub fn of(configuration: &str) -> ConfigKeys {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Keys<'a> {
            execution_mode: Value,
            #[serde(borrow)]
            substitutions: Option<&'a RawValue>,
        }
        let keys: Keys = serde_json::from_str(configuration).unwrap_or_default();
        ConfigKeys {
            execution_mode: keys.execution_mode.as_str().map(str::to_string),
            substitutions: keys.substitutions.map(RawValue::get).filter(|t| t.starts_with('{')).map(minified),
        }
    }
}

/// `python_packages` is only sent, never answered (`pipeline-runs.md` §3.1).
pub fn without_packages(env: &Value) -> Value {
    let mut env = env.clone();
    if let Value::Object(m) = &mut env {
        m.shift_remove("python_packages");
    }
    env
}

/// A `POST /pipeline_snapshots` body with its two large members (most of
/// its bytes) kept as raw text: they are stored as sent (minified), so
/// they are never built into values and written back (bench/README.md,
/// "Partial parses"). The rest is read as values, as for any body. Both
/// members must be present objects (`step_configurations` is split into
/// its steps while it is read); any other body is read as values.
#[derive(Deserialize)]
struct SplitBody<'a> {
    #[serde(borrow)]
    pipeline_configuration: &'a RawValue,
    step_configurations: RawObject,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl SnapshotRequest {
    /// [`SnapshotRequest::parse`] on the body's bytes read as a
    /// `SplitBody`: the same checks and answers, the two large members
    /// taken as text. `None` when the bytes are not such a body (not JSON,
    /// not an object, a member missing, twice or not an object): parse
    /// them as any body, which gives that body's answer.
    pub fn parse_bytes(bytes: &[u8]) -> Option<Result<SnapshotRequest, Invalid>> {
        let body = serde_json::from_slice::<SplitBody>(bytes).ok()?;
        let configuration = body.pipeline_configuration.get();
        if !configuration.starts_with('{') {
            return None;
        }
        // Fields checks the members' object-ness: empty objects stand in.
        let mut v = body.rest;
        for key in ["pipeline_configuration", "step_configurations"] {
            v.insert(key.to_string(), Value::Object(Map::new()));
        }
        Some(SnapshotRequest::parse(&Value::Object(v)).map(|mut req| {
            req.pipeline_configuration = minified(configuration);
            req.steps = body.step_configurations.0.into_iter().map(|(k, v)| (k, minified(v.get()))).collect();
            req
        }))
    }

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
        // `{"name": <stored text>, ...}` checked once as a whole, not once
        // per step and again as a whole.
        let mut text = String::with_capacity(2 + steps.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>());
        text.push('{');
        for (i, (name, config)) in steps.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(name).unwrap_or_default());
            text.push(':');
            text.push_str(config);
        }
        text.push('}');
        m.set("step_configurations", raw(text));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_keys_are_a_string_mode_and_object_substitutions() {
        let keys = ConfigKeys::of(r#"{"name":"p","substitutions":{ "a" : "b" },"x":[1],"execution_mode":"fail_fast"}"#);
        let some = |s: &str| Some(s.to_string());
        assert_eq!(keys, ConfigKeys { execution_mode: some("fail_fast"), substitutions: some(r#"{"a":"b"}"#) });
        for other in
            [r#"{"execution_mode":1,"substitutions":"x"}"#, r#"{"execution_mode":null,"substitutions":null}"#, "{}"]
        {
            assert_eq!(ConfigKeys::of(other), ConfigKeys::default(), "{other}");
        }
    }

    fn body(configuration: Value, steps: Value) -> Value {
        json!({
            "project": Id::new_v4().hyphenated().to_string(), "stack": Id::new_v4().hyphenated().to_string(),
            "pipeline": Id::new_v4().hyphenated().to_string(), "name": null, "run_name_template": "run-{date}",
            "pipeline_configuration": configuration, "step_configurations": steps,
            "client_environment": {"python_packages": ["a"], "os": "linux"}, "pipeline_spec": {"version": "0.4"},
        })
    }

    /// Both reads of the pretty-printed `v`: through values, and split.
    fn both(v: &Value) -> (Result<SnapshotRequest, Invalid>, Option<Result<SnapshotRequest, Invalid>>) {
        let text = serde_json::to_string_pretty(v).unwrap();
        (SnapshotRequest::parse(v), SnapshotRequest::parse_bytes(text.as_bytes()))
    }

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_split_read_stores_what_the_value_read_stores() {
        let configuration = json!({"name": "p", "enable_cache": false, "substitutions": {"x": "é \" \\ y"},
                                   "settings": {"docker": {"requirements": ["a b", "c"]}}, "extra": {}, "f": 1.5e-7});
        // Step names out of alphabetical order: their order is their position.
        let steps = json!({"zeta": {"spec": {"upstream_steps": []}, "config": {"name": "zeta", "parameters": {"n": 3}}},
                           "alpha": {"spec": {"upstream_steps": ["zeta"]}, "config": {"name": "alpha"}}});
        let (by_value, split) = both(&body(configuration.clone(), steps));
        let (by_value, split) = (by_value.unwrap(), split.expect("an object body").unwrap());
        assert_eq!(parsed(&split.pipeline_configuration), configuration);
        assert_eq!(parsed(&split.pipeline_configuration), parsed(&by_value.pipeline_configuration));
        assert!(!split.pipeline_configuration.contains(": "), "stored minified: {}", split.pipeline_configuration);
        let names = |r: &SnapshotRequest| r.steps.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&split), ["zeta", "alpha"]);
        assert_eq!(names(&split), names(&by_value));
        for ((_, a), (_, b)) in split.steps.iter().zip(&by_value.steps) {
            assert_eq!(parsed(a), parsed(b));
        }
        assert_eq!(parsed(&split.metadata), parsed(&by_value.metadata));
        assert_eq!((split.project, split.stack, split.pipeline), (by_value.project, by_value.stack, by_value.pipeline));
        assert_eq!((&split.run_name_template, split.is_dynamic), (&by_value.run_name_template, by_value.is_dynamic));
    }

    /// What the route answers: the split read, or the value read of a body
    /// the split read does not take.
    fn answer(v: &Value) -> Result<SnapshotRequest, Invalid> {
        let text = serde_json::to_string_pretty(v).unwrap();
        SnapshotRequest::parse_bytes(text.as_bytes()).unwrap_or_else(|| SnapshotRequest::parse(v))
    }

    #[test]
    fn the_split_read_refuses_what_the_value_read_refuses() {
        let steps = json!({"s": {"spec": {}, "config": {}}});
        // Bad fields beside good members: refused by the split read itself.
        let mut bad_fields = body(json!({}), steps.clone());
        bad_fields["project"] = json!("not-a-uuid");
        bad_fields.as_object_mut().unwrap().remove("run_name_template");
        let (by_value, split) = both(&bad_fields);
        let split = split.expect("both members are objects");
        assert_eq!(format!("{:?}", split.as_ref().err()), format!("{:?}", by_value.as_ref().err()));
        assert!(split.is_err());
        // Bad or missing members: the value read's answer.
        let mut missing = body(json!({}), steps.clone());
        missing.as_object_mut().unwrap().remove("pipeline_configuration");
        let mut cases = vec![missing];
        for bad in [json!(null), json!("x"), json!([1]), json!(3)] {
            cases.push(body(bad.clone(), steps.clone()));
            cases.push(body(json!({}), bad));
        }
        for case in &cases {
            let (by_value, answered) = (SnapshotRequest::parse(case), answer(case));
            assert_eq!(format!("{:?}", answered.as_ref().err()), format!("{:?}", by_value.as_ref().err()), "{case}");
            assert_eq!(answered.is_ok(), by_value.is_ok(), "{case}");
        }
        // Not an object, or not JSON: read as any body.
        for text in ["[1, 2]", "{\"pipeline_configuration\": {}, \"pipeline_configuration\": {}}", "{"] {
            assert!(SnapshotRequest::parse_bytes(text.as_bytes()).is_none(), "{text}");
        }
    }
}
