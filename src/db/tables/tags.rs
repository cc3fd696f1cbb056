//! `GET /tags`: the tags table as the query language sees it.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Param, ParamKind as K, Relation, ResourceSpec};

static T_USER: Relation = user_rel("t.user_pk IN (SELECT f.pk FROM users f WHERE {c})");

/// `resource_type=<value>` on the tags list: the types with links.
const TAG_RESOURCE_TYPES: &[(&str, &str)] = &[
    ("artifact_version", "EXISTS (SELECT 1 FROM artifact_version_tags f_l WHERE f_l.tag_pk = t.pk)"),
    ("artifact", "EXISTS (SELECT 1 FROM artifact_tags f_l WHERE f_l.tag_pk = t.pk)"),
    ("pipeline", "EXISTS (SELECT 1 FROM pipeline_tags f_l WHERE f_l.tag_pk = t.pk)"),
    ("pipeline_run", "EXISTS (SELECT 1 FROM run_tags f_l WHERE f_l.tag_pk = t.pk)"),
];

/// `GET /tags` (alias `t` = `tags`).
pub static TAGS: ResourceSpec = table! {
    filter_name: "TagFilter",
    alias: "t",
    table: "tags",
    py: ("tag", "TagSchema"),
    params: &[
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&T_USER) },
        Param { name: "name", kind: K::Str(col("t.name", "TagSchema.name")) },
        Param { name: "color", kind: K::Str(col("t.color", "TagSchema.color")) },
        Param { name: "exclusive", kind: K::BoolEq(col("t.exclusive", "TagSchema.exclusive")) },
        Param { name: "resource_type", kind: K::ResourceType(TAG_RESOURCE_TYPES) },
    ],
    custom_order: &["user", "resource_type"],
    sorts: &[
        sk("name", "t.name"),
        sk("color", "t.color"),
        sk("exclusive", "t.exclusive"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = t.user_pk)"),
    ],
    no_sort: &["scope_user", "resource_type"],
    narrowings: &[],
};
