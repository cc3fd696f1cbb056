//! Logging: `tracing` with an `EnvFilter` (RUST_LOG wins over the configured
//! level) and one line per request (method, path, status, latency).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber (later calls are no-ops). Lines are written
/// to stderr by a background thread, so a request never waits for the
/// terminal or a log file; keep the returned guard alive until shutdown (its
/// drop flushes what is buffered).
pub fn init(level: &str) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},actix_server=warn,r2d2=warn")));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("trove-log")
        .finish(std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(writer).try_init();
    guard
}

/// Middleware: one log line per request.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let micros = start.elapsed().as_micros();
    if status >= 500 {
        tracing::warn!(%method, %path, status, latency_us = micros as u64, "request");
    } else {
        tracing::info!(%method, %path, status, latency_us = micros as u64, "request");
    }
    Ok(res)
}
