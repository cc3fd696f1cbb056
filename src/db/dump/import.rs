//! Loading an export: line by line into one IMMEDIATE transaction, which
//! commits only once the `end` line's counts matched; any bad line rolls
//! everything back with an error naming it.
//!
//! Idempotent by id: a row whose `id` is already in the database is left as
//! it is (`ON CONFLICT (id) DO NOTHING`: the database wins), a link already
//! there is skipped, and a metadata entry (no id) is skipped when an equal
//! one is there. Any other conflict (another row of the same name) is an
//! error. So importing the same file twice changes nothing the second time.

use super::{ColumnType, Counts, Header, Identity, Shape, Shapes, END_KIND, FORMAT_NAME, FORMAT_VERSION};
use crate::db::migrate::SCHEMA_VERSION;
use crate::db::{version_blocks, DbError, DbResult};
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value};
use std::io::BufRead;

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    pub header: Option<Header>,
    /// Records read, per kind.
    pub read: Counts,
    /// Rows added, per kind (the rest were already there).
    pub added: Counts,
    /// Users added without a password hash (they log in once given one).
    pub without_password: Vec<String>,
}

/// A line's error, naming it.
fn at(line: u64, msg: impl std::fmt::Display) -> DbError {
    DbError::Invalid(format!("line {line}: {msg}"))
}

/// The statements of one kind, and the last row each reference found.
struct Statements {
    insert: String,
    /// Per field: the lookup of the pk a reference names.
    lookups: Vec<Option<String>>,
    /// Per field: the last id looked up and its pk (records of one kind
    /// often name the same row in a row: a version's metadata entries).
    last: Vec<Option<(String, i64)>>,
    /// `Identity::Content`: is an equal row there? Per mask of the fields
    /// that are null, so that each term is an `=` the indexes (also the
    /// partial ones, `WHERE x IS NOT NULL`) can serve.
    exists: std::collections::HashMap<u64, String>,
}

fn statements(shape: &Shape) -> Statements {
    let table = shape.kind.table;
    let mut columns: Vec<&str> = shape.fields.iter().map(|f| f.column.as_str()).collect();
    let mut values: Vec<String> = shape
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| match (&f.default, f.not_null) {
            // A file of an older schema lacks the column: its default.
            (Some(default), true) => format!("coalesce(?{}, {default})", i + 1),
            _ => format!("?{}", i + 1),
        })
        .collect();
    for (column, sql) in shape.kind.derived {
        if let Some(sql) = sql {
            let mut sql = sql.to_string();
            for (i, f) in shape.fields.iter().enumerate() {
                sql = sql.replace(&format!("{{{}}}", f.column), &format!("?{}", i + 1));
            }
            columns.push(column);
            values.push(sql);
        }
    }
    let conflict = match shape.identity {
        Identity::Id => " ON CONFLICT (id) DO NOTHING",
        Identity::PrimaryKey => " ON CONFLICT DO NOTHING",
        Identity::Content => "",
    };
    let insert = format!("INSERT INTO {table} ({}) VALUES ({}){conflict}", columns.join(", "), values.join(", "));
    let lookups = shape
        .fields
        .iter()
        .map(|f| f.refers_to.as_ref().map(|t| format!("SELECT pk FROM {t} WHERE id = ?1")))
        .collect();
    Statements { insert, lookups, last: vec![None; shape.fields.len()], exists: Default::default() }
}

/// The query finding a row equal to `values` (every parameter is used, so
/// that the same values bind whatever is null).
fn exists_sql<'a>(shape: &Shape, sql: &'a mut Statements, values: &[Sql]) -> &'a str {
    let mask = values.iter().enumerate().fold(0u64, |m, (i, v)| if matches!(v, Sql::Null) { m | 1 << i } else { m });
    sql.exists.entry(mask).or_insert_with(|| {
        let terms: Vec<String> = shape
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| match values[i] {
                Sql::Null => format!("{} IS NULL AND ?{} IS NULL", f.column, i + 1),
                _ => format!("{} = ?{}", f.column, i + 1),
            })
            .collect();
        format!("SELECT 1 FROM {} WHERE {} LIMIT 1", shape.kind.table, terms.join(" AND "))
    })
}

fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The SQL value of field `i` of a record of `shape`.
fn sql_value(
    conn: &Connection,
    shape: &Shape,
    sql: &mut Statements,
    i: usize,
    value: Option<Value>,
) -> Result<Sql, String> {
    let (kind, field) = (shape.kind.name, &shape.fields[i]);
    let Some(value) = value.filter(|v| !v.is_null()) else {
        if field.not_null && field.default.is_none() {
            return Err(format!("{kind} needs the field `{}`", field.name));
        }
        return Ok(Sql::Null);
    };
    if let (Some(table), Some(lookup)) = (&field.refers_to, &sql.lookups[i]) {
        let Value::String(id) = value else {
            return Err(format!("{kind}.{}: the id of a row of {table} is a string, not {value}", field.name));
        };
        if let Some((last, pk)) = &sql.last[i] {
            if *last == id {
                return Ok(Sql::Integer(*pk));
            }
        }
        let pk: Option<i64> = conn
            .prepare_cached(lookup)
            .and_then(|mut s| s.query_row([&id], |r| r.get(0)).optional())
            .map_err(|e| e.to_string())?;
        let Some(pk) = pk else {
            return Err(format!(
                "{kind}.{} refers to {id} in {table}, which is neither earlier in the file nor in the database",
                field.name
            ));
        };
        sql.last[i] = Some((id, pk));
        return Ok(Sql::Integer(pk));
    }
    match (field.ty, value) {
        (ColumnType::Integer | ColumnType::Any, Value::Number(n)) if n.is_i64() => {
            Ok(Sql::Integer(n.as_i64().unwrap_or(0)))
        }
        (ColumnType::Any, Value::Number(n)) => Ok(Sql::Real(n.as_f64().unwrap_or(0.0))),
        (ColumnType::Text | ColumnType::Any, Value::String(s)) => {
            if field.name == "id" && !is_id(&s) {
                return Err(format!("{kind}.id must be 32 lowercase hex digits, not {s:?}"));
            }
            Ok(Sql::Text(s))
        }
        (ty, value) => {
            let want = if ty == ColumnType::Integer { "an integer" } else { "a string" };
            Err(format!("{kind}.{} must be {want}, not {value}", field.name))
        }
    }
}

fn header(line: &str) -> DbResult<Header> {
    let not_ours = || at(1, format!("not a trove export (the first line is no `{FORMAT_NAME}` header)"));
    let value: Value = serde_json::from_str(line).map_err(|_| not_ours())?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT_NAME) {
        return Err(not_ours());
    }
    let header: Header = serde_json::from_value(value).map_err(|e| at(1, format!("a bad header: {e}")))?;
    if header.version > FORMAT_VERSION {
        return Err(at(
            1,
            format!(
                "format version {} is newer than this trove reads ({FORMAT_VERSION}); use a newer trove",
                header.version
            ),
        ));
    }
    if header.schema > SCHEMA_VERSION {
        return Err(at(
            1,
            format!(
                "written from schema version {}, newer than this trove's {SCHEMA_VERSION}; use a newer trove",
                header.schema
            ),
        ));
    }
    Ok(header)
}

