//! Shared application state.

use crate::auth::{AuthCache, TokenKeys, Verifier};
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
    /// The password thread (argon2 runs there, one hash at a time).
    pub passwords: Verifier,
}

impl AppState {
    /// ZenML's session cookie name.
    pub fn cookie_name(&self) -> String {
        format!("zenml-server-{}", self.server_id.hyphenated())
    }
}
