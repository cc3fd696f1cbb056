//! `AuthUser`: the bearer-token extractor. A handler that takes an `AuthUser`
//! cannot run unauthenticated. Token from the `zenml-server-<id>` cookie, else
//! `Authorization: Bearer` (scheme case-insensitive), as ZenML does.

use crate::error::ApiError;
use crate::models::Hex;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub pk: i64,
    pub id: Hex,
}

/// What token checks need to know about a user, cached briefly so that a
/// request does not pay a database round trip just to authenticate.
#[derive(Clone)]
struct CachedUser {
    pk: i64,
    name: String,
    active: bool,
    password_changed_at: Option<i64>,
    fetched: Instant,
}

const CACHE_TTL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct AuthCache(Mutex<HashMap<String, CachedUser>>);

impl AuthCache {
    fn get(&self, id: &str) -> Option<CachedUser> {
        let map = self.0.lock().ok()?;
        map.get(id).filter(|u| u.fetched.elapsed() < CACHE_TTL).cloned()
    }

    fn put(&self, id: String, user: CachedUser) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(id, user);
        }
    }
}

fn token_of(req: &HttpRequest, state: &AppState) -> Option<String> {
    if let Some(c) = req.cookie(&state.cookie_name()) {
        return Some(c.value().to_string());
    }
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = state.as_ref().and_then(|s| token_of(req, s));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::NotAuthenticated)?;
            let claims = state.tokens.verify(&token).map_err(ApiError::Credentials)?;
            let id = Hex::parse(&claims.sub).ok_or_else(|| {
                ApiError::Credentials("Authentication error: the subject claim is not a valid UUID".into())
            })?;
            let user = match state.auth_cache.get(&id.0) {
                Some(u) => u,
                None => {
                    let db_id = id.clone();
                    let found = state.db.read(move |c| crate::db::users::get_by_id(c, &db_id)).await?;
                    let Some((pk, u)) = found else {
                        return Err(ApiError::Credentials(format!(
                            "Authentication error: error retrieving token account {}",
                            id.hyphenated()
                        )));
                    };
                    let cached = CachedUser {
                        pk,
                        name: u.name,
                        active: u.active,
                        password_changed_at: u.password_changed_at.map(|t| t.0),
                        fetched: Instant::now(),
                    };
                    state.auth_cache.put(id.0.clone(), cached.clone());
                    cached
                }
            };
            if !user.active {
                return Err(ApiError::Credentials(format!(
                    "Authentication error: account {} is not active",
                    user.name
                )));
            }
            let issued_micros = (claims.iat * 1e6) as i64;
            if matches!(user.password_changed_at, Some(changed) if issued_micros + 1_000 < changed) {
                return Err(ApiError::Credentials(
                    "Authentication error: the token was issued before the user's password was changed".into(),
                ));
            }
            Ok(AuthUser { pk: user.pk, id })
        })
    }
}
