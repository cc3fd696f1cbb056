//! API keys of service accounts (`/service_accounts/{id}/api_keys`): request
//! and response shapes, and the key row the login checks
//! ([`crate::auth::api_key`] holds the rules).

use super::service_account::{ServiceAccountResponse, STR_MAX, TEXT_MAX};
use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Ts};
use serde::Serialize;
use serde_json::Value;

/// A validated `POST .../api_keys` body.
#[derive(Debug, Clone)]
pub struct ApiKeyRequest {
    pub name: String,
    pub description: String,
}

impl ApiKeyRequest {
    pub fn parse(v: &Value) -> Result<ApiKeyRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.required_str("name", 0, STR_MAX);
        let description = f.optional_str("description", TEXT_MAX);
        f.finish()?;
        let (Some(name), Some(description)) = (name, description) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ApiKeyRequest { name, description: description.unwrap_or_default() })
    }
}

/// A validated `PUT .../api_keys/{name_or_id}` body (`None` = unchanged).
#[derive(Debug, Clone, Default)]
pub struct ApiKeyUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

impl ApiKeyUpdate {
    pub fn parse(v: &Value) -> Result<ApiKeyUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.optional_str("name", STR_MAX);
        let description = f.optional_str("description", TEXT_MAX);
        let active = f.optional_bool("active");
        f.finish()?;
        let (Some(name), Some(description), Some(active)) = (name, description, active) else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ApiKeyUpdate { name, description, active })
    }
}

/// The `retain_period_minutes` of a `PUT .../rotate` body (default 0: the
/// previous key stops working at once).
pub fn parse_rotate(v: &Value) -> Result<i64, Invalid> {
    let mut f = Fields::new(v, &["body"])?;
    let minutes = f.optional_int("retain_period_minutes");
    f.finish()?;
    Ok(minutes.flatten().unwrap_or(0))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKeyBody {
    pub created: Ts,
    pub updated: Ts,
    /// The `ZENKEY_…` text: only right after creation or rotation.
    pub key: Option<String>,
    pub active: bool,
    #[schema(value_type = Object)]
    pub service_account: ServiceAccountResponse,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKeyMetadata {
    pub description: String,
    pub retain_period_minutes: i64,
    pub last_login: Option<Ts>,
    pub last_rotated: Option<Ts>,
}

pub type ApiKeyResponse = Entity<ApiKeyBody, ApiKeyMetadata, Nothing>;

/// An API key row with what the login checks of its account.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: Id,
    pub name: String,
    pub account_pk: i64,
    pub account_id: Id,
    pub account_name: String,
    pub account_active: bool,
    pub active: bool,
    /// Hex SHA-256 of the current secret.
    pub key_hash: String,
    /// Hex SHA-256 of the secret before the last rotation.
    pub previous_hash: Option<String>,
    pub generation: i64,
    pub retain_period_minutes: i64,
    /// Microseconds since the epoch.
    pub last_rotated: Option<i64>,
}
