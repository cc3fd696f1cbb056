//! Integration tests: the real application on a random port with a
//! temporary data directory, driven over HTTP.

mod artifact_versions;
mod auth;
mod batch_load;
mod deep_pages;
mod errors;
mod fast_paths;
mod helpers;
mod limits;
mod listing;
mod metrics;
mod models;
mod openapi;
mod pipeline_runs;
mod queries;
mod run_links;
mod run_queries;
mod server;
mod service_accounts;
mod tagged_versions;
