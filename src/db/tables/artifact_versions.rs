//! `GET /artifact_versions`: the versions table as the query language sees it.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Column, Narrowing, Param, ParamKind as K, Relation, ResourceSpec};

// A unary `+` keeps SQLite from driving a query from an `IN (subquery)` list,
// which its planner always guesses to be short: users are few (one user's
// versions are the whole table) and a tag's versions are many, so a combined
// `artifact=…&tags=…` must be driven by the artifact index (see
// bench/README.md, "Planner hints").
static AV_USER: Relation = user_rel("+av.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
const ARTIFACT_COLS: &[Column] = &[col("f.id", "artifact.id"), col("f.name", "ArtifactSchema.name")];
const TAG_COLS: &[Column] = &[col("f.name", "TagSchema.name")];
static AV_ARTIFACT: Relation = Relation {
    sql: Some("av.artifact_pk IN (SELECT f.pk FROM artifacts f WHERE {c})"),
    group: None,
    cols: ARTIFACT_COLS,
};
/// The unary `+` keeps the planner from driving the list by every version
/// of a tag (it guesses an `IN (subquery)` list to be short).
static AV_TAGS: Relation = Relation {
    sql: Some(
        "+av.pk IN (SELECT f_l.version_pk FROM artifact_version_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})",
    ),
    group: None,
    cols: TAG_COLS,
};
/// [`AV_TAGS`] narrowed to the versions of an artifact: short, so it may drive.
/// Must select what [`AV_TAGS`] AND [`AV_ARTIFACT`] select (see [`Narrowing`]).
static AV_TAGS_OF_ARTIFACT: Relation = Relation {
    sql: Some(
        "av.pk IN (SELECT f_l.version_pk FROM artifact_version_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})",
    ),
    group: None,
    cols: TAG_COLS,
};
/// Inside [`AV_TAGS_OF_ARTIFACT`]: the link row's artifact.
static TAG_LINK_ARTIFACT: Relation = Relation {
    sql: Some("f_l.artifact_pk IN (SELECT f.pk FROM artifacts f WHERE {c})"),
    group: None,
    cols: ARTIFACT_COLS,
};
static AV_RUN_METADATA: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM run_metadata f WHERE f.version_pk = av.pk AND {c})"),
    group: None,
    cols: &[col("f.key", "RunMetadataSchema.key"), col("f.value", "RunMetadataSchema.value")],
};
/// Versions linked to a version of the model.
static MODELS: Relation = Relation {
    sql: Some(
        "av.pk IN (SELECT f_l.version_pk FROM model_version_artifacts f_l JOIN model_versions f_v \
         ON f_v.pk = f_l.model_version_pk JOIN models f ON f.pk = f_v.model_pk WHERE {c})",
    ),
    group: None,
    cols: &[col("f.id", "model.id"), col("f.name", "ModelSchema.name")],
};
static MODEL_VERSIONS: Relation = Relation {
    sql: Some(
        "av.pk IN (SELECT f_l.version_pk FROM model_version_artifacts f_l JOIN model_versions f \
         ON f.pk = f_l.model_version_pk WHERE {c})",
    ),
    group: None,
    cols: &[],
};
/// Versions a step of the run read or produced.
static PIPELINE_RUNS: Relation = Relation {
    sql: Some(
        "av.pk IN (SELECT f_l.version_pk FROM step_artifacts f_l JOIN steps f_s ON f_s.pk = f_l.step_pk \
         JOIN runs f ON f.pk = f_s.run_pk WHERE {c})",
    ),
    group: None,
    cols: &[col("f.id", "pipeline_run.id"), col("f.name", "PipelineRunSchema.name")],
};

/// `GET /artifact_versions` (alias `av` = `artifact_versions`).
pub static ARTIFACT_VERSIONS: ResourceSpec = table! {
    filter_name: "ArtifactVersionFilter",
    alias: "av",
    table: "artifact_versions",
    py: ("artifact_version", "ArtifactVersionSchema"),
    params: &[
        Param { name: "run_metadata", kind: K::RunMetadata(&AV_RUN_METADATA) },
        Param {
            name: "tags",
            kind: K::Tags { rel: &AV_TAGS, any: "EXISTS (SELECT 1 FROM artifact_version_tags f_l WHERE f_l.version_pk = av.pk)" },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&AV_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "artifact", kind: K::NameOrId(&AV_ARTIFACT) },
        Param { name: "artifact_id", kind: K::ArtifactAlias },
        Param { name: "version", kind: K::Str(col("av.version", "ArtifactVersionSchema.version")) },
        Param { name: "version_number", kind: K::Int(col("av.version_number", "ArtifactVersionSchema.version_number")) },
        Param { name: "uri", kind: K::Str(col("av.uri", "ArtifactVersionSchema.uri")) },
        Param { name: "materializer", kind: K::Str(col("av.materializer", "ArtifactVersionSchema.materializer")) },
        Param { name: "type", kind: K::Str(col("av.type", "ArtifactVersionSchema.type")) },
        Param { name: "data_type", kind: K::Str(col("av.data_type", "ArtifactVersionSchema.data_type")) },
        Param { name: "artifact_store_id", kind: K::Uuid(col("av.artifact_store_id", "artifact_version.artifact_store_id")) },
        Param { name: "model_version_id", kind: K::LinkUuid(&MODEL_VERSIONS, col("f.id", "model_version.id")) },
        Param {
            name: "only_unused",
            kind: K::OnlyUnused("NOT EXISTS (SELECT 1 FROM step_artifacts f_l WHERE f_l.version_pk = av.pk)"),
        },
        Param { name: "has_custom_name", kind: K::ParentFlag(&AV_ARTIFACT, "f.has_custom_name") },
        Param { name: "model", kind: K::NameOrId(&MODELS) },
        Param { name: "pipeline_run", kind: K::NameOrId(&PIPELINE_RUNS) },
    ],
    custom_order: &[
        "run_metadata", "tags", "user", "artifact", "only_unused", "model_version_id", "has_custom_name", "model",
        "pipeline_run",
    ],
    sorts: &[
        sk("version", "av.version"),
        sk("version_number", "av.version_number"),
        sk("uri", "av.uri"),
        sk("materializer", "av.materializer"),
        sk("type", "av.type"),
        sk("data_type", "av.data_type"),
        sk("artifact_store_id", "av.artifact_store_id"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = av.user_pk)"),
        sk_custom(
            "tags",
            "(SELECT group_concat(f.name, ', ' ORDER BY f.name) FROM artifact_version_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE f_l.version_pk = av.pk)",
        ),
    ],
    no_sort: &["scope_user", "project", "run_metadata", "artifact_id", "artifact", "only_unused", "has_custom_name", "model", "pipeline_run", "model_version_id"],
    narrowings: &[Narrowing {
        of: &AV_TAGS,
        by: &AV_ARTIFACT,
        narrowed: &AV_TAGS_OF_ARTIFACT,
        link: &TAG_LINK_ARTIFACT,
    }],
};
