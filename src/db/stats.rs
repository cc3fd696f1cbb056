//! What the database layer counts for `/metrics`: the writer's queue and
//! how many requests each commit carried ([`super::writer`]), and how long
//! reads waited for a pooled connection (r2d2's checkout events). Atomics
//! only: a few additions per request, whether `/metrics` is on or not.

use crate::telemetry::metrics::{Histogram, LATENCY_BOUNDS_NS};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Upper bounds of the requests-per-commit buckets (the writer takes at most 64).
pub const GROUP_BOUNDS: &[u64] = &[1, 2, 4, 8, 16, 32, 64];

/// Upper bounds of the pool-wait buckets, in nanoseconds (1 µs … 10 s).
pub const POOL_WAIT_BOUNDS_NS: &[u64] =
    &[1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000];

#[derive(Debug)]
pub struct DbStats {
    /// Write requests queued for the writer thread and not yet taken.
    queued: AtomicI64,
    /// Requests per committed write transaction.
    pub group_sizes: Histogram,
    /// Time from asking the pool for a connection to getting one.
    pub pool_waits: Histogram,
    /// Requests that got no connection within the pool's timeout.
    pub pool_timeouts: AtomicU64,
    /// Time a write request spent queued and run, until its commit.
    pub write_latency: Histogram,
}

impl Default for DbStats {
    fn default() -> Self {
        DbStats {
            queued: AtomicI64::new(0),
            group_sizes: Histogram::new(GROUP_BOUNDS),
            pool_waits: Histogram::new(POOL_WAIT_BOUNDS_NS),
            pool_timeouts: AtomicU64::new(0),
            write_latency: Histogram::new(LATENCY_BOUNDS_NS),
        }
    }
}

impl DbStats {
    pub fn queued(&self) -> i64 {
        self.queued.load(Ordering::Relaxed).max(0)
    }

    pub(super) fn enqueued(&self) {
        self.queued.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn dequeued(&self, n: usize) {
        self.queued.fetch_sub(n as i64, Ordering::Relaxed);
    }
}

/// The pool's event handler: checkout waits and timeouts into [`DbStats`].
#[derive(Debug)]
pub(super) struct PoolEvents(pub Arc<DbStats>);

impl r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        self.0.pool_waits.observe_duration(event.duration());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        self.0.pool_timeouts.fetch_add(1, Ordering::Relaxed);
    }
}
