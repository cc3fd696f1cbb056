//! Start-up: bind first (so a busy port fails before anything is written),
//! prepare the data folder and database, then run until stopped.

use crate::auth::{password, token, AuthCache, LoginThrottle, TokenKeys, Verifier};
use crate::config::{ConfigError, Settings};
use crate::db::{bootstrap, users, Db};
use crate::routes;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use utoipa_actix_web::AppExt;

/// Everything the server needs, opened and migrated.
pub struct Prepared {
    pub state: web::Data<AppState>,
    /// The admin password, when trove generated it on this start.
    pub generated_admin_password: Option<String>,
    /// An account created on an earlier start whose generated password was
    /// never shown (that start ended before printing it).
    pub unshown_password_of: Option<String>,
}

impl Prepared {
    /// The generated password was printed: the next start gives no hint.
    pub fn password_was_shown(&self) -> Result<(), ConfigError> {
        let mut conn = self.state.db.conn().map_err(|e| ConfigError(e.to_string()))?;
        crate::db::write_sync(&mut conn, |tx| bootstrap::password_shown(tx, "admin"))
            .map_err(|e| ConfigError(format!("cannot update the database: {e}")))
    }
}

/// Create the data folder, open and migrate the database, create the default
/// project, stack and admin account on first start, load the signing secret.
pub fn prepare(settings: &Settings) -> Result<Prepared, ConfigError> {
    let dir = &settings.data_dir;
    crate::files::create_private_dir(dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the data directory {}: {e}; choose a writable folder with --data-dir",
            dir.display()
        ))
    })?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"").map_err(|e| {
        ConfigError(format!(
            "the data directory {} is not writable: {e}; choose another with --data-dir",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(probe);
    let store_dir = settings.artifact_store_dir();
    std::fs::create_dir_all(&store_dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the artifact store folder {}: {e}; set artifact_store_path",
            store_dir.display()
        ))
    })?;
    let store_dir = std::fs::canonicalize(&store_dir).unwrap_or(store_dir);

    // Reads run on the HTTP workers, one connection each at a time: never fewer.
    let pool_size = settings.db_pool_size.max(http_workers() as u32 + 1);
    let db = Db::open_with(&settings.db_path(), pool_size, settings.db_mmap_mb)
        .map_err(|e| ConfigError(format!("cannot open the database {}: {e}", settings.db_path().display())))?;
    let mut conn = db.conn().map_err(|e| ConfigError(e.to_string()))?;
    let admin_password = settings.admin_password.clone();
    let (server_id, generated, unshown) = crate::db::write_sync(&mut conn, |tx| {
        let server_id = bootstrap::server_id(tx)?;
        bootstrap::ensure_default_project(tx)?;
        bootstrap::ensure_default_stack(tx, &store_dir.to_string_lossy())?;
        let mut generated = None;
        if users::count(tx)? == 0 {
            let pw = admin_password.unwrap_or_else(|| {
                let p = password::generate();
                generated = Some(p.clone());
                p
            });
            users::insert(tx, "admin", &password::hash(&pw), true)?;
            if generated.is_some() {
                bootstrap::mark_password_unshown(tx, "admin")?;
            }
        }
        let unshown = match generated {
            Some(_) => None,
            None => bootstrap::unshown_password(tx)?,
        };
        Ok((server_id, generated, unshown))
    })
    .map_err(|e| ConfigError(format!("cannot initialise the database: {e}")))?;
    drop(conn);

    let secret = token::load_or_create_secret(settings.jwt_secret.as_deref(), dir)
        .map_err(|e| ConfigError(format!("cannot read or create {}/jwt_secret: {e}", dir.display())))?;
    let db_path = settings.db_path();
    let wal = db_path.with_extension("db-wal");
    let shm = db_path.with_extension("db-shm");
    let secret_file = dir.join("jwt_secret");
    crate::files::warn_if_open(&[dir, &db_path, &wal, &shm, &secret_file]);
    let tokens = TokenKeys::new(secret.as_bytes(), &server_id, settings.token_lifetime_minutes);
    let state = web::Data::new(AppState {
        db,
        tokens,
        settings: Arc::new(settings.clone()),
        cookie_name: AppState::cookie_name_of(&server_id),
        server_id,
        auth_cache: AuthCache::default(),
        passwords: Verifier::start().map_err(|e| ConfigError(format!("cannot start the password thread: {e}")))?,
        login_throttle: LoginThrottle::new(
            settings.login_max_failures,
            settings.login_max_failures_per_address,
            Duration::from_secs(settings.login_failure_window_seconds),
        ),
        http_metrics: Default::default(),
    });
    Ok(Prepared { state, generated_admin_password: generated, unshown_password_of: unshown })
}

