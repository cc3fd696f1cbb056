//! `/api/v1/users`.

use super::extract::Hydrate;
use super::handler::{self, Reply, State};
use super::json;
use crate::auth::AuthUser;
use crate::db::tables::USERS;
use crate::db::users;
use actix_web::web::Path;
use actix_web::{get, HttpRequest};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(scope("/users").service(list).service(get));
}

#[utoipa::path(tag = "users", operation_id = "users_list", summary = "List users", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::Page<crate::models::user::UserResponse>)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("")]
async fn list(_: AuthUser, req: HttpRequest, state: State) -> Reply {
    handler::list(&req, &state, &USERS, users::list_page).await
}

#[utoipa::path(tag = "users", operation_id = "users_get", summary = "Get a user by name or id", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::user::UserResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed"), (status = 404, description = "Not found")))]
#[get("/{user_name_or_id}")]
async fn get(_: AuthUser, key: Path<String>, Hydrate(hydrate): Hydrate, state: State) -> Reply {
    let key = key.into_inner();
    let (_, user) = state.db.read(move |c| users::get_by_name_or_id(c, &key)).await?;
    Ok(json::ok(&user.to_response(hydrate)))
}
