//! In-process handler tests: the application of [`trove::startup::build_app`]
//! under `actix_web::test::init_service`, called without a socket, an HTTP
//! server or worker threads, on a temporary database per test. For what
//! needs the real server (binding, workers, shutdown, the binary), see
//! `tests/api` and `tests/cli.rs`.

mod handlers;
mod helpers;
