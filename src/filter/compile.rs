//! Typed predicates and boolean expressions, and their rendering to SQLite
//! SQL with `?` placeholders. Every value is a bound parameter; the only SQL
//! text comes from the static resource tables.

use rusqlite::types::Value;

use super::spec::{Narrowing, Relation};

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
    Test {
        col: &'static str,
        pred: Pred,
    },
    /// AND; empty = true.
    And(Vec<Expr>),
    /// OR; empty = true (SQLAlchemy drops empty clause lists).
    Or(Vec<Expr>),
    /// The inner condition evaluated on related rows (see [`Relation`]).
    Sub {
        rel: &'static Relation,
        inner: Box<Expr>,
    },
    /// Static SQL (e.g. "has any tag").
    Raw(&'static str),
    /// NOT of the expression.
    Not(Box<Expr>),
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
        Expr::Not(e) => format!("NOT ({})", render(e, params)),
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

/// Apply `narrowings` to the conditions of a top-level AND (see
/// [`Narrowing`]). Only an equality (or `IN`) on the narrowing relation is
/// used: it is what makes the narrowed related rows few.
pub(super) fn narrow(expr: Expr, narrowings: &[Narrowing]) -> Expr {
    let Expr::And(mut items) = expr else { return expr };
    for n in narrowings {
        let by = items.iter().find_map(|e| match e {
            Expr::Sub { rel, inner } if std::ptr::eq(*rel, n.by) && selects_by_equality(inner) => {
                Some((**inner).clone())
            }
            _ => None,
        });
        let Some(by) = by else { continue };
        for item in items.iter_mut() {
            if let Expr::Sub { rel, inner } = item {
                if std::ptr::eq(*rel, n.of) {
                    let own = std::mem::replace(inner.as_mut(), Expr::Const(true));
                    let link = Expr::Sub { rel: n.link, inner: Box::new(by.clone()) };
                    *item = Expr::Sub { rel: n.narrowed, inner: Box::new(Expr::And(vec![own, link])) };
                }
            }
        }
    }
    Expr::And(items)
}

fn selects_by_equality(expr: &Expr) -> bool {
    match expr {
        Expr::Test { pred: Pred::Cmp(CmpOp::Eq, _) | Pred::In { negate: false, .. }, .. } => true,
        Expr::Or(es) => !es.is_empty() && es.iter().all(selects_by_equality),
        Expr::And(es) => es.iter().any(selects_by_equality),
        _ => false,
    }
}

/// Folds constants (`x OR true` → true, `x AND false` → false, dropping the
/// neutral ones) so that e.g. a non-UUID name-or-id value compiles to a
/// plain, index-friendly `name = ?`. Empty lists keep their "true" meaning.
pub(super) fn simplify(expr: Expr) -> Expr {
    match expr {
        Expr::Test { pred, col } => match simplify_pred(pred) {
            Pred::Const(b) => Expr::Const(b),
            pred => Expr::Test { col, pred },
        },
        Expr::Or(es) => fold(es.into_iter().map(simplify).collect(), true, Expr::Or),
        Expr::And(es) => fold(es.into_iter().map(simplify).collect(), false, Expr::And),
        Expr::Sub { rel, inner } => match (rel.sql, simplify(*inner)) {
            (None, _) | (_, Expr::Const(false)) => Expr::Const(false),
            (_, inner) => Expr::Sub { rel, inner: Box::new(inner) },
        },
        Expr::Not(e) => match simplify(*e) {
            Expr::Const(b) => Expr::Const(!b),
            e => Expr::Not(Box::new(e)),
        },
        e @ (Expr::Const(_) | Expr::Raw(_)) => e,
    }
}

/// `absorbing` = the constant that decides the whole list (true for OR).
fn fold(items: Vec<Expr>, absorbing: bool, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.is_empty() {
        return Expr::Const(true);
    }
    if items.contains(&Expr::Const(absorbing)) {
        return Expr::Const(absorbing);
    }
    let mut rest: Vec<Expr> = items.into_iter().filter(|e| *e != Expr::Const(!absorbing)).collect();
    match rest.len() {
        0 => Expr::Const(!absorbing),
        1 => rest.pop().unwrap_or(Expr::Const(!absorbing)),
        _ => make(rest),
    }
}

fn simplify_pred(pred: Pred) -> Pred {
    let fold_preds = |items: Vec<Pred>, absorbing: bool, make: fn(Vec<Pred>) -> Pred| {
        if items.is_empty() {
            return Pred::Const(true);
        }
        let items: Vec<Pred> = items.into_iter().map(simplify_pred).collect();
        if items.contains(&Pred::Const(absorbing)) {
            return Pred::Const(absorbing);
        }
        let mut rest: Vec<Pred> = items.into_iter().filter(|p| *p != Pred::Const(!absorbing)).collect();
        match rest.len() {
            0 => Pred::Const(!absorbing),
            1 => rest.pop().unwrap_or(Pred::Const(!absorbing)),
            _ => make(rest),
        }
    };
    match pred {
        Pred::Any(ps) => fold_preds(ps, true, Pred::Any),
        Pred::All(ps) => fold_preds(ps, false, Pred::All),
        p => p,
    }
}
