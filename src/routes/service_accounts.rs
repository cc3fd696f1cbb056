//! `/api/v1/service_accounts` and their `/api_keys` (create, list, get,
//! update, delete; `/rotate`). Reading is open to every user; changing
//! needs an admin, as the reference without RBAC. Every change that can end
//! a login retires the auth cache's accounts and keys.

use super::extract::{json_body, path_uuid, Body, Hydrate};
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::{api_key, AuthUser};
use crate::db::tables::{API_KEYS, SERVICE_ACCOUNTS};
use crate::db::{api_keys, service_accounts};
use crate::filter;
use crate::models::api_key::{parse_rotate, ApiKeyRequest, ApiKeyUpdate};
use crate::models::service_account::{ServiceAccountRequest, ServiceAccountUpdate};
use actix_web::web::Path;
use actix_web::{delete, get, post, put, HttpRequest};
use serde_json::Value;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/service_accounts")
            .service(list)
            .service(create)
            .service(get)
            .service(update)
            .service(remove)
            .service(list_keys)
            .service(create_key)
            .service(get_key)
            .service(update_key)
            .service(rotate_key)
            .service(delete_key),
    );
}

#[utoipa::path(tag = "service_accounts", operation_id = "service_accounts_list", summary = "List service accounts", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::service_account::ServiceAccountResponse>)), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &SERVICE_ACCOUNTS, service_accounts::list_page).await
}

#[utoipa::path(tag = "service_accounts", operation_id = "service_accounts_create", summary = "Create a service account (admins)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a ServiceAccountRequest"), responses((status = 200, body = inline(crate::models::service_account::ServiceAccountResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("")]
async fn create(user: AuthUser, Body(body): Body, state: State) -> Reply {
    let req = ServiceAccountRequest::parse(&json_body(&body)?)?;
    let created = state
        .db
        .write(move |tx| {
            service_accounts::require_admin(tx, user.pk, "create service account")?;
            service_accounts::create(tx, &req)
        })
        .await?;
    Ok(json::ok(&created))
}

#[utoipa::path(tag = "service_accounts", operation_id = "service_accounts_get", summary = "Get a service account by name or id", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::service_account::ServiceAccountResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{service_account_name_or_id}")]
async fn get(_: AuthUser, key: Path<String>, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let key = key.into_inner();
    let account = state.db.read(move |c| service_accounts::get(c, &key)).await?;
    Ok(json::ok(&account.to_response(hydrate)))
}

#[utoipa::path(tag = "service_accounts", operation_id = "service_accounts_update", summary = "Update a service account (admins)", security(("bearer" = [])), request_body(content = serde_json::Value, content_type = "application/json", description = "a ServiceAccountUpdate"), responses((status = 200, body = inline(crate::models::service_account::ServiceAccountResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 404, description = "Not found"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[put("/{service_account_name_or_id}")]
async fn update(user: AuthUser, key: Path<String>, Body(body): Body, state: State) -> Reply {
    let upd = ServiceAccountUpdate::parse(&json_body(&body)?)?;
    let key = key.into_inner();
    let updated = state
        .db
        .write(move |tx| {
            service_accounts::get(tx, &key)?;
            service_accounts::require_admin(tx, user.pk, "update service account")?;
            service_accounts::update(tx, &key, &upd)
        })
        .await?;
    state.auth_cache.forget_accounts();
    Ok(json::ok(&updated))
}

#[utoipa::path(tag = "service_accounts", operation_id = "service_accounts_delete", summary = "Delete a service account and its API keys (admins; 200 null)", security(("bearer" = [])), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin, or the account owns resources"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{service_account_name_or_id}")]
async fn remove(user: AuthUser, key: Path<String>, state: State) -> Reply {
    let key = key.into_inner();
    state
        .db
        .write(move |tx| {
            service_accounts::get(tx, &key)?;
            service_accounts::require_admin(tx, user.pk, "delete service account")?;
            service_accounts::delete(tx, &key)
        })
        .await?;
    state.auth_cache.forget_accounts();
    Ok(json::ok(&Value::Null))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_list", summary = "List the API keys of a service account", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)")), responses((status = 200, body = inline(crate::models::Page<crate::models::api_key::ApiKeyResponse>)), (status = 401, description = "Not authenticated"), (status = 404, description = "No such service account"), (status = 422, description = "Request validation failed")))]
