//! `GET /stacks` and `GET /components`: stacks and stack components as the
//! query language sees them.

use super::user_rel;
use crate::filter::spec::{col, sk, sk_custom, Param, ParamKind as K, Relation, ResourceSpec};

static S_USER: Relation = user_rel("s.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static S_COMPONENTS: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM stack_component_links f_l JOIN stack_components f ON f.pk = f_l.component_pk WHERE f_l.stack_pk = s.pk AND {c})"),
    group: Some("stack_composition"),
    cols: &[col("f.id", "stack_component.id"), col("f.name", "StackComponentSchema.name")],
};

/// `GET /stacks` (alias `s` = `stacks`).
pub static STACKS: ResourceSpec = table! {
    filter_name: "StackFilter",
    alias: "s",
    table: "stacks",
    py: ("stack", "StackSchema"),
    params: &[
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&S_USER) },
        Param { name: "name", kind: K::Str(col("s.name", "StackSchema.name")) },
        Param { name: "description", kind: K::Str(col("s.description", "StackSchema.description")) },
        Param { name: "component_id", kind: K::LinkUuid(&S_COMPONENTS, col("f.id", "stack_composition.component_id")) },
        Param { name: "component", kind: K::NameOrId(&S_COMPONENTS) },
    ],
    custom_order: &["user", "component_id", "component"],
    sorts: &[
        sk("name", "s.name"),
        sk("description", "s.description"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = s.user_pk)"),
    ],
    no_sort: &["scope_user", "component_id", "component"],
    narrowings: &[],
};

static C_USER: Relation = user_rel("c.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static C_STACKS: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM stack_component_links f_l JOIN stacks f ON f.pk = f_l.stack_pk WHERE f_l.component_pk = c.pk AND {c})"),
    group: Some("stack_composition"),
    cols: &[col("f.id", "stack.id")],
};

/// `GET /components` (alias `c` = `stack_components`).
pub static COMPONENTS: ResourceSpec = table! {
    filter_name: "ComponentFilter",
    alias: "c",
    table: "stack_components",
    py: ("stack_component", "StackComponentSchema"),
    params: &[
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&C_USER) },
        Param { name: "scope_type", kind: K::ScopeType("c.type") },
        Param { name: "name", kind: K::Str(col("c.name", "StackComponentSchema.name")) },
        Param { name: "flavor", kind: K::Str(col("c.flavor", "StackComponentSchema.flavor")) },
        Param { name: "type", kind: K::Str(col("c.type", "StackComponentSchema.type")) },
        Param { name: "connector_id", kind: K::Uuid(col("NULL", "stack_component.connector_id")) },
        Param { name: "stack_id", kind: K::LinkUuid(&C_STACKS, col("f.id", "stack_composition.stack_id")) },
    ],
    custom_order: &["user", "stack_id"],
    sorts: &[
        sk("name", "c.name"),
        sk("flavor", "c.flavor"),
        sk("type", "c.type"),
        sk("connector_id", "NULL"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = c.user_pk)"),
    ],
    no_sort: &["scope_user", "scope_type", "stack_id"],
    narrowings: &[],
};
