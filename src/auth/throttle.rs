//! Login throttling: failed logins are counted per user name and per client
//! address; once either count reaches its limit within the window, logins
//! for that name or from that address are refused (429) until the window
//! ends, before any password is hashed. A successful login resets the
//! user's count. Kept in memory: a restart forgets it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many tracked names and addresses, expired entries are
/// dropped; if every entry is live, new keys go uncounted (the address
/// limit still applies to a client inventing names).
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, PartialEq, Eq, Hash)]
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
}

impl LoginThrottle {
    pub fn new(per_user: u32, per_address: u32, window: Duration) -> LoginThrottle {
        LoginThrottle { per_user, per_address, window, failures: Mutex::new(HashMap::new()) }
    }

    fn keys(&self, user: &str, addr: Option<IpAddr>) -> impl Iterator<Item = (Key, u32)> {
        let user = (self.per_user > 0).then(|| (Key::User(user.to_string()), self.per_user));
        let addr = addr.filter(|_| self.per_address > 0).map(|a| (Key::Addr(a), self.per_address));
        user.into_iter().chain(addr)
    }

    /// `Some(wait)` when a login for `user` from `addr` must be refused now.
    pub fn check(&self, user: &str, addr: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        self.keys(user, addr)
            .filter_map(|(key, limit)| {
                let f = failures.get(&key)?;
                let ends = f.since + self.window;
                (f.count >= limit && ends > now).then(|| ends - now)
            })
            .max()
    }

    /// Count a failed login.
    pub fn failed(&self, user: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_ENTRIES {
            failures.retain(|_, f| f.since + self.window > now);
        }
        for (key, _) in self.keys(user, addr) {
            if failures.len() >= MAX_ENTRIES && !failures.contains_key(&key) {
                continue;
            }
            let f = failures.entry(key).or_insert(Failures { count: 0, since: now });
            if f.since + self.window <= now {
                *f = Failures { count: 0, since: now };
            }
            f.count += 1;
        }
    }

    /// A successful login: the user starts again from zero.
    pub fn succeeded(&self, user: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&Key::User(user.to_string()));
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
            assert_eq!(t.check("alice", HOME), None);
            t.failed("alice", HOME);
        }
        let wait = t.check("alice", HOME).expect("throttled");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(58), "{wait:?}");
        assert_eq!(t.check("bob", HOME), None);
        t.succeeded("alice");
        assert_eq!(t.check("alice", HOME), None);
    }

    #[test]
    fn the_limit_of_an_address_refuses_every_name_from_it() {
        let t = LoginThrottle::new(0, 2, Duration::from_secs(60));
        t.failed("a", HOME);
        t.failed("b", HOME);
        assert!(t.check("c", HOME).is_some());
        assert_eq!(t.check("c", Some("10.0.0.1".parse().unwrap())), None);
        assert_eq!(t.check("c", None), None);
        t.succeeded("c");
        assert!(t.check("c", HOME).is_some(), "a success resets the user, not the address");
    }

    #[test]
    fn counts_start_over_after_the_window() {
        let t = LoginThrottle::new(1, 0, Duration::from_millis(30));
        t.failed("alice", None);
        assert!(t.check("alice", None).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(t.check("alice", None), None);
        t.failed("alice", None);
        assert!(t.check("alice", None).is_some(), "a failure after the window opens a new one");
    }

    #[test]
    fn zero_means_no_limit() {
        let t = LoginThrottle::new(0, 0, Duration::from_secs(60));
        for _ in 0..100 {
            t.failed("alice", HOME);
        }
        assert_eq!(t.check("alice", HOME), None);
    }
}
