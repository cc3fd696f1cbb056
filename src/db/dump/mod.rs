//! `trove export` / `trove import`: every table of user data as JSON lines
//! (the format is documented in `docs/export-format.md`).
//!
//! The line format follows the schema: one kind of record per table
//! ([`KINDS`], in dependency order), one field per column but `pk`, and a
//! column referring to another row (`user_pk`, `artifact_pk`, …) becomes a
//! field without its `_pk` (`user`, `artifact`, …) holding that row's `id`.
//! Columns and references are read from the database itself (`PRAGMA
//! table_info`, `foreign_key_list`), so a new column is carried without a
//! change here; a new table must be added to [`KINDS`] or [`NOT_EXPORTED`]
//! ([`Shapes::load`] refuses to run otherwise, and a test checks it).
//!
//! [`export`] reads one snapshot and writes as it reads; [`import`] reads
//! line by line into one transaction. Both know nothing of files or
//! terminals: the command passes a writer or reader and a progress callback.

pub mod export;
pub mod import;

pub use export::{count_records, export, for_each_record};
pub use import::{import, Imported};

use super::{DbError, DbResult};
use rusqlite::Connection;

/// The line format's version (the header's `version`). Bumped when a file
/// written by this trove could be misread by an older one: a kind or field
/// renamed or removed, a value encoded differently. A new table or column is
/// not a bump: it shows in the header's `schema`, and older troves refuse
/// files of a newer schema.
pub const FORMAT_VERSION: u32 = 1;

/// The header's `format`.
pub const FORMAT_NAME: &str = "trove-export";

/// The kind of the last line, which counts the records before it.
pub const END_KIND: &str = "end";

/// A kind of record: the table it holds, and its columns that are copies of
/// other rows' values (not in the file; filled on import by the SQL given,
/// whose `{column}` names another column's value, or left to the column's
/// default and the triggers when `None`).
#[derive(Debug)]
pub struct Kind {
    pub name: &'static str,
    pub table: &'static str,
    pub derived: &'static [(&'static str, Option<&'static str>)],
}

const fn kind(name: &'static str, table: &'static str) -> Kind {
    Kind { name, table, derived: &[] }
}

/// Every exported table, each after the tables it refers to.
pub const KINDS: &[Kind] = &[
    kind("user", "users"),
    // Service accounts' keys: credentials, so only with the password hashes.
    kind("api_key", "api_keys"),
    kind("project", "projects"),
    kind("stack_component", "stack_components"),
    kind("stack", "stacks"),
    kind("stack_component_link", "stack_component_links"),
    kind("tag", "tags"),
    kind("artifact", "artifacts"),
    kind("artifact_tag", "artifact_tags"),
    // `tag_pks`: kept by the tag links' triggers.
    Kind { name: "artifact_version", table: "artifact_versions", derived: &[("tag_pks", None)] },
    Kind {
        name: "artifact_version_tag",
        table: "artifact_version_tags",
        derived: &[
            ("artifact_pk", Some("(SELECT artifact_pk FROM artifact_versions WHERE pk = {version_pk})")),
            ("created", Some("(SELECT created FROM artifact_versions WHERE pk = {version_pk})")),
        ],
    },
    kind("artifact_version_metadata", "run_metadata"),
    kind("visualization", "visualizations"),
    kind("pipeline", "pipelines"),
    kind("pipeline_tag", "pipeline_tags"),
    // Taken out of the configuration (as the upgrade to version 9 does).
    Kind {
        name: "snapshot",
        table: "snapshots",
        derived: &[
            (
                "execution_mode",
                Some(
                    "CASE json_type({pipeline_configuration}, '$.execution_mode') \
                     WHEN 'text' THEN json_extract({pipeline_configuration}, '$.execution_mode') END",
                ),
            ),
            (
                "substitutions",
                Some(
                    "CASE json_type({pipeline_configuration}, '$.substitutions') \
                     WHEN 'object' THEN json_extract({pipeline_configuration}, '$.substitutions') END",
                ),
            ),
        ],
    },
    Kind {
        name: "snapshot_step",
        table: "snapshot_steps",
        derived: &[
            ("spec", Some(crate::models::step_parts::SPEC_SQL)),
            ("step_config", Some(crate::models::step_parts::STEP_CONFIG_SQL)),
        ],
    },
    kind("run", "runs"),
    kind("run_tag", "run_tags"),
    kind("step", "steps"),
    kind("step_parent", "step_parents"),
    kind("step_artifact", "step_artifacts"),
    kind("log", "logs"),
    kind("run_step_metadata", "run_step_metadata"),
    kind("model", "models"),
    kind("model_tag", "model_tags"),
    kind("model_version", "model_versions"),
    kind("model_version_tag", "model_version_tags"),
    kind("model_version_artifact", "model_version_artifacts"),
    kind("model_version_run", "model_version_runs"),
    kind("model_version_metadata", "model_version_metadata"),
];

