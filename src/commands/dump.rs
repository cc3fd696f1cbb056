//! `trove export FILE` and `trove import FILE` (the records and their SQL
//! are [`crate::db::dump`]): files, the data folder's lock, a progress bar
//! when stderr is a terminal, and the one-line summary.

use super::{lock_offline, same_file, size};
use crate::config::{ConfigError, Settings};
use crate::db::backup::{open_existing, Partial};
use crate::db::dump;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rusqlite::Connection;
use std::io::{BufReader, BufWriter, IsTerminal};
use std::path::Path;
use std::time::Instant;

/// A bar on stderr when it is a terminal; otherwise nothing is drawn.
fn bar(total: u64, unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let template = match unit {
        "bytes" => "{bar:40} {bytes}/{total_bytes} ({eta})",
        _ => "{bar:40} {pos}/{len} records ({eta})",
    };
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// `trove export FILE`: every record as JSON lines, from one snapshot of
/// the database (also while the server runs), written to a temporary file
/// beside FILE that replaces it once whole.
pub fn export(settings: &Settings, file: &Path, with_password_hashes: bool) -> Result<(), ConfigError> {
    let db_path = settings.db_path();
    if !db_path.is_file() {
        return Err(ConfigError(format!("there is no database at {} (check --data-dir)", db_path.display())));
    }
    if same_file(&db_path, file) {
        return Err(ConfigError(format!("{} is the database itself; export to another file", file.display())));
    }
    let failed = |e: crate::db::DbError| ConfigError(format!("export of {} failed: {e}", db_path.display()));
    let started = Instant::now();
    let mut conn = open_existing(&db_path).map_err(failed)?;
    // One read transaction: the counts and every record from one snapshot.
    let tx = conn.transaction().map_err(|e| failed(e.into()))?;
    let total = dump::count_records(&tx).map_err(failed)?;
    let partial = Partial::beside(file).map_err(failed)?;
    let out = crate::files::private_file_options()
        .truncate(true)
        .open(partial.path())
        .map_err(|e| ConfigError(format!("cannot write {}: {e}", partial.path().display())))?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let bar = bar(total, "records");
    let counts = dump::export(&tx, with_password_hashes, &mut out, &mut |n| {
        if n % 512 == 0 {
            bar.set_position(n)
        }
    })
    .map_err(failed)?;
    bar.finish_and_clear();
    drop(out);
    drop(tx);
    partial.keep(file).map_err(failed)?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let hashes = if with_password_hashes { "with password hashes" } else { "without password hashes" };
    println!(
        "exported {} records ({}) to {} ({}, {hashes}) in {:.1} s",
        counts.total(),
        counts.summary(),
        file.display(),
        size(bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `trove import FILE`: the records of an export added to the database of a
/// stopped server (created when missing), in one transaction.
pub fn import(settings: &Settings, file: &Path) -> Result<(), ConfigError> {
    let dir = &settings.data_dir;
    let input = std::fs::File::open(file).map_err(|e| ConfigError(format!("cannot read {}: {e}", file.display())))?;
    let file_bytes = input.metadata().map(|m| m.len()).unwrap_or(0);
    crate::files::create_private_dir(dir)
        .map_err(|e| ConfigError(format!("cannot create the data directory {}: {e}", dir.display())))?;
    // Held while importing: no server starts meanwhile.
    let _lock = lock_offline(dir, "importing")?;
    let db_path = settings.db_path();
    let created = !db_path.exists();
    let started = Instant::now();
    let bar = bar(file_bytes, "bytes");
    let result = open(&db_path).and_then(|mut conn| {
        dump::import(&mut conn, &mut BufReader::with_capacity(1 << 20, input), &mut |n| bar.set_position(n))
    });
    bar.finish_and_clear();
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            if created {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
                }
            }
            return Err(ConfigError(format!("cannot import {}: {e}; nothing was imported", file.display())));
        }
    };
    let there = done.read.total() - done.added.total();
    println!(
        "imported {} into {}: {} records read, {} added ({}), {there} already there, in {:.1} s",
        file.display(),
        db_path.display(),
        done.read.total(),
        done.added.total(),
        done.added.summary(),
        started.elapsed().as_secs_f64()
    );
    if !done.without_password.is_empty() {
        println!(
            "the export has no password hashes: {} cannot log in until given a password with `trove user passwd NAME`",
            done.without_password.join(", ")
        );
    }
    Ok(())
}

/// The database at `path` (created and migrated when missing), for one
/// offline writer.
fn open(path: &Path) -> crate::db::DbResult<Connection> {
    crate::files::create_private_file(path)
        .map_err(|e| crate::db::DbError::Task(format!("cannot create {}: {e}", path.display())))?;
    let mut conn = Connection::open(path)?;
    // A large transaction: statement journals in memory, and a page cache
    // of 64 MiB, so that the pages it changes are not spilled to the WAL
    // over and over before the commit.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
    )?;
    conn.set_prepared_statement_cache_capacity(128);
    crate::db::migrate::migrate(&mut conn)?;
    Ok(conn)
}
