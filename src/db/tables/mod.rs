//! Table descriptions: the SQL shape of each list endpoint's resource
//! (table, alias, filterable columns, related rows, sort keys, planner
//! rewrites), written in the language of [`crate::filter::spec`] and given
//! to the filter module to compile a list query against. One file per
//! resource; the schema itself is `schema.sql`.

mod artifact_versions;
mod artifacts;
mod projects;
mod stacks;
mod tags;
mod users;

pub use artifact_versions::ARTIFACT_VERSIONS;
pub use artifacts::ARTIFACTS;
pub use projects::PROJECTS;
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
