//! `GET /runs` and `GET /steps`: pipeline runs and step runs as the query
//! language sees them.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Column, Param, ParamKind as K, Relation, ResourceSpec};

const PIPELINE_COLS: &[Column] = &[col("f.id", "pipeline.id"), col("f.name", "PipelineSchema.name")];
static R_USER: Relation = user_rel("r.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static R_TAGS: Relation = Relation {
    sql: Some("r.pk IN (SELECT f_l.run_pk FROM run_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})"),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};
static R_RUN_METADATA: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM run_step_metadata f WHERE f.run_pk = r.pk AND {c})"),
    group: None,
    cols: &[col("f.key", "RunMetadataSchema.key"), col("f.value", "RunMetadataSchema.value")],
};
static R_PIPELINE: Relation = Relation {
    sql: Some("r.pipeline_pk IN (SELECT f.pk FROM pipelines f WHERE {c})"),
    group: None,
    cols: PIPELINE_COLS,
};
static R_SNAPSHOT: Relation = Relation {
    sql: Some("r.snapshot_pk IN (SELECT f.pk FROM snapshots f WHERE {c})"),
    group: None,
    cols: &[col("f.id", "pipeline_snapshot.id")],
};
static R_STACK: Relation = Relation {
    sql: Some("r.snapshot_pk IN (SELECT f_s.pk FROM snapshots f_s JOIN stacks f ON f.pk = f_s.stack_pk WHERE {c})"),
    group: None,
    cols: &[col("f.id", "stack.id"), col("f.name", "StackSchema.name")],
};
static R_MODEL: Relation =
    Relation { sql: None, group: None, cols: &[col("f.id", "model.id"), col("f.name", "ModelSchema.name")] };
static R_MODEL_VERSION: Relation = Relation { sql: None, group: None, cols: &[] };

/// `GET /runs` (alias `r` = `runs`).
pub static RUNS: ResourceSpec = table! {
    filter_name: "PipelineRunFilter",
    alias: "r",
    table: "runs",
    py: ("pipeline_run", "PipelineRunSchema"),
    params: &[
        Param { name: "run_metadata", kind: K::RunMetadata(&R_RUN_METADATA) },
        Param {
            name: "tags",
            kind: K::Tags { rel: &R_TAGS, any: "EXISTS (SELECT 1 FROM run_tags f_l WHERE f_l.run_pk = r.pk)" },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&R_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("r.name", "PipelineRunSchema.name")) },
        Param { name: "index", kind: K::Int(col("r.run_index", "PipelineRunSchema.index")) },
        Param { name: "orchestrator_run_id", kind: K::Str(col("r.orchestrator_run_id", "PipelineRunSchema.orchestrator_run_id")) },
        Param { name: "pipeline_id", kind: K::LinkUuid(&R_PIPELINE, col("f.id", "pipeline_run.pipeline_id")) },
        Param { name: "stack_id", kind: K::LinkUuid(&R_STACK, col("f.id", "pipeline_snapshot.stack_id")) },
        Param { name: "snapshot_id", kind: K::LinkUuid(&R_SNAPSHOT, col("f.id", "pipeline_run.snapshot_id")) },
        Param { name: "model_version_id", kind: K::LinkUuid(&R_MODEL_VERSION, col("f.id", "pipeline_run.model_version_id")) },
        Param { name: "status", kind: K::Str(col("r.status", "PipelineRunSchema.status")) },
        Param { name: "in_progress", kind: K::BoolEq(col("r.in_progress", "PipelineRunSchema.in_progress")) },
        Param { name: "start_time", kind: K::Datetime(col("r.start_time", "PipelineRunSchema.start_time")) },
        Param { name: "end_time", kind: K::Datetime(col("r.end_time", "PipelineRunSchema.end_time")) },
        Param {
            name: "pipeline_name",
            kind: K::Str(col("(SELECT f.name FROM pipelines f WHERE f.pk = r.pipeline_pk)", "PipelineSchema.name")),
        },
        Param { name: "pipeline", kind: K::NameOrId(&R_PIPELINE) },
        Param { name: "stack", kind: K::NameOrId(&R_STACK) },
        Param { name: "model", kind: K::NameOrId(&R_MODEL) },
    ],
    custom_order: &[
        "run_metadata", "tags", "user", "pipeline_id", "stack_id", "snapshot_id", "model_version_id", "pipeline",
        "stack", "model",
    ],
    sorts: &[
        sk("name", "r.name"),
        sk("status", "r.status"),
        sk("index", "r.run_index"),
        sk("in_progress", "r.in_progress"),
        sk("orchestrator_run_id", "r.orchestrator_run_id"),
        sk("start_time", "r.start_time"),
        sk("end_time", "r.end_time"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = r.user_pk)"),
        sk_custom("pipeline", "(SELECT f.name FROM pipelines f WHERE f.pk = r.pipeline_pk)"),
        sk_custom(
            "stack",
            "(SELECT f.name FROM snapshots f_s JOIN stacks f ON f.pk = f_s.stack_pk WHERE f_s.pk = r.snapshot_pk)",
        ),
    ],
    no_sort: &[
        "scope_user", "project", "run_metadata", "tags", "pipeline_id", "stack_id", "snapshot_id", "model_version_id",
        "pipeline_name", "model",
    ],
    narrowings: &[],
};

