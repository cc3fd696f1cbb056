//! Shared application state.

use crate::auth::{AuthCache, LoginThrottle, TokenKeys, Verifier};
use crate::config::Settings;
use crate::db::Db;
use crate::models::Id;
use std::sync::Arc;

pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub settings: Arc<Settings>,
    pub server_id: Id,
    /// ZenML's session cookie name ([`AppState::cookie_name_of`] the server id).
    pub cookie_name: String,
    pub auth_cache: AuthCache,
    /// The password thread (argon2 runs there, one hash at a time).
    pub passwords: Verifier,
    /// Failed logins per user name and client address.
    pub login_throttle: LoginThrottle,
    /// Requests by route and status, for `/metrics` (counted only while
    /// `metrics_token` is set).
    pub http_metrics: Arc<crate::telemetry::metrics::HttpMetrics>,
}

impl AppState {
    /// ZenML's session cookie name for a server id.
    pub fn cookie_name_of(server_id: &Id) -> String {
        format!("zenml-server-{}", server_id.hyphenated())
    }
}
