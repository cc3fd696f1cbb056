//! Authentication with a service account's API key: the `zenml-api-key`
//! login grant and a `ZENKEY_…` bearer ([`authenticate`]), and the check
//! of a token obtained with a key on every request ([`revalidate`]). The
//! rules and messages are [`super::api_key`]'s; the time a retain period is
//! measured against is the database clock's (tests advance it).

use super::api_key;
use crate::error::ApiError;
use crate::models::api_key::KeyRecord;
use crate::models::Id;
use crate::state::AppState;

/// The key (`None`: unknown) from the auth cache, or read afresh.
async fn record(state: &AppState, id: Id, cached: bool) -> Result<KeyRecord, ApiError> {
    let found = match cached {
        true => state.auth_cache.key(&state.db, id).await?,
        false => state.db.read(move |c| crate::db::api_keys::record(c, &id)).await?,
    };
    found.ok_or_else(|| {
        ApiError::Credentials(format!("Authentication error: error retrieving API key {}", id.hyphenated()))
    })
}

/// The key `text` (`ZENKEY_…`) authenticates: its account and key are
/// active and its secret matches (the current one, or the previous one
/// within its retain period). `cached`: the key's row may come from the
/// auth cache (a bearer on every request) rather than the database (a login).
pub async fn authenticate(state: &AppState, text: &str, cached: bool) -> Result<KeyRecord, ApiError> {
    let (id, secret) = api_key::decode(text)
        .ok_or_else(|| ApiError::Credentials("Authentication error: error decoding API key".into()))?;
    let record = record(state, id, cached).await?;
    record.check(Some(&secret), None, state.db.clock().now().0).map_err(ApiError::Credentials)?;
    Ok(record)
}

/// A token obtained with key `id` of `generation` is still good: the key
/// exists, it and its account are active, and the generation is current
/// (or the previous one, within the retain period). The key's id and
/// current generation.
pub async fn revalidate(state: &AppState, id: Id, generation: Option<i64>) -> Result<(Id, i64), ApiError> {
    let record = record(state, id, true).await?;
    record.check(None, generation, state.db.clock().now().0).map_err(ApiError::Credentials)?;
    Ok((record.id, record.generation))
}
