//! `GET /artifacts`: the artifacts table as the query language sees it.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Param, ParamKind as K, Relation, ResourceSpec};

static A_USER: Relation = user_rel("a.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static A_TAGS: Relation = Relation {
    sql: Some("a.pk IN (SELECT f_l.artifact_pk FROM artifact_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE {c})"),
    group: None,
    cols: &[col("f.name", "TagSchema.name")],
};

/// `GET /artifacts` (alias `a` = `artifacts`).
pub static ARTIFACTS: ResourceSpec = table! {
    filter_name: "ArtifactFilter",
    alias: "a",
    table: "artifacts",
    py: ("artifact", "ArtifactSchema"),
    params: &[
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
        sk("name", "a.name"),
        sk("has_custom_name", "a.has_custom_name"),
        sk("latest_version", "COALESCE((SELECT MAX(f.created) FROM artifact_versions f WHERE f.artifact_pk = a.pk), a.created)"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = a.user_pk)"),
        sk_custom(
            "tags",
            "(SELECT group_concat(f.name, ', ' ORDER BY f.name) FROM artifact_tags f_l JOIN tags f ON f.pk = f_l.tag_pk WHERE f_l.artifact_pk = a.pk)",
        ),
    ],
    no_sort: &["scope_user", "project"],
    narrowings: &[],
};
