//! A run's status computed from its steps, as the reference does
//! (`PipelineRunSchema.update_status`, `pipeline-runs.md` §3.6.3): after
//! every step create (unless running) and update, and on a status PUT.

use super::DbResult;
use crate::models::run::{is_finished, is_placeholder};
use crate::models::Ts;
use rusqlite::{params, Connection};

/// The new status from the requested one and the statuses of the steps
/// (retried ones excluded), for a run of `expected` steps.
pub fn compute(requested: &str, steps: &[String], expected: usize) -> String {
    let any = |s: &str| steps.iter().any(|x| x == s);
    let all_finished = steps.iter().all(|s| is_finished(s));
    let status = if requested == "stopping" {
        if all_finished {
            "stopped"
        } else {
            "stopping"
        }
    } else if requested == "failed" || any("failed") {
        "failed"
    } else if any("stopped") {
        if all_finished {
            "stopped"
        } else {
            "stopping"
        }
    } else if any("running") || any("retrying") {
        "running"
    } else if steps.len() < expected {
        if is_placeholder(requested) {
            requested
        } else {
            "running"
        }
    } else {
        "completed"
    };
    status.to_string()
}

/// Recompute and store the status of run `run_pk`; `requested` defaults
/// to the current status. `status_reason` is cleared on a change unless given.
pub fn refresh(
    conn: &Connection,
    run_pk: i64,
    requested: Option<&str>,
    status_reason: Option<&Option<String>>,
) -> DbResult<()> {
    let (current, expected, end_time, mode): (String, i64, Option<i64>, Option<String>) = conn
        .prepare_cached(
            "SELECT r.status, s.step_count, r.end_time, s.execution_mode
             FROM runs r JOIN snapshots s ON s.pk = r.snapshot_pk WHERE r.pk = ?1",
        )?
        .query_row([run_pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let steps: Vec<String> = conn
        .prepare_cached("SELECT status FROM steps WHERE run_pk = ?1 AND status <> 'retried'")?
        .query_map([run_pk], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let requested = requested.unwrap_or(&current);
    let status = compute(requested, &steps, expected.max(0) as usize);
    // A failed run that continues on failure stays in progress while steps still run.
    let continues = mode.as_deref() == Some("continue_on_failure")
        && status == "failed"
        && requested != "failed"
        && steps.iter().any(|s| !is_finished(s));
    let in_progress = !is_finished(&status) || continues;
    let now = Ts::now().0;
    let end = match (in_progress, end_time) {
        (false, None) => Some(now),
        (_, kept) => kept,
    };
    let reason_sql = match (status_reason, status != current) {
        (Some(_), _) => "?5",
        (None, true) => "NULL",
        (None, false) => "status_reason",
    };
    let sql = format!(
        "UPDATE runs SET status = ?2, in_progress = ?3, end_time = ?4, status_reason = {reason_sql}, updated = ?6 WHERE pk = ?1"
    );
    conn.prepare_cached(&sql)?.execute(params![
        run_pk,
        status,
        in_progress,
        end,
        status_reason.cloned().flatten(),
        now
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::compute;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn the_reference_rules() {
        assert_eq!(compute("running", &s(&["completed"]), 2), "running");
        assert_eq!(compute("running", &s(&["completed", "completed"]), 2), "completed");
        assert_eq!(compute("initializing", &s(&["cached"]), 2), "initializing");
        assert_eq!(compute("initializing", &s(&["cached", "cached"]), 2), "completed");
        assert_eq!(compute("running", &s(&["completed", "failed"]), 3), "failed");
        assert_eq!(compute("failed", &s(&[]), 2), "failed");
        assert_eq!(compute("completed", &s(&["completed"]), 2), "running");
        assert_eq!(compute("running", &s(&["completed", "running"]), 2), "running");
        assert_eq!(compute("stopping", &s(&["completed", "running"]), 2), "stopping");
        assert_eq!(compute("stopping", &s(&["completed"]), 2), "stopped");
        assert_eq!(compute("provisioning", &s(&[]), 2), "provisioning");
    }
}