/// Tables that hold no user data of their own, and why (SQLite's own
/// `sqlite_*` tables, such as the planner's statistics, are never read).
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    ("project_version_counts", "counts kept by triggers"),
    ("version_blocks", "an index of the version list kept by triggers and the importer"),
    ("server_settings", "this server's identity (server id), not user data"),
];

/// A column's declared type, which its values must have in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Text,
    Any,
}

/// One field of a record.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name in a record: the column's, without `_pk` for a reference.
    pub name: String,
    pub column: String,
    pub ty: ColumnType,
    pub not_null: bool,
    /// The column's default (an SQL expression from `schema.sql`).
    pub default: Option<String>,
    /// The table whose row's `id` this field holds (the column holds its pk).
    pub refers_to: Option<String>,
}

/// How an import knows that a row is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// By its `id`.
    Id,
    /// By its primary key (link tables: the rows they link).
    PrimaryKey,
    /// By all its fields (metadata entries, which have no id).
    Content,
}

/// A kind with the fields its table has in this database.
#[derive(Debug)]
pub struct Shape {
    pub kind: &'static Kind,
    pub fields: Vec<Field>,
    pub identity: Identity,
    /// The table has an integer `pk` (rows are read in its order).
    pub has_pk: bool,
}

impl Shape {
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The shapes of every kind, in [`KINDS`] order.
#[derive(Debug)]
pub struct Shapes(pub Vec<Shape>);

impl Shapes {
    /// Read the shapes from `conn`'s schema; refused when a table is in
    /// neither [`KINDS`] nor [`NOT_EXPORTED`], or a kind refers to a table
    /// that is not exported before it.
    pub fn load(conn: &Connection) -> DbResult<Shapes> {
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if let Some(t) = tables.iter().find(|t| unlisted(t)) {
            return Err(DbError::Schema(format!(
                "the table {t} is neither exported nor listed as derived (db::dump::KINDS / NOT_EXPORTED)"
            )));
        }
        let mut shapes = Vec::with_capacity(KINDS.len());
        for (i, kind) in KINDS.iter().enumerate() {
            if !tables.iter().any(|t| t == kind.table) {
                continue; // an older schema (an import into it then refuses the kind)
            }
            let shape = shape(conn, kind)?;
            for target in shape.fields.iter().filter_map(|f| f.refers_to.as_deref()) {
                if !KINDS[..i].iter().any(|k| k.table == target) {
                    return Err(DbError::Schema(format!(
                        "{} refers to {target}, which is not exported before it",
                        kind.table
                    )));
                }
            }
            shapes.push(shape);
        }
        Ok(Shapes(shapes))
    }

