//! `GET /pipelines` and `GET /code_repositories` (trove has none of the
//! latter: the table is described so its query is validated like the
//! reference's, and the answer is always an empty page).

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Param, ParamKind as K, Relation, ResourceSpec};

static PL_USER: Relation = user_rel("pl.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static PL_TAGS: Relation = Relation {
    sql: Some("pl.pk IN (SELECT f_l.pipeline_pk FROM pipeline_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})"),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};
/// The newest run of the pipeline (by `created`).
const LATEST_RUN_STATUS: &str =
    "(SELECT x.status FROM runs x WHERE x.pipeline_pk = pl.pk ORDER BY x.created DESC, x.id DESC LIMIT 1)";
static PL_LATEST_RUN_USER: Relation = user_rel(
    "(SELECT x.user_pk FROM runs x WHERE x.pipeline_pk = pl.pk ORDER BY x.created DESC, x.id DESC LIMIT 1) \
     IN (SELECT f.pk FROM users f WHERE {c})",
);

/// `GET /pipelines` (alias `pl` = `pipelines`).
pub static PIPELINES: ResourceSpec = table! {
    filter_name: "PipelineFilter",
    alias: "pl",
    table: "pipelines",
    py: ("pipeline", "PipelineSchema"),
    params: &[
        Param {
            name: "tags",
            kind: K::Tags { rel: &PL_TAGS, any: "EXISTS (SELECT 1 FROM pipeline_tags f_l WHERE f_l.pipeline_pk = pl.pk)" },
        },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&PL_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("pl.name", "PipelineSchema.name")) },
        Param { name: "latest_run_status", kind: K::Str(col(LATEST_RUN_STATUS, "PipelineRunSchema.status")) },
        Param { name: "latest_run_user", kind: K::NameOrId(&PL_LATEST_RUN_USER) },
    ],
    custom_order: &["tags", "user", "latest_run_user"],
    sorts: &[
        sk("name", "pl.name"),
        sk("description", "pl.description"),
        sk_custom("latest_run", "(SELECT MAX(x.created) FROM runs x WHERE x.pipeline_pk = pl.pk)"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = pl.user_pk)"),
    ],
    no_sort: &["scope_user", "project", "tags", "latest_run_status", "latest_run_user"],
    narrowings: &[],
};

static CR_USER: Relation = user_rel("cr.user_pk IN (SELECT f.pk FROM users f WHERE {c})");

/// `GET /code_repositories` (never queried).
pub static CODE_REPOSITORIES: ResourceSpec = table! {
    filter_name: "CodeRepositoryFilter",
    alias: "cr",
    table: "code_repositories",
    py: ("code_repository", "CodeRepositorySchema"),
    params: &[
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&CR_USER) },
        Param { name: "project", kind: K::Project },
        Param { name: "name", kind: K::Str(col("cr.name", "CodeRepositorySchema.name")) },
    ],
    custom_order: &["user"],
    sorts: &[sk("name", "cr.name")],
    no_sort: &["scope_user", "project"],
    narrowings: &[],
};
