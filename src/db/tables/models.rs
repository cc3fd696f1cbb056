//! `GET /models`, `/model_versions`, `/model_version_artifacts` and
//! `/model_version_pipeline_runs` as the query language sees them.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Param, ParamKind as K, Relation, ResourceSpec};

static M_USER: Relation = user_rel("m.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static M_TAGS: Relation = Relation {
    sql: Some("m.pk IN (SELECT f_l.model_pk FROM model_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})"),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};

/// `GET /models` (alias `m` = `models`).
pub static MODELS: ResourceSpec = table! {
    filter_name: "ModelFilter",
    alias: "m",
    table: "models",
    py: ("model", "ModelSchema"),
    params: &[
        Param {
            name: "tags",
            kind: K::Tags { rel: &M_TAGS, any: "EXISTS (SELECT 1 FROM model_tags f_l WHERE f_l.model_pk = m.pk)" },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&M_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("m.name", "ModelSchema.name")) },
    ],
    custom_order: &["tags", "user"],
    sorts: &[
        sk("name", "m.name"),
        sk_custom("latest_version", "(SELECT MAX(f.created) FROM model_versions f WHERE f.model_pk = m.pk)"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = m.user_pk)"),
    ],
    no_sort: &["scope_user", "project", "tags"],
    narrowings: &[],
};

static MV_USER: Relation = user_rel("mv.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static MV_TAGS: Relation = Relation {
    sql: Some(
        "mv.pk IN (SELECT f_l.model_version_pk FROM model_version_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})",
    ),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};
static MV_RUN_METADATA: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM model_version_metadata f WHERE f.model_version_pk = mv.pk AND {c})"),
    group: None,
    cols: &[col("f.key", "RunMetadataSchema.key"), col("f.value", "RunMetadataSchema.value")],
};
pub static MV_MODEL: Relation = Relation {
    sql: Some("mv.model_pk IN (SELECT f.pk FROM models f WHERE {c})"),
    group: None,
    cols: &[col("f.id", "model.id"), col("f.name", "ModelSchema.name")],
};

/// `GET /model_versions` (alias `mv` = `model_versions`).
pub static MODEL_VERSIONS: ResourceSpec = table! {
    filter_name: "ModelVersionFilter",
    alias: "mv",
    table: "model_versions",
    py: ("model_version", "ModelVersionSchema"),
    params: &[
        Param { name: "run_metadata", kind: K::RunMetadata(&MV_RUN_METADATA) },
        Param {
            name: "tags",
            kind: K::Tags {
                rel: &MV_TAGS,
                any: "EXISTS (SELECT 1 FROM model_version_tags f_l WHERE f_l.model_version_pk = mv.pk)",
            },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&MV_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("mv.name", "ModelVersionSchema.name")) },
        Param { name: "number", kind: K::Int(col("mv.number", "ModelVersionSchema.number")) },
        Param { name: "stage", kind: K::Str(col("mv.stage", "ModelVersionSchema.stage")) },
        Param { name: "model", kind: K::NameOrId(&MV_MODEL) },
        Param { name: "model_name_or_id", kind: K::NameOrId(&MV_MODEL) },
    ],
    custom_order: &["run_metadata", "tags", "user", "model", "model_name_or_id"],
    sorts: &[
        sk("name", "mv.name"),
        sk("number", "mv.number"),
        sk("stage", "mv.stage"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = mv.user_pk)"),
    ],
    no_sort: &["scope_user", "project", "run_metadata", "tags", "model", "model_name_or_id"],
    narrowings: &[],
};

static MVA_USER: Relation = user_rel("mva.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static MVA_MODEL_VERSION: Relation = Relation {
    sql: Some("mva.model_version_pk IN (SELECT f.pk FROM model_versions f WHERE {c})"),
    group: None,
    cols: &[],
};
static MVA_VERSION: Relation = Relation {
    sql: Some("mva.version_pk IN (SELECT f.pk FROM artifact_versions f WHERE {c})"),
    group: None,
    cols: &[],
};
/// The linked version's artifact type and name.
const MVA_TYPE: &str = "(SELECT f.type FROM artifact_versions f WHERE f.pk = mva.version_pk)";