#[get("/{service_account_id}/api_keys")]
async fn list_keys(_: AuthUser, req: HttpRequest, account: Path<String>, state: State) -> Reply {
    let account = path_uuid(&account, "service_account_id")?;
    let q = filter::parse(&API_KEYS, &super::extract::query_pairs(&req)?)?;
    Ok(json::ok(&state.db.read(move |c| api_keys::list_page(c, &account, &q)).await?))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_create", summary = "Create an API key (admins); the response alone shows its key", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)")), request_body(content = serde_json::Value, content_type = "application/json", description = "an APIKeyRequest"), responses((status = 200, body = inline(crate::models::api_key::ApiKeyResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 404, description = "No such service account"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[post("/{service_account_id}/api_keys")]
async fn create_key(user: AuthUser, account: Path<String>, Body(body): Body, state: State) -> Reply {
    let account = path_uuid(&account, "service_account_id")?;
    let req = ApiKeyRequest::parse(&json_body(&body)?)?;
    let secret = api_key::generate_secret();
    let hash = api_key::hash(&secret);
    let mut created = state
        .db
        .write(move |tx| {
            service_accounts::get_by_id(tx, &account)?;
            service_accounts::require_admin(tx, user.pk, "create API key")?;
            api_keys::create(tx, &account, &req, &hash)
        })
        .await?;
    created.body.key = Some(api_key::encode(&created.id, &secret));
    Ok(json::ok(&created))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_get", summary = "Get an API key by name or id (never its key)", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)"), ("api_key_name_or_id" = String, Path)), responses((status = 200, body = inline(crate::models::api_key::ApiKeyResponse)), (status = 401, description = "Not authenticated"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[get("/{service_account_id}/api_keys/{api_key_name_or_id}")]
async fn get_key(_: AuthUser, path: Path<(String, String)>, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let (account, key) = path.into_inner();
    let account = path_uuid(&account, "service_account_id")?;
    Ok(json::ok(&state.db.read(move |c| api_keys::get(c, &account, &key, hydrate)).await?))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_update", summary = "Update an API key: name, description, active (admins)", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)"), ("api_key_name_or_id" = String, Path)), request_body(content = serde_json::Value, content_type = "application/json", description = "an APIKeyUpdate"), responses((status = 200, body = inline(crate::models::api_key::ApiKeyResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 404, description = "Not found"), (status = 409, description = "Name taken"), (status = 422, description = "Request validation failed")))]
#[put("/{service_account_id}/api_keys/{api_key_name_or_id}")]
async fn update_key(user: AuthUser, path: Path<(String, String)>, Body(body): Body, state: State) -> Reply {
    let (account, key) = path.into_inner();
    let account = path_uuid(&account, "service_account_id")?;
    let upd = ApiKeyUpdate::parse(&json_body(&body)?)?;
    let updated = state
        .db
        .write(move |tx| {
            service_accounts::get_by_id(tx, &account)?;
            service_accounts::require_admin(tx, user.pk, "update API key")?;
            api_keys::update(tx, &account, &key, &upd)
        })
        .await?;
    state.auth_cache.forget_accounts();
    Ok(json::ok(&updated))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_rotate", summary = "Rotate an API key (admins): a new key; the old one works for retain_period_minutes more", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)"), ("api_key_name_or_id" = String, Path)), request_body(content = serde_json::Value, content_type = "application/json", description = "an APIKeyRotateRequest"), responses((status = 200, body = inline(crate::models::api_key::ApiKeyResponse)), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[put("/{service_account_id}/api_keys/{api_key_name_or_id}/rotate")]
async fn rotate_key(user: AuthUser, path: Path<(String, String)>, Body(body): Body, state: State) -> Reply {
    let (account, key) = path.into_inner();
    let account = path_uuid(&account, "service_account_id")?;
    let retain = parse_rotate(&json_body(&body)?)?;
    let secret = api_key::generate_secret();
    let hash = api_key::hash(&secret);
    let mut rotated = state
        .db
        .write(move |tx| {
            service_accounts::get_by_id(tx, &account)?;
            service_accounts::require_admin(tx, user.pk, "rotate API key")?;
            api_keys::rotate(tx, &account, &key, retain, &hash)
        })
        .await?;
    state.auth_cache.forget_accounts();
    rotated.body.key = Some(api_key::encode(&rotated.id, &secret));
    Ok(json::ok(&rotated))
}

#[utoipa::path(tag = "api_keys", operation_id = "api_keys_delete", summary = "Delete an API key (admins; 200 null)", security(("bearer" = [])), params(("service_account_id" = String, Path, description = "a UUID (any form)"), ("api_key_name_or_id" = String, Path)), responses((status = 200, body = serde_json::Value), (status = 401, description = "Not authenticated"), (status = 403, description = "Not an admin"), (status = 404, description = "Not found"), (status = 422, description = "Request validation failed")))]
#[delete("/{service_account_id}/api_keys/{api_key_name_or_id}")]
async fn delete_key(user: AuthUser, path: Path<(String, String)>, state: State) -> Reply {
    let (account, key) = path.into_inner();
    let account = path_uuid(&account, "service_account_id")?;
    state
        .db
        .write(move |tx| {
            service_accounts::get_by_id(tx, &account)?;
            service_accounts::require_admin(tx, user.pk, "delete API key")?;
            api_keys::delete(tx, &account, &key)
        })
        .await?;
    state.auth_cache.forget_accounts();
    Ok(json::ok(&Value::Null))
}
