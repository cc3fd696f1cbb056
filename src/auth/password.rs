//! Password hashing: argon2id with OWASP's parameters (19 MiB, t=2, p=1),
//! stored as a PHC string. Synchronous and slow on purpose: call it from the
//! blocking pool, never from an async worker.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distributions::{Alphanumeric, DistString};
use std::sync::OnceLock;

/// OWASP's recommendation for argon2id (also `argon2::Params::DEFAULT`).
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Verify against a stored hash. Without a stored hash (unknown user) a dummy
/// hash is checked so both cases take the same time and give the same answer.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash(&generate()));
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(candidate)
        .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    ok && real
}

/// One thread does every password check of the server: argon2 needs 19 MiB
/// per hash, and a single thread reuses one allocation arena instead of
/// leaving a freed 19 MiB buffer behind on every blocking thread. It also
/// bounds logins to one core, so they never starve other requests.
#[derive(Clone)]
pub struct Verifier {
    jobs: std::sync::mpsc::Sender<VerifyJob>,
}

type VerifyJob = Box<dyn FnOnce() + Send>;

impl Verifier {
    pub fn start() -> std::io::Result<Verifier> {
        let (jobs, queue) = std::sync::mpsc::channel::<VerifyJob>();
        std::thread::Builder::new().name("trove-argon2".into()).spawn(move || {
            while let Ok(job) = queue.recv() {
                job();
            }
        })?;
        Ok(Verifier { jobs })
    }

    /// Run `f` (which may hash or verify) on the password thread.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(span.in_scope(f));
            }))
            .ok()?;
        result.await.ok()
    }
}

/// A strong random password (24 alphanumerics, ~143 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", Some(&h)));
        assert!(!verify("wrong horse", Some(&h)));
    }

    #[test]
    fn unknown_user_never_verifies() {
        assert!(!verify("anything", None));
        assert!(!verify("anything", Some("not a phc string")));
    }

    #[test]
    fn generated_passwords_differ() {
        assert_ne!(generate(), generate());
        assert_eq!(generate().len(), 24);
    }
}
