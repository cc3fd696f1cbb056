//! `operator:value` parsing and the per-column-type predicates of the
//! reference's `StrFilter` / `UUIDFilter` (the other types live in `terms`).

use rusqlite::types::Value;
use serde_json::Value as Json;

use super::compile::{CmpOp, Pred};
use super::error::{pydantic_message, FilterError, LineError, NO_VALUE_ERROR, ONEOF_ERROR};
use crate::pycompat::scalars as py;

/// `GenericFilterOps`, in the reference's declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    Contains,
    StartsWith,
    EndsWith,
    OneOf,
    NotOneOf,
    NotContains,
    IsNull,
    IsNotNull,
    Gte,
    Gt,
    Lte,
    Lt,
    In,
}

const ALL_OPS: [(Op, &str, &str); 15] = [
    (Op::Equals, "EQUALS", "equals"),
    (Op::NotEquals, "NOT_EQUALS", "notequals"),
    (Op::Contains, "CONTAINS", "contains"),
    (Op::StartsWith, "STARTSWITH", "startswith"),
    (Op::EndsWith, "ENDSWITH", "endswith"),
    (Op::OneOf, "ONEOF", "oneof"),
    (Op::NotOneOf, "NOT_ONEOF", "notoneof"),
    (Op::NotContains, "NOT_CONTAINS", "notcontains"),
    (Op::IsNull, "IS_NULL", "isnull"),
    (Op::IsNotNull, "IS_NOT_NULL", "isnotnull"),
    (Op::Gte, "GTE", "gte"),
    (Op::Gt, "GT", "gt"),
    (Op::Lte, "LTE", "lte"),
    (Op::Lt, "LT", "lt"),
    (Op::In, "IN", "in"),
];

impl Op {
    /// The operator prefix (`equals`, `notequals`, …).
    pub fn name(self) -> &'static str {
        ALL_OPS.iter().find(|(o, _, _)| *o == self).map(|(_, _, n)| *n).unwrap_or("equals")
    }

    fn member(self) -> &'static str {
        ALL_OPS.iter().find(|(o, _, _)| *o == self).map(|(_, m, _)| *m).unwrap_or("EQUALS")
    }

    /// Python `repr()` of the enum member.
    pub(super) fn enum_repr(self) -> String {
        format!("<GenericFilterOps.{}: '{}'>", self.member(), self.name())
    }

    /// The operator for an exact (lowercase) prefix.
    pub fn from_prefix(prefix: &str) -> Option<Op> {
        ALL_OPS.iter().find(|(_, _, n)| *n == prefix).map(|(o, _, _)| *o)
    }

    pub(super) fn cmp(self) -> CmpOp {
        match self {
            Op::NotEquals => CmpOp::Ne,
            Op::Gt => CmpOp::Gt,
            Op::Gte => CmpOp::Gte,
            Op::Lt => CmpOp::Lt,
            Op::Lte => CmpOp::Lte,
            _ => CmpOp::Eq,
        }
    }
}

use Op::*;
/// `StrFilter.ALLOWED_OPS` (also UUID columns).
pub(super) const STR_OPS: &[Op] = &[
    Equals,
    NotEquals,
    StartsWith,
    Contains,
    EndsWith,
    OneOf,
    NotOneOf,
    NotContains,
    IsNull,
    IsNotNull,
    Gt,
    Gte,
    Lt,
    Lte,
];
/// `NumericFilter.ALLOWED_OPS`.
pub(super) const NUM_OPS: &[Op] = &[Equals, NotEquals, IsNull, IsNotNull, Gt, Gte, Lt, Lte];
/// `DatetimeFilter.ALLOWED_OPS`.
pub(super) const DT_OPS: &[Op] = &[Equals, NotEquals, IsNull, IsNotNull, Gt, Gte, Lt, Lte, In];
/// `BoolFilter.ALLOWED_OPS`.
pub(super) const BOOL_OPS: &[Op] = &[Equals, NotEquals, IsNull, IsNotNull];

/// A resolved filter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `isnull:` / `isnotnull:`.
    None,
    Text(String),
    /// The JSON array of `oneof:` / `notoneof:`.
    List(Vec<Json>),
}

impl Val {
    /// Python `str()` of the value (lists as their repr).
    pub(super) fn text(&self) -> String {
        match self {
            Val::None => "None".into(),
            Val::Text(s) => s.clone(),
            Val::List(items) => py::json_repr(&Json::Array(items.clone())),
        }
    }
}

/// `BaseFilter._resolve_operator`: split at the first colon when the prefix
/// is an operator, check valueless operators, parse `oneof` lists. The error
/// is the bare message (its status depends on where the reference raised it).
pub fn resolve(raw: &str) -> Result<(Op, Val), &'static str> {
    let (op, value) = match raw.split_once(':') {
        Some((prefix, rest)) => match Op::from_prefix(prefix) {
            Some(op) => (op, rest),
            None => (Equals, raw),
        },
        None => (Equals, raw),
    };
    match op {
        IsNull | IsNotNull if !value.is_empty() => Err(NO_VALUE_ERROR),
        IsNull | IsNotNull => Ok((op, Val::None)),
        OneOf | NotOneOf => match serde_json::from_str::<Json>(value) {
            Ok(Json::Array(items)) => Ok((op, Val::List(items))),
            _ => Err(ONEOF_ERROR),
        },
        _ => Ok((op, Val::Text(value.to_string()))),
    }
}

