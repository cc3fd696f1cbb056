//! Login throttling: failed logins are counted per user name and per client
//! address; once either count reaches its limit within the window, logins
//! for that name or from that address are refused (429) until the window
//! ends, before any password is hashed. An attempt counts as a failure from
//! the moment it is let through ([`LoginThrottle::attempt`]), so concurrent
//! attempts cannot exceed the limit between a check and its outcome; a
//! success takes it back and resets the user's count. Kept in memory: a
//! restart forgets it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Beyond this many tracked names and addresses, expired entries are
/// dropped; if every entry is live, new keys go uncounted (the address
/// limit still applies to a client inventing names).
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Key {
    User(String),
    Addr(IpAddr),
}

struct Failures {
    count: u32,
    since: Instant,
}

/// Limits (0 = no limit) and the failures counted so far.
pub struct LoginThrottle {
    per_user: u32,
    per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<Key, Failures>>,
    /// Time skipped by [`LoginThrottle::advance`] (tests), in nanoseconds.
    skipped: AtomicU64,
}

impl LoginThrottle {
    pub fn new(per_user: u32, per_address: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            per_user,
            per_address,
            window,
            failures: Mutex::new(HashMap::new()),
            skipped: AtomicU64::new(0),
        }
    }

    /// Let `d` pass for this throttle (tests wait for a window this way
    /// instead of sleeping).
    pub fn advance(&self, d: Duration) {
        self.skipped.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    }

    fn now(&self) -> Instant {
        Instant::now() + Duration::from_nanos(self.skipped.load(Ordering::Relaxed))
    }

    fn keys(&self, user: &str, addr: Option<IpAddr>) -> impl Iterator<Item = (Key, u32)> {
        let user = (self.per_user > 0).then(|| (Key::User(user.to_string()), self.per_user));
        let addr = addr.filter(|_| self.per_address > 0).map(|a| (Key::Addr(a), self.per_address));
        user.into_iter().chain(addr)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Failures>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Let a login for `user` from `addr` through, counted as a failure
    /// until [`LoginThrottle::succeeded`] or [`LoginThrottle::forget`];
    /// `Err(wait)` when it must be refused now (and nothing is counted).
    pub fn attempt(&self, user: &str, addr: Option<IpAddr>) -> Result<(), Duration> {
        let now = self.now();
        let mut failures = self.lock();
        let live = |f: &Failures| f.since + self.window > now;
        let wait = self
            .keys(user, addr)
            .filter_map(|(key, limit)| {
                let f = failures.get(&key).filter(|f| live(f) && f.count >= limit)?;
                Some(f.since + self.window - now)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        if failures.len() >= MAX_ENTRIES {
            failures.retain(|_, f| live(f));
        }
        for (key, limit) in self.keys(user, addr) {
            if failures.len() >= MAX_ENTRIES && !failures.contains_key(&key) {
                continue;
            }
            let f = failures.entry(key.clone()).or_insert(Failures { count: 0, since: now });
            if !live(f) {
                *f = Failures { count: 0, since: now };
            }
            f.count += 1;
            if f.count == limit {
                let secs = (f.since + self.window - now).as_secs();
                tracing::warn!(?key, limit, "login limit reached; refusing these logins for {secs} s");
            }
        }
        Ok(())
    }

    /// Take back an attempt that checked no password.
    pub fn forget(&self, user: &str, addr: Option<IpAddr>) {
        let mut failures = self.lock();
        for (key, _) in self.keys(user, addr) {
            if let Some(f) = failures.get_mut(&key) {
                f.count = f.count.saturating_sub(1);
            }
        }
    }

    /// A successful login: the user starts again from zero, and the
    /// address's count loses this attempt.
    pub fn succeeded(&self, user: &str, addr: Option<IpAddr>) {
        self.forget(user, addr);
        self.lock().remove(&Key::User(user.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn the_limit_of_a_user_refuses_that_user_only() {
        let t = LoginThrottle::new(3, 0, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(t.attempt("alice", HOME), Ok(()));
        }
        let wait = t.attempt("alice", HOME).expect_err("throttled");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(58), "{wait:?}");
        assert_eq!(t.attempt("bob", HOME), Ok(()));
        t.succeeded("alice", HOME);
        assert_eq!(t.attempt("alice", HOME), Ok(()));
    }

    #[test]
    fn a_success_resets_the_user_and_takes_back_its_attempt() {
        let t = LoginThrottle::new(3, 3, Duration::from_secs(60));
        t.attempt("alice", HOME).unwrap();
        t.attempt("alice", HOME).unwrap();
        t.attempt("alice", HOME).unwrap();
        t.succeeded("alice", HOME);
        assert_eq!(t.attempt("alice", HOME), Ok(()), "two failures left on the address");
        assert!(t.attempt("bob", HOME).is_err(), "the address has three");
    }

    #[test]
    fn the_limit_of_an_address_refuses_every_name_from_it() {
        let t = LoginThrottle::new(0, 2, Duration::from_secs(60));
        t.attempt("a", HOME).unwrap();
        t.attempt("b", HOME).unwrap();
        assert!(t.attempt("c", HOME).is_err());
        assert_eq!(t.attempt("c", Some("10.0.0.1".parse().unwrap())), Ok(()));
        assert_eq!(t.attempt("c", None), Ok(()));
        t.forget("b", HOME);
        assert_eq!(t.attempt("c", HOME), Ok(()), "a forgotten attempt frees its place");
    }

    #[test]
    fn counts_start_over_after_the_window() {
        let t = LoginThrottle::new(1, 0, Duration::from_millis(30));
        t.attempt("alice", None).unwrap();
        assert!(t.attempt("alice", None).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(t.attempt("alice", None), Ok(()), "a failure after the window opens a new one");
        assert!(t.attempt("alice", None).is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        let t = LoginThrottle::new(0, 0, Duration::from_secs(60));
        for _ in 0..100 {
            assert_eq!(t.attempt("alice", HOME), Ok(()));
        }
    }
}
