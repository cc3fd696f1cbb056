//! Python compatibility: the reference server is Python (pydantic, FastAPI,
//! the `zenml` filter models), so which strings are accepted as ints, floats,
//! booleans, UUIDs and datetimes, how values are echoed in error messages,
//! and how JSON values are stored as text follow Python's rules. One home
//! for all of it, used by the filter module, request validation and the
//! HTTP extractors alike. Everything here is pure and never panics on
//! arbitrary input.
//!
//! - [`scalars`]: `repr` of strings, floats and JSON values, pydantic's
//!   input truncation, lax ints/floats/bools, `uuid.UUID` rules;
//! - [`mod@strptime`]: `datetime.strptime(s, "%Y-%m-%d %H:%M:%S")`, and the
//!   ISO datetimes pydantic reads in request bodies ([`iso_datetime`]);
//! - [`json`]: `json.dumps` text.

pub mod json;
pub mod scalars;
pub mod strptime;

pub use json::dumps;
pub use scalars::{float_repr, json_repr, json_str, lax_bool, lax_int, repr_str, truncate_repr};
pub use strptime::{iso_datetime, strptime};