/// `GET /model_version_artifacts` (alias `mva` = `model_version_artifacts`).
pub static MODEL_VERSION_ARTIFACTS: ResourceSpec = table! {
    filter_name: "ModelVersionArtifactFilter",
    alias: "mva",
    table: "model_version_artifacts",
    py: ("model_version_artifact", "ModelVersionArtifactSchema"),
    params: &[
        Param { name: "model_version_id", kind: K::LinkUuid(&MVA_MODEL_VERSION, col("f.id", "model_version_artifact.model_version_id")) },
        Param { name: "artifact_version_id", kind: K::LinkUuid(&MVA_VERSION, col("f.id", "model_version_artifact.artifact_version_id")) },
        Param {
            name: "artifact_name",
            kind: K::Str(col(
                "(SELECT a.name FROM artifact_versions f JOIN artifacts a ON a.pk = f.artifact_pk WHERE f.pk = mva.version_pk)",
                "ArtifactSchema.name",
            )),
        },
        Param {
            name: "only_data_artifacts",
            kind: K::BoolSql { yes: "(SELECT f.type FROM artifact_versions f WHERE f.pk = mva.version_pk) NOT IN ('ModelArtifact', 'ServiceArtifact')", no: None },
        },
        Param { name: "only_model_artifacts", kind: K::BoolSql { yes: "(SELECT f.type FROM artifact_versions f WHERE f.pk = mva.version_pk) = 'ModelArtifact'", no: None } },
        Param { name: "only_deployment_artifacts", kind: K::BoolSql { yes: "(SELECT f.type FROM artifact_versions f WHERE f.pk = mva.version_pk) = 'ServiceArtifact'", no: None } },
        Param {
            name: "has_custom_name",
            kind: K::BoolEq(col(
                "(SELECT a.has_custom_name FROM artifact_versions f JOIN artifacts a ON a.pk = f.artifact_pk WHERE f.pk = mva.version_pk)",
                "ArtifactSchema.has_custom_name",
            )),
        },
        Param { name: "user", kind: K::NameOrId(&MVA_USER) },
    ],
    custom_order: &["model_version_id", "artifact_version_id", "only_data_artifacts", "only_model_artifacts", "only_deployment_artifacts", "user"],
    sorts: &[sk("type", MVA_TYPE)],
    no_sort: &["model_version_id", "artifact_version_id", "artifact_name", "only_data_artifacts", "only_model_artifacts", "only_deployment_artifacts", "has_custom_name", "user"],
    narrowings: &[],
};

static MVR_USER: Relation = user_rel("mvr.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static MVR_MODEL_VERSION: Relation = Relation {
    sql: Some("mvr.model_version_pk IN (SELECT f.pk FROM model_versions f WHERE {c})"),
    group: None,
    cols: &[],
};
static MVR_RUN: Relation =
    Relation { sql: Some("mvr.run_pk IN (SELECT f.pk FROM runs f WHERE {c})"), group: None, cols: &[] };

/// `GET /model_version_pipeline_runs` (alias `mvr` = `model_version_runs`).
pub static MODEL_VERSION_RUNS: ResourceSpec = table! {
    filter_name: "ModelVersionPipelineRunFilter",
    alias: "mvr",
    table: "model_version_runs",
    py: ("model_version_pipeline_run", "ModelVersionPipelineRunSchema"),
    params: &[
        Param { name: "model_version_id", kind: K::LinkUuid(&MVR_MODEL_VERSION, col("f.id", "model_version_pipeline_run.model_version_id")) },
        Param { name: "pipeline_run_id", kind: K::LinkUuid(&MVR_RUN, col("f.id", "model_version_pipeline_run.pipeline_run_id")) },
        Param {
            name: "pipeline_run_name",
            kind: K::Str(col("(SELECT f.name FROM runs f WHERE f.pk = mvr.run_pk)", "PipelineRunSchema.name")),
        },
        Param { name: "user", kind: K::NameOrId(&MVR_USER) },
    ],
    custom_order: &["model_version_id", "pipeline_run_id", "user"],
    sorts: &[],
    no_sort: &["model_version_id", "pipeline_run_id", "pipeline_run_name", "user"],
    narrowings: &[],
};