/// The `operation` line error of a filter model.
pub(super) fn op_line(op: Op, allowed: &[Op]) -> LineError {
    let list: Vec<String> = allowed.iter().map(|o| o.enum_repr()).collect();
    LineError {
        loc: Some("operation"),
        msg: format!(
            "This datatype can not be filtered using this operation: '{}'. The allowed operations are: [{}]",
            op.name(),
            list.join(", ")
        ),
        input_repr: op.enum_repr(),
        input_type: "GenericFilterOps",
    }
}

/// Rejects an operator the column type does not allow (422).
pub(super) fn check_op(title: &str, op: Op, allowed: &[Op]) -> Result<(), FilterError> {
    if allowed.contains(&op) {
        Ok(())
    } else {
        Err(FilterError::Invalid(pydantic_message(title, &[op_line(op, allowed)])))
    }
}

/// A JSON list item bound as the Python object would be (`None` = SQL NULL
/// comparison, i.e. `IS NULL`). Nested lists/objects cannot be bound (the
/// reference fails with a 500): reported as an invalid `oneof` list.
fn bind_item(item: &Json) -> Result<Option<Value>, FilterError> {
    Ok(Some(match item {
        Json::Null => return Ok(None),
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(_) | Json::Object(_) => return Err(FilterError::Invalid(ONEOF_ERROR.to_string())),
    }))
}

/// `oneof` (`negate`: `notoneof`) over bind values; nulls become `IS [NOT] NULL`.
fn in_list(values: Vec<Value>, has_null: bool, negate: bool) -> Pred {
    let mut parts = Vec::new();
    if !values.is_empty() {
        parts.push(Pred::In { values, negate });
    }
    if has_null {
        parts.push(Pred::Null { negate });
    }
    match (parts.len(), negate) {
        (1, _) => parts.pop().unwrap_or(Pred::Const(true)),
        (_, false) => Pred::Any(parts),
        (_, true) => Pred::All(parts),
    }
}

fn float_value(val: &Val, py_col: &str) -> Result<f64, FilterError> {
    let text = val.text();
    py::parse_float(&text).ok_or_else(|| {
        FilterError::BadRequest(format!(
            "Failed to compare the column '{py_col}' to the value '{text}' (must be numeric): could not convert string to float: {}",
            py::repr_str(&text)
        ))
    })
}

/// `StrFilter.generate_query_conditions_from_column`; `json` for the
/// JSON-encoded run-metadata value column (raw or quoted matches).
/// Errors here are raised by the reference while building the query.
pub(super) fn str_pred(op: Op, val: &Val, py_col: &str, json: bool) -> Result<Pred, FilterError> {
    if matches!(op, Gt | Gte | Lt | Lte) {
        return Ok(Pred::NumCmp(op.cmp(), float_value(val, py_col)?));
    }
    if matches!(op, IsNull | IsNotNull) {
        return Ok(Pred::Null { negate: op == IsNotNull });
    }
    if let (OneOf | NotOneOf, Val::List(items)) = (op, val) {
        let mut values = Vec::new();
        let mut has_null = false;
        for item in items {
            match bind_item(item)? {
                Some(v) => values.push(v),
                None => has_null = true,
            }
            if json {
                values.push(Value::Text(format!("\"{}\"", py::json_str(item))));
            }
        }
        if values.is_empty() && !has_null {
            return Ok(Pred::Const(true));
        }
        return Ok(in_list(values, has_null, op == NotOneOf));
    }
    let v = val.text();
    let text = |s: String| Value::Text(s);
    let like = |pattern: String, negate: bool| Pred::Like { pattern, negate };
    Ok(match op {
        Contains => like(format!("%{v}%"), false),
        NotContains => like(format!("%{v}%"), true),
        StartsWith if json => Pred::Any(vec![like(format!("{v}%"), false), like(format!("\"{v}%"), false)]),
        StartsWith => like(format!("{v}%"), false),
        EndsWith if json => Pred::Any(vec![like(format!("%{v}"), false), like(format!("%{v}\""), false)]),
        EndsWith => like(format!("%{v}"), false),
        NotEquals if json => {
            Pred::All(vec![Pred::Cmp(CmpOp::Ne, text(v.clone())), Pred::Cmp(CmpOp::Ne, text(format!("\"{v}\"")))])
        }
        NotEquals => Pred::Cmp(CmpOp::Ne, text(v)),
        Equals if json => {
            Pred::Any(vec![Pred::Cmp(CmpOp::Eq, text(v.clone())), Pred::Cmp(CmpOp::Eq, text(format!("\"{v}\"")))])
        }
        Equals => Pred::Cmp(CmpOp::Eq, text(v)),
        // Rejected by `check_op` before any predicate is built.
        _ => Pred::Const(false),
    })
}

/// `UUIDFilter.generate_query_conditions_from_column` for a column holding
/// 32-hex lowercase text: equality parses the UUID (non-UUID: equals never,
/// notequals always matches); other operators work on the text with the
/// hyphens removed from the value.
pub(super) fn uuid_pred(op: Op, val: &Val, py_col: &str) -> Result<Pred, FilterError> {
    let stripped = match val {
        Val::Text(s) => Val::Text(s.replace('-', "")),
        Val::List(items) => Val::List(items.iter().map(|i| Json::String(py::json_str(i).replace('-', ""))).collect()),
        Val::None => Val::None,
    };
    match (op, &stripped) {
        (Equals, Val::Text(s)) => Ok(match py::uuid_hex(s) {
            Some(hex) => Pred::Cmp(CmpOp::Eq, Value::Text(hex)),
            None => Pred::Const(false),
        }),
        (NotEquals, Val::Text(s)) => Ok(match py::uuid_hex(s) {
            Some(hex) => Pred::Cmp(CmpOp::Ne, Value::Text(hex)),
            None => Pred::Const(true),
        }),
        _ => str_pred(op, &stripped, py_col, false),
    }
}
