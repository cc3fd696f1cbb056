//! Typed single parameters (FastAPI validation, shape-A errors), `sort_by`,
//! and the repr of the filter model's input used in model-level messages.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::error::{sort_error, validation, FilterError, SORT_INVALID};
use super::spec::{ParamKind, ResourceSpec};
use crate::pycompat::scalars as py;

/// How the conditions are combined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Logical {
    #[default]
    And,
    Or,
}

/// A validated `sort_by`: a key of the resource's sort table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: &'static str,
    pub desc: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: "created", desc: false }
    }
}

const INT_MSG: &str = "Input should be a valid integer, unable to parse string as an integer";

/// `logical_operator`: exactly `and` / `or`.
pub fn parse_logical(raw: &str) -> Result<Logical, FilterError> {
    match raw {
        "and" => Ok(Logical::And),
        "or" => Ok(Logical::Or),
        _ => Err(validation("logical_operator", "enum", "Input should be 'or' or 'and'", raw)),
    }
}

/// A pydantic int with bounds (`page`: ≥ 1; `size`: 1..=max).
pub fn parse_bounded_int(loc: &str, raw: &str, max: Option<u64>) -> Result<u64, FilterError> {
    let n = py::lax_int(raw).ok_or_else(|| validation(loc, "int_parsing", INT_MSG, raw))?;
    if n < 1 {
        return Err(validation(loc, "greater_than_equal", "Input should be greater than or equal to 1", raw));
    }
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    match max {
        Some(max) if n > max => {
            Err(validation(loc, "less_than_equal", format!("Input should be less than or equal to {max}"), raw))
        }
        _ => Ok(n),
    }
}

/// A pydantic bool (`true/false/1/0/yes/no/on/off/t/f/y/n`, any case).
pub fn parse_bool(loc: &str, raw: &str) -> Result<bool, FilterError> {
    py::lax_bool(raw).ok_or_else(|| {
        validation(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input", raw)
    })
}

/// A pydantic UUID (hyphenated, simple, braced or URN form, any case).
pub fn parse_uuid(loc: &str, raw: &str) -> Result<uuid::Uuid, FilterError> {
    uuid::Uuid::parse_str(raw).map_err(|_| {
        validation(loc, "uuid_parsing", format!("Input should be a valid UUID, {}", py::uuid_error(raw)), raw)
    })
}

/// `BaseFilter.validate_sort_by` (+ `sorting_params`): `[asc:|desc:]column`;
/// any other prefix means ascending on the part after the colon.
pub fn parse_sort(spec: &ResourceSpec, raw: &str) -> Result<Sort, FilterError> {
    let mut value = raw;
    let mut column = raw;
    let mut desc = false;
    if let Some((prefix, rest)) = raw.split_once(':') {
        column = rest;
        match prefix {
            "asc" => {}
            "desc" => desc = true,
            _ => value = rest,
        }
    }
    // Custom keys (`user`, `tags`, `latest_version`) are plain entries of
    // the sort table; a value re-split by `sorting_params` (`foo:desc:x` →
    // `desc:x`) is never a valid column, so one split is enough.
    if spec.unsortable(column) {
        return Err(sort_error(
            spec.filter_name,
            raw,
            format!("This resource can not be sorted by this field: {}", py::repr_str(value)),
        ));
    }
    match spec.sort_key(column) {
        Some(key) => Ok(Sort { key: key.name, desc }),
        None => Err(sort_error(spec.filter_name, raw, SORT_INVALID.to_string())),
    }
}

/// The input of the filter model, for model-level error messages. Its repr
/// is built only when a message needs it: most lists raise no error (see
/// bench/README.md, "Filter input repr").
pub(super) struct ModelInput<'a> {
    spec: &'a ResourceSpec,
    singles: &'a HashMap<&'a str, &'a str>,
    multis: &'a HashMap<&'a str, Vec<&'a str>>,
    repr: OnceCell<String>,
}

impl<'a> ModelInput<'a> {
    pub(super) fn new(
        spec: &'a ResourceSpec,
        singles: &'a HashMap<&'a str, &'a str>,
        multis: &'a HashMap<&'a str, Vec<&'a str>>,
    ) -> Self {
        ModelInput { spec, singles, multis, repr: OnceCell::new() }
    }

    /// [`data_repr`] of this input.
    pub(super) fn repr(&self) -> &str {
        self.repr.get_or_init(|| data_repr(self.spec, self.singles, self.multis))
    }
}

/// Python repr of the dict the filter model was built from (FastAPI passes
/// every parameter, defaults included), as shown in `input_value=`.
fn data_repr(spec: &ResourceSpec, singles: &HashMap<&str, &str>, multis: &HashMap<&str, Vec<&str>>) -> String {
    let mut parts = Vec::with_capacity(spec.params.len() + 4);
    for p in spec.all_params() {
        let single = singles.get(p.name).copied();
        let value = match p.kind {
            ParamKind::SortBy => py::repr_str(single.unwrap_or("created")),
            ParamKind::Logical => match single {
                Some("or") => "<LogicalOperators.OR: 'or'>".to_string(),
                _ => "<LogicalOperators.AND: 'and'>".to_string(),
            },
            ParamKind::Page | ParamKind::Size => {
                let default = if p.kind == ParamKind::Page { 1 } else { 20 };
                let n = single.and_then(py::lax_int).unwrap_or(default);
                n.to_string()
            }
            ParamKind::ScopeUser => match single.and_then(|v| uuid::Uuid::parse_str(v).ok()) {
                Some(u) => format!("UUID('{}')", u.hyphenated()),
                None => "None".into(),
            },
            ParamKind::BoolEq(_) | ParamKind::ParentFlag(..) | ParamKind::OnlyUnused(_) => {
                match single.and_then(py::lax_bool) {
                    Some(true) => "True".into(),
                    Some(false) => "False".into(),
                    None if matches!(p.kind, ParamKind::OnlyUnused(_)) => "False".into(),
                    None => "None".into(),
                }
            }
            // FastAPI passes a value it can read as a bool as a bool.
            ParamKind::BoolOps(_) => match single {
                Some(v) => match py::lax_bool(v) {
                    Some(b) => (if b { "True" } else { "False" }).to_string(),
                    None => py::repr_str(v),
                },
                None => "None".into(),
            },
            _ => match (single, multis.get(p.name)) {
                (Some(v), _) => py::repr_str(v),
                (None, Some(vs)) => {
                    let items: Vec<String> = vs.iter().map(|v| py::repr_str(v)).collect();
                    format!("[{}]", items.join(", "))
                }
                (None, None) => "None".into(),
            },
        };
        parts.push(format!("{}: {}", py::repr_str(p.name), value));
    }
    format!("{{{}}}", parts.join(", "))
}

/// An optional pydantic bool (`None` when absent).
pub fn parse_bool_optional(loc: &str, raw: Option<&str>) -> Result<Option<bool>, FilterError> {
    raw.map(|r| parse_bool(loc, r)).transpose()
}
