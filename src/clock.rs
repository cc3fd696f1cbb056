//! The clock rows are stamped with (`created`, `updated`): wall time in
//! microseconds, strictly increasing per clock, plus an offset that only
//! tests move, instead of sleeping until the wall clock has moved on.
//!
//! Each database writer owns a [`Clock`] and installs it on its thread
//! ([`install`]), or on the request's thread for the time of a write that
//! runs there ([`installed`]), so every write of that database takes its
//! time from it ([`crate::db::Db::clock`]); [`now`] elsewhere (start-up, the
//! CLI, handlers) reads the process's clock.

use crate::models::Ts;
use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One clock, shared by its clones.
#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// The last time handed out.
    last: AtomicI64,
    /// Microseconds added to the wall clock.
    offset: AtomicI64,
}

static PROCESS: Inner = Inner { last: AtomicI64::new(0), offset: AtomicI64::new(0) };

thread_local! {
    static INSTALLED: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

impl Inner {
    fn now(&self) -> Ts {
        let wall = chrono::Utc::now().timestamp_micros() + self.offset.load(Ordering::Relaxed);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = wall.max(last + 1);
            match self.last.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Ts(next),
                Err(seen) => last = seen,
            }
        }
    }
}

impl Clock {
    /// The current time of this clock: strictly increasing across calls, so
    /// that versions created one after another never share a `created`
    /// value ("latest" is the newest `created` for the ZenML client).
    pub fn now(&self) -> Ts {
        self.0.now()
    }

    /// Move this clock forward by `by`: what a test does instead of sleeping.
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.0.offset.fetch_add(micros, Ordering::Relaxed);
    }
}

/// Make `clock` the one [`now`] reads on this thread.
pub fn install(clock: Clock) {
    INSTALLED.with(|c| *c.borrow_mut() = Some(clock));
}

/// Run `f` with `clock` installed on this thread, then put back what was
/// installed before (also when `f` panics).
pub fn installed<T>(clock: &Clock, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Clock>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            INSTALLED.with(|c| *c.borrow_mut() = before);
        }
    }
    let _restore = Restore(INSTALLED.with(|c| c.borrow_mut().replace(clock.clone())));
    f()
}

/// The current time of this thread's clock (the process's unless a clock
/// was [`install`]ed here).
pub fn now() -> Ts {
    INSTALLED.with(|c| match &*c.borrow() {
        Some(clock) => clock.now(),
        None => PROCESS.now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_is_strictly_increasing_and_moves_when_advanced() {
        let clock = Clock::default();
        let (a, b) = (clock.now(), clock.now());
        assert!(b > a);
        clock.advance(Duration::from_secs(5));
        let c = clock.now();
        assert!(c.0 - b.0 >= 5_000_000, "{a:?} {b:?} {c:?}");
        // Other clocks are not moved.
        assert!(now().0 < c.0 - 4_000_000);
    }

    #[test]
    fn an_installed_clock_is_this_threads_only() {
        let clock = Clock::default();
        clock.advance(Duration::from_secs(3600));
        let installed = clock.clone();
        let on_thread = std::thread::spawn(move || {
            install(installed);
            now()
        })
        .join()
        .unwrap();
        assert!(on_thread.0 >= clock.now().0 - 1_000_000 && on_thread.0 > now().0 + 3_000_000_000);
    }

    #[test]
    fn a_clock_installed_for_a_call_is_gone_after_it() {
        let clock = Clock::default();
        clock.advance(Duration::from_secs(3600));
        let inside = installed(&clock, now);
        assert!(inside.0 > now().0 + 3_000_000_000);
        let panicked = std::panic::catch_unwind(|| installed(&clock, || panic!("boom")));
        assert!(panicked.is_err());
        assert!(now().0 < clock.now().0 - 3_000_000_000, "the clock stays installed after a panic");
    }
}
