//! [`parse`] a list request into a [`ListQuery`]; compile it to SQL.

use std::collections::HashMap;

use super::compile::{merge_groups, narrow, render, simplify, Expr, SqlFragment};
use super::error::{model_error, FilterError};
use super::params::{
    parse_bool, parse_bool_optional, parse_bounded_int, parse_logical, parse_sort, parse_uuid, Logical, ModelInput,
    Sort,
};
use super::spec::{ParamKind, ResourceSpec, SortKey, Tie};
use super::terms;

/// One filter occurrence, typed. `term` is `Err` when the reference
/// rejects the value only while building the query (after resolving the
/// project): [`ListQuery::where_sql`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The query parameter it came from.
    pub param: &'static str,
    /// The raw value.
    pub value: String,
    pub term: Result<Expr, FilterError>,
}

/// A parsed list request. [`parse`] never touches the DB.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    /// ≥ 1, default 1.
    pub page: u64,
    /// 1..=10000, default 20.
    pub size: u64,
    /// `None` when absent (handlers pick their own default).
    pub hydrate: Option<bool>,
    /// Raw `project` value; `None` when absent or empty.
    pub project: Option<String>,
    pub scope_user: Option<uuid::Uuid>,
    /// Components only: the raw `scope_type` (AND-ed by `where_sql`); `None`
    /// when absent or empty.
    pub scope_type: Option<String>,
    pub logical: Logical,
    pub sort: Sort,
    /// Every filter occurrence, in the order the reference evaluates them.
    pub conditions: Vec<Condition>,
}

pub const MAX_PAGE_SIZE: u64 = 10_000;

/// What the request carried for the resource's parameters.
struct Received<'a> {
    /// Single parameters: the last occurrence.
    single: HashMap<&'static str, &'a str>,
    /// Multi parameters: every occurrence, in request order.
    multi: HashMap<&'static str, Vec<&'a str>>,
    hydrate: Option<&'a str>,
}

impl<'a> Received<'a> {
    fn collect(spec: &ResourceSpec, params: &'a [(String, String)]) -> Self {
        let mut r = Received { single: HashMap::new(), multi: HashMap::new(), hydrate: None };
        for (k, v) in params {
            if k == "hydrate" {
                r.hydrate = Some(v.as_str());
            } else if let Some(p) = spec.param(k) {
                if p.kind.is_single() {
                    r.single.insert(p.name, v.as_str());
                } else {
                    r.multi.entry(p.name).or_default().push(v.as_str());
                }
            }
        }
        r
    }

    fn values(&self, name: &str) -> Vec<&'a str> {
        match (self.single.get(name), self.multi.get(name)) {
            (Some(v), _) => vec![*v],
            (None, Some(vs)) => vs.clone(),
            _ => Vec::new(),
        }
    }
}

/// Parses raw decoded query parameters (in request order). Parameters not
/// in `spec` are ignored; single parameters take the last occurrence.
///
/// Errors come in the reference's order: typed single parameters (shape A,
/// `hydrate` last), column filter values, `sort_by`, run-metadata format.
/// Errors the reference only raises while building the SQL are kept in the
/// conditions and reported by [`ListQuery::where_sql`].
pub fn parse(spec: &ResourceSpec, params: &[(String, String)]) -> Result<ListQuery, FilterError> {
    let r = Received::collect(spec, params);
    let mut q = ListQuery {
        page: 1,
        size: 20,
        hydrate: None,
        project: None,
        scope_user: None,
        scope_type: None,
        logical: Logical::And,
        sort: Sort::default(),
        conditions: Vec::new(),
    };
    let bools = typed_singles(spec, &r, &mut q)?;
    let data = ModelInput::new(spec, &r.single, &r.multi);
    column_conditions(spec, &r, &bools, &data, &mut q.conditions)?;
    if let Some(raw) = r.single.get("sort_by") {
        q.sort = parse_sort(spec, raw)?;
    }
    check_run_metadata(spec, &r, &data)?;
    custom_conditions(spec, &r, &bools, &mut q.conditions);
    Ok(q)
}

