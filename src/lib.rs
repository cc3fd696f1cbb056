//! # trove
//!
//! A single-binary server for ZenML's artifact-version REST API: SQLite
//! storage, OAuth2 password login with its own HS256 tokens.
//!
//! ## Map of the code
//! - `main.rs` → [`cli`] (clap) → [`commands`] (serve; user add|passwd|list;
//!   backup and restore, whose SQL is [`db::backup`]; [`commands::dump`]:
//!   export and import, whose records and SQL are [`db::dump`], the line
//!   format of `docs/export-format.md`; migrate, see below).
//! - [`migrate`]: `trove migrate --to URL` into a ZenML 0.98 server over its
//!   REST API ([`migrate::client`], a blocking `ureq` client); what it reads
//!   is [`db::migration_source`] (one read transaction, plain records);
//!   resumable by looking up on the target what exists ([`migrate::target`]);
//!   [`migrate::push`] (projects, tags, artifacts, versions) and
//!   [`migrate::push_models`] (models, model versions, their metadata and
//!   links, pipelines) create the rest; [`migrate::report`] sums it up.
//! - [`config`]: layered settings (defaults < TOML < `TROVE_*` env < flags),
//!   validated once; `config.example.toml` is embedded and tested against it.
//! - [`startup`]: binding first (so port 0 works, and a busy port commits
//!   nothing), data folder, database bootstrap (default project, stack,
//!   admin), the [`state::AppState`], and
//!   [`startup::build_app`]: the `App` for a prepared state, which the
//!   server's workers run and the in-process tests (`tests/inproc`) call
//!   through `actix_web::test::init_service`.
//! - [`state`]: what every handler shares: the [`db::Db`], token keys,
//!   settings, the auth cache, the password thread and the request
//!   counters; [`files`]: the data folder 700, the database and secret files
//!   600, and the folder's lock (`trove.lock`, held by `serve` for its
//!   lifetime and by `restore` and `import` while they write the database).
//! - [`routes`]: thin annotated handlers per resource, registered as services
//!   in a scope per resource (`scope("/tags")`, handler paths relative to
//!   it) so each is in the generated `/openapi.json`; [`routes::handler`] holds
//!   what they share (the one list handler, the `Reply`/`State` aliases);
//!   [`routes::extract`] parses queries, bodies and path ids;
//!   [`routes::json`] writes response bodies; [`routes::metrics`] is
//!   `GET /metrics` (mounted by `build_app` outside `/api/v1` and the
//!   OpenAPI document). [`error::ApiError`] is the one
//!   error type at the HTTP boundary and renders ZenML's error shapes.
//! - [`auth`]: argon2id passwords, which the server checks on one password
//!   thread at a lower priority ([`auth::password::Verifier`]), never on an
//!   HTTP worker; HS256 tokens; the `AuthUser` extractor (which remembers
//!   tokens it has verified, and users for 2 s); [`auth::throttle`] (failed
//!   logins per user name and client address → 429 before any hashing;
//!   the password thread's queue is bounded); service accounts' API keys:
//!   [`auth::api_key`] (the `ZENKEY_` text, the stored SHA-256, ZenML's
//!   checks) and [`auth::key_auth`] (the `zenml-api-key` grant, `ZENKEY_`
//!   bearers, re-checking a key's tokens on every request).
//! - [`models`]: typed JSON shapes: requests with their validation, responses;
//!   [`models::text`] formats timestamps and UUIDs without allocating;
//!   [`models::Shared`] serializes a nested object a page repeats only once;
//!   [`models::raw`] and [`models::step_parts`] keep stored configurations
//!   as raw JSON text (split, one member replaced, parts taken out once).
//! - [`pycompat`]: the Python rules the reference server follows (repr,
//!   float repr, lax ints and bools, UUIDs, `strptime`, `json.dumps`), for
//!   the filter, request validation and the extractors alike.
//! - [`filter`]: the list query language → typed terms → parameterised SQL,
//!   compiled against a table description it is given. No HTTP, no DB.
//! - [`db`]: all SQL. [`db::tables`] describes each list resource's table to
//!   the filter (columns, related rows, sort keys, planner hints and
//!   narrowings); `schema.sql` is the schema. Synchronous functions on
//!   `&Connection`; `Db::read` runs them in one read transaction on a pooled
//!   connection, inline on the HTTP worker (cheaper than a thread hand-off
//!   for reads), `Db::write` to [`db::writer`]: an uncontended write runs
//!   inline in a transaction of its own, concurrent ones go to one thread
//!   that commits them together, each in its own savepoint
//!   (`Db::write_alone`: large writes such as batch creates get a
//!   transaction of their own). WAL checkpoints are [`db::checkpoint`]'s
//!   thread's (a copy once 1,000 frames wait or the writes pause);
//!   SQL text assembled from consts is built once per call site (`sql!`
//!   in `db/mod.rs`). [`db::list`] counts and pages any
//!   resource; [`db::version_load`] builds a page of versions in a fixed
//!   number of queries (and bodies alone, for versions nested in steps and
//!   model-version links). Fast paths, each compared with the general path by a
//!   test: [`db::tagged_versions`] answers artifact + tag version lists from
//!   the tag links alone, [`db::version_blocks`] deep pages of the unfiltered
//!   list by skipping whole blocks of versions. [`db::stats`] counts the
//!   writer's queue and commit sizes and the pool's waits; [`db::backup`]
//!   copies a live database and checks and installs a backup; [`db::dump`]
//!   reads every table as records (shaped by the schema itself) and loads
//!   them back.
//! - [`clock`]: the time rows are stamped with; each database's writer has
//!   its own clock, which tests advance instead of sleeping.
//! - [`alloc`]: the binary's global allocator (mimalloc, returning freed
//!   memory at once); the only module with unsafe code.
//! - [`telemetry`]: tracing setup and the one-line-per-request middleware
//!   (which also counts requests while `/metrics` is on);
//!   [`telemetry::batch`] writes log lines to stderr in batches;
//!   [`telemetry::metrics`]: counters, histograms and the Prometheus text
//!   renderer.
//!
//! Pipelines and runs (`pipeline-runs.md`): [`routes::pipelines`] (also
//! snapshots, code repositories), [`routes::runs`], [`routes::steps`] (also
//! run metadata) and [`routes::logs`]; models in [`models::pipeline`],
//! [`models::snapshot`], [`models::run`], [`models::step`], [`models::logs`],
//! [`models::run_metadata`]; SQL in [`db::pipelines`], [`db::snapshots`],
//! [`db::runs`] (get-or-create, batch loader), [`db::run_status`] (a run's
//! status from its steps), [`db::steps`] (batch loader, lists),
//! [`db::step_writes`] (retries, cached steps, artifact links),
//! [`db::logs`], [`db::run_metadata`]; list shapes in
//! `db::tables::{pipelines, runs}`. Stored configurations are answered from
//! raw JSON members ([`models::raw`]), not rebuilt as trees of values; a
//! snapshot body's two large members are stored from raw text
//! (`SnapshotRequest::parse_bytes`, minified), and writes read only the
//! keys they use from stored configurations (typed partial parses).
//!
//! Models (`pipeline-runs.md` §5): [`routes::models`] (models, model
//! versions, their links); [`models::model`], [`models::model_version`];
//! [`db::models`], [`db::model_versions`] (including the version a run
//! creates for itself) and
//! [`db::model_links`]; list shapes in `db::tables::models`.
//!
//! Service accounts and API keys (`auth-and-server.md` §5):
//! [`routes::service_accounts`]; [`models::service_account`],
//! [`models::api_key`]; SQL in [`db::service_accounts`] (rows of `users`)
//! and [`db::api_keys`]; list shapes in `db::tables::service_accounts`.
//!
//! A request: route → `AuthUser` → parse (models / filter) → one `Db` call →
//! typed response serialized to JSON, or an `ApiError`.
//!
//! ## Adding a list resource
//! Four files, following `tags` (the smallest complete one):
//! 1. `src/models/<thing>.rs`: its response (and request) shapes;
//! 2. `src/db/tables/<things>.rs`: its table description (`table!`), exported
//!    from [`db::tables`];
//! 3. `src/db/<things>.rs`: its SQL: `list_page` through
//!    [`db::list::page_pks`] plus a batch loader, get, create;
//! 4. `src/routes/<things>.rs`: its handlers (the list one is
//!    [`routes::handler::list`]) in `scope("/<things>")`, mounted in
//!    [`routes::configure`].
//!
//! Plus its tables in `schema.sql` with an upgrade step in [`db::migrate`],
//! and tests: HTTP behaviour in `tests/api`, handler shapes in
//! `tests/inproc`. Figures that justify a fast path go to
//! `bench/README.md`, not into comments.

pub mod alloc;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod filter;
pub mod migrate;
pub mod models;
pub mod pycompat;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
