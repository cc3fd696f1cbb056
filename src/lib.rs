//! # trove
//!
//! A single-binary server for ZenML's artifact-version REST API: SQLite
//! storage, OAuth2 password login with its own HS256 tokens.
//!
//! ## Map of the code
//! - `main.rs` → [`cli`] (clap) → [`commands`] (serve, user management).
//! - [`config`]: layered settings (defaults < TOML < `TROVE_*` env < flags).
//! - [`startup`]: data folder, database bootstrap, binding, [`startup::build_app`].
//! - [`routes`]: thin handlers per resource; [`routes::extract`] parses
//!   queries, bodies and path ids. [`error::ApiError`] is the one error type at
//!   the HTTP boundary and renders ZenML's error shapes.
//! - [`auth`]: argon2id passwords, HS256 tokens, the `AuthUser` extractor.
//! - [`models`]: typed JSON shapes (requests with their validation, responses).
//! - [`filter`]: list query language → typed terms → parameterised SQL, with a
//!   per-resource allow-list of fields and sort columns. HTTP- and DB-free.
//! - [`db`]: all SQL. Synchronous functions on `&Connection`, run off the async
//!   workers by `Db::read` / `Db::write` (one IMMEDIATE transaction per write).
//!   [`db::version_load`] builds a page of versions in a fixed number of queries.
//!
//! A request: route → `AuthUser` → parse (models / filter) → one `Db` call →
//! typed response serialized to JSON, or an `ApiError`.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod filter;
pub mod models;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