    pub fn get(&self, kind: &str) -> Option<&Shape> {
        self.0.iter().find(|s| s.kind.name == kind)
    }
}

fn unlisted(table: &str) -> bool {
    !KINDS.iter().any(|k| k.table == table) && !NOT_EXPORTED.iter().any(|(t, _)| *t == table)
}

fn shape(conn: &Connection, kind: &'static Kind) -> DbResult<Shape> {
    let mut refs: Vec<(String, String)> = conn
        .prepare(&format!("SELECT \"from\", \"table\" FROM pragma_foreign_key_list('{}')", kind.table))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut fields = Vec::new();
    let mut has_pk = false;
    let mut stmt =
        conn.prepare(&format!("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('{}')", kind.table))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let column: String = r.get(0)?;
        if column == "pk" {
            has_pk = true;
            continue;
        }
        if kind.derived.iter().any(|(c, _)| *c == column) {
            continue;
        }
        let declared: String = r.get(1)?;
        let ty = match declared.to_ascii_uppercase().as_str() {
            "INTEGER" => ColumnType::Integer,
            "TEXT" => ColumnType::Text,
            _ => ColumnType::Any,
        };
        let refers_to = refs.iter().position(|(from, _)| *from == column).map(|i| refs.swap_remove(i).1);
        let name = match (&refers_to, column.strip_suffix("_pk")) {
            (Some(_), Some(stem)) => stem.to_string(),
            _ => column.clone(),
        };
        fields.push(Field { name, column, ty, not_null: r.get(2)?, default: r.get(3)?, refers_to });
    }
    let identity = if fields.iter().any(|f| f.name == "id") {
        Identity::Id
    } else if has_pk {
        Identity::Content
    } else {
        Identity::PrimaryKey
    };
    Ok(Shape { kind, fields, identity, has_pk })
}

/// Records per kind, in [`KINDS`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<(&'static str, u64)>);

impl Counts {
    pub fn add(&mut self, kind: &'static str, n: u64) {
        match self.0.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, c)) => *c += n,
            None => self.0.push((kind, n)),
        }
    }

    pub fn get(&self, kind: &str) -> u64 {
        self.0.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// `2 projects, 1 user, 40 artifact_versions` (kinds with none left out).
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| if *n == 1 { format!("1 {k}") } else { format!("{n} {k}s") })
            .collect();
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// The first line of an export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The schema version of the database it was read from.
    pub schema: i64,
    /// When the export started (RFC 3339, UTC).
    pub created: String,
    /// Whether users carry their password hashes.
    pub password_hashes: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::migrate(&mut conn).unwrap();
        conn
    }

    /// Every table of `schema.sql` is exported or listed with a reason; a
    /// table added without either fails here (and `trove export` refuses).
    #[test]
    fn every_table_is_exported_or_listed_as_derived() {
        let conn = migrated();
        let shapes = Shapes::load(&conn).unwrap();
        assert_eq!(shapes.0.len(), KINDS.len(), "every kind's table exists in the current schema");
        conn.execute_batch("CREATE TABLE widgets (pk INTEGER PRIMARY KEY, id TEXT)").unwrap();
        let err = Shapes::load(&conn).unwrap_err().to_string();
        assert!(err.contains("widgets"), "{err}");
    }

    /// References become fields named for what they refer to; derived
    /// columns and `pk` are left out; identities follow the table.
    #[test]
    fn shapes_follow_the_schema() {
        let shapes = Shapes::load(&migrated()).unwrap();
        let v = shapes.get("artifact_version").unwrap();
        assert_eq!(v.identity, Identity::Id);
        let names: Vec<&str> = v.fields.iter().map(|f| f.name.as_str()).collect();
        assert!(names.starts_with(&["id", "artifact", "project", "user", "version"]), "{names:?}");
        assert!(!names.contains(&"tag_pks") && !names.contains(&"pk"));
        assert_eq!(v.fields[1].refers_to.as_deref(), Some("artifacts"));
        let link = shapes.get("artifact_version_tag").unwrap();
        let names: Vec<&str> = link.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["version", "tag"]);
        assert_eq!(link.identity, Identity::PrimaryKey);
        assert_eq!(shapes.get("artifact_version_metadata").unwrap().identity, Identity::Content);
        let parent = shapes.get("step_parent").unwrap();
        assert_eq!(parent.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["step", "parent"]);
        for shape in &shapes.0 {
            for f in &shape.fields {
                if f.refers_to.is_some() {
                    assert!(f.column.ends_with("_pk"), "{}.{}", shape.kind.table, f.column);
                } else {
                    assert!(
                        !f.column.ends_with("_pk"),
                        "{}.{} holds a pk but is no reference",
                        shape.kind.table,
                        f.column
                    );
                }
            }
        }
    }
}