/// FastAPI validation of the typed single parameters (shape A); returns
/// the boolean ones.
fn typed_singles(
    spec: &ResourceSpec,
    r: &Received,
    q: &mut ListQuery,
) -> Result<HashMap<&'static str, bool>, FilterError> {
    let mut bools = HashMap::new();
    for p in spec.all_params() {
        let Some(raw) = r.single.get(p.name).copied() else { continue };
        match p.kind {
            ParamKind::Logical => q.logical = parse_logical(raw)?,
            ParamKind::Page => q.page = parse_bounded_int("page", raw, None)?,
            ParamKind::Size => q.size = parse_bounded_int("size", raw, Some(MAX_PAGE_SIZE))?,
            ParamKind::ScopeUser => q.scope_user = Some(parse_uuid("scope_user", raw)?),
            ParamKind::BoolEq(_) | ParamKind::OnlyUnused(_) | ParamKind::BoolSql { .. } | ParamKind::ParentFlag(..) => {
                bools.insert(p.name, parse_bool(p.name, raw)?);
            }
            ParamKind::Project => q.project = Some(raw.to_string()).filter(|s| !s.is_empty()),
            ParamKind::ScopeType(_) => q.scope_type = Some(raw.to_string()).filter(|s| !s.is_empty()),
            _ => {}
        }
    }
    q.hydrate = parse_bool_optional("hydrate", r.hydrate)?;
    Ok(bools)
}

/// Column filters, validated while the reference builds its filter model.
fn column_conditions(
    spec: &ResourceSpec,
    r: &Received,
    bools: &HashMap<&'static str, bool>,
    data: &ModelInput,
    out: &mut Vec<Condition>,
) -> Result<(), FilterError> {
    for p in spec.all_params() {
        for raw in r.values(p.name) {
            let term = match p.kind {
                ParamKind::Str(_)
                | ParamKind::Uuid(_)
                | ParamKind::Int(_)
                | ParamKind::Datetime(_)
                | ParamKind::BoolOps(_) => terms::column_term(&p.kind, raw, spec.filter_name, data)?,
                ParamKind::BoolEq(c) => match bools.get(p.name) {
                    Some(b) => Ok(terms::bool_eq(c, *b)),
                    None => continue,
                },
                _ => continue,
            };
            out.push(Condition { param: p.name, value: raw.to_string(), term });
        }
    }
    Ok(())
}

/// `RunMetadataFilterMixin.validate_run_metadata_format`.
fn check_run_metadata(spec: &ResourceSpec, r: &Received, data: &ModelInput) -> Result<(), FilterError> {
    for p in spec.params.iter().filter(|p| matches!(p.kind, ParamKind::RunMetadata(_))) {
        if let Some(entry) = r.values(p.name).into_iter().find(|e| !e.contains(':')) {
            let msg = format!(
                "Invalid run_metadata entry format: '{entry}'. Entry must be in format 'key:value' for direct equality comparison or 'key:filterop:value' where filterop is one of: equals, notequals, contains, notcontains, startswith, endswith, oneof, notoneof, isnull, isnotnull, gte, gt, lte, lt, in."
            );
            return Err(model_error(spec.filter_name, data, &msg));
        }
    }
    Ok(())
}

/// Custom filters, in the order the reference builds them (their value
/// errors are deferred to query time).
fn custom_conditions(spec: &ResourceSpec, r: &Received, bools: &HashMap<&'static str, bool>, out: &mut Vec<Condition>) {
    for name in spec.custom_order {
        let Some(p) = spec.param(name) else { continue };
        let mut raws = r.values(p.name);
        let mut param = p.name;
        if p.name == "artifact" && raws.is_empty() {
            // Deprecated alias, used only when `artifact` is absent.
            if let Some(alias) = spec.params.iter().find(|a| a.kind == ParamKind::ArtifactAlias) {
                raws = r.values(alias.name);
                param = alias.name;
            }
        }
        let mut push = |value: &str, term| out.push(Condition { param, value: value.to_string(), term });
        match p.kind {
            ParamKind::NameOrId(rel) => raws.iter().for_each(|v| push(v, terms::name_or_id(rel, v))),
            ParamKind::LinkUuid(rel, c) => raws.iter().for_each(|v| push(v, terms::link_uuid(rel, c, v))),
            ParamKind::Tags { rel, any } => raws.iter().for_each(|v| push(v, terms::tags(rel, any, v))),
            ParamKind::RunMetadata(rel) => raws.iter().for_each(|v| push(v, terms::run_metadata(rel, v))),
            ParamKind::ResourceType(types) => raws.iter().for_each(|v| push(v, Ok(terms::resource_type(types, v)))),
            ParamKind::OnlyUnused(sql) if bools.get(p.name) == Some(&true) => push("true", Ok(Expr::Raw(sql))),
            ParamKind::BoolSql { yes, no } => match bools.get(p.name) {
                Some(true) => push("true", Ok(Expr::Raw(yes))),
                Some(false) => no.into_iter().for_each(|no| push("false", Ok(Expr::Raw(no)))),
                None => {}
            },
            ParamKind::ParentFlag(rel, col) => {
                if let Some(b) = bools.get(p.name) {
                    push(if *b { "true" } else { "false" }, Ok(terms::parent_flag(rel, col, *b)));
                }
            }
            _ => {}
        }
    }
}

