//! Service accounts (`/service_accounts`): users with `is_service_account`
//! that log in only with API keys ([`super::api_key`]).

use super::validate::{Fields, Invalid};
use super::{Entity, Id, Nothing, Ts};
use serde::Serialize;
use serde_json::Value;

/// `STR_FIELD_MAX_LENGTH` and `TEXT_FIELD_MAX_LENGTH` of the reference.
pub const STR_MAX: usize = 255;
pub const TEXT_MAX: usize = 65535;

/// A validated `POST /service_accounts` body.
#[derive(Debug, Clone)]
pub struct ServiceAccountRequest {
    pub name: String,
    pub full_name: String,
    pub description: String,
    pub active: bool,
    pub avatar_url: Option<String>,
}

/// A validated `PUT /service_accounts/{name_or_id}` body (`None` = unchanged).
#[derive(Debug, Clone, Default)]
pub struct ServiceAccountUpdate {
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub description: Option<String>,
    pub active: Option<bool>,
    pub avatar_url: Option<String>,
}

/// `key`, which must be present: a bool (pydantic's lax rules).
pub fn required_bool(f: &mut Fields, key: &str) -> Option<bool> {
    match f.get(key) {
        None => {
            f.required(key);
            None
        }
        Some(_) => f.optional_bool(key).flatten(),
    }
}

impl ServiceAccountRequest {
    pub fn parse(v: &Value) -> Result<ServiceAccountRequest, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.required_str("name", 0, STR_MAX);
        let full_name = f.optional_str("full_name", STR_MAX);
        let description = f.optional_str("description", TEXT_MAX);
        let active = required_bool(&mut f, "active");
        let avatar_url = f.optional_str("avatar_url", usize::MAX);
        f.finish()?;
        let (Some(name), Some(full_name), Some(description), Some(active), Some(avatar_url)) =
            (name, full_name, description, active, avatar_url)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ServiceAccountRequest {
            name,
            full_name: full_name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            active,
            avatar_url,
        })
    }
}

impl ServiceAccountUpdate {
    pub fn parse(v: &Value) -> Result<ServiceAccountUpdate, Invalid> {
        let mut f = Fields::new(v, &["body"])?;
        let name = f.optional_str("name", STR_MAX);
        let full_name = f.optional_str("full_name", STR_MAX);
        let description = f.optional_str("description", TEXT_MAX);
        let active = f.optional_bool("active");
        let avatar_url = f.optional_str("avatar_url", usize::MAX);
        f.finish()?;
        let (Some(name), Some(full_name), Some(description), Some(active), Some(avatar_url)) =
            (name, full_name, description, active, avatar_url)
        else {
            return Err(Invalid::Schema(Vec::new()));
        };
        Ok(ServiceAccountUpdate { name, full_name, description, active, avatar_url })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceAccountBody {
    pub created: Ts,
    pub updated: Ts,
    pub full_name: String,
    pub active: bool,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceAccountMetadata {
    pub description: String,
    pub external_user_id: Option<Id>,
}

pub type ServiceAccountResponse = Entity<ServiceAccountBody, ServiceAccountMetadata, Nothing>;

/// A service-account row as the database layer hands it over.
#[derive(Debug, Clone)]
pub struct ServiceAccount {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub full_name: String,
    pub description: String,
    pub avatar_url: Option<String>,
    pub active: bool,
    pub created: Ts,
    pub updated: Ts,
}

impl ServiceAccount {
    pub fn to_response(&self, hydrate: bool) -> ServiceAccountResponse {
        let body = ServiceAccountBody {
            created: self.created,
            updated: self.updated,
            full_name: self.full_name.clone(),
            active: self.active,
            avatar_url: self.avatar_url.clone(),
        };
        let metadata =
            hydrate.then(|| ServiceAccountMetadata { description: self.description.clone(), external_user_id: None });
        Entity::named(self.id, self.name.clone(), body, metadata, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_needs_a_name_and_active() {
        let Err(Invalid::Schema(issues)) = ServiceAccountRequest::parse(&json!({"name": "sa"})) else { panic!() };
        assert_eq!((issues[0].kind, issues[0].loc.join(".")), ("missing", "body.active".to_string()));
        let req = ServiceAccountRequest::parse(&json!({"name": "sa", "active": true, "description": "d"})).unwrap();
        assert_eq!((req.name.as_str(), req.active, req.description.as_str()), ("sa", true, "d"));
    }

    #[test]
    fn an_update_checks_its_types() {
        assert_eq!(ServiceAccountUpdate::parse(&json!({"active": false})).unwrap().active, Some(false));
        assert!(ServiceAccountUpdate::parse(&json!({"active": "maybe"})).is_err());
    }
}
