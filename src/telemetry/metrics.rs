//! Metrics in the Prometheus text format (`GET /metrics`, see
//! [`crate::routes::metrics`]), without a metrics crate: counters and
//! histograms are atomics or plain integers behind a mutex, and
//! [`Exposition`] writes them out as text (format 0.0.4).
//!
//! What is counted where: HTTP requests by method, route pattern and status
//! and their latency ([`HttpMetrics`], filled by
//! [`super::log_request`] only while `/metrics` is on); the writer's queue
//! and the requests per commit, the pool's checkout waits
//! ([`crate::db::stats`], always: a few atomic adds per request).

use actix_web::http::Method;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of latency buckets, in nanoseconds (100 µs … 10 s).
pub const LATENCY_BOUNDS_NS: &[u64] = &[
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// A histogram that threads update without a lock.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [u64],
    /// Observations per bucket (not cumulative), the last one above every bound.
    buckets: Box<[AtomicU64]>,
    sum: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [u64]) -> Histogram {
        Histogram { bounds, buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(), sum: AtomicU64::new(0) }
    }

    pub fn observe(&self, value: u64) {
        let i = self.bounds.iter().position(|&b| value <= b).unwrap_or(self.bounds.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    pub fn observe_duration(&self, d: Duration) {
        self.observe(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// A copy of the counts, to render.
    pub fn snapshot(&self) -> HistogramCounts {
        HistogramCounts {
            bounds: self.bounds,
            buckets: self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect(),
            sum: self.sum.load(Ordering::Relaxed),
        }
    }
}

/// A histogram's counts (not cumulative), updated under a lock or copied
/// from a [`Histogram`].
#[derive(Debug, Clone)]
pub struct HistogramCounts {
    bounds: &'static [u64],
    buckets: Vec<u64>,
    sum: u64,
}

impl HistogramCounts {
    pub fn new(bounds: &'static [u64]) -> HistogramCounts {
        HistogramCounts { bounds, buckets: vec![0; bounds.len() + 1], sum: 0 }
    }

    pub fn observe(&mut self, value: u64) {
        let i = self.bounds.iter().position(|&b| value <= b).unwrap_or(self.bounds.len());
        self.buckets[i] += 1;
        self.sum = self.sum.saturating_add(value);
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// Requests by method, route pattern (`/api/v1/artifact_versions/{version_id}`:
/// the number of series stays bounded) and status, with their latency.
#[derive(Debug, Default)]
pub struct HttpMetrics {
    routes: Mutex<HashMap<(Method, String), RouteStats>>,
}

#[derive(Debug, Clone)]
struct RouteStats {
    statuses: BTreeMap<u16, u64>,
    latency: HistogramCounts,
}

/// The route label of a request that matched no route (404s of the default
/// service), so that unknown paths add no series.
pub const UNMATCHED: &str = "unmatched";

impl HttpMetrics {
    /// Count one answered request. Methods other than the standard ones
    /// count as `OTHER`.
    pub fn observe(&self, method: &Method, route: Option<String>, status: u16, latency: Duration) {
        let method = match *method {
            Method::GET
            | Method::POST
            | Method::PUT
            | Method::DELETE
            | Method::PATCH
            | Method::HEAD
            | Method::OPTIONS => method.clone(),
            _ => Method::from_bytes(b"OTHER").unwrap_or(Method::GET),
        };
        let key = (method, route.unwrap_or_else(|| UNMATCHED.to_string()));
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = routes.entry(key).or_insert_with(|| RouteStats {
            statuses: BTreeMap::new(),
            latency: HistogramCounts::new(LATENCY_BOUNDS_NS),
        });
        *stats.statuses.entry(status).or_default() += 1;
        stats.latency.observe(nanos);
    }

    /// Write `trove_http_requests_total` and
    /// `trove_http_request_duration_seconds`, in route order.
    pub fn render(&self, out: &mut Exposition) {
        // (route, method) → its counts, copied so the lock is not held while writing.
        let mut rows: Vec<((String, String), RouteStats)> = {
            let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            routes.iter().map(|((m, r), s)| ((r.clone(), m.to_string()), s.clone())).collect()
        };
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        out.header(
            "trove_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route pattern and status.",
        );
        for ((route, method), stats) in &rows {
            for (status, n) in &stats.statuses {
                let status = status.to_string();
                out.sample(
                    "trove_http_requests_total",
                    &[("method", method), ("route", route), ("status", &status)],
                    *n,
                );
            }
        }
        out.header(
            "trove_http_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its answer, by method and route pattern.",
        );
        for ((route, method), stats) in &rows {
            out.histogram(
                "trove_http_request_duration_seconds",
                &[("method", method), ("route", route)],
                &stats.latency,
                1e-9,
            );
        }
    }
}

/// A Prometheus text exposition being written.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    pub fn new() -> Exposition {
        Exposition::default()
    }

    /// `# HELP` and `# TYPE` lines of a metric family.
    pub fn header(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    /// One sample line.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.text.push_str(name);
        self.labels(labels, None);
        let _ = writeln!(self.text, " {value}");
    }

    /// A histogram's `_bucket` (cumulative, `le` in units of `scale`),
    /// `_sum` and `_count` lines.
    pub fn histogram(&mut self, name: &str, labels: &[(&str, &str)], counts: &HistogramCounts, scale: f64) {
        let mut cumulative = 0;
        let bucket = format!("{name}_bucket");
        for (i, n) in counts.buckets.iter().enumerate() {
            cumulative += n;
            let le = match counts.bounds.get(i) {
                Some(&b) => format_float(b as f64 * scale),
                None => "+Inf".to_string(),
            };
            self.text.push_str(&bucket);
            self.labels(labels, Some(&le));
            let _ = writeln!(self.text, " {cumulative}");
        }
        self.text.push_str(name);
        self.text.push_str("_sum");
        self.labels(labels, None);
        let _ = writeln!(self.text, " {}", format_float(counts.sum as f64 * scale));
        self.text.push_str(name);
        self.text.push_str("_count");
        self.labels(labels, None);
        let _ = writeln!(self.text, " {cumulative}");
    }

    fn labels(&mut self, labels: &[(&str, &str)], le: Option<&str>) {
        if labels.is_empty() && le.is_none() {
            return;
        }
        self.text.push('{');
        let all = labels.iter().copied().chain(le.map(|le| ("le", le)));
        for (i, (k, v)) in all.enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.text.push_str(k);
            self.text.push_str("=\"");
            for c in v.chars() {
                match c {
                    '\\' => self.text.push_str("\\\\"),
                    '"' => self.text.push_str("\\\""),
                    '\n' => self.text.push_str("\\n"),
                    c => self.text.push(c),
                }
            }
            self.text.push('"');
        }
        self.text.push('}');
    }

    pub fn finish(self) -> String {
        self.text
    }
}

/// A float as Prometheus reads it: shortest round-trip form (`0.0001`, `1`, `2.5`).
fn format_float(v: f64) -> String {
    let s = format!("{v}");
    // Products like 1e5 * 1e-9 carry binary noise; round to 12 significant digits.
    if s.len() > 12 {
        let rounded: f64 = format!("{v:.12e}").parse().unwrap_or(v);
        return format!("{rounded}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_renders_cumulative_buckets_sum_and_count() {
        static BOUNDS: &[u64] = &[1, 4];
        let h = Histogram::new(BOUNDS);
        for v in [1, 2, 3, 9] {
            h.observe(v);
        }
        let mut out = Exposition::new();
        out.header("x", "histogram", "Test.");
        out.histogram("x", &[("a", "q\"\\\n")], &h.snapshot(), 1.0);
        assert_eq!(
            out.finish(),
            "# HELP x Test.\n# TYPE x histogram\n\
             x_bucket{a=\"q\\\"\\\\\\n\",le=\"1\"} 1\n\
             x_bucket{a=\"q\\\"\\\\\\n\",le=\"4\"} 3\n\
             x_bucket{a=\"q\\\"\\\\\\n\",le=\"+Inf\"} 4\n\
             x_sum{a=\"q\\\"\\\\\\n\"} 15\n\
             x_count{a=\"q\\\"\\\\\\n\"} 4\n"
        );
    }

    #[test]
    fn latency_bounds_render_as_short_seconds() {
        let got: Vec<String> = LATENCY_BOUNDS_NS.iter().map(|&b| format_float(b as f64 * 1e-9)).collect();
        assert_eq!(got[..4], ["0.0001", "0.00025", "0.0005", "0.001"]);
        assert_eq!(got[got.len() - 1], "10");
    }

    #[test]
    fn requests_are_counted_by_method_route_and_status() {
        let m = HttpMetrics::default();
        let ms = Duration::from_millis(1);
        m.observe(&Method::GET, Some("/health".into()), 200, ms);
        m.observe(&Method::GET, Some("/health".into()), 200, ms);
        m.observe(&Method::GET, None, 404, ms);
        m.observe(&Method::from_bytes(b"BREW").unwrap(), None, 404, ms);
        let mut out = Exposition::new();
        m.render(&mut out);
        let text = out.finish();
        assert!(
            text.contains("trove_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("trove_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1\n"), "{text}");
        assert!(
            text.contains(
                "trove_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",le=\"0.001\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("trove_http_request_duration_seconds_count{method=\"GET\",route=\"/health\"} 2\n"),
            "{text}"
        );
    }
}
