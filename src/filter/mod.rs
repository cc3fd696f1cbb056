//! List filtering, sorting and pagination of ZenML 0.98 list endpoints.
//!
//! [`parse`] turns a list endpoint's raw query parameters into a typed
//! [`ListQuery`] (never touching the DB); [`ListQuery::where_sql`] and
//! [`ListQuery::order_sql`] compile it, against the table description it is
//! given ([`ResourceSpec`], written in the language of [`spec`]; the
//! descriptions live with the schema in `crate::db::tables`), into a WHERE
//! condition with `?` placeholders and an ORDER BY clause; [`check_page`]
//! does the page arithmetic. User input never becomes SQL text: values are
//! bound parameters, columns come from the static tables. A resource's
//! `narrowings` let one condition restrict another's subquery (an artifact
//! equality narrows a tag filter to that artifact's tag links), and
//! [`ListQuery::tag_of`] recognises the lists those tag links answer alone.
//!
//! Behaviour follows `/work/shared/spec/filtering.md` and the reference
//! server (`zenml.models.v2.base.filter`), including its quirks: unescaped
//! `LIKE` wildcards, numeric comparison of text columns through
//! `CAST(col AS REAL)` (zero never matches), lenient Python parsing of ints,
//! floats, UUIDs and `%Y-%m-%d %H:%M:%S` datetimes, and which errors are a
//! 422 at parse time versus a 400/422 while building the query.
//!
//! Typical use (tables aliased as in the spec, e.g. `artifact_versions av`):
//!
//! ```ignore
//! use crate::db::tables::ARTIFACT_VERSIONS;
//! let q = filter::parse(&ARTIFACT_VERSIONS, &pairs)?;
//! // resolve q.project / q.scope_user, then:
//! let w = q.where_sql(&ARTIFACT_VERSIONS)?;
//! let total = count("… WHERE av.project_pk = ? AND <w.sql>");
//! let total_pages = filter::check_page(&q, total)?;
//! let sql = format!("… ORDER BY {} LIMIT ? OFFSET ?", q.order_sql(&ARTIFACT_VERSIONS));
//! ```

mod compile;
mod error;
mod params;
mod query;
pub mod spec;
mod tag_of;
mod terms;
mod value;

#[cfg(test)]
mod tests;

pub use compile::{CmpOp, Expr, Pred, SqlFragment};
pub use error::FilterError;
pub use params::{Logical, Sort};
pub use query::{check_page, parse, Condition, ListQuery, MAX_PAGE_SIZE};
pub use spec::{Column, Narrowing, Param, ParamKind, Relation, ResourceSpec, SortKey, Tie};
pub use tag_of::TagOf;
pub use value::{Op, Val};
