//! # trove
//!
//! A single-binary server for ZenML's artifact-version REST API: SQLite
//! storage, OAuth2 password login with its own HS256 tokens.
//!
//! ## Map of the code
//! - `main.rs` → [`cli`] (clap) → [`commands`] (serve; user add|passwd|list).
//! - [`config`]: layered settings (defaults < TOML < `TROVE_*` env < flags),
//!   validated once; `config.example.toml` is embedded and tested against it.
//! - [`startup`]: binding first, data folder, database bootstrap (default
//!   project, stack, admin), [`startup::build_app`] (also used by tests);
//!   [`files`]: the data folder 700, the database and secret files 600.
//! - [`routes`]: thin annotated handlers per resource, registered as services
//!   so each is in the generated `/openapi.json`; [`routes::extract`] parses
//!   queries, bodies and path ids; [`routes::json`] writes response bodies.
//!   [`error::ApiError`] is the one error type at
//!   the HTTP boundary and renders ZenML's error shapes.
//! - [`auth`]: argon2id passwords (one password thread, a bounded queue),
//!   HS256 tokens, the `AuthUser` extractor (which remembers tokens it has
//!   verified, and users for 2 s), [`auth::throttle`] (failed logins per
//!   user name and client address → 429 before any hashing).
//! - [`models`]: typed JSON shapes: requests with their validation, responses;
//!   [`models::text`] formats timestamps and UUIDs without allocating;
//!   [`models::Shared`] serializes a nested object a page repeats only once.
//! - [`filter`]: the list query language → typed terms → parameterised SQL,
//!   through per-resource allow-lists of fields and sort keys (plus index-
//!   friendly rewrites, e.g. artifact + tag). No HTTP, no DB.
//! - [`db`]: all SQL. Synchronous functions on `&Connection`; `Db::read` runs
//!   them in one read transaction on a pooled connection, inline on the HTTP
//!   worker (cheaper than a thread hand-off for reads), `Db::write` hands them
//!   to [`db::writer`], one thread that commits concurrent writes together,
//!   each in its own savepoint (`Db::write_alone`: large writes such as batch
//!   creates get a transaction of their own), and leaves WAL checkpoints to
//!   [`db::checkpoint`]'s thread. [`db::version_load`] builds a page of versions
//!   in a fixed number of queries; [`db::list`] counts and pages any resource;
//!   [`db::tagged_versions`] answers artifact + tag version lists from the tag
//!   links alone; [`db::version_blocks`] answers deep pages of the unfiltered
//!   list by skipping whole blocks of versions.
//!
//! - [`alloc`]: the binary's global allocator (mimalloc, returning freed
//!   memory at once); the only module with unsafe code.
//! - [`telemetry`]: tracing setup and the one-line-per-request middleware;
//!   [`telemetry::batch`] writes log lines to stderr in batches.
//!
//! Pipelines and runs (`pipeline-runs.md`): [`routes::pipelines`] (also
//! snapshots, code repositories), [`routes::runs`], [`routes::steps`] (also
//! run metadata) and [`routes::logs`]; models in [`models::pipeline`],
//! [`models::snapshot`], [`models::run`], [`models::step`], [`models::logs`],
//! [`models::run_metadata`]; SQL in [`db::pipelines`], [`db::snapshots`],
//! [`db::runs`] (get-or-create, batch loader), [`db::run_status`] (a run's
//! status from its steps), [`db::steps`] (retries, cached steps, artifact
//! links, batch loader), [`db::logs`], [`db::run_metadata`]; list shapes in
//! `db::tables::{pipelines, runs}`.
//!
//! A request: route → `AuthUser` → parse (models / filter) → one `Db` call →
//! typed response serialized to JSON, or an `ApiError`.

pub mod alloc;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod filter;
pub mod models;
pub mod pycompat;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
