//! Log entries and their links to runs and steps.

use super::{is_unique_violation, projects, users, DbError, DbResult};
use crate::models::logs::{Logs, LogsBody, LogsRequest, LogsResponse, LogsUpdate};
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const COLUMNS: &str = "SELECT l.pk, l.id, l.created, l.updated, u.id, p.id, l.uri, l.source, s.id, r.id,
        l.artifact_store_id, l.log_store_id, l.hook_invocation_id, l.user_pk, l.run_pk, l.step_pk";
/// What an entry's columns join, after `logs l`.
const JOINS: &str = "JOIN projects p ON p.pk = l.project_pk LEFT JOIN users u ON u.pk = l.user_pk
 LEFT JOIN runs r ON r.pk = l.run_pk LEFT JOIN steps s ON s.pk = l.step_pk";

/// (pk, entry, run pk, step pk).
fn from_row(r: &Row) -> rusqlite::Result<(i64, Logs, Option<i64>, Option<i64>)> {
    let hex = |i: usize| r.get::<_, Option<Id>>(i);
    let logs = Logs {
        id: r.get::<_, Id>(1)?,
        body: LogsBody {
            created: Ts(r.get(2)?),
            updated: Ts(r.get(3)?),
            user_id: hex(4)?,
            project_id: r.get::<_, Id>(5)?,
            uri: r.get(6)?,
            source: r.get(7)?,
            step_run_id: hex(8)?,
            pipeline_run_id: hex(9)?,
            artifact_store_id: hex(10)?,
            log_store_id: hex(11)?,
            hook_invocation_id: hex(12)?,
        },
        user_pk: r.get(13)?,
    };
    Ok((r.get(0)?, logs, r.get(14)?, r.get(15)?))
}

fn not_found(id: &Id) -> DbError {
    DbError::NotFound(format!("\"Unable to get logs with ID '{}': No logs with this ID found\"", id.hyphenated()))
}

fn run_pk(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM runs WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?.ok_or_else(
        || {
            DbError::NotFound(format!(
                "\"Unable to get pipeline run with ID '{}': No pipeline run with this ID found\"",
                id.hyphenated()
            ))
        },
    )
}

fn step_pk(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM steps WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?.ok_or_else(
        || {
            DbError::NotFound(format!(
                "\"Unable to get step run with ID '{}': No step run with this ID found\"",
                id.hyphenated()
            ))
        },
    )
}

/// Create an entry; `run_pk`/`step_pk` link it to the run or step being
/// created with it (they win over the request's ids). Its pk.
pub fn create(
    conn: &Connection,
    req: &LogsRequest,
    user_pk: i64,
    run: Option<i64>,
    step: Option<i64>,
) -> DbResult<i64> {
    Ok(insert(conn, req, user_pk, run, step)?.0)
}

/// `POST /logs`: the entry created, answered from what was written.
pub fn create_and_get(conn: &Connection, req: &LogsRequest, user_pk: i64) -> DbResult<LogsResponse> {
    let (_, logs) = insert(conn, req, user_pk, None, None)?;
    let mut user = users::nested_by_pks(conn, &[user_pk])?;
    let user = user.remove(&user_pk);
    let logs = Logs { body: LogsBody { user_id: user.as_ref().map(|u| u.id), ..logs.body }, ..logs };
    Ok(logs.to_response(user))
}

