//! The language of table descriptions: what a list endpoint's table
//! offers to the query language (parameters in the reference filter model's
//! field order, their kinds and SQL column expressions, related rows, sort
//! keys). The descriptions themselves live with the schema, in
//! `crate::db::tables`; their static strings are the only SQL text the
//! filter module emits.

/// A column of the listed row: SQL expression and the name the reference
/// shows in "Failed to compare the column '…'" messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub expr: &'static str,
    pub py: &'static str,
}

pub const fn col(expr: &'static str, py: &'static str) -> Column {
    Column { expr, py }
}

/// Related rows a custom filter looks at.
#[derive(Debug, PartialEq, Eq)]
pub struct Relation {
    /// SQL with `{c}` where the condition on the related row (alias `f`)
    /// goes; `None` when trove has no such rows (models, pipeline runs): the
    /// value is validated like the reference does, then never matches.
    pub sql: Option<&'static str>,
    /// AND-ed conditions with the same group must hold for the same related
    /// row (the reference joins one table instance for all of them).
    pub group: Option<&'static str>,
    /// Name-or-id: `[id, name, …]` (id = UUID rules, others = string rules).
    pub cols: &'static [Column],
}

/// What a query parameter is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    SortBy,
    Logical,
    Page,
    Size,
    ScopeUser,
    Project,
    /// Single string, AND-ed as `expr = ?` when non-empty (components).
    ScopeType(&'static str),
    /// Multi, string filter.
    Str(Column),
    /// Multi, UUID filter on 32-hex text.
    Uuid(Column),
    /// Multi, integer filter.
    Int(Column),
    /// Multi, datetime filter on INTEGER microseconds.
    Datetime(Column),
    /// Single `Union[bool, str]`: bool filter with operators (users).
    BoolOps(Column),
    /// Single FastAPI bool, then an equality condition.
    BoolEq(Column),
    /// Multi, name-or-id of related rows (`cols[0]` = id).
    NameOrId(&'static Relation),
    /// Multi, UUID filter on the id of related rows.
    LinkUuid(&'static Relation, Column),
    /// Multi, tag-name filter; `any` = "has at least one tag" SQL.
    Tags {
        rel: &'static Relation,
        any: &'static str,
    },
    /// Multi, `key:value` / `key:op:value` over run metadata (`cols` = key, value).
    RunMetadata(&'static Relation),
    /// Single bool; `true` = the condition that no step run uses the row.
    OnlyUnused(&'static str),
    /// Single bool: the condition for `true`, and for `false` (`None`: none).
    BoolSql {
        yes: &'static str,
        no: Option<&'static str>,
    },
    /// Single bool on the parent artifact's flag column.
    ParentFlag(&'static Relation, &'static str),
    /// Multi, raw taggable resource type (tags list): the condition of each
    /// type that has links; any other value matches nothing.
    ResourceType(&'static [(&'static str, &'static str)]),
    /// Multi, deprecated alias of `artifact`, used when `artifact` is absent.
    ArtifactAlias,
}

impl ParamKind {
    /// Single-valued (last occurrence wins) or multi-valued.
    pub fn is_single(&self) -> bool {
        use ParamKind::*;
        matches!(
            self,
            SortBy
                | Logical
                | Page
                | Size
                | ScopeUser
                | Project
                | ScopeType(_)
                | BoolOps(_)
                | BoolEq(_)
                | OnlyUnused(_)
                | BoolSql { .. }
                | ParentFlag(..)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// Tie-breaker after the sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// `id` in the same direction (the reference's `apply_sorting`).
    Id,
    /// Insertion order ascending (custom `user`/`tags` sorts have no
    /// tie-breaker in the reference; its SQLite returns ties in row order).
    Insertion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub name: &'static str,
    pub expr: &'static str,
    pub tie: Tie,
}

pub const fn sk(name: &'static str, expr: &'static str) -> SortKey {
    SortKey { name, expr, tie: Tie::Id }
}

pub const fn sk_custom(name: &'static str, expr: &'static str) -> SortKey {
    SortKey { name, expr, tie: Tie::Insertion }
}

/// A list endpoint's table, as the query language sees it.
#[derive(Debug)]
pub struct ResourceSpec {
    /// Filter model name used in messages (`ArtifactVersionFilter`).
    pub filter_name: &'static str,
    /// Main table.
    pub table: &'static str,
    /// Its alias in every expression of this description (`av`).
    pub alias: &'static str,
    /// The resource's own parameters in the filter model's field order;
    /// [`COMMON`] ones come first and are not repeated here.
    pub params: &'static [Param],
    /// Order in which the reference builds the custom (non-column) filters.
    pub custom_order: &'static [&'static str],
    /// Allowed `sort_by` columns.
    pub sorts: &'static [SortKey],
    /// Names answering "This resource can not be sorted by this field",
    /// besides the [`COMMON`] parameters (which always do).
    pub no_sort: &'static [&'static str],
    /// Rewrites that let a related-rows condition use another condition of
    /// the same conjunction (see [`Narrowing`]).
    pub narrowings: &'static [Narrowing],
}

/// `Sub(of, T) AND Sub(by, A)`, where `A` selects by equality, is rendered as
/// `Sub(narrowed, T AND Sub(link, A)) AND Sub(by, A)`: the same rows (the
/// link rows repeat what `by` looks at), but the related rows are searched
/// through an index on both instead of all rows matching `T`.
///
/// A fast path of the un-narrowed conjunction, which it must select exactly:
/// compared by `src/filter/tests/narrow_tests.rs` (against the same
/// description without narrowings, and against the reference semantics).
#[derive(Debug)]
pub struct Narrowing {
    pub of: &'static Relation,
    pub by: &'static Relation,
    pub narrowed: &'static Relation,
    pub link: &'static Relation,
}

/// The parameters every filter model starts with (`BaseFilter`'s fields).
pub const COMMON: &[Param] = &[
    Param { name: "sort_by", kind: ParamKind::SortBy },
    Param { name: "logical_operator", kind: ParamKind::Logical },
    Param { name: "page", kind: ParamKind::Page },
    Param { name: "size", kind: ParamKind::Size },
];

impl ResourceSpec {
    /// Every parameter, in the filter model's field order.
    pub fn all_params(&self) -> impl Iterator<Item = &'static Param> {
        COMMON.iter().chain(self.params.iter())
    }

    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.all_params().find(|p| p.name == name)
    }

    /// `FROM` text of the main table: `"<table> <alias>"`.
    pub fn from(&self) -> String {
        format!("{} {}", self.table, self.alias)
    }

    /// Whether sorting by `name` answers "can not be sorted by this field".
    pub fn unsortable(&self, name: &str) -> bool {
        COMMON.iter().any(|p| p.name == name) || self.no_sort.contains(&name)
    }

    pub fn sort_key(&self, name: &str) -> Option<&SortKey> {
        self.sorts.iter().find(|s| s.name == name)
    }
}
