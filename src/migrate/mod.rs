//! `trove migrate --to URL`: push trove's data into a running ZenML 0.98
//! server through its REST API, preserving names, version strings (and so
//! numbers), tags, metadata, visualizations and URIs.
//!
//! - [`crate::db::migration_source`] reads the database in one read
//!   transaction (a consistent snapshot, also while trove serves);
//! - [`client`]: the blocking HTTP client (password login, bearer token);
//! - [`target`]: what the target already holds, looked up by name — the
//!   resume mechanism: a rerun creates only what is missing;
//! - [`push`]: creates the rest, kind by kind (`--dry-run` only counts);
//! - [`report`]: the one-line-per-kind summary.
//!
//! Not migrated (counted in the report): pipeline runs and steps (ZenML
//! creates them only with snapshots of a stack), users (everything is owned
//! by the migrating account), model versions' links to runs; timestamps
//! are the target's own.

pub mod client;
pub mod push;
pub mod push_models;
pub mod report;
pub mod target;

use crate::config::ConfigError;
use crate::db::migration_source::Snapshot;
use push::{Pusher, Stop};
use report::Report;
use std::path::Path;

/// What `trove migrate` was asked to do.
pub struct Options<'a> {
    pub url: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub dry_run: bool,
    /// Stop after this many creates (resumable; for tests and trial runs).
    pub limit: Option<u64>,
}

/// Read the database at `db_path`, compare it with the target, create what
/// is missing (or count it, in a dry run); print the summary.
pub fn run(db_path: &Path, opts: &Options) -> Result<(), ConfigError> {
    let started = std::time::Instant::now();
    let snapshot = crate::db::migration_source::read(db_path).map_err(|e| ConfigError(e.to_string()))?;
    let fail = |e: client::HttpError| ConfigError(format!("{}: {e}", opts.url));
    let client = client::Client::login(opts.url, opts.username, opts.password).map_err(fail)?;
    let target = target::Target::load(&client, &snapshot).map_err(fail)?;
    let mut pusher = Pusher {
        client: (!opts.dry_run).then_some(&client),
        target,
        report: Report::new(opts.dry_run),
        budget: opts.limit,
    };
    let outcome = pusher.push(&snapshot);
    let mut report = pusher.report;
    report.skipped = skipped(&snapshot);
    print!("{}", report.render());
    let took = started.elapsed().as_secs_f64();
    let requests = client.requests.get();
    match outcome {
        Ok(()) if opts.dry_run => {
            println!("dry run: nothing was created ({requests} requests, {took:.1} s)");
            Ok(())
        }
        Ok(()) if report.created() == 0 => {
            println!(
                "nothing to create: {} already holds everything trove migrates ({requests} requests, {took:.1} s)",
                opts.url
            );
            Ok(())
        }
        Ok(()) => {
            println!("migrated {} objects to {} ({requests} requests, {took:.1} s)", report.created(), opts.url);
            Ok(())
        }
        Err(Stop::Limit) => {
            println!("stopped after {} creates (--limit); run the same command again to continue", report.created());
            Ok(())
        }
        Err(Stop::Http(e)) => Err(ConfigError(format!(
            "migration stopped: {e}\nwhat was created stays; run the same command again to continue"
        ))),
    }
}

/// What is not migrated, with the reason.
fn skipped(s: &Snapshot) -> Vec<(&'static str, u64, &'static str)> {
    vec![
        ("pipeline runs", s.runs, "not migrated: ZenML creates runs only with a snapshot on one of its stacks"),
        ("step runs", s.steps, "not migrated, as their runs"),
        ("users", s.users, "not migrated: the migrating account owns everything created"),
        ("model version run links", s.model_version_runs, "not migrated, as the runs"),
    ]
}
