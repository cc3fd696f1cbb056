//! Password hashing: argon2id with OWASP's parameters (19 MiB, t=2, p=1),
//! stored as a PHC string. Synchronous and slow on purpose: the server runs
//! it on its one password thread ([`Verifier`]), never on an async worker.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distributions::{Alphanumeric, DistString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

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

/// What an unknown user's password is checked against: the hash of a random
/// password nobody kept, with the default parameters. Fixed rather than
/// computed at the first login, which would leave a second freed 19 MiB
/// buffer resident in the password thread's heap.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$qmM2UjgbKDVQhPCIN4gF3g$NjcvkomZUz3/19KhYDTpL5EjpaAnMqG/kdAqDPt2+Hw";

/// Verify against a stored hash. Without a stored hash (unknown user) a dummy
/// hash is checked so both cases take the same time and give the same answer.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (DUMMY_HASH, false),
    };
    verify_phc(password, candidate).unwrap_or(false) && real
}

thread_local! {
    /// argon2's working memory, kept per thread and reused: a fresh 19 MiB
    /// buffer per login fragmented the heap (see bench/README.md, "Password
    /// hashing memory").
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Recompute the PHC hash with the password into reused memory and compare
/// in constant time (what `PasswordVerifier::verify_password` does, minus
/// its allocation).
fn verify_phc(password: &str, phc: &str) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed.version.map(Version::try_from).transpose().ok()?.unwrap_or(Version::V0x13);
    let params = Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    BLOCKS.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks]).ok()
    })?;
    let computed = argon2::password_hash::Output::new(&out).ok()?;
    Some(computed == expected)
}

/// One thread does every password check of the server: argon2 needs 19 MiB
/// per hash, kept per thread in `BLOCKS`, so one thread holds one such
/// buffer instead of every thread that ran a check holding its own. It also
/// bounds logins to one core, and it runs at a lower priority
/// ([`PASSWORD_THREAD_NICE`]), so logins take the CPU that other requests
/// leave.
#[derive(Clone)]
pub struct Verifier {
    jobs: std::sync::mpsc::Sender<VerifyJob>,
    /// Jobs queued or running, and jobs run since the start.
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    pending: AtomicUsize,
    done: AtomicU64,
}

type VerifyJob = Box<dyn FnOnce() + Send>;

/// [`Verifier::try_run`] refuses work beyond this many queued checks: a
/// flood of logins from many addresses waits no longer than this many
/// hashes (about 2 s), and the rest are told to come back.
pub const MAX_PENDING: usize = 32;

/// The password thread has [`MAX_PENDING`] checks waiting.
#[derive(Debug)]
pub struct Busy;

impl Verifier {
    pub fn start() -> std::io::Result<Verifier> {
        let (jobs, queue) = std::sync::mpsc::channel::<VerifyJob>();
        std::thread::Builder::new().name("trove-argon2".into()).spawn(move || {
            lower_priority();
            while let Ok(job) = queue.recv() {
                job();
            }
        })?;
        Ok(Verifier { jobs, counts: Arc::default() })
    }

    /// Run `f` (which may hash or verify) on the password thread.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let counts = self.counts.clone();
        counts.pending.fetch_add(1, Ordering::SeqCst);
        let job = Box::new(move || {
            let out = span.in_scope(f);
            counts.done.fetch_add(1, Ordering::SeqCst);
            counts.pending.fetch_sub(1, Ordering::SeqCst);
            let _ = done.send(out);
        });
        if self.jobs.send(job).is_err() {
            self.counts.pending.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        result.await.ok()
    }

    /// [`Verifier::run`], unless [`MAX_PENDING`] checks are already waiting.
    pub async fn try_run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<Option<T>, Busy> {
        if self.counts.pending.load(Ordering::SeqCst) >= MAX_PENDING {
            return Err(Busy);
        }
        Ok(self.run(f).await)
    }

    /// Checks run on the password thread since it started.
    pub fn checks_run(&self) -> u64 {
        self.counts.done.load(Ordering::SeqCst)
    }
}

/// The password thread's nice value. When the HTTP workers keep both cores
/// busy, the scheduler gives it about a tenth of a worker's share (weights
/// 110 and 1,024), so gets keep their rate while logins run; on a quiet
/// machine a login still has a core to itself.
pub const PASSWORD_THREAD_NICE: i32 = 10;

/// Lower the calling thread's priority to [`PASSWORD_THREAD_NICE`] (never
/// raise it). Linux keeps a nice value per thread.
#[cfg(target_os = "linux")]
fn lower_priority() {
    use rustix::process::{getpriority_process, setpriority_process};
    let me = Some(rustix::thread::gettid());
    let nice = getpriority_process(me).unwrap_or(0).max(PASSWORD_THREAD_NICE);
    if let Err(e) = setpriority_process(me, nice) {
        tracing::warn!(error = %e, "cannot lower the priority of the password thread");
    }
}

/// Elsewhere the nice value belongs to the whole process: leave it alone.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// A strong random password (24 alphanumerics, ~143 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn the_password_thread_runs_at_a_lower_priority() {
        let own = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let before = own();
        let verifier = Verifier::start().unwrap();
        assert!(verifier.run(own).await.unwrap() >= PASSWORD_THREAD_NICE);
        assert_eq!(own(), before, "only the password thread changes");
    }

    /// Past [`MAX_PENDING`] queued checks, `try_run` refuses at once.
    #[actix_web::test]
    async fn a_full_queue_refuses_more_checks() {
        let verifier = Verifier::start().unwrap();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        let queued: Vec<_> = (0..MAX_PENDING)
            .map(|_| {
                let (v, gate) = (verifier.clone(), gate.clone());
                actix_web::rt::spawn(async move { v.run(move || gate.lock().unwrap().recv().is_ok()).await })
            })
            .collect();
        while verifier.counts.pending.load(Ordering::SeqCst) < MAX_PENDING {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert!(verifier.try_run(|| ()).await.is_err());
        for _ in 0..MAX_PENDING {
            release.send(()).unwrap();
        }
        for job in queued {
            assert_eq!(job.await.unwrap(), Some(true));
        }
        assert_eq!(verifier.try_run(|| 7).await.unwrap(), Some(7));
        assert_eq!(verifier.checks_run(), MAX_PENDING as u64 + 1);
    }

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", Some(&h)));
        assert!(!verify("wrong horse", Some(&h)));
    }

    #[test]
    fn hashes_with_other_parameters_verify_too() {
        let params = Params::new(4096, 1, 1, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let phc =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password(b"pw", &salt).unwrap().to_string();
        assert!(verify("pw", Some(&phc)));
        assert!(!verify("pW", Some(&phc)));
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::new(4096, 1, 1, None).unwrap())
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(verify("pw", Some(&argon2i)));
    }

    /// The dummy costs what a real hash costs (same parameters).
    #[test]
    fn the_dummy_hash_has_the_default_parameters() {
        assert!(DUMMY_HASH.starts_with(&hash("x")[..31]), "{DUMMY_HASH}");
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
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
