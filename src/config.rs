//! Settings: defaults < `trove.toml` (or `--config FILE`) < `TROVE_*` environment
//! < command-line flags. Validated once; every error says how to fix it.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The example configuration shipped with the binary (`trove print-config`).
pub const EXAMPLE_CONFIG: &str = include_str!("../config.example.toml");

/// Environment variables understood by trove (anything else starting with
/// `TROVE_` is reported as a likely typo).
const ENV_KEYS: &[&str] = &[
    "TROVE_CONFIG",
    "TROVE_BIND",
    "TROVE_DATA_DIR",
    "TROVE_LOG_LEVEL",
    "TROVE_TOKEN_LIFETIME_MINUTES",
    "TROVE_ADMIN_PASSWORD",
    "TROVE_JWT_SECRET",
    "TROVE_ARTIFACT_STORE_PATH",
    "TROVE_DB_POOL_SIZE",
    "TROVE_DB_MMAP_MB",
    "TROVE_LOGIN_MAX_FAILURES",
    "TROVE_LOGIN_MAX_FAILURES_PER_ADDRESS",
    "TROVE_LOGIN_FAILURE_WINDOW_SECONDS",
    "TROVE_MAX_BODY_MB",
    "TROVE_REQUEST_HEAD_TIMEOUT_SECONDS",
    "TROVE_REQUEST_BODY_TIMEOUT_SECONDS",
    "TROVE_METRICS_TOKEN",
];

/// Largest `max_body_mb` accepted (a request body is held in memory).
const MAX_BODY_MB: u32 = 1024;

/// Largest `db_mmap_mb` accepted (64 GiB).
const MAX_MMAP_MB: u32 = 64 * 1024;

/// Every setting, with its default. Field names are the TOML keys.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub bind: String,
    /// Folder holding the SQLite database and the JWT secret.
    pub data_dir: PathBuf,
    /// `error`, `warn`, `info`, `debug` or `trace` (RUST_LOG wins when set).
    pub log_level: String,
    /// Access-token lifetime in minutes; 0 = tokens never expire (ZenML's default).
    pub token_lifetime_minutes: u64,
    /// Password of the `admin` account created on the first start; random when unset.
    pub admin_password: Option<String>,
    /// HS256 signing secret; generated and kept in `<data_dir>/jwt_secret` when unset.
    pub jwt_secret: Option<String>,
    /// Folder of the default local artifact store; `<data_dir>/artifacts` when unset.
    pub artifact_store_path: Option<PathBuf>,
    /// Number of pooled SQLite connections.
    pub db_pool_size: u32,
    /// MiB of the database file each connection reads through a memory map
    /// (0 = off): much faster reads once the database outgrows SQLite's page
    /// cache, but the mapped pages count in every connection's RSS.
    pub db_mmap_mb: u32,
    /// Failed logins for one user name within the window before its logins
    /// are refused (429) until the window ends; 0 = no limit.
    pub login_max_failures: u32,
    /// Failed logins from one client address within the window before its
    /// logins are refused; 0 = no limit.
    pub login_max_failures_per_address: u32,
    /// The window of the two login limits, in seconds.
    pub login_failure_window_seconds: u64,
    /// Largest request body in MiB; larger ones are answered 413.
    pub max_body_mb: u32,
    /// Seconds a client has to send a request's line and headers (408 and
    /// the connection closed after that); 0 = no limit.
    pub request_head_timeout_seconds: u64,
    /// Seconds a client has to send a request's body (408 after that);
    /// 0 = no limit.
    pub request_body_timeout_seconds: u64,
    /// Bearer token of `GET /metrics` (Prometheus text format); unset = no
    /// `/metrics` (404).
    pub metrics_token: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:8237".into(),
            data_dir: PathBuf::from("./trove-data"),
            log_level: "info".into(),
            token_lifetime_minutes: 0,
            admin_password: None,
            jwt_secret: None,
            artifact_store_path: None,
            db_pool_size: 4,
            db_mmap_mb: 0,
            login_max_failures: 10,
            login_max_failures_per_address: 50,
            login_failure_window_seconds: 300,
            max_body_mb: 64,
            request_head_timeout_seconds: 5,
            request_body_timeout_seconds: 60,
            metrics_token: None,
        }
    }
}

