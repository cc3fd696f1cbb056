//! Recognises a list whose whole filter is "one tag, by name, AND a
//! condition on the related row a [`Narrowing`] goes through" — for versions,
//! `artifact=X&tags=T`, what the ZenML client sends for
//! `list_artifact_versions(artifact=..., tags=[...])` — sorted by `created`.
//! The tag links alone can answer such a list: they hold exactly its matches
//! (see `db::tagged_versions`).

use super::compile::{render, CmpOp, Expr, Pred, SqlFragment};
use super::error::FilterError;
use super::query::ListQuery;
use super::spec::{Narrowing, ResourceSpec};
use rusqlite::types::Value;

/// The parts of a [`ListQuery`] that [`ListQuery::tag_of`] recognised.
#[derive(Clone, Debug, PartialEq)]
pub struct TagOf {
    /// The tag name, compared with `=`.
    pub tag: String,
    /// The condition on the related row (alias `f`, e.g. `artifacts f`).
    pub related: SqlFragment,
    /// Sort by `created` (then id) descending rather than ascending.
    pub desc: bool,
}

impl ListQuery {
    /// `Some` when the conditions are exactly a tag-name equality AND a
    /// condition on the related row of one of `spec`'s narrowings, and the
    /// list is sorted by `created`. Fails with the error [`Self::where_sql`]
    /// would report.
    pub fn tag_of(&self, spec: &ResourceSpec) -> Result<Option<TagOf>, FilterError> {
        // The cheap checks first: most lists (no filter, one filter, another
        // sort) never compile their conditions here.
        if self.by_created(spec).is_none()
            || self.scope_type.is_some()
            || self.conditions.len() < 2
            || spec.narrowings.is_empty()
        {
            return Ok(None);
        }
        let Expr::And(items) = self.expression(spec)? else { return Ok(None) };
        if items.len() != 2 {
            return Ok(None);
        }
        Ok(spec
            .narrowings
            .iter()
            .find_map(|n| match_pair(n, &items[0], &items[1]).or_else(|| match_pair(n, &items[1], &items[0])))
            .map(|(tag, related)| {
                let mut params = Vec::new();
                let sql = render(related, &mut params);
                TagOf { tag, related: SqlFragment { sql, params }, desc: self.sort.desc }
            }))
    }
}

/// `tags` is the narrowed tag condition `Sub(narrowed, name = T AND Sub(link, A))`
/// and `by` is `Sub(by, A)`: the tag name and `A`.
fn match_pair<'e>(n: &Narrowing, tags: &'e Expr, by: &'e Expr) -> Option<(String, &'e Expr)> {
    let Expr::Sub { rel, inner } = tags else { return None };
    let Expr::And(parts) = inner.as_ref() else { return None };
    let Expr::Sub { rel: by_rel, inner: related } = by else { return None };
    if !std::ptr::eq(*rel, n.narrowed) || !std::ptr::eq(*by_rel, n.by) || parts.len() != 2 {
        return None;
    }
    let name_col = n.of.cols.first()?.expr;
    let tag = match &parts[0] {
        Expr::Test { col, pred: Pred::Cmp(CmpOp::Eq, Value::Text(t)) } if *col == name_col => t.clone(),
        _ => return None,
    };
    match &parts[1] {
        Expr::Sub { rel: link, inner } if std::ptr::eq(*link, n.link) && inner == related => Some((tag, related)),
        _ => None,
    }
}
