//! The baseline for the bench's single-create workload (e): how many
//! "single create" transactions per second SQLite itself manages on this
//! machine, with no HTTP, JSON, auth or pool in between.
//!
//! On a fresh database file with the server's schema and connection settings
//! (WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout=5000, SQLite's
//! default page cache) it creates a user, a project and `--artifacts`
//! artifacts, then runs `--threads` threads, each with its own connection,
//! for `--duration` seconds. Each iteration is one `BEGIN IMMEDIATE`
//! transaction writing what `POST /api/v1/artifact_versions` writes for the
//! bench's create body (see src/db/artifact_versions.rs `create`):
//!
//!   * project lookup by id, artifact lookup by (project, name)
//!     (get-or-create),
//!   * 2 tags by name (get-or-create),
//!   * auto version: `max(version_number) + 1` of the artifact,
//!   * one `artifact_versions` row, 2 `artifact_version_tags` links,
//!     4 `run_metadata` rows.
//!
//! It does not re-read the created version (the server builds a response),
//! so it is an upper bound for the write path of a single create.
//!
//! usage: insert_baseline --db FILE [--threads 16] [--duration 10]
//!                        [--artifacts 100] [--tag-pool 20] [--seed 1]
//!
//! Prints a human line and one `BASELINE_JSON {...}` line (parsed by bench.py).
//! FILE must not exist (or is deleted first, with its -wal/-shm files).

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// The server's schema and the `user_version` its migration writes.
use trove::db::migrate::{SCHEMA_SQL, SCHEMA_VERSION};

// The stored forms of the bench body's sources (compact JSON, as the server stores them).
const MATERIALIZER: &str =
    r#"{"module":"zenml.materializers.built_in_materializer","attribute":"BuiltInMaterializer","type":"unknown"}"#;
const DATA_TYPE: &str = r#"{"module":"builtins","attribute":"int","type":"unknown"}"#;
// The bench's 4 metadata keys: (key, JSON value, type).
const METADATA: [(&str, &str, &str); 4] =
    [("k1", "1", "int"), ("k2", "\"x\"", "str"), ("k3", "0.5", "float"), ("k4", "true", "bool")];

struct Args {
    db: PathBuf,
    threads: usize,
    duration: f64,
    artifacts: usize,
    tag_pool: usize,
    seed: u64,
}

