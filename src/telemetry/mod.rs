//! Logging: `tracing` with an `EnvFilter` (RUST_LOG wins over the configured
//! level) and one line per request (method, path, status, latency).

pub mod batch;
pub mod metrics;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber (later calls are no-ops). Lines are written
/// to stderr in batches by a background thread ([`batch`]), so a request
/// never waits for the terminal or a log file; keep the returned guard alive
/// until shutdown (its drop flushes what is buffered).
pub fn init(level: &str) -> std::io::Result<batch::FlushGuard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},actix_server=warn,r2d2=warn")));
    let (writer, guard) = batch::BatchWriter::new(std::io::stderr())?;
    // Colours only for a terminal: a redirected log stays plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init();
    Ok(guard)
}

/// Middleware: one log line per request; and, while `/metrics` is on (the
/// app has a [`metrics::HttpMetrics`]), the request counted by its route
/// pattern and status.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let counted = req.app_data::<actix_web::web::Data<metrics::HttpMetrics>>().cloned();
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let elapsed = start.elapsed();
    if let Some(counted) = counted {
        counted.observe(&method, res.request().match_pattern(), status, elapsed);
    }
    let micros = elapsed.as_micros();
    if status >= 500 {
        tracing::warn!(%method, %path, status, latency_us = micros as u64, "request");
    } else {
        tracing::info!(%method, %path, status, latency_us = micros as u64, "request");
    }
    Ok(res)
}
