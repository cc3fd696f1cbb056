//! `AuthUser`: the bearer-token extractor. A handler that takes an `AuthUser`
//! cannot run unauthenticated. Token from the `zenml-server-<id>` cookie, else
//! `Authorization: Bearer` (scheme case-insensitive), as ZenML does; a
//! `ZENKEY_…` bearer is a service account's API key, used directly, and a
//! token obtained with one is checked against its key on every request
//! ([`super::key_auth`]).

use crate::auth::{token, TokenKeys};
use crate::error::ApiError;
use crate::models::api_key::KeyRecord;
use crate::models::Id;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub pk: i64,
    pub id: Id,
    /// The API key (id, current generation) a service account authenticated
    /// with, directly or through a token: tokens it is given carry it too.
    pub api_key: Option<(Id, i64)>,
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
    epoch: u64,
}

/// An API key's row as [`crate::db::api_keys::record`] read it.
#[derive(Clone)]
struct CachedKey {
    record: KeyRecord,
    fetched: Instant,
    epoch: u64,
}

const CACHE_TTL: Duration = Duration::from_secs(2);
/// Entries each map keeps at most (then it starts over).
const CACHE_ENTRIES: usize = 10_000;

/// A token that passed [`crate::auth::TokenKeys::verify`], with the claims
/// the extractor uses.
#[derive(Clone)]
struct VerifiedToken {
    id: Id,
    iat: f64,
    exp: Option<i64>,
    /// `api_key_id` and `key_gen` of a token obtained with an API key.
    api_key: Option<(Id, Option<i64>)>,
}

/// Users by id (for 2 s), and tokens already verified: checking a
/// token's signature and decoding its claims is a visible share of a get by
/// id (see bench/README.md, "Token and user cache"), and a client sends the
/// same token with every request. A cached token is
/// still refused once it expires (it is then verified again, which reports
/// the expiry as ZenML does). A fast path of [`TokenKeys::verify`]: a token
/// answers from here only what verifying it again would (the tests below
/// compare them); a user, what `users::get_by_id` said at most
/// `CACHE_TTL` ago. API keys are cached like users; every change of a
/// service account or key made through this server moves the `epoch`
/// ([`AuthCache::forget_accounts`]), which retires every user and key
/// read before it, so a deactivated, rotated or deleted key is refused on
/// the next request rather than up to `CACHE_TTL` later.
#[derive(Default)]
pub struct AuthCache {
    users: Mutex<HashMap<Id, CachedUser>>,
    tokens: Mutex<HashMap<String, VerifiedToken>>,
    keys: Mutex<HashMap<Id, CachedKey>>,
    epoch: AtomicU64,
}

fn bounded_insert<K: std::hash::Hash + Eq, V>(map: &Mutex<HashMap<K, V>>, key: K, value: V) {
    if let Ok(mut map) = map.lock() {
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
    }
}

