//! Typed predicates and boolean expressions, and their rendering to SQLite
//! SQL with `?` placeholders. Every value is a bound parameter; the only SQL
//! text comes from the static resource tables.

use rusqlite::types::Value;

use super::resources::Relation;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl CmpOp {
    fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        }
    }
}

/// A predicate on one SQL column expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    /// Always true / always false (e.g. a non-UUID equality value).
    Const(bool),
    /// `IS NULL` (`negate`: `IS NOT NULL`).
    Null { negate: bool },
    /// `col <op> ?`.
    Cmp(CmpOp, Value),
    /// `col [NOT] LIKE ?` — the pattern is passed as is (no escaping, like
    /// the reference): `%`/`_` in user values are wildcards.
    Like { pattern: String, negate: bool },
    /// The reference's numeric comparison of a text column:
    /// `CAST(col AS REAL) <op> ? AND CAST(col AS REAL)` (zero never matches).
    NumCmp(CmpOp, f64),
    /// `col BETWEEN ? AND ?` (inclusive).
    Between(i64, i64),
    /// `col [NOT] IN (?, …)`; never empty.
    In { values: Vec<Value>, negate: bool },
    /// OR of the predicates; empty = true (an empty SQLAlchemy `or_()` is dropped).
    Any(Vec<Pred>),
    /// AND of the predicates; empty = true.
    All(Vec<Pred>),
}

/// A boolean condition over the listed resource's row.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(bool),
    /// A predicate on a column expression of the row (or of a related row
    /// inside [`Expr::Sub`]).
    Test { col: &'static str, pred: Pred },
    /// AND; empty = true.
    And(Vec<Expr>),
    /// OR; empty = true (SQLAlchemy drops empty clause lists).
    Or(Vec<Expr>),
    /// The inner condition evaluated on related rows (see [`Relation`]).
    Sub { rel: &'static Relation, inner: Box<Expr> },
    /// Static SQL (e.g. "has any tag").
    Raw(&'static str),
}

/// A rendered SQL boolean expression with its positional parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlFragment {
    pub sql: String,
    pub params: Vec<Value>,
}

fn join(parts: Vec<String>, sep: &str) -> String {
    match parts.len() {
        0 => "1".to_string(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("({})", parts.join(sep)),
    }
}

fn render_pred(col: &str, pred: &Pred, params: &mut Vec<Value>) -> String {
    match pred {
        Pred::Const(true) => "1".into(),
        Pred::Const(false) => "0".into(),
        Pred::Null { negate: false } => format!("{col} IS NULL"),
        Pred::Null { negate: true } => format!("{col} IS NOT NULL"),
        Pred::Cmp(op, v) => {
            params.push(v.clone());
            format!("{col} {} ?", op.sql())
        }
        Pred::Like { pattern, negate } => {
            params.push(Value::Text(pattern.clone()));
            format!("{col} {}LIKE ?", if *negate { "NOT " } else { "" })
        }
        Pred::NumCmp(op, v) => {
            params.push(Value::Real(*v));
            format!("(CAST({col} AS REAL) {} ? AND CAST({col} AS REAL))", op.sql())
        }
        Pred::Between(lo, hi) => {
            params.push(Value::Integer(*lo));
            params.push(Value::Integer(*hi));
            format!("{col} BETWEEN ? AND ?")
        }
        Pred::In { values, negate } => {
            params.extend(values.iter().cloned());
            let marks = vec!["?"; values.len()].join(", ");
            format!("{col} {}IN ({marks})", if *negate { "NOT " } else { "" })
        }
        Pred::Any(ps) => join(ps.iter().map(|p| render_pred(col, p, params)).collect(), " OR "),
        Pred::All(ps) => join(ps.iter().map(|p| render_pred(col, p, params)).collect(), " AND "),
    }
}

/// Renders `expr`, appending its parameters to `params`.
pub(super) fn render(expr: &Expr, params: &mut Vec<Value>) -> String {
    match expr {
        Expr::Const(true) => "1".into(),
        Expr::Const(false) => "0".into(),
        Expr::Test { col, pred } => render_pred(col, pred, params),
        Expr::And(es) => join(es.iter().map(|e| render(e, params)).collect(), " AND "),
        Expr::Or(es) => join(es.iter().map(|e| render(e, params)).collect(), " OR "),
        Expr::Sub { rel, inner } => match rel.sql {
            None => "0".into(),
            Some(tmpl) => {
                let inner = render(inner, params);
                tmpl.replacen("{c}", &inner, 1)
            }
        },
        Expr::Raw(sql) => (*sql).to_string(),
    }
}

/// Under AND, conditions on the same related-row group (SQLAlchemy's
/// implicit join of one table instance) must hold for the *same* related
/// row: merge them into one sub-condition, at the position of the first.
pub(super) fn merge_groups(exprs: Vec<Expr>) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::with_capacity(exprs.len());
    for e in exprs {
        if let Expr::Sub { rel, inner } = &e {
            if let Some(group) = rel.group {
                let existing = out.iter_mut().find_map(|o| match o {
                    Expr::Sub { rel: r, inner: i } if r.group == Some(group) => Some(i),
                    _ => None,
                });
                if let Some(slot) = existing {
                    let prev = std::mem::replace(slot.as_mut(), Expr::Const(true));
                    **slot = Expr::And(vec![prev, (**inner).clone()]);
                    continue;
                }
            }
        }
        out.push(e);
    }
    out
}