fn usage(msg: &str) -> ! {
    eprintln!("insert_baseline: {msg}");
    eprintln!(
        "usage: insert_baseline --db FILE [--threads 16] [--duration 10] [--artifacts 100] [--tag-pool 20] [--seed 1]"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut a = Args { db: PathBuf::new(), threads: 16, duration: 10.0, artifacts: 100, tag_pool: 20, seed: 1 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        let num_err = |f: &str| -> ! { usage(&format!("{f}: not a number")) };
        match flag.as_str() {
            "--db" => a.db = PathBuf::from(val()),
            "--threads" => a.threads = val().parse().unwrap_or_else(|_| num_err("--threads")),
            "--duration" => a.duration = val().parse().unwrap_or_else(|_| num_err("--duration")),
            "--artifacts" => a.artifacts = val().parse().unwrap_or_else(|_| num_err("--artifacts")),
            "--tag-pool" => a.tag_pool = val().parse().unwrap_or_else(|_| num_err("--tag-pool")),
            "--seed" => a.seed = val().parse().unwrap_or_else(|_| num_err("--seed")),
            "-h" | "--help" => usage("help"),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if a.db.as_os_str().is_empty() {
        usage("--db is required");
    }
    if a.threads == 0 || a.artifacts == 0 || a.tag_pool < 2 || a.duration <= 0.0 {
        usage("--threads/--artifacts must be > 0, --tag-pool >= 2, --duration > 0");
    }
    a
}

fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

fn hex_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The server's per-connection settings (src/db/mod.rs `init_connection`).
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// Fresh database: schema, one user, one project, the artifacts. Returns the project id.
fn setup(path: &Path, artifacts: usize) -> rusqlite::Result<(String, i64)> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    drop(conn);
    conn = open(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(SCHEMA_SQL)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    let now = now_us();
    tx.execute(
        "INSERT INTO users (id, name, password_hash, is_admin, created, updated) VALUES (?1, 'admin', 'x', 1, ?2, ?2)",
        params![hex_id(), now],
    )?;
    let user_pk = tx.last_insert_rowid();
    let project_id = hex_id();
    tx.execute(
        "INSERT INTO projects (id, name, display_name, created, updated) VALUES (?1, 'default', 'default', ?2, ?2)",
        params![project_id, now],
    )?;
    let project_pk = tx.last_insert_rowid();
    for i in 0..artifacts {
        tx.execute(
            "INSERT INTO artifacts (id, project_pk, name, has_custom_name, user_pk, created, updated)
             VALUES (?1, ?2, ?3, 0, ?4, ?5, ?5)",
            params![hex_id(), project_pk, format!("a{i}"), user_pk, now],
        )?;
    }
    tx.commit()?;
    Ok((project_id, user_pk))
}

/// One single-create transaction (the rows of `db::artifact_versions::create`).
fn create_one(
    conn: &mut Connection,
    rng: &mut StdRng,
    a: &Args,
    project_id: &str,
    user_pk: i64,
    seq: u64,
) -> rusqlite::Result<()> {
    let artifact_name = format!("a{}", rng.gen_range(0..a.artifacts));
    let picks = sample(rng, a.tag_pool, 2);
    let tag_names = [format!("t{}", picks.index(0)), format!("t{}", picks.index(1))];

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let project_pk: i64 =
        tx.prepare_cached("SELECT pk FROM projects WHERE id = ?1")?.query_row([project_id], |r| r.get(0))?;
    let found: Option<i64> = tx
        .prepare_cached("SELECT pk FROM artifacts WHERE project_pk = ?1 AND name = ?2")?
        .query_row(params![project_pk, artifact_name], |r| r.get(0))
        .optional()?;
    let artifact_pk = match found {
        Some(pk) => pk,
        None => {
            let now = now_us();
            tx.prepare_cached(
                "INSERT INTO artifacts (id, project_pk, name, has_custom_name, user_pk, created, updated)
                 VALUES (?1, ?2, ?3, 0, ?4, ?5, ?5)",
            )?
            .execute(params![hex_id(), project_pk, artifact_name, user_pk, now])?;
            tx.last_insert_rowid()
        }
    };
    let mut tag_pks = [0i64; 2];
    for (slot, name) in tag_pks.iter_mut().zip(&tag_names) {
        let found: Option<i64> =
            tx.prepare_cached("SELECT pk FROM tags WHERE name = ?1")?.query_row([name], |r| r.get(0)).optional()?;
        *slot = match found {
            Some(pk) => pk,
            None => {
                let now = now_us();
                tx.prepare_cached(
                    "INSERT INTO tags (id, name, color, exclusive, user_pk, created, updated) VALUES (?1, ?2, 'grey', 0, ?3, ?4, ?4)",
                )?
                .execute(params![hex_id(), name, user_pk, now])?;
                tx.last_insert_rowid()
            }
        };
    }
    let max: Option<i64> = tx
        .prepare_cached("SELECT max(version_number) FROM artifact_versions WHERE artifact_pk = ?1")?
        .query_row([artifact_pk], |r| r.get(0))?;
    let number = max.unwrap_or(0) + 1;
    let now = now_us();
    tx.prepare_cached(
        "INSERT INTO artifact_versions (id, artifact_pk, project_pk, user_pk, version, version_number, uri, type,
            materializer, data_type, save_type, artifact_store_id, content_hash, item_count, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, NULL, NULL, ?12, ?12)",
    )?
    .execute(params![
        hex_id(),
        artifact_pk,
        project_pk,
        user_pk,
        number.to_string(),
        number,
        format!("/data/{artifact_name}/baseline-{seq}"),
        "DataArtifact",
        MATERIALIZER,
        DATA_TYPE,
        "manual",
        now,
    ])?;
    let version_pk = tx.last_insert_rowid();
    {
        let mut link = tx.prepare_cached(
            "INSERT OR IGNORE INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for tag_pk in tag_pks {
            link.execute(params![version_pk, tag_pk, artifact_pk, now])?;
        }
        let mut meta = tx.prepare_cached(
            "INSERT INTO run_metadata (version_pk, key, value, type, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (key, value, ty) in METADATA {
            meta.execute(params![version_pk, key, value, ty, now])?;
        }
    }
    tx.commit()
}

struct ThreadResult {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[idx.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let args = Arc::new(parse_args());
    let (project_id, user_pk) = setup(&args.db, args.artifacts).unwrap_or_else(|e| {
        eprintln!("insert_baseline: cannot set up {}: {e}", args.db.display());
        std::process::exit(1);
    });
    let project_id = Arc::new(project_id);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let handles: Vec<_> = (0..args.threads)
        .map(|t| {
            let (args, project_id, stop) = (args.clone(), project_id.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut out = ThreadResult { latencies_us: Vec::with_capacity(1 << 16), errors: 0, first_error: None };
                let mut conn = match open(&args.db) {
                    Ok(c) => c,
                    Err(e) => {
                        out.errors += 1;
                        out.first_error = Some(e.to_string());
                        return out;
                    }
                };
                let mut rng = StdRng::seed_from_u64(args.seed.wrapping_mul(1000).wrapping_add(t as u64));
                let mut seq = (t as u64) << 40;
                while !stop.load(Ordering::Relaxed) {
                    let t0 = Instant::now();
                    seq += 1;
                    match create_one(&mut conn, &mut rng, &args, &project_id, user_pk, seq) {
                        Ok(()) => out.latencies_us.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32),
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                out
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(args.duration));
    stop.store(true, Ordering::Relaxed);
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for h in handles {
        let r = h.join().expect("worker thread panicked");
        lat.extend(r.latencies_us);
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let n = lat.len();
    let rate = n as f64 / secs;
    let (p50, p99) = (percentile(&lat, 50.0), percentile(&lat, 99.0));
    let rows: i64 = open(&args.db)
        .and_then(|c| c.query_row("SELECT count(*) FROM artifact_versions", [], |r| r.get(0)))
        .unwrap_or(-1);
    println!(
        "insert_baseline: {n} creates in {secs:.2} s with {} threads = {rate:.0} inserts/s (p50 {p50:.2} ms, p99 {p99:.2} ms, {errors} errors, {rows} rows)",
        args.threads
    );
    if let Some(e) = &first_error {
        println!("insert_baseline: first error: {e}");
    }
    println!(
        "BASELINE_JSON {{\"threads\":{},\"inserts\":{n},\"seconds\":{secs:.4},\"inserts_per_s\":{rate:.2},\"p50_ms\":{p50:.3},\"p99_ms\":{p99:.3},\"errors\":{errors},\"rows\":{rows}}}",
        args.threads
    );
}
