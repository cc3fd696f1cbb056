//! Allow-lists of the tags, users, projects, stacks and components lists.

use super::resources::{col, sk, sk_custom, user_rel, Param, ParamKind as K, Relation, ResourceSpec, BASE_NO_SORT};

// -------------------------------------------------------------------- tags
static T_USER: Relation = user_rel("t.user_pk IN (SELECT f.pk FROM users f WHERE {c})");

/// `GET /tags` (alias `t` = `tags`).
pub static TAGS: ResourceSpec = ResourceSpec {
    filter_name: "TagFilter",
    alias: "t",
    table: "tags",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("t.id", "tag.id")) },
        Param { name: "created", kind: K::Datetime(col("t.created", "TagSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("t.updated", "TagSchema.updated")) },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&T_USER) },
        Param { name: "name", kind: K::Str(col("t.name", "TagSchema.name")) },
        Param { name: "color", kind: K::Str(col("t.color", "TagSchema.color")) },
        Param { name: "exclusive", kind: K::BoolEq(col("t.exclusive", "TagSchema.exclusive")) },
        Param { name: "resource_type", kind: K::ResourceType },
    ],
    custom_order: &["user", "resource_type"],
    sorts: &[
        sk("id", "t.id"),
        sk("created", "t.created"),
        sk("updated", "t.updated"),
        sk("name", "t.name"),
        sk("color", "t.color"),
        sk("exclusive", "t.exclusive"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = t.user_pk)"),
    ],
    no_sort: &["sort_by", "page", "size", "logical_operator", "scope_user", "resource_type"],
    narrowings: &[],
};

/// SQL of `resource_type=<value>` on the tags list (`None` = no such links).
pub(super) fn tag_resource_type_sql(value: &str) -> Option<&'static str> {
    match value {
        "artifact_version" => Some("EXISTS (SELECT 1 FROM artifact_version_tags f_l WHERE f_l.tag_pk = t.pk)"),
        "artifact" => Some("EXISTS (SELECT 1 FROM artifact_tags f_l WHERE f_l.tag_pk = t.pk)"),
        _ => None,
    }
}