/// The application with all routes, for the server and for in-process tests.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let payload = web::PayloadConfig::new(state.settings.max_body_bytes());
    let state_metrics = state.settings.metrics_token.is_some().then(|| state.http_metrics.clone());
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(routes::openapi_base())
        .app_data(state)
        .app_data(payload)
        .configure(routes::configure)
        .split_for_parts();
    let doc = web::Data::new(OpenApiJson(api.to_json().unwrap_or_default()));
    // The request counter reads this; without it (no `metrics_token`) it counts nothing.
    let app = match state_metrics {
        Some(counted) => app.app_data(web::Data::from(counted)),
        None => app,
    };
    app.app_data(doc)
        .route("/openapi.json", web::get().to(openapi_json))
        // Not in /openapi.json: an operations endpoint, not ZenML's API.
        // Other methods get the 404 every unknown path gets (not a 405).
        .service(
            web::resource("/metrics")
                .route(web::get().to(routes::metrics::metrics))
                .default_service(web::to(routes::not_found)),
        )
        .default_service(web::to(routes::not_found))
        .wrap(from_fn(crate::telemetry::log_request))
}

/// The generated OpenAPI document, rendered once per worker.
struct OpenApiJson(String);

async fn openapi_json(doc: web::Data<OpenApiJson>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// Listen on the configured address; every error says how to fix it.
/// `trove serve` calls this before [`prepare`], so a start that cannot
/// listen leaves nothing behind (no account whose password nobody saw).
pub fn bind(settings: &Settings) -> Result<TcpListener, ConfigError> {
    let addr = settings.bind_addr()?;
    TcpListener::bind(addr).map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => "another program uses this port; pick another with --bind 127.0.0.1:PORT",
            std::io::ErrorKind::PermissionDenied => "ports below 1024 need privileges; pick another with --bind",
            _ => "check the --bind address",
        };
        ConfigError(format!("cannot listen on {addr}: {e} ({hint})"))
    })
}

impl Application {
    /// Bind the configured address and build the server on it.
    pub fn build(prepared: &Prepared) -> Result<Application, ConfigError> {
        Application::build_on(prepared, bind(&prepared.state.settings)?)
    }

    /// Build the server on a listener from [`bind`].
    pub fn build_on(prepared: &Prepared, listener: TcpListener) -> Result<Application, ConfigError> {
        let addr = listener.local_addr().map_err(|e| ConfigError(e.to_string()))?;
        let port = addr.port();
        let settings = &prepared.state.settings;
        let state = prepared.state.clone();
        let app_state = state.clone();
        let server = HttpServer::new(move || build_app(app_state.clone()))
            .workers(http_workers())
            .listen(listener)
            .map_err(|e| ConfigError(format!("cannot listen on {addr}: {e}")))?
            // Signals are handled by `run_until_signalled` (actix's own
            // handler drops the requests in flight on SIGINT).
            .disable_signals()
            .client_request_timeout(Duration::from_secs(settings.request_head_timeout_seconds))
            .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
            .run();
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serve until SIGTERM or SIGINT, then stop gracefully: accept no more
    /// connections, let the requests in flight finish (for up to
    /// [`SHUTDOWN_TIMEOUT_SECS`]), checkpoint and close the database.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let mut signals = StopSignals::install()?;
        let handle = self.handle();
        actix_web::rt::spawn(async move {
            let name = signals.next().await;
            tracing::info!(signal = name, "stopping: finishing the requests in flight");
            handle.stop(true).await;
        });
        self.run_until_stopped().await
    }

    /// Serve until stopped through [`Application::handle`], then checkpoint
    /// and close the database.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.state.db.close();
        result
    }
}

/// Seconds the requests in flight get to finish once a stop was asked for.
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 5;

/// SIGTERM and SIGINT (Ctrl-C elsewhere), installed before serving.
struct StopSignals {
    #[cfg(unix)]
    term: actix_web::rt::signal::unix::Signal,
    #[cfg(unix)]
    int: actix_web::rt::signal::unix::Signal,
}

impl StopSignals {
    #[cfg(unix)]
    fn install() -> std::io::Result<StopSignals> {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        Ok(StopSignals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    #[cfg(not(unix))]
    fn install() -> std::io::Result<StopSignals> {
        Ok(StopSignals {})
    }

    /// The name of the next stop signal.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        use futures_util::future::{select, Either};
        match select(std::pin::pin!(self.term.recv()), std::pin::pin!(self.int.recv())).await {
            Either::Left(_) => "SIGTERM",
            Either::Right(_) => "SIGINT",
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = actix_web::rt::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// One HTTP worker thread per core (actix's default, made explicit because
/// the read pool is sized from it).
fn http_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
