//! `GET /users`: the users table as the query language sees it.

use crate::filter::spec::{col, sk, Param, ParamKind as K, ResourceSpec};

/// `GET /users` (alias `u` = `users`). The caller also excludes service
/// accounts (`u.is_service_account = 0`), like the reference.
pub static USERS: ResourceSpec = table! {
    filter_name: "UserFilter",
    alias: "u",
    table: "users",
    py: ("\"user\"", "UserSchema"),
    params: &[
        Param { name: "name", kind: K::Str(col("u.name", "UserSchema.name")) },
        Param { name: "full_name", kind: K::Str(col("u.full_name", "UserSchema.full_name")) },
        Param { name: "email", kind: K::Str(col("u.email", "UserSchema.email")) },
        Param { name: "active", kind: K::BoolOps(col("u.active", "UserSchema.active")) },
        Param { name: "email_opted_in", kind: K::BoolOps(col("u.email_opted_in", "UserSchema.email_opted_in")) },
        Param { name: "external_user_id", kind: K::Uuid(col("NULL", "\"user\".external_user_id")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("name", "u.name"),
        sk("full_name", "u.full_name"),
        sk("email", "u.email"),
        sk("active", "u.active"),
        sk("email_opted_in", "u.email_opted_in"),
        sk("external_user_id", "NULL"),
    ],
    no_sort: &[],
    narrowings: &[],
};
