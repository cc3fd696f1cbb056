//! One filter occurrence → typed expression, per parameter kind.
//!
//! The reference validates column filters while building the filter model
//! (errors → 422 right away: the outer `Result`), but custom filters and
//! numeric comparisons only while building the SQL query, i.e. after the
//! project was resolved (errors stored in the condition: the inner `Result`,
//! surfaced by `ListQuery::where_sql`).

use rusqlite::types::Value;

use super::compile::{CmpOp, Expr, Pred};
use super::error::{
    model_error, pydantic_message, FilterError, LineError, BOOL_ERROR, DATETIME_FORMAT_ERROR, DATETIME_IN_ERROR,
    INT_ERROR,
};
use super::params::ModelInput;
use super::spec::{Column, ParamKind, Relation};
use super::value::{check_op, op_line, resolve, str_pred, uuid_pred, Op, Val, BOOL_OPS, DT_OPS, NUM_OPS, STR_OPS};
use crate::pycompat::scalars as py;
use crate::pycompat::strptime;

/// A condition whose query-time validation may still fail.
pub(super) type Deferred = Result<Expr, FilterError>;

fn test(col: &'static str, pred: Pred) -> Expr {
    Expr::Test { col, pred }
}

/// A column filter occurrence (`title` = filter model name, `data` = repr
/// of the model input for model-level messages).
pub(super) fn column_term(
    kind: &ParamKind,
    raw: &str,
    title: &str,
    data: &ModelInput,
) -> Result<Deferred, FilterError> {
    let resolved = || resolve(raw).map_err(|m| model_error(title, data, m));
    match *kind {
        ParamKind::Str(c) => {
            let (op, val) = resolved()?;
            check_op(title, op, STR_OPS)?;
            Ok(str_pred(op, &val, c.py, false).map(|p| test(c.expr, p)))
        }
        ParamKind::Uuid(c) => {
            let (op, val) = resolved()?;
            check_op(title, op, STR_OPS)?;
            Ok(uuid_pred(op, &val, c.py).map(|p| test(c.expr, p)))
        }
        ParamKind::Int(c) => {
            let (op, val) = resolved()?;
            int_term(c, op, &val, title, data).map(Ok)
        }
        ParamKind::Datetime(c) => {
            let (op, val) = resolved()?;
            datetime_term(c, op, &val, title, data).map(Ok)
        }
        ParamKind::BoolOps(c) => {
            // FastAPI hands a value pydantic reads as a bool (`on`, `T`, …)
            // over as a bool: plain equality, no operator.
            if let Some(b) = py::lax_bool(raw) {
                return Ok(Ok(bool_eq(c, b)));
            }
            let (op, val) = resolved()?;
            bool_ops_term(c, op, &val, title).map(Ok)
        }
        // Only column kinds reach here.
        _ => Ok(Ok(Expr::Const(true))),
    }
}

fn int_term(c: Column, op: Op, val: &Val, title: &str, data: &ModelInput) -> Result<Expr, FilterError> {
    if let Val::None = val {
        check_op(title, op, NUM_OPS)?;
        return Ok(test(c.expr, Pred::Null { negate: op == Op::IsNotNull }));
    }
    let number = match val {
        Val::Text(s) => py::parse_int_as_float(s),
        _ => None,
    };
    let number = number.ok_or_else(|| model_error(title, data, INT_ERROR))?;
    check_op(title, op, NUM_OPS)?;
    // The reference's NumericFilter holds a float: bind a REAL.
    Ok(test(c.expr, Pred::Cmp(op.cmp(), Value::Real(number))))
}

fn datetime_term(c: Column, op: Op, val: &Val, title: &str, data: &ModelInput) -> Result<Expr, FilterError> {
    let text = match val {
        Val::None => {
            check_op(title, op, DT_OPS)?;
            return Ok(test(c.expr, Pred::Null { negate: op == Op::IsNotNull }));
        }
        // `oneof:[…]` on a datetime: the reference crashes (500); answer the
        // format error instead.
        Val::List(_) => return Err(model_error(title, data, DATETIME_FORMAT_ERROR)),
        Val::Text(s) => s,
    };
    let format_error = || model_error(title, data, DATETIME_FORMAT_ERROR);
    let (lo, hi) = match text.split_once(',') {
        Some((a, b)) => {
            (strptime::strptime(a).ok_or_else(format_error)?, Some(strptime::strptime(b).ok_or_else(format_error)?))
        }
        None => (strptime::strptime(text).ok_or_else(format_error)?, None),
    };
    match (op, hi) {
        (Op::In, None) => return Err(model_error(title, data, DATETIME_IN_ERROR)),
        (Op::In, Some(_)) => {}
        (_, Some(_)) => {
            let msg = format!("Only a single datetime value is allowed for operator {}.", op.name());
            return Err(model_error(title, data, &msg));
        }
        (_, None) => {}
    }
    check_op(title, op, DT_OPS)?;
    Ok(match hi {
        Some(hi) => test(c.expr, Pred::Between(lo, hi)),
        None => test(c.expr, Pred::Cmp(op.cmp(), Value::Integer(lo))),
    })
}

/// `BoolFilter.parse_bool_value` for strings.
fn filter_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "1" | "y" | "yes" | "true" => Some(true),
        "0" | "n" | "no" | "false" => Some(false),
        _ => None,
    }
}