/// The entry's pk and the entry as written (without its user's id).
fn insert(
    conn: &Connection,
    req: &LogsRequest,
    user_pk: i64,
    run: Option<i64>,
    step: Option<i64>,
) -> DbResult<(i64, Logs)> {
    let (project_pk, store_exists) = projects::pk_and_store(conn, &req.project, req.artifact_store_id.as_ref())?;
    let project_pk = project_pk.ok_or_else(|| projects::id_not_found(&req.project))?;
    if let (Some(store), false) = (&req.artifact_store_id, store_exists) {
        return Err(DbError::NotFound(format!(
            "\"Unable to get stack component with ID '{}': No stack component with this ID found\"",
            store.hyphenated()
        )));
    }
    let run = match (run, &req.pipeline_run_id) {
        (Some(pk), _) => Some(pk),
        (None, Some(id)) => Some(run_pk(conn, id)?),
        (None, None) => None,
    };
    let step = match (step, &req.step_run_id) {
        (Some(pk), _) => Some(pk),
        (None, Some(id)) => Some(step_pk(conn, id)?),
        (None, None) => None,
    };
    let id = req.id.unwrap_or_else(Id::new_v4);
    let now = Ts::now();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO logs (id, project_pk, user_pk, uri, source, artifact_store_id, log_store_id, run_pk, step_pk,
                               hook_invocation_id, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?
        .execute(params![
            id,
            project_pk,
            user_pk,
            req.uri,
            req.source,
            req.artifact_store_id.as_ref(),
            req.log_store_id.as_ref(),
            run,
            step,
            req.hook_invocation_id.as_ref(),
            now.0
        ]);
    let logs = Logs {
        id,
        body: LogsBody {
            created: now,
            updated: now,
            user_id: None,
            project_id: req.project,
            uri: req.uri.clone(),
            source: req.source.clone(),
            step_run_id: req.step_run_id,
            pipeline_run_id: req.pipeline_run_id,
            artifact_store_id: req.artifact_store_id,
            log_store_id: req.log_store_id,
            hook_invocation_id: req.hook_invocation_id,
        },
        user_pk: Some(user_pk),
    };
    match inserted {
        Ok(_) => Ok((conn.last_insert_rowid(), logs)),
        Err(e) if is_unique_violation(&e) => Err(DbError::Conflict(format!(
            "Unable to create logs: A logs entry with ID '{}' already exists.",
            id.hyphenated()
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Link an existing entry (by id) to a run or a step.
pub fn link(conn: &Connection, id: &Id, run: Option<i64>, step: Option<i64>) -> DbResult<()> {
    let (pk, has_run, has_step): (i64, Option<i64>, Option<i64>) = conn
        .prepare_cached("SELECT pk, run_pk, step_pk FROM logs WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| not_found(id))?;
    if run.is_some_and(|r| has_run.is_some_and(|h| h != r)) || step.is_some_and(|s| has_step.is_some_and(|h| h != s)) {
        return Err(DbError::Forbidden(format!(
            "The logs entry {} is already linked to another pipeline run or step.",
            id.hyphenated()
        )));
    }
    let now = Ts::now();
    conn.prepare_cached(
        "UPDATE logs SET run_pk = COALESCE(?2, run_pk), step_pk = COALESCE(?3, step_pk), updated = ?4 WHERE pk = ?1",
    )?
    .execute(params![pk, run, step, now.0])?;
    Ok(())
}

fn get_row(conn: &Connection, id: &Id) -> DbResult<(i64, Logs, Option<i64>, Option<i64>)> {
    let sql = sql!("{COLUMNS} FROM logs l {JOINS} WHERE l.id = ?1");
    conn.prepare_cached(sql)?.query_row([id], from_row).optional()?.ok_or_else(|| not_found(id))
}

/// `GET /logs/{id}` and the answers of create and update.
pub fn get(conn: &Connection, id: &Id) -> DbResult<LogsResponse> {
    let (_, logs, _, _) = get_row(conn, id)?;
    let mut user = users::nested_by_pks(conn, &logs.user_pk.into_iter().collect::<Vec<_>>())?;
    Ok(logs.to_response(logs.user_pk.and_then(|pk| user.remove(&pk))))
}

/// `PUT /logs/{id}`.
pub fn update(conn: &Connection, id: &Id, upd: &LogsUpdate) -> DbResult<LogsResponse> {
    let run = upd.pipeline_run_id.as_ref().map(|r| run_pk(conn, r)).transpose()?;
    let step = upd.step_run_id.as_ref().map(|s| step_pk(conn, s)).transpose()?;
    link(conn, id, run, step)?;
    get(conn, id)
}

/// The entries of the owners in `rarray(?1)`, by the owner's index: the
/// owners come first (`CROSS JOIN` keeps that order), so planner statistics
/// taken while `logs` was small cannot turn it into a scan of the table
/// for every page (they did: `step_pk IN (SELECT value FROM rarray(?1))`
/// was planned as `SCAN l` once `logs` had been analyzed at 42 rows).
fn owners_sql(by_step: bool) -> &'static str {
    match by_step {
        true => sql!(
            "{COLUMNS} FROM rarray(?1) x CROSS JOIN logs l ON l.step_pk = x.value {JOINS} ORDER BY l.created, l.pk"
        ),
        false => {
            sql!("{COLUMNS} FROM rarray(?1) x CROSS JOIN logs l ON l.run_pk = x.value {JOINS} ORDER BY l.created, l.pk")
        }
    }
}

/// The entries of many runs (`by_step` false) or steps, in creation order, in one query.
pub fn of_owners(conn: &Connection, pks: &[i64], by_step: bool) -> DbResult<HashMap<i64, Vec<Logs>>> {
    let mut stmt = conn.prepare_cached(owners_sql(by_step))?;
    let mut out: HashMap<i64, Vec<Logs>> = HashMap::new();
    let mut rows = stmt.query([super::pk_array(pks)])?;
    while let Some(r) = rows.next()? {
        let (_, logs, run, step) = from_row(r)?;
        if let Some(owner) = if by_step { step } else { run } {
            out.entry(owner).or_default().push(logs);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// With the statistics `PRAGMA optimize` took of a small `logs` table
    /// (seen: 42 rows, 2 per step), the owners' entries are still found
    /// through the owner's index, not by scanning `logs`.
    #[test]
    fn entries_of_owners_are_found_by_index_after_small_table_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::Db::open(&dir.path().join("t.db"), 1).unwrap();
        let conn = db.conn().unwrap();
        conn.execute_batch(
            "DELETE FROM sqlite_stat1 WHERE tbl = 'logs';
             INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('logs', 'logs_by_step', '40 2'),
                 ('logs', 'logs_by_run', '2 1'), ('logs', 'sqlite_autoindex_logs_1', '42 1');
             ANALYZE sqlite_schema;",
        )
        .unwrap();
        for (by_step, index) in [(true, "logs_by_step"), (false, "logs_by_run")] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", super::owners_sql(by_step)))
                .unwrap()
                .query_map([super::super::pk_array(&[1, 2])], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(plan.iter().any(|p| p.contains(&format!("SEARCH l USING INDEX {index}"))), "{plan:?}");
            assert!(!plan.iter().any(|p| p.starts_with("SCAN l")), "{plan:?}");
        }
    }
}
