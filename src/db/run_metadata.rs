//! Run metadata: `POST /run-metadata` and the read-side rules (newest
//! value per key; when every value of a key is an object, they are merged,
//! `pipeline-runs.md` §3.9).

use super::{pk_array, DbError, DbResult};
use crate::models::artifact_version::RunMetadata;
use crate::models::run_metadata::RunMetadataRequest;
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Fold `(owner pk, row pk, key, JSON value)` rows into each owner's metadata:
/// keys in the order first recorded, the newest value per key, objects merged
/// while every value of the key is an object.
pub fn fold(mut rows: Vec<(i64, i64, String, String)>) -> HashMap<i64, RunMetadata> {
    rows.sort_unstable_by_key(|row| (row.0, row.1));
    // Per key: the stored text (kept verbatim unless merged) and whether
    // every value so far was an object.
    let mut out: HashMap<i64, Vec<(String, String, bool)>> = HashMap::new();
    for (owner, _, key, text) in rows {
        let is_object = text.trim_start().starts_with('{');
        let entries = out.entry(owner).or_default();
        match entries.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, old, all_objects)) => {
                *all_objects &= is_object;
                *old = match *all_objects {
                    true => merge_objects(old, &text).unwrap_or(text),
                    false => text,
                };
            }
            None => entries.push((key, text, is_object)),
        }
    }
    out.into_iter()
        .map(|(owner, entries)| {
            let entries = entries
                .into_iter()
                .map(|(k, text, _)| (k, RawValue::from_string(text).unwrap_or_else(|_| null())))
                .collect();
            (owner, RunMetadata(entries))
        })
        .collect()
}

/// `{**old, **new}` of two JSON objects.
fn merge_objects(old: &str, new: &str) -> Option<String> {
    let mut old: Map<String, Value> = serde_json::from_str(old).ok()?;
    let new: Map<String, Value> = serde_json::from_str(new).ok()?;
    old.extend(new);
    Some(Value::Object(old).to_string())
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".into()).expect("valid JSON")
}

/// The metadata of many runs (`of_steps` false) or steps, in one query.
pub fn of_owners(conn: &Connection, pks: &[i64], of_steps: bool) -> DbResult<HashMap<i64, RunMetadata>> {
    let sql = match of_steps {
        false => "SELECT m.run_pk, m.pk, m.key, m.value FROM rarray(?1) r CROSS JOIN run_step_metadata m ON m.run_pk = r.value",
        true => "SELECT m.step_pk, m.pk, m.key, m.value FROM rarray(?1) r CROSS JOIN run_step_metadata m ON m.step_pk = r.value",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([pk_array(pks)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(fold(rows.collect::<Result<_, _>>()?))
}

fn pk_by_id(conn: &Connection, table: &str, id: &Id, what: &str) -> DbResult<i64> {
    conn.prepare_cached(&format!("SELECT pk FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            DbError::NotFound(format!(
                "\"Unable to get {what} with ID '{}': No {what} with this ID found\"",
                id.hyphenated()
            ))
        })
}

/// Copy the metadata a step recorded to another step (a cached step gets its original's).
pub fn copy_step(conn: &Connection, from_step: i64, to_step: i64) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO run_step_metadata (step_pk, key, value, type, created)
         SELECT ?2, key, value, type, created FROM run_step_metadata WHERE step_pk = ?1 ORDER BY pk",
    )?
    .execute([from_step, to_step])?;
    Ok(())
}

/// `POST /run-metadata`: every entry linked to every resource.
pub fn create(conn: &Connection, req: &RunMetadataRequest) -> DbResult<()> {
    super::projects::get_by_id(conn, &req.project)?;
    let now = Ts::now();
    for (kind, id) in &req.resources {
        let (column, pk) = match kind.as_str() {
            "pipeline_run" => ("run_pk", pk_by_id(conn, "runs", id, "pipeline run")?),
            "step_run" => ("step_pk", pk_by_id(conn, "steps", id, "step run")?),
            "artifact_version" => ("version_pk", pk_by_id(conn, "artifact_versions", id, "artifact version")?),
            "model_version" => ("model_version_pk", pk_by_id(conn, "model_versions", id, "model version")?),
            "schedule" => return Err(not_served(id, "schedule")),
            _ => return Err(not_served(id, "wait condition")),
        };
        let sql = match column {
            "version_pk" => {
                "INSERT INTO run_metadata (version_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)"
            }
            "run_pk" => "INSERT INTO run_step_metadata (run_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            "model_version_pk" => {
                "INSERT INTO model_version_metadata (model_version_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)"
            }
            _ => "INSERT INTO run_step_metadata (step_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        };
        let mut insert = conn.prepare_cached(sql)?;
        for e in &req.entries {
            insert.execute(params![pk, e.key, e.value, e.type_name, now.0])?;
        }
    }
    Ok(())
}

/// Resources trove does not serve (yet): none exists, so the id is unknown.
fn not_served(id: &Id, what: &str) -> DbError {
    DbError::NotFound(format!("\"Unable to get {what} with ID '{}': No {what} with this ID found\"", id.hyphenated()))
}

/// An empty object (metadata of a row without entries).
pub fn empty() -> RunMetadata {
    RunMetadata(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(rows: &[(&str, &str)]) -> String {
        let rows = rows.iter().enumerate().map(|(i, (k, v))| (1, i as i64, k.to_string(), v.to_string())).collect();
        serde_json::to_string(&fold(rows).remove(&1).unwrap()).unwrap()
    }

    #[test]
    fn newest_wins_and_objects_merge() {
        assert_eq!(folded(&[("a", "1"), ("a", "2"), ("b", "\"x\"")]), r#"{"a":2,"b":"x"}"#);
        assert_eq!(folded(&[("d", r#"{"x":1}"#), ("d", r#"{"y":2}"#)]), r#"{"d":{"x":1,"y":2}}"#);
        assert_eq!(folded(&[("d", "3"), ("d", r#"{"x":1}"#), ("d", r#"{"y":2}"#)]), r#"{"d":{"y":2}}"#);
    }
}
