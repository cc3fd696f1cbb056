//! Reading the records: one pass over each exported table, in [`KINDS`]
//! order, inside the caller's read transaction (one snapshot), each row
//! written as soon as it is read.
//!
//! [`for_each_record`] hands out records as JSON objects, for any consumer
//! of the data (`trove export` writes them as lines).

use super::{Counts, Field, Header, Shape, Shapes, END_KIND, FORMAT_NAME, FORMAT_VERSION};
use crate::db::migrate::SCHEMA_VERSION;
use crate::db::{DbError, DbResult};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::io::Write;

/// The SELECT reading `shape`'s records: references as the referred row's id.
fn select_sql(shape: &Shape) -> String {
    let columns: Vec<String> = shape
        .fields
        .iter()
        .map(|f: &Field| match &f.refers_to {
            Some(table) => format!("(SELECT r.id FROM {table} r WHERE r.pk = t.{})", f.column),
            None => format!("t.{}", f.column),
        })
        .collect();
    let order = if shape.has_pk { " ORDER BY t.pk" } else { "" };
    format!("SELECT {} FROM {} t{order}", columns.join(", "), shape.kind.table)
}

fn json_value(v: ValueRef<'_>, shape: &Shape, field: &Field) -> DbResult<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => {
            return Err(DbError::Invalid(format!(
                "{}.{} holds a blob, which the export format does not carry",
                shape.kind.table, field.column
            )))
        }
    })
}

/// Every record of `conn`, kind by kind in dependency order, as a JSON
/// object (`kind` first, then the fields in column order); users without
/// their password hash, and no API keys, unless `with_password_hashes`. Run it inside one read
/// transaction for a consistent snapshot.
pub fn for_each_record(
    conn: &Connection,
    with_password_hashes: bool,
    mut each: impl FnMut(&Shape, Map<String, Value>) -> DbResult<()>,
) -> DbResult<Counts> {
    let shapes = Shapes::load(conn)?;
    let mut counts = Counts::default();
    for shape in &shapes.0 {
        if shape.kind.name == "api_key" && !with_password_hashes {
            // A key is its hash: without the credentials there is nothing to keep.
            continue;
        }
        let hidden =
            if with_password_hashes || shape.kind.name != "user" { None } else { shape.field("password_hash") };
        let mut stmt = conn.prepare(&select_sql(shape))?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let mut record = Map::with_capacity(shape.fields.len() + 1);
            record.insert("kind".into(), Value::from(shape.kind.name));
            for (i, field) in shape.fields.iter().enumerate() {
                let value = if hidden == Some(i) { Value::Null } else { json_value(row.get_ref(i)?, shape, field)? };
                record.insert(field.name.clone(), value);
            }
            each(shape, record)?;
            n += 1;
        }
        counts.add(shape.kind.name, n);
    }
    Ok(counts)
}

/// How many records [`for_each_record`] will hand out (for a progress bar).
pub fn count_records(conn: &Connection) -> DbResult<u64> {
    let shapes = Shapes::load(conn)?;
    let mut total = 0u64;
    for shape in &shapes.0 {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", shape.kind.table), [], |r| r.get(0))?;
        total += n as u64;
    }
    Ok(total)
}

/// Write the export of `conn` to `out`: the header, every record, and the
/// `end` line with the counts; `progress` is told the records written so
/// far. Run it inside one read transaction.
pub fn export(
    conn: &Connection,
    with_password_hashes: bool,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> DbResult<Counts> {
    let io = |e: std::io::Error| DbError::Task(format!("cannot write the export: {e}"));
    let header = Header {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        schema: conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or(SCHEMA_VERSION),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        password_hashes: with_password_hashes,
    };
    write_line(out, &header).map_err(io)?;
    let mut written = 0u64;
    let counts = for_each_record(conn, with_password_hashes, |_, record| {
        write_line(out, &record).map_err(io)?;
        written += 1;
        progress(written);
        Ok(())
    })?;
    let by_kind: Map<String, Value> = counts.0.iter().map(|(k, n)| (k.to_string(), Value::from(*n))).collect();
    let end = serde_json::json!({"kind": END_KIND, "records": counts.total(), "counts": by_kind});
    write_line(out, &end).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(counts)
}

fn write_line(out: &mut dyn Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}
