//! Shared application state.

use crate::auth::{AuthCache, TokenKeys};
use crate::config::Settings;
use crate::db::Db;
use crate::models::Hex;
use std::sync::Arc;

pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub settings: Arc<Settings>,
    pub server_id: Hex,
    pub auth_cache: AuthCache,
    /// Password checks running at once (argon2 is CPU-bound: one at a time
    /// leaves the other cores to everything else).
    pub login_slots: tokio::sync::Semaphore,
}

impl AppState {
    /// ZenML's session cookie name.
    pub fn cookie_name(&self) -> String {
        format!("zenml-server-{}", self.server_id.hyphenated())
    }
}