// ------------------------------------------------------------------- users
/// `GET /users` (alias `u` = `users`). The caller also excludes service
/// accounts (`u.is_service_account = 0`), like the reference.
pub static USERS: ResourceSpec = ResourceSpec {
    filter_name: "UserFilter",
    alias: "u",
    table: "users",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("u.id", "\"user\".id")) },
        Param { name: "created", kind: K::Datetime(col("u.created", "UserSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("u.updated", "UserSchema.updated")) },
        Param { name: "name", kind: K::Str(col("u.name", "UserSchema.name")) },
        Param { name: "full_name", kind: K::Str(col("u.full_name", "UserSchema.full_name")) },
        Param { name: "email", kind: K::Str(col("u.email", "UserSchema.email")) },
        Param { name: "active", kind: K::BoolOps(col("u.active", "UserSchema.active")) },
        Param { name: "email_opted_in", kind: K::BoolOps(col("u.email_opted_in", "UserSchema.email_opted_in")) },
        Param { name: "external_user_id", kind: K::Uuid(col("NULL", "\"user\".external_user_id")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("id", "u.id"),
        sk("created", "u.created"),
        sk("updated", "u.updated"),
        sk("name", "u.name"),
        sk("full_name", "u.full_name"),
        sk("email", "u.email"),
        sk("active", "u.active"),
        sk("email_opted_in", "u.email_opted_in"),
        sk("external_user_id", "NULL"),
    ],
    no_sort: BASE_NO_SORT,
    narrowings: &[],
};

// ---------------------------------------------------------------- projects
/// `GET /projects` (alias `p` = `projects`).
pub static PROJECTS: ResourceSpec = ResourceSpec {
    filter_name: "ProjectFilter",
    alias: "p",
    table: "projects",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("p.id", "project.id")) },
        Param { name: "created", kind: K::Datetime(col("p.created", "ProjectSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("p.updated", "ProjectSchema.updated")) },
        Param { name: "name", kind: K::Str(col("p.name", "ProjectSchema.name")) },
        Param { name: "display_name", kind: K::Str(col("p.display_name", "ProjectSchema.display_name")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("id", "p.id"),
        sk("created", "p.created"),
        sk("updated", "p.updated"),
        sk("name", "p.name"),
        sk("display_name", "p.display_name"),
    ],
    no_sort: BASE_NO_SORT,
    narrowings: &[],
};

// ------------------------------------------------------ stacks, components
static S_USER: Relation = user_rel("s.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static S_COMPONENTS: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM stack_component_links f_l JOIN stack_components f ON f.pk = f_l.component_pk WHERE f_l.stack_pk = s.pk AND {c})"),
    group: Some("stack_composition"),
    cols: &[col("f.id", "stack_component.id"), col("f.name", "StackComponentSchema.name")],
};

/// `GET /stacks` (alias `s` = `stacks`).
pub static STACKS: ResourceSpec = ResourceSpec {
    filter_name: "StackFilter",
    alias: "s",
    table: "stacks",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("s.id", "stack.id")) },
        Param { name: "created", kind: K::Datetime(col("s.created", "StackSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("s.updated", "StackSchema.updated")) },
        Param { name: "scope_user", kind: K::ScopeUser },
        Param { name: "user", kind: K::NameOrId(&S_USER) },
        Param { name: "name", kind: K::Str(col("s.name", "StackSchema.name")) },
        Param { name: "description", kind: K::Str(col("s.description", "StackSchema.description")) },
        Param { name: "component_id", kind: K::LinkUuid(&S_COMPONENTS, col("f.id", "stack_composition.component_id")) },
        Param { name: "component", kind: K::NameOrId(&S_COMPONENTS) },
    ],
    custom_order: &["user", "component_id", "component"],
    sorts: &[
        sk("id", "s.id"),
        sk("created", "s.created"),
        sk("updated", "s.updated"),
        sk("name", "s.name"),
        sk("description", "s.description"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = s.user_pk)"),
    ],
    no_sort: &["sort_by", "page", "size", "logical_operator", "scope_user", "component_id", "component"],
    narrowings: &[],
};

static C_USER: Relation = user_rel("c.user_pk IN (SELECT f.pk FROM users f WHERE {c})");
static C_STACKS: Relation = Relation {
    sql: Some("EXISTS (SELECT 1 FROM stack_component_links f_l JOIN stacks f ON f.pk = f_l.stack_pk WHERE f_l.component_pk = c.pk AND {c})"),
    group: Some("stack_composition"),
    cols: &[col("f.id", "stack.id")],
};

/// `GET /components` (alias `c` = `stack_components`).
pub static COMPONENTS: ResourceSpec = ResourceSpec {
    filter_name: "ComponentFilter",
    alias: "c",
    table: "stack_components",
    params: &[
        Param { name: "sort_by", kind: K::SortBy },
        Param { name: "logical_operator", kind: K::Logical },
        Param { name: "page", kind: K::Page },
        Param { name: "size", kind: K::Size },
        Param { name: "id", kind: K::Uuid(col("c.id", "stack_component.id")) },
        Param { name: "created", kind: K::Datetime(col("c.created", "StackComponentSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("c.updated", "StackComponentSchema.updated")) },
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
        sk("id", "c.id"),
        sk("created", "c.created"),
        sk("updated", "c.updated"),
        sk("name", "c.name"),
        sk("flavor", "c.flavor"),
        sk("type", "c.type"),
        sk("connector_id", "NULL"),
        sk_custom("user", "(SELECT f.name FROM users f WHERE f.pk = c.user_pk)"),
    ],
    no_sort: &["sort_by", "page", "size", "logical_operator", "scope_user", "scope_type", "stack_id"],
    narrowings: &[],
};
