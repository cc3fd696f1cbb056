//! Table descriptions: the SQL shape of each list endpoint's resource
//! (table, alias, filterable columns, related rows, sort keys, planner
//! rewrites), written in the language of [`crate::filter::spec`] and given
//! to the filter module to compile a list query against. One file per
//! resource; the schema itself is `schema.sql`.

/// A [`ResourceSpec`](crate::filter::ResourceSpec) with the fields every
/// filter model has after the [`COMMON`](crate::filter::spec::COMMON) ones
/// (`id`, `created`, `updated`: parameters and sort keys on `alias`'s
/// columns, named in messages as `py.0.id` and `py.1.created`), followed by
/// the resource's own.
macro_rules! table {
    (
        filter_name: $filter:literal,
        alias: $alias:literal,
        table: $table:literal,
        py: ($py_table:literal, $py_schema:literal),
        params: &[$($param:expr),* $(,)?],
        custom_order: $custom:expr,
        sorts: &[$($sort:expr),* $(,)?],
        no_sort: $no_sort:expr,
        narrowings: $narrowings:expr $(,)?
    ) => {
        crate::filter::ResourceSpec {
            filter_name: $filter,
            alias: $alias,
            table: $table,
            params: &[
                crate::filter::Param {
                    name: "id",
                    kind: crate::filter::ParamKind::Uuid(crate::filter::spec::col(
                        concat!($alias, ".id"),
                        concat!($py_table, ".id"),
                    )),
                },
                crate::filter::Param {
                    name: "created",
                    kind: crate::filter::ParamKind::Datetime(crate::filter::spec::col(
                        concat!($alias, ".created"),
                        concat!($py_schema, ".created"),
                    )),
                },
                crate::filter::Param {
                    name: "updated",
                    kind: crate::filter::ParamKind::Datetime(crate::filter::spec::col(
                        concat!($alias, ".updated"),
                        concat!($py_schema, ".updated"),
                    )),
                },
                $($param),*
            ],
            custom_order: $custom,
            sorts: &[
                crate::filter::spec::sk("id", concat!($alias, ".id")),
                crate::filter::spec::sk("created", concat!($alias, ".created")),
                crate::filter::spec::sk("updated", concat!($alias, ".updated")),
                $($sort),*
            ],
            no_sort: $no_sort,
            narrowings: $narrowings,
        }
    };
}

mod artifact_versions;
mod artifacts;
mod models;
mod pipelines;
mod projects;
mod runs;
mod service_accounts;
mod stacks;
mod tags;
mod users;

pub use artifact_versions::ARTIFACT_VERSIONS;
pub use artifacts::ARTIFACTS;
pub use models::{MODELS, MODEL_VERSIONS, MODEL_VERSION_ARTIFACTS, MODEL_VERSION_RUNS};
pub use pipelines::{CODE_REPOSITORIES, PIPELINES};
pub use projects::PROJECTS;
pub use runs::{RUNS, STEPS};
pub use service_accounts::{API_KEYS, SERVICE_ACCOUNTS};
pub use stacks::{COMPONENTS, STACKS};
pub use tags::TAGS;
pub use users::USERS;

use crate::filter::spec::{col, Column, Relation};

const USER_COLS: &[Column] =
    &[col("f.id", "\"user\".id"), col("f.name", "UserSchema.name"), col("f.full_name", "UserSchema.full_name")];

/// The creator (`user` name-or-id filter): id, name or full name, through
/// `sql` (the related-rows subquery with `{c}` for the condition).
const fn user_rel(sql: &'static str) -> Relation {
    Relation { sql: Some(sql), group: None, cols: USER_COLS }
}
