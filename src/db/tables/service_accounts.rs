//! `GET /service_accounts` and `GET /service_accounts/{id}/api_keys`: their
//! tables as the query language sees them.

use crate::filter::spec::{col, sk, Param, ParamKind as K, ResourceSpec};

/// `GET /service_accounts` (alias `u` = `users`). The caller keeps only
/// service accounts (`u.is_service_account = 1`), like the reference.
pub static SERVICE_ACCOUNTS: ResourceSpec = table! {
    filter_name: "ServiceAccountFilter",
    alias: "u",
    table: "users",
    py: ("\"user\"", "UserSchema"),
    params: &[
        Param { name: "name", kind: K::Str(col("u.name", "UserSchema.name")) },
        Param { name: "description", kind: K::Str(col("u.description", "UserSchema.description")) },
        Param { name: "active", kind: K::BoolOps(col("u.active", "UserSchema.active")) },
        Param { name: "external_user_id", kind: K::Uuid(col("NULL", "\"user\".external_user_id")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("name", "u.name"),
        sk("description", "u.description"),
        sk("active", "u.active"),
        sk("external_user_id", "NULL"),
    ],
    no_sort: &[],
    narrowings: &[],
};

/// `GET /service_accounts/{id}/api_keys` (alias `k` = `api_keys`). The
/// caller keeps the account's keys (`k.account_pk = ?`).
pub static API_KEYS: ResourceSpec = table! {
    filter_name: "APIKeyFilter",
    alias: "k",
    table: "api_keys",
    py: ("api_key", "APIKeySchema"),
    params: &[
        Param { name: "name", kind: K::Str(col("k.name", "APIKeySchema.name")) },
        Param { name: "description", kind: K::Str(col("k.description", "APIKeySchema.description")) },
        Param { name: "active", kind: K::BoolOps(col("k.active", "APIKeySchema.active")) },
        Param { name: "last_login", kind: K::Datetime(col("k.last_login", "APIKeySchema.last_login")) },
        Param { name: "last_rotated", kind: K::Datetime(col("k.last_rotated", "APIKeySchema.last_rotated")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("name", "k.name"),
        sk("description", "k.description"),
        sk("active", "k.active"),
        sk("last_login", "k.last_login"),
        sk("last_rotated", "k.last_rotated"),
    ],
    no_sort: &[],
    narrowings: &[],
};
