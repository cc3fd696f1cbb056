//! [`FilterError`] and the pydantic-style message texts of the reference.

use super::params::ModelInput;
use crate::pycompat::scalars as py;

/// Where an error goes in the HTTP layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    /// 422 "shape A" (FastAPI request validation of a typed single param).
    /// `Display` gives `1 validation error:\n  {…}` (the HTTP layer appends
    /// the `File …` trailer); [`FilterError::validation_entry`] gives the
    /// `{'type': …}` dict alone.
    #[error("1 validation error:\n  {}", self.validation_entry().unwrap_or_default())]
    Validation { loc: String, kind: &'static str, msg: String, input: String },
    /// 422 "shape B" `ValueError`; the complete message text for `detail[1]`.
    #[error("{0}")]
    Invalid(String),
    /// 400 `ValueError` with this message.
    #[error("{0}")]
    BadRequest(String),
}

impl FilterError {
    /// The HTTP status the reference answers with.
    pub fn status(&self) -> u16 {
        match self {
            FilterError::Validation { .. } | FilterError::Invalid(_) => 422,
            FilterError::BadRequest(_) => 400,
        }
    }

    /// For [`FilterError::Validation`]: the pydantic error dict exactly as
    /// FastAPI prints it inside a shape-A body, e.g.
    /// `{'type': 'greater_than_equal', 'loc': ('query', 'page'), 'msg': 'Input should be greater than or equal to 1', 'input': '0', 'ctx': {'ge': 1}}`.
    pub fn validation_entry(&self) -> Option<String> {
        let FilterError::Validation { loc, kind, msg, input } = self else {
            return None;
        };
        let ctx = match *kind {
            "greater_than_equal" => Some("{'ge': 1}".to_string()),
            "less_than_equal" => Some("{'le': 10000}".to_string()),
            "enum" => Some(format!("{{'expected': {}}}", py::repr_str("'or' or 'and'"))),
            "uuid_parsing" => {
                let detail = msg.strip_prefix("Input should be a valid UUID, ").unwrap_or(msg);
                Some(format!("{{'error': {}}}", py::repr_str(detail)))
            }
            _ => None,
        };
        let mut out = format!(
            "{{'type': {}, 'loc': ('query', {}), 'msg': {}, 'input': {}",
            py::repr_str(kind),
            py::repr_str(loc),
            py::repr_str(msg),
            py::repr_str(input)
        );
        if let Some(ctx) = ctx {
            out.push_str(&format!(", 'ctx': {ctx}"));
        }
        out.push('}');
        Some(out)
    }
}

pub(super) const NO_VALUE_ERROR: &str =
    "When using 'isnull:'/'isnotnull:', use the explicit 'operator:' form without a value (e.g. 'isnull:').";
pub(super) const ONEOF_ERROR: &str =
    "When you are using the 'oneof:'/'notoneof:' filtering make sure that the provided value is a json formatted list.";
pub(super) const INT_ERROR: &str = "The int filter only works with integer values.";
pub(super) const BOOL_ERROR: &str = "The bool filter only works with boolean values.";
pub(super) const DATETIME_FORMAT_ERROR: &str =
    "The datetime filter only works with values in the following format: %Y-%m-%d %H:%M:%S";
pub(super) const DATETIME_IN_ERROR: &str = "Two comma separated datetime values are required for the `in` operator.";
pub(super) const SORT_INVALID: &str = "You can only sort by valid fields of this resource";

/// One pydantic line error of kind `value_error`.
pub(super) struct LineError {
    /// `None` for a model-level error (no location line).
    pub loc: Option<&'static str>,
    pub msg: String,
    /// `repr()` of the input (truncated when rendered).
    pub input_repr: String,
    pub input_type: &'static str,
}

/// `str(ValidationError)` as pydantic 2.12 renders it.
pub(super) fn pydantic_message(title: &str, errors: &[LineError]) -> String {
    let n = errors.len();
    let mut out = format!("{n} validation error{} for {title}", if n == 1 { "" } else { "s" });
    for e in errors {
        out.push('\n');
        if let Some(loc) = e.loc {
            out.push_str(loc);
            out.push('\n');
        }
        out.push_str(&format!(
            "  Value error, {} [type=value_error, input_value={}, input_type={}]\n    For further information visit https://errors.pydantic.dev/2.12/v/value_error",
            e.msg,
            py::truncate_repr(&e.input_repr),
            e.input_type
        ));
    }
    out
}

/// A model-level (`@model_validator`) error of the list filter itself.
pub(super) fn model_error(title: &str, data: &ModelInput, msg: &str) -> FilterError {
    FilterError::Invalid(pydantic_message(
        title,
        &[LineError { loc: None, msg: msg.to_string(), input_repr: data.repr().to_string(), input_type: "dict" }],
    ))
}

/// The `sort_by` field-validator error.
pub(super) fn sort_error(title: &str, raw: &str, msg: String) -> FilterError {
    FilterError::Invalid(pydantic_message(
        title,
        &[LineError { loc: Some("sort_by"), msg, input_repr: py::repr_str(raw), input_type: "str" }],
    ))
}

/// "1 validation error:" shape-A error of a typed single query parameter.
pub(super) fn validation(loc: &str, kind: &'static str, msg: impl Into<String>, input: &str) -> FilterError {
    FilterError::Validation { loc: loc.to_string(), kind, msg: msg.into(), input: input.to_string() }
}