fn bool_ops_term(c: Column, op: Op, val: &Val, title: &str) -> Result<Expr, FilterError> {
    if let Val::None = val {
        check_op(title, op, BOOL_OPS)?;
        return Ok(test(c.expr, Pred::Null { negate: op == Op::IsNotNull }));
    }
    let mut errors = Vec::new();
    if !BOOL_OPS.contains(&op) {
        errors.push(op_line(op, BOOL_OPS));
    }
    let parsed = match val {
        Val::Text(s) => filter_bool(s),
        _ => None,
    };
    if parsed.is_none() {
        let (input_repr, input_type) = match val {
            Val::Text(s) => (py::repr_str(s), "str"),
            _ => (val.text(), "list"),
        };
        errors.push(LineError { loc: Some("value"), msg: BOOL_ERROR.into(), input_repr, input_type });
    }
    match parsed {
        Some(b) if errors.is_empty() => {
            let cmp = if op == Op::NotEquals { CmpOp::Ne } else { CmpOp::Eq };
            Ok(test(c.expr, Pred::Cmp(cmp, Value::Integer(i64::from(b)))))
        }
        _ => Err(FilterError::Invalid(pydantic_message(title, &errors))),
    }
}

/// Equality on a boolean column (a FastAPI-parsed single bool parameter).
pub(super) fn bool_eq(c: Column, b: bool) -> Expr {
    test(c.expr, Pred::Cmp(CmpOp::Eq, Value::Integer(i64::from(b))))
}

/// `_resolve_operator` called while building the query: a plain
/// `ValueError` (400).
fn resolve_query_time(raw: &str) -> Result<(Op, Val), FilterError> {
    resolve(raw).map_err(|m| FilterError::BadRequest(m.to_string()))
}

/// Name-or-id filter (`generate_name_or_id_query_conditions`): the id
/// column under UUID rules OR each other column under string rules.
pub(super) fn name_or_id(rel: &'static Relation, raw: &str) -> Deferred {
    let (op, val) = resolve_query_time(raw)?;
    check_op("UUIDFilter", op, STR_OPS)?;
    let mut parts = Vec::with_capacity(rel.cols.len());
    for (i, c) in rel.cols.iter().enumerate() {
        let pred = if i == 0 { uuid_pred(op, &val, c.py)? } else { str_pred(op, &val, c.py, false)? };
        parts.push(test(c.expr, pred));
    }
    Ok(Expr::Sub { rel, inner: Box::new(Expr::Or(parts)) })
}

/// UUID filter on the id of related rows (`model_version_id`,
/// `component_id`, `stack_id`).
pub(super) fn link_uuid(rel: &'static Relation, c: Column, raw: &str) -> Deferred {
    let (op, val) = resolve_query_time(raw)?;
    check_op("UUIDFilter", op, STR_OPS)?;
    let pred = uuid_pred(op, &val, c.py)?;
    Ok(Expr::Sub { rel, inner: Box::new(test(c.expr, pred)) })
}

/// `TaggableFilter`: "has at least one tag whose name matches";
/// `isnull:` = no tags, `isnotnull:` = any tag.
pub(super) fn tags(rel: &'static Relation, any: &'static str, raw: &str) -> Deferred {
    let (op, val) = resolve_query_time(raw)?;
    match op {
        Op::IsNull => return Ok(Expr::Not(Box::new(Expr::Raw(any)))),
        Op::IsNotNull => return Ok(Expr::Raw(any)),
        _ => {}
    }
    check_op("StrFilter", op, STR_OPS)?;
    let Some(c) = rel.cols.first() else { return Ok(Expr::Const(false)) };
    let pred = str_pred(op, &val, c.py, false)?;
    Ok(Expr::Sub { rel, inner: Box::new(test(c.expr, pred)) })
}

/// `run_metadata=key:value` / `key:op:value`: some metadata row of the
/// version with exactly that key whose JSON text matches.
pub(super) fn run_metadata(rel: &'static Relation, entry: &str) -> Deferred {
    let (key, value) = entry.split_once(':').unwrap_or((entry, ""));
    let (Some(key_col), Some(value_col)) = (rel.cols.first(), rel.cols.get(1)) else {
        return Ok(Expr::Const(false));
    };
    let (op, val) = resolve_query_time(value)?;
    check_op("StrFilter", op, STR_OPS)?;
    let pred = str_pred(op, &val, value_col.py, true)?;
    let key_test = test(key_col.expr, Pred::Cmp(CmpOp::Eq, Value::Text(key.to_string())));
    Ok(Expr::Sub { rel, inner: Box::new(Expr::And(vec![key_test, test(value_col.expr, pred)])) })
}

/// The parent artifact's boolean flag.
pub(super) fn parent_flag(rel: &'static Relation, col: &'static str, b: bool) -> Expr {
    Expr::Sub { rel, inner: Box::new(test(col, Pred::Cmp(CmpOp::Eq, Value::Integer(i64::from(b))))) }
}

/// Rows linked to at least one resource of the given (raw) type; `types`
/// holds the condition of each type that has links.
pub(super) fn resource_type(types: &[(&str, &'static str)], raw: &str) -> Expr {
    types.iter().find(|(t, _)| *t == raw).map_or(Expr::Const(false), |(_, sql)| Expr::Raw(sql))
}