/// Secrets never reach logs.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("log_level", &self.log_level)
            .field("token_lifetime_minutes", &self.token_lifetime_minutes)
            .field("admin_password", &redact(&self.admin_password))
            .field("jwt_secret", &redact(&self.jwt_secret))
            .field("artifact_store_path", &self.artifact_store_path)
            .field("db_pool_size", &self.db_pool_size)
            .field("db_mmap_mb", &self.db_mmap_mb)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_max_failures_per_address", &self.login_max_failures_per_address)
            .field("login_failure_window_seconds", &self.login_failure_window_seconds)
            .field("max_body_mb", &self.max_body_mb)
            .field("request_head_timeout_seconds", &self.request_head_timeout_seconds)
            .field("request_body_timeout_seconds", &self.request_body_timeout_seconds)
            .field("metrics_token", &redact(&self.metrics_token))
            .finish()
    }
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub log_level: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Load the layered configuration. `file` is `--config`; without it
    /// `$TROVE_CONFIG` or `./trove.toml` (if present) is read.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let path = file.map(Path::to_path_buf).or_else(|| env("TROVE_CONFIG").map(PathBuf::from));
        let mut s = match path {
            Some(p) => Self::from_file(&p)?,
            None if Path::new("trove.toml").exists() => Self::from_file(Path::new("trove.toml"))?,
            None => Settings::default(),
        };
        if let Some(v) = env("TROVE_BIND") {
            s.bind = v;
        }
        if let Some(v) = env("TROVE_DATA_DIR") {
            s.data_dir = v.into();
        }
        if let Some(v) = env("TROVE_LOG_LEVEL") {
            s.log_level = v;
        }
        if let Some(v) = env("TROVE_TOKEN_LIFETIME_MINUTES") {
            s.token_lifetime_minutes = v.parse().map_err(|_| {
                ConfigError(format!(
                    "TROVE_TOKEN_LIFETIME_MINUTES={v:?} is not a whole number of minutes (use 0 for tokens that never expire)"
                ))
            })?;
        }
        if let Some(v) = env("TROVE_DB_POOL_SIZE") {
            s.db_pool_size = v
                .parse()
                .map_err(|_| ConfigError(format!("TROVE_DB_POOL_SIZE={v:?} is not a whole number (try 4)")))?;
        }
        if let Some(v) = env("TROVE_DB_MMAP_MB") {
            s.db_mmap_mb = v
                .parse()
                .map_err(|_| ConfigError(format!("TROVE_DB_MMAP_MB={v:?} is not a whole number of MiB (0 = off)")))?;
        }
        if let Some(v) = env("TROVE_LOGIN_MAX_FAILURES") {
            s.login_max_failures = whole_number("TROVE_LOGIN_MAX_FAILURES", &v, "0 = no limit")?;
        }
        if let Some(v) = env("TROVE_LOGIN_MAX_FAILURES_PER_ADDRESS") {
            s.login_max_failures_per_address =
                whole_number("TROVE_LOGIN_MAX_FAILURES_PER_ADDRESS", &v, "0 = no limit")?;
        }
        if let Some(v) = env("TROVE_LOGIN_FAILURE_WINDOW_SECONDS") {
            s.login_failure_window_seconds = whole_number("TROVE_LOGIN_FAILURE_WINDOW_SECONDS", &v, "seconds")?;
        }
        if let Some(v) = env("TROVE_MAX_BODY_MB") {
            s.max_body_mb = whole_number("TROVE_MAX_BODY_MB", &v, "MiB")?;
        }
        if let Some(v) = env("TROVE_REQUEST_HEAD_TIMEOUT_SECONDS") {
            s.request_head_timeout_seconds =
                whole_number("TROVE_REQUEST_HEAD_TIMEOUT_SECONDS", &v, "seconds, 0 = no limit")?;
        }
        if let Some(v) = env("TROVE_REQUEST_BODY_TIMEOUT_SECONDS") {
            s.request_body_timeout_seconds =
                whole_number("TROVE_REQUEST_BODY_TIMEOUT_SECONDS", &v, "seconds, 0 = no limit")?;
        }
        s.admin_password = env("TROVE_ADMIN_PASSWORD").or(s.admin_password);
        s.jwt_secret = env("TROVE_JWT_SECRET").or(s.jwt_secret);
        s.metrics_token = env("TROVE_METRICS_TOKEN").or(s.metrics_token);
        if let Some(v) = env("TROVE_ARTIFACT_STORE_PATH") {
            s.artifact_store_path = Some(v.into());
        }
        if let Some(v) = &overrides.bind {
            s.bind = v.clone();
        }
        if let Some(v) = &overrides.data_dir {
            s.data_dir = v.clone();
        }
        if let Some(v) = &overrides.log_level {
            s.log_level = v.clone();
        }
        s.validate()?;
        Ok(s)
    }

    /// Parse a TOML document (unknown keys are an error).
    pub fn from_toml(text: &str) -> Result<Settings, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError(e.to_string()))
    }

    fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| {
            ConfigError(format!(
                "invalid config file {}: {e}\n(see `trove print-config` for every key)",
                path.display()
            ))
        })
    }

    /// Checks that do not touch the network or the disk.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        if !["error", "warn", "info", "debug", "trace"].contains(&self.log_level.as_str()) {
            return Err(ConfigError(format!(
                "log_level {:?} is not one of error, warn, info, debug, trace",
                self.log_level
            )));
        }
        if self.db_pool_size == 0 || self.db_pool_size > 64 {
            return Err(ConfigError("db_pool_size must be between 1 and 64".into()));
        }
        if self.db_mmap_mb > MAX_MMAP_MB {
            return Err(ConfigError(format!("db_mmap_mb must be at most {MAX_MMAP_MB} (MiB)")));
        }
        if self.login_failure_window_seconds == 0
            && (self.login_max_failures > 0 || self.login_max_failures_per_address > 0)
        {
            return Err(ConfigError(
                "login_failure_window_seconds must be at least 1 (set login_max_failures and login_max_failures_per_address to 0 for no limit)".into(),
            ));
        }
        if self.max_body_mb == 0 || self.max_body_mb > MAX_BODY_MB {
            return Err(ConfigError(format!("max_body_mb must be between 1 and {MAX_BODY_MB} (MiB)")));
        }
        if matches!(&self.jwt_secret, Some(s) if s.len() < 16) {
            return Err(ConfigError(
                "jwt_secret is shorter than 16 characters; use a long random string (e.g. `openssl rand -hex 32`) or leave it unset".into(),
            ));
        }
        if matches!(&self.metrics_token, Some(s) if s.len() < 16) {
            return Err(ConfigError(
                "metrics_token is shorter than 16 characters; use a long random string (e.g. `openssl rand -hex 32`) or leave it unset (no /metrics)".into(),
            ));
        }
        Ok(())
    }

    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.bind.parse().map_err(|_| {
            ConfigError(format!("bind address {:?} is not HOST:PORT (for example 127.0.0.1:8237)", self.bind))
        })
    }

    /// `max_body_mb` in bytes.
    pub fn max_body_bytes(&self) -> usize {
        (self.max_body_mb as usize) << 20
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("trove.db")
    }

    pub fn artifact_store_dir(&self) -> PathBuf {
        self.artifact_store_path.clone().unwrap_or_else(|| self.data_dir.join("artifacts"))
    }

    /// `TROVE_*` variables that trove does not know (likely typos).
    pub fn unknown_env_vars() -> Vec<String> {
        std::env::vars()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("TROVE_") && !ENV_KEYS.contains(&k.as_str()))
            .collect()
    }
}

