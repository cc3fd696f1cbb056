//! Per-resource allow-lists: query parameters (in the reference filter
//! model's field order), their kinds and SQL column expressions, sort keys.
//! These static strings are the only SQL text the module emits.

/// A column of the listed row: SQL expression and the name the reference
/// shows in "Failed to compare the column '…'" messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub expr: &'static str,
    pub py: &'static str,
}

pub(super) const fn col(expr: &'static str, py: &'static str) -> Column {
    Column { expr, py }
}

/// Related rows a custom filter looks at.
#[derive(Debug, PartialEq, Eq)]
pub struct Relation {
    /// SQL with `{c}` where the condition on the related row (alias `f`)
    /// goes; `None` when trove has no such rows (models, pipeline runs): the
    /// value is validated like the reference does, then never matches.
    pub sql: Option<&'static str>,
    /// AND-ed conditions with the same group must hold for the same related
    /// row (the reference joins one table instance for all of them).
    pub group: Option<&'static str>,
    /// Name-or-id: `[id, name, …]` (id = UUID rules, others = string rules).
    pub cols: &'static [Column],
}

/// What a query parameter is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    SortBy,
    Logical,
    Page,
    Size,
    ScopeUser,
    Project,
    /// Single string, AND-ed as `expr = ?` when non-empty (components).
    ScopeType(&'static str),
    /// Multi, string filter.
    Str(Column),
    /// Multi, UUID filter on 32-hex text.
    Uuid(Column),
    /// Multi, integer filter.
    Int(Column),
    /// Multi, datetime filter on INTEGER microseconds.
    Datetime(Column),
    /// Single `Union[bool, str]`: bool filter with operators (users).
    BoolOps(Column),
    /// Single FastAPI bool, then an equality condition.
    BoolEq(Column),
    /// Multi, name-or-id of related rows (`cols[0]` = id).
    NameOrId(&'static Relation),
    /// Multi, UUID filter on the id of related rows.
    LinkUuid(&'static Relation, Column),
    /// Multi, tag-name filter; `any` = "has at least one tag" SQL.
    Tags {
        rel: &'static Relation,
        any: &'static str,
    },
    /// Multi, `key:value` / `key:op:value` over run metadata (`cols` = key, value).
    RunMetadata(&'static Relation),
    /// Single bool; `true` = no step run uses the version (always, in trove).
    OnlyUnused,
    /// Single bool on the parent artifact's flag column.
    ParentFlag(&'static Relation, &'static str),
    /// Multi, raw taggable resource type (tags list).
    ResourceType,
    /// Multi, deprecated alias of `artifact`, used when `artifact` is absent.
    ArtifactAlias,
}

impl ParamKind {
    /// Single-valued (last occurrence wins) or multi-valued.
    pub fn is_single(&self) -> bool {
        use ParamKind::*;
        matches!(
            self,
            SortBy
                | Logical
                | Page
                | Size
                | ScopeUser
                | Project
                | ScopeType(_)
                | BoolOps(_)
                | BoolEq(_)
                | OnlyUnused
                | ParentFlag(..)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// Tie-breaker after the sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// `id` in the same direction (the reference's `apply_sorting`).
    Id,
    /// Insertion order ascending (custom `user`/`tags` sorts have no
    /// tie-breaker in the reference; its SQLite returns ties in row order).
    Insertion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub name: &'static str,
    pub expr: &'static str,
    pub tie: Tie,
}

pub(super) const fn sk(name: &'static str, expr: &'static str) -> SortKey {
    SortKey { name, expr, tie: Tie::Id }
}

pub(super) const fn sk_custom(name: &'static str, expr: &'static str) -> SortKey {
    SortKey { name, expr, tie: Tie::Insertion }
}

/// A list endpoint's allow-list.
#[derive(Debug)]
pub struct ResourceSpec {
    /// Filter model name used in messages (`ArtifactVersionFilter`).
    pub filter_name: &'static str,
    /// Alias of the main table in the caller's query (`av`).
    pub alias: &'static str,
    /// Main table.
    pub table: &'static str,
    /// Parameters in the filter model's field order.
    pub params: &'static [Param],
    /// Order in which the reference builds the custom (non-column) filters.
    pub custom_order: &'static [&'static str],
    /// Allowed `sort_by` columns.
    pub sorts: &'static [SortKey],
    /// Names answering "This resource can not be sorted by this field".
    pub no_sort: &'static [&'static str],
    /// Rewrites that let a related-rows condition use another condition of
    /// the same conjunction (see [`Narrowing`]).
    pub narrowings: &'static [Narrowing],
}

/// `Sub(of, T) AND Sub(by, A)`, where `A` selects by equality, is rendered as
/// `Sub(narrowed, T AND Sub(link, A)) AND Sub(by, A)`: the same rows (the
/// link rows repeat what `by` looks at), but the related rows are searched
/// through an index on both instead of all rows matching `T`.
#[derive(Debug)]
pub struct Narrowing {
    pub of: &'static Relation,
    pub by: &'static Relation,
    pub narrowed: &'static Relation,
    pub link: &'static Relation,
}

impl ResourceSpec {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn sort_key(&self, name: &str) -> Option<&SortKey> {
        self.sorts.iter().find(|s| s.name == name)
    }
}

use ParamKind as K;

pub(super) const BASE_NO_SORT: &[&str] = &["sort_by", "page", "size", "logical_operator"];

const USER_COLS: &[Column] =
    &[col("f.id", "\"user\".id"), col("f.name", "UserSchema.name"), col("f.full_name", "UserSchema.full_name")];

/// The creator (`user` name-or-id filter): id, name or full name.
pub(super) const fn user_rel(sql: &'static str) -> Relation {
    Relation { sql: Some(sql), group: None, cols: USER_COLS }
}

// ---------------------------------------------------------------- versions
// A unary `+` keeps SQLite from driving a query from an `IN (subquery)` list,
// which its planner always guesses to be short: users are few (one user's
// versions are the whole table) and a tag's versions are many, so a combined
// `artifact=…&tags=…` must be driven by the artifact index (measured at 100k
// versions: 1.5 ms instead of 32 ms; a tags-only count costs 25 ms instead of 15).
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
static MODELS: Relation =
    Relation { sql: None, group: None, cols: &[col("f.id", "model.id"), col("f.name", "ModelSchema.name")] };
static MODEL_VERSIONS: Relation = Relation { sql: None, group: None, cols: &[] };
static PIPELINE_RUNS: Relation = Relation {
    sql: None,
    group: None,
    cols: &[col("f.id", "pipeline_run.id"), col("f.name", "PipelineRunSchema.name")],
};

/// `GET /artifact_versions` (alias `av` = `artifact_versions`).
pub static ARTIFACT_VERSIONS: ResourceSpec = ResourceSpec {
    filter_name: "ArtifactVersionFilter",
    alias: "av",
    table: "artifact_versions",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("av.id", "artifact_version.id")) },
        Param { name: "created", kind: K::Datetime(col("av.created", "ArtifactVersionSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("av.updated", "ArtifactVersionSchema.updated")) },
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
        Param { name: "only_unused", kind: K::OnlyUnused },
        Param { name: "has_custom_name", kind: K::ParentFlag(&AV_ARTIFACT, "f.has_custom_name") },
        Param { name: "model", kind: K::NameOrId(&MODELS) },
        Param { name: "pipeline_run", kind: K::NameOrId(&PIPELINE_RUNS) },
    ],
    custom_order: &[
        "run_metadata", "tags", "user", "artifact", "only_unused", "model_version_id", "has_custom_name", "model",
        "pipeline_run",
    ],
    sorts: &[
        sk("id", "av.id"),
        sk("created", "av.created"),
        sk("updated", "av.updated"),
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
    no_sort: &[
        "sort_by", "page", "size", "logical_operator", "scope_user", "project", "run_metadata", "artifact_id",
        "artifact", "only_unused", "has_custom_name", "model", "pipeline_run", "model_version_id",
    ],
    narrowings: &[Narrowing {
        of: &AV_TAGS,
        by: &AV_ARTIFACT,
        narrowed: &AV_TAGS_OF_ARTIFACT,
        link: &TAG_LINK_ARTIFACT,
    }],
};

// --------------------------------------------------------------- artifacts
static A_USER: Relation = user_rel("a.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static A_TAGS: Relation = Relation {
    sql: Some("a.pk IN (SELECT f_l.artifact_pk FROM artifact_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})"),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};

/// `GET /artifacts` (alias `a` = `artifacts`).
pub static ARTIFACTS: ResourceSpec = ResourceSpec {
    filter_name: "ArtifactFilter",
    alias: "a",
    table: "artifacts",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("a.id", "artifact.id")) },
        Param { name: "created", kind: K::Datetime(col("a.created", "ArtifactSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("a.updated", "ArtifactSchema.updated")) },
        Param {
            name: "tags",
            kind: K::Tags { rel: &A_TAGS, any: "EXISTS (SELECT 1 FROM artifact_tags f_l WHERE f_l.artifact_pk = a.pk)" },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&A_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("a.name", "ArtifactSchema.name")) },
        Param { name: "has_custom_name", kind: K::BoolEq(col("a.has_custom_name", "ArtifactSchema.has_custom_name")) },
    ],
    custom_order: &["tags", "user"],
    sorts: &[
        sk("id", "a.id"),
        sk("created", "a.created"),
        sk("updated", "a.updated"),
        sk("name", "a.name"),
        sk("has_custom_name", "a.has_custom_name"),
        sk("latest_version", "COALESCE((SELECT MAX(f.created) FROM artifact_versions f WHERE f.artifact_pk = a.pk), a.created)"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = a.user_pk)"),
        sk_custom(
            "tags",
            "(SELECT group_concat(f.name, ', ' ORDER BY f.name) FROM artifact_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE f_l.artifact_pk = a.pk)",
        ),
    ],
    no_sort: &["sort_by", "page", "size", "logical_operator", "scope_user", "project"],
    narrowings: &[],
};