/// Import the export read from `input` into `conn` (a migrated database no
/// server is writing to), in one transaction; `progress` is told the bytes
/// read so far.
pub fn import(conn: &mut Connection, input: &mut dyn BufRead, progress: &mut dyn FnMut(u64)) -> DbResult<Imported> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let shapes = Shapes::load(&tx)?;
    let mut prepared: Vec<Statements> = shapes.0.iter().map(statements).collect();
    let mut done = Imported::default();
    let mut buf = String::new();
    let (mut number, mut bytes, mut ended) = (0u64, 0u64, false);
    loop {
        buf.clear();
        let n = input.read_line(&mut buf).map_err(|e| at(number + 1, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        number += 1;
        bytes += n as u64;
        let line = buf.trim();
        if line.is_empty() {
            continue;
        }
        if done.header.is_none() {
            done.header = Some(header(line)?);
            continue;
        }
        if ended {
            return Err(at(number, "a record after the `end` line"));
        }
        let mut record: Map<String, Value> =
            serde_json::from_str(line).map_err(|e| at(number, format!("not a JSON object: {e}")))?;
        let kind = match record.remove("kind") {
            Some(Value::String(k)) => k,
            _ => return Err(at(number, "a record without a `kind`")),
        };
        if kind == END_KIND {
            check_end(&record, &done.read).map_err(|e| at(number, e))?;
            ended = true;
            continue;
        }
        let Some(i) = shapes.0.iter().position(|s| s.kind.name == kind) else {
            return Err(at(number, format!("unknown kind `{kind}`")));
        };
        let shape = &shapes.0[i];
        if let Some(extra) = record.keys().find(|k| shape.field(k).is_none()) {
            return Err(at(number, format!("{kind} has no field `{extra}` (written by a newer trove?)")));
        }
        let sql = &mut prepared[i];
        let mut values = Vec::with_capacity(shape.fields.len());
        for (f, field) in shape.fields.iter().enumerate() {
            values.push(sql_value(&tx, shape, sql, f, record.remove(&field.name)).map_err(|e| at(number, e))?);
        }
        let added = insert(&tx, shape, sql, &values).map_err(|e| at(number, insert_error(&kind, e)))?;
        done.read.add(shape.kind.name, 1);
        done.added.add(shape.kind.name, u64::from(added));
        // Service accounts have no password: they log in with their keys.
        let service_account = shape.field("is_service_account").is_some_and(|i| matches!(values[i], Sql::Integer(1)));
        if added
            && kind == "user"
            && !service_account
            && matches!(values[shape.field("password_hash").unwrap_or(0)], Sql::Null)
        {
            if let Some(Sql::Text(name)) = shape.field("name").map(|i| &values[i]) {
                done.without_password.push(name.clone());
            }
        }
        progress(bytes);
    }
    if done.header.is_none() {
        return Err(at(1, format!("not a trove export (the file is empty, no `{FORMAT_NAME}` header)")));
    }
    if !ended {
        return Err(at(number, "the file ends without its `end` line (cut short?); nothing was imported"));
    }
    tx.commit()?;
    Ok(done)
}

/// Insert one row unless it is there; whether it was added.
fn insert(tx: &Connection, shape: &Shape, sql: &mut Statements, values: &[Sql]) -> rusqlite::Result<bool> {
    if shape.identity == Identity::Content
        && tx.prepare_cached(exists_sql(shape, sql, values))?.exists(params_from_iter(values))?
    {
        return Ok(false);
    }
    let added = tx.prepare_cached(&sql.insert)?.execute(params_from_iter(values))? == 1;
    if added && shape.kind.table == "artifact_versions" {
        // Keep the deep-page blocks short, as the server's writer does.
        let get = |name: &str| shape.field(name).map(|i| &values[i]);
        if let (Some(Sql::Integer(project)), Some(Sql::Integer(created)), Some(Sql::Text(id))) =
            (get("project"), get("created"), get("id"))
        {
            version_blocks::split_full(tx, *project, *created, id).map_err(|e| match e {
                DbError::Sqlite(e) => e,
                other => rusqlite::Error::ModuleError(other.to_string()),
            })?;
        }
    }
    Ok(added)
}

fn insert_error(kind: &str, e: rusqlite::Error) -> String {
    if e.to_string().contains("UNIQUE") {
        return format!(
            "{kind}: {e}: the database holds another row with the same name under another id \
             (import into an empty data folder, or one holding these same rows)"
        );
    }
    format!("{kind}: {e}")
}

/// The `end` line's counts against the records read.
fn check_end(end: &Map<String, Value>, read: &Counts) -> Result<(), String> {
    let total = end.get("records").and_then(Value::as_u64).ok_or("the `end` line has no `records` count")?;
    if total != read.total() {
        return Err(format!("the `end` line counts {total} records, the file holds {} before it", read.total()));
    }
    if let Some(Value::Object(counts)) = end.get("counts") {
        for (kind, n) in counts {
            let n = n.as_u64().ok_or_else(|| format!("the `end` line's count of {kind} is no number"))?;
            if n != read.get(kind) {
                return Err(format!("the `end` line counts {n} {kind} records, the file holds {}", read.get(kind)));
            }
        }
    }
    Ok(())
}