static ST_USER: Relation = user_rel("st.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static ST_RUN_METADATA: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM run_step_metadata f WHERE f.step_pk = st.pk AND {c})"),
    group: None,
    cols: &[col("f.key", "RunMetadataSchema.key"), col("f.value", "RunMetadataSchema.value")],
};
static ST_RUN: Relation = Relation {
    sql: Some("st.run_pk IN (SELECT f.pk FROM runs f WHERE {c})"),
    group: None,
    cols: &[col("f.id", "pipeline_run.id")],
};
static ST_SNAPSHOT: Relation = Relation {
    sql: Some("st.run_pk IN (SELECT f_r.pk FROM runs f_r JOIN snapshots f ON f.pk = f_r.snapshot_pk WHERE {c})"),
    group: None,
    cols: &[col("f.id", "pipeline_snapshot.id")],
};
static ST_MODEL: Relation =
    Relation { sql: None, group: None, cols: &[col("f.id", "model.id"), col("f.name", "ModelSchema.name")] };
static ST_MODEL_VERSION: Relation = Relation { sql: None, group: None, cols: &[] };
/// Now, in stored microseconds.
macro_rules! now_micros {
    () => {
        "CAST(unixepoch('subsec') * 1000000 AS INTEGER)"
    };
}

/// `GET /steps` (alias `st` = `steps`).
pub static STEPS: ResourceSpec = table! {
    filter_name: "StepRunFilter",
    alias: "st",
    table: "steps",
    py: ("step_run", "StepRunSchema"),
    params: &[
        Param { name: "run_metadata", kind: K::RunMetadata(&ST_RUN_METADATA) },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&ST_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("st.name", "StepRunSchema.name")) },
        Param { name: "code_hash", kind: K::Str(col("st.code_hash", "StepRunSchema.code_hash")) },
        Param { name: "cache_key", kind: K::Str(col("st.cache_key", "StepRunSchema.cache_key")) },
        Param { name: "status", kind: K::Str(col("st.status", "StepRunSchema.status")) },
        Param { name: "start_time", kind: K::Datetime(col("st.start_time", "StepRunSchema.start_time")) },
        Param { name: "end_time", kind: K::Datetime(col("st.end_time", "StepRunSchema.end_time")) },
        Param { name: "pipeline_run_id", kind: K::LinkUuid(&ST_RUN, col("f.id", "step_run.pipeline_run_id")) },
        Param { name: "snapshot_id", kind: K::LinkUuid(&ST_SNAPSHOT, col("f.id", "step_run.snapshot_id")) },
        Param { name: "original_step_run_id", kind: K::Uuid(col("st.original_step_id", "step_run.original_step_run_id")) },
        Param { name: "model_version_id", kind: K::LinkUuid(&ST_MODEL_VERSION, col("f.id", "step_run.model_version_id")) },
        Param { name: "model", kind: K::NameOrId(&ST_MODEL) },
        Param { name: "version", kind: K::Int(col("st.version", "StepRunSchema.version")) },
        Param { name: "exclude_retried", kind: K::BoolSql { yes: "st.status <> 'retried'", no: None } },
        Param { name: "cache_expires_at", kind: K::Datetime(col("st.cache_expires_at", "StepRunSchema.cache_expires_at")) },
        Param {
            name: "cache_expired",
            kind: K::BoolSql {
                yes: concat!("(st.cache_expires_at IS NOT NULL AND st.cache_expires_at < ", now_micros!(), ")"),
                no: Some(concat!("(st.cache_expires_at IS NULL OR st.cache_expires_at > ", now_micros!(), ")")),
            },
        },
    ],
    custom_order: &[
        "run_metadata", "user", "pipeline_run_id", "snapshot_id", "model_version_id", "model", "exclude_retried",
        "cache_expired",
    ],
    sorts: &[
        sk("name", "st.name"),
        sk("status", "st.status"),
        sk("version", "st.version"),
        sk("cache_key", "st.cache_key"),
        sk("code_hash", "st.code_hash"),
        sk("start_time", "st.start_time"),
        sk("end_time", "st.end_time"),
        sk("cache_expires_at", "st.cache_expires_at"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = st.user_pk)"),
    ],
    no_sort: &[
        "scope_user", "project", "run_metadata", "pipeline_run_id", "snapshot_id", "model_version_id", "model",
        "exclude_retried", "cache_expired", "original_step_run_id",
    ],
    narrowings: &[],
};