impl AuthCache {
    fn get(&self, id: &Id) -> Option<CachedUser> {
        let epoch = self.epoch();
        let map = self.users.lock().ok()?;
        map.get(id).filter(|u| u.fetched.elapsed() < CACHE_TTL && u.epoch == epoch).cloned()
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Retire every cached user and API key: call after a write that
    /// changes a service account or key (once it has committed).
    pub fn forget_accounts(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// API key `id`: cached for `CACHE_TTL` within one epoch, else read.
    pub(super) async fn key(&self, db: &crate::db::Db, id: Id) -> Result<Option<KeyRecord>, ApiError> {
        let epoch = self.epoch();
        let cached = self.keys.lock().ok().and_then(|map| {
            map.get(&id).filter(|k| k.fetched.elapsed() < CACHE_TTL && k.epoch == epoch).map(|k| k.record.clone())
        });
        if let Some(record) = cached {
            return Ok(Some(record));
        }
        let found = db.read(move |c| crate::db::api_keys::record(c, &id)).await?;
        if let Some(record) = &found {
            bounded_insert(&self.keys, id, CachedKey { record: record.clone(), fetched: Instant::now(), epoch });
        }
        Ok(found)
    }

    fn put(&self, id: Id, user: CachedUser) {
        bounded_insert(&self.users, id, user);
    }

    /// `token`, if it was verified before and has not expired since.
    fn verified(&self, token: &str) -> Option<VerifiedToken> {
        let map = self.tokens.lock().ok()?;
        let now = chrono::Utc::now().timestamp();
        map.get(token).filter(|t| t.exp.is_none_or(|exp| !token::expired(exp, now))).cloned()
    }

    /// Verify `token` (the cache first); the claims it carries.
    fn verify(&self, keys: &TokenKeys, token: String) -> Result<VerifiedToken, ApiError> {
        if let Some(verified) = self.verified(&token) {
            return Ok(verified);
        }
        let claims = keys.verify(&token).map_err(ApiError::Credentials)?;
        let id = Id::parse(&claims.sub).ok_or_else(|| {
            ApiError::Credentials("Authentication error: the subject claim is not a valid UUID".into())
        })?;
        let api_key = match claims.api_key_id.as_deref() {
            None => None,
            Some(raw) => Some((
                Id::parse(raw).ok_or_else(|| {
                    ApiError::Credentials(
                        "Authentication error: error decoding access token: Invalid JWT token: the api_key_id claim is not a valid UUID.".into(),
                    )
                })?,
                claims.key_gen,
            )),
        };
        let verified = VerifiedToken { id, iat: claims.iat, exp: claims.exp, api_key };
        bounded_insert(&self.tokens, token, verified.clone());
        Ok(verified)
    }
}

fn token_of(req: &HttpRequest, state: &AppState) -> Option<String> {
    if let Some(c) = req.cookie(&state.cookie_name) {
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
            if token.starts_with(super::api_key::PREFIX) {
                let record = super::key_auth::authenticate(&state, &token, false).await?;
                let api_key = Some((record.id, record.generation));
                return Ok(AuthUser { pk: record.account_pk, id: record.account_id, api_key });
            }
            let VerifiedToken { id, iat, api_key, .. } = state.auth_cache.verify(&state.tokens, token)?;
            let user = match state.auth_cache.get(&id) {
                Some(u) => u,
                None => {
                    let db_id = id;
                    let epoch = state.auth_cache.epoch();
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
                        epoch,
                    };
                    state.auth_cache.put(id, cached.clone());
                    cached
                }
            };
            if !user.active {
                return Err(ApiError::Credentials(format!(
                    "Authentication error: account {} is not active",
                    user.name
                )));
            }
            let issued_micros = (iat * 1e6) as i64;
            if matches!(user.password_changed_at, Some(changed) if issued_micros + 1_000 < changed) {
                return Err(ApiError::Credentials(
                    "Authentication error: the token was issued before the user's password was changed".into(),
                ));
            }
            let api_key = match api_key {
                Some((key_id, generation)) => Some(super::key_auth::revalidate(&state, key_id, generation).await?),
                None => None,
            };
            Ok(AuthUser { pk: user.pk, id, api_key })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};

    const SECRET: &str = "0123456789abcdef";
    const SERVER: &str = "af9b24b1-2bb1-47e2-9646-55a4ee57eea1";
    const USER: &str = "19eb1d9f-2940-4f4e-89bf-9fd2e7c44726";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET.as_bytes(), &Id::parse(SERVER).unwrap(), 0)
    }

    fn signed(exp: i64, secret: &str) -> String {
        let claims = serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0, "exp": exp});
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    }

    fn cached(cache: &AuthCache, token: &str) -> bool {
        cache.tokens.lock().unwrap().contains_key(token)
    }

    #[test]
    fn only_verified_tokens_are_cached() {
        let cache = AuthCache::default();
        let good = signed(chrono::Utc::now().timestamp() + 3600, SECRET);
        assert_eq!(cache.verify(&keys(), good.clone()).unwrap().id, Id::parse(USER).unwrap());
        assert!(cached(&cache, &good));
        assert_eq!(cache.verified(&good).unwrap().id, Id::parse(USER).unwrap());
        let forged = signed(chrono::Utc::now().timestamp() + 3600, "another-secret-123");
        assert!(cache.verify(&keys(), forged.clone()).is_err());
        assert!(!cached(&cache, &forged));
    }

    /// A token cached while valid is refused once it expires, with the
    /// verifier's own message.
    #[test]
    fn a_cached_token_that_expired_is_refused() {
        let cache = AuthCache::default();
        let token = signed(1000, SECRET);
        let was_valid = VerifiedToken { id: Id::parse(USER).unwrap(), iat: 1.0, exp: Some(1000), api_key: None };
        cache.tokens.lock().unwrap().insert(token.clone(), was_valid);
        match cache.verify(&keys(), token) {
            Err(ApiError::Credentials(m)) => assert!(m.contains("Signature has expired"), "{m}"),
            other => panic!("expected the expiry, got {:?}", other.map(|t| t.id)),
        }
    }
}
