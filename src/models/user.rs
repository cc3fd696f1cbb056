//! User responses (`/current-user`, `/users`, and the `user` nested in resources).

use super::{Entity, Id, Nothing, Ts};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserBody {
    pub created: Ts,
    pub updated: Ts,
    pub active: bool,
    pub activation_token: Option<String>,
    pub full_name: String,
    pub email_opted_in: Option<bool>,
    pub is_service_account: bool,
    pub is_admin: bool,
    pub default_project_id: Option<Id>,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserMetadata {
    pub password_changed_at: Option<Ts>,
    pub email: Option<String>,
    pub external_user_id: Option<Id>,
    #[schema(value_type = Object)]
    pub user_metadata: serde_json::Map<String, serde_json::Value>,
    #[schema(value_type = Object)]
    pub oidc_claims: serde_json::Map<String, serde_json::Value>,
}

pub type UserResponse = Entity<UserBody, UserMetadata, Nothing>;

/// A user row as the database layer hands it over.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Id,
    pub name: String,
    pub full_name: String,
    pub email: Option<String>,
    pub email_opted_in: Option<bool>,
    pub active: bool,
    pub is_admin: bool,
    pub is_service_account: bool,
    pub password_changed_at: Option<Ts>,
    pub created: Ts,
    pub updated: Ts,
}

impl User {
    pub fn to_response(&self, hydrate: bool) -> UserResponse {
        let body = UserBody {
            created: self.created,
            updated: self.updated,
            active: self.active,
            activation_token: None,
            full_name: self.full_name.clone(),
            email_opted_in: self.email_opted_in,
            is_service_account: self.is_service_account,
            is_admin: self.is_admin,
            default_project_id: None,
            avatar_url: None,
        };
        let metadata = hydrate.then(|| UserMetadata {
            password_changed_at: self.password_changed_at,
            email: self.email.clone(),
            external_user_id: None,
            user_metadata: Default::default(),
            oidc_claims: Default::default(),
        });
        Entity::named(self.id, self.name.clone(), body, metadata, None)
    }
}