impl ListQuery {
    /// The conditions combined with `logical` (plus the components'
    /// `scope_type`, always AND-ed) — not `project`/`scope_user`, which the
    /// caller ANDs itself. `"1"` when there is nothing to filter. Uses `?`
    /// placeholders only. Fails with the first query-time error (400
    /// numeric comparison, 400 malformed custom value, 422 operator not
    /// allowed on a custom filter).
    pub fn where_sql(&self, spec: &ResourceSpec) -> Result<SqlFragment, FilterError> {
        let mut params = Vec::new();
        let mut sql = render(&self.expression(spec)?, &mut params);
        let scope_col = spec.params.iter().find_map(|p| match p.kind {
            ParamKind::ScopeType(col) => Some(col),
            _ => None,
        });
        if let (Some(st), Some(col)) = (&self.scope_type, scope_col) {
            sql = format!("{sql} AND {col} = ?");
            params.push(rusqlite::types::Value::Text(st.clone()));
        }
        Ok(SqlFragment { sql, params })
    }

    /// The conditions combined with `logical`, simplified and narrowed: what
    /// [`Self::where_sql`] renders (without `scope_type`).
    pub(super) fn expression(&self, spec: &ResourceSpec) -> Result<Expr, FilterError> {
        let mut exprs = Vec::with_capacity(self.conditions.len());
        for c in &self.conditions {
            exprs.push(c.term.clone()?);
        }
        if self.logical == Logical::And {
            exprs = merge_groups(exprs);
        }
        let combined = match self.logical {
            Logical::And => Expr::And(exprs),
            Logical::Or => Expr::Or(exprs),
        };
        Ok(narrow(simplify(combined), spec.narrowings))
    }

    /// The sort key in effect: the requested one, else `created`.
    pub(super) fn sort_key<'s>(&self, spec: &'s ResourceSpec) -> Option<&'s SortKey> {
        spec.sort_key(self.sort.key).or_else(|| spec.sort_key("created"))
    }

    /// `Some(desc)` when the list is sorted by `created` with ties broken by
    /// id: the order of the `(…, created, id)` indexes.
    pub fn by_created(&self, spec: &ResourceSpec) -> Option<bool> {
        self.sort_key(spec).filter(|k| k.name == "created" && k.tie == Tie::Id).map(|_| self.sort.desc)
    }

    /// ORDER BY terms, e.g. `av.created ASC, av.id ASC`.
    pub fn order_sql(&self, spec: &ResourceSpec) -> String {
        let dir = if self.sort.desc { "DESC" } else { "ASC" };
        let alias = spec.alias;
        let Some(key) = self.sort_key(spec) else {
            return format!("{alias}.id {dir}");
        };
        match key.tie {
            Tie::Id if key.name == "id" => format!("{} {dir}", key.expr),
            Tie::Id => format!("{} {dir}, {alias}.id {dir}", key.expr),
            Tie::Insertion => format!("{} {dir}, {alias}.pk ASC", key.expr),
        }
    }

    /// Rows to skip: `(page - 1) * size`.
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.size)
    }
}

/// `total_pages` = ceil(total / size), but 1 when `total` is 0; a `page`
/// beyond it is a 400.
pub fn check_page(q: &ListQuery, total: u64) -> Result<u64, FilterError> {
    let size = q.size.max(1);
    let total_pages = if total == 0 { 1 } else { total.div_ceil(size) };
    if q.page > total_pages {
        return Err(FilterError::BadRequest(format!(
            "Invalid page {}. The requested page size is {} and there are a total of {} items for this query. The maximum page value therefore is {}.",
            q.page, q.size, total, total_pages
        )));
    }
    Ok(total_pages)
}