/// An environment variable's whole number, or an error naming it.
fn whole_number<T: std::str::FromStr>(var: &str, value: &str, unit: &str) -> Result<T, ConfigError> {
    value.parse().map_err(|_| ConfigError(format!("{var}={value:?} is not a whole number ({unit})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_lists_every_key_with_its_default() {
        let parsed = Settings::from_toml(EXAMPLE_CONFIG).expect("example parses");
        assert_eq!(parsed, Settings::default());
        // Every key appears in the example, commented or not.
        for key in [
            "bind",
            "data_dir",
            "log_level",
            "token_lifetime_minutes",
            "admin_password",
            "jwt_secret",
            "artifact_store_path",
            "db_pool_size",
            "db_mmap_mb",
            "login_max_failures",
            "login_max_failures_per_address",
            "login_failure_window_seconds",
            "max_body_mb",
            "request_head_timeout_seconds",
            "request_body_timeout_seconds",
            "metrics_token",
        ] {
            assert!(EXAMPLE_CONFIG.contains(&format!("{key} =")), "{key} missing");
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Settings::from_toml("bnd = \"x\"").unwrap_err();
        assert!(err.0.contains("unknown field"), "{err}");
    }

    #[test]
    fn bad_values_explain_the_fix() {
        let s = Settings { bind: "localhost".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().0.contains("HOST:PORT"));
        let s = Settings { jwt_secret: Some("short".into()), ..Settings::default() };
        assert!(s.validate().unwrap_err().0.contains("openssl"));
        let s = Settings { metrics_token: Some("short".into()), ..Settings::default() };
        assert!(s.validate().unwrap_err().0.contains("metrics_token"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let s = Settings {
            jwt_secret: Some("super-secret-value-123".into()),
            admin_password: Some("hunter2hunter2".into()),
            metrics_token: Some("scrape-token-0123456789".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("super-secret") && !shown.contains("hunter2") && !shown.contains("scrape-token"));
    }
}
