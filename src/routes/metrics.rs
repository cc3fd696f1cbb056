//! `GET /metrics`: Prometheus text format, off unless `metrics_token` is
//! set, then only with `Authorization: Bearer <metrics_token>` (see the
//! README, "Metrics"). Mounted by [`crate::startup::build_app`] outside
//! `/api/v1` and outside `/openapi.json`: an operations endpoint, not part
//! of ZenML's API.

use crate::state::AppState;
use crate::telemetry::metrics::{Exposition, HistogramCounts};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

/// The exposition format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(token) = state.settings.metrics_token.as_deref() else {
        return super::not_found().await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if !given.is_some_and(|given| same_bytes(given.as_bytes(), token.as_bytes())) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .json(serde_json::json!({ "detail": "Not authenticated" }));
    }
    HttpResponse::Ok().content_type(CONTENT_TYPE).body(render(&state))
}

/// Compare in time that depends on the lengths only.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn render(state: &AppState) -> String {
    let mut out = Exposition::new();
    out.header("trove_build_info", "gauge", "The trove version serving (always 1).");
    out.sample("trove_build_info", &[("version", env!("CARGO_PKG_VERSION"))], 1);
    state.http_metrics.render(&mut out);

    let db = state.db.stats();
    out.header("trove_db_writer_queue_depth", "gauge", "Write requests waiting for the writer thread.");
    out.sample("trove_db_writer_queue_depth", &[], db.queued());
    out.header(
        "trove_db_write_group_size",
        "histogram",
        "Write requests committed together in one transaction (group commit).",
    );
    out.histogram("trove_db_write_group_size", &[], &db.group_sizes.snapshot(), 1.0);
    out.header(
        "trove_db_write_duration_seconds",
        "histogram",
        "Time a write request spent queued and run, until its transaction committed.",
    );
    out.histogram("trove_db_write_duration_seconds", &[], &db.write_latency.snapshot(), 1e-9);
    out.header("trove_db_pool_wait_seconds", "histogram", "Time a read waited for a pooled database connection.");
    let waits: HistogramCounts = db.pool_waits.snapshot();
    out.histogram("trove_db_pool_wait_seconds", &[], &waits, 1e-9);
    out.header(
        "trove_db_pool_timeouts_total",
        "counter",
        "Reads that got no pooled connection in time (answered 500).",
    );
    out.sample("trove_db_pool_timeouts_total", &[], db.pool_timeouts.load(std::sync::atomic::Ordering::Relaxed));
    let (open, idle) = state.db.pool_connections();
    out.header("trove_db_pool_connections", "gauge", "Pooled read connections, by state.");
    out.sample("trove_db_pool_connections", &[("state", "idle")], idle);
    out.sample("trove_db_pool_connections", &[("state", "in_use")], open.saturating_sub(idle));

    let db_path = state.settings.db_path();
    let size = |suffix: &str| {
        let mut p = db_path.as_os_str().to_owned();
        p.push(suffix);
        std::fs::metadata(std::path::PathBuf::from(p)).map_or(0, |m| m.len())
    };
    out.header("trove_db_size_bytes", "gauge", "Size of the database files, by file.");
    out.sample("trove_db_size_bytes", &[("file", "db")], size(""));
    out.sample("trove_db_size_bytes", &[("file", "wal")], size("-wal"));
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn tokens_compare_whole() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"abcd"));
        assert!(!same_bytes(b"", b"a"));
    }
}
