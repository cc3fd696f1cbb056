//! Service accounts and their API keys: management, the `zenml-api-key`
//! grant, `ZENKEY_` bearers, and refusal once a key is deactivated,
//! rotated out or deleted (`auth-and-server.md` §5).

use crate::helpers::*;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// A request with `token` as the bearer.
async fn call_as(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, format!("{}{}", app.base, path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    split(req.send().await.unwrap()).await
}

async fn me(app: &TestApp, token: &str) -> (StatusCode, Value) {
    call_as(app, token, Method::GET, "/api/v1/current-user", None).await
}

/// The `zenml-api-key` grant, as the client sends it.
async fn key_login(app: &TestApp, key: &str) -> reqwest::Response {
    let form = [("grant_type", "zenml-api-key"), ("password", key)];
    app.client.post(format!("{}/api/v1/login", app.base)).form(&form).send().await.unwrap()
}

async fn token_of(app: &TestApp, key: &str) -> String {
    let (status, body) = split(key_login(app, key).await).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// A new service account `name` and its API key `default`: (account id, key id, key).
async fn account_with_key(app: &TestApp, name: &str) -> (String, String, String) {
    let (status, account) =
        app.post("/api/v1/service_accounts", json!({"name": name, "active": true, "description": "ci"})).await;
    assert_eq!(status, 200, "{account}");
    let sa = account["id"].as_str().unwrap().to_string();
    let (status, key) = app.post(&format!("/api/v1/service_accounts/{sa}/api_keys"), json!({"name": "default"})).await;
    assert_eq!(status, 200, "{key}");
    (sa, key["id"].as_str().unwrap().to_string(), key["body"]["key"].as_str().unwrap().to_string())
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

#[actix_web::test]
async fn an_api_key_logs_its_service_account_in() {
    let app = spawn_app().await;
    let (sa, key_id, key) = account_with_key(&app, "ci-bot").await;
    assert!(key.starts_with("ZENKEY_"), "{key}");
    let inner: Value =
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(&key[7..]).unwrap()).unwrap();
    assert_eq!(inner["id"], key_id.as_str());
    let secret = inner["key"].as_str().unwrap().to_string();
    // Only a hash of the secret is stored.
    let conn = app.db.conn().unwrap();
    let stored: String = conn.query_row("SELECT key_hash FROM api_keys", [], |r| r.get(0)).unwrap();
    assert!(!stored.contains(&secret) && stored == trove::auth::api_key::hash(&secret));

    let resp = key_login(&app, &key).await;
    assert!(resp.headers().get("set-cookie").is_none(), "an API-key login sets no cookie");
    let (status, body) = split(resp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(
        (c["sub"].as_str(), c["api_key_id"].as_str(), c["key_gen"].as_i64()),
        (Some(&*sa), Some(&*key_id), Some(1))
    );
    let (status, user) = me(&app, token).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((user["name"].as_str(), user["body"]["is_service_account"].as_bool()), (Some("ci-bot"), Some(true)));
    assert_eq!(user["body"]["is_admin"], false);
    // The key itself is a bearer too.
    let (status, user) = me(&app, &key).await;
    assert_eq!((status, user["id"].as_str()), (StatusCode::OK, Some(&*sa)));
    // The login is stamped; the key is never shown again.
    let (status, got) = app.get(&format!("/api/v1/service_accounts/{sa}/api_keys/default")).await;
    assert_eq!(status, 200, "{got}");
    assert!(got["metadata"]["last_login"].is_string(), "{got}");
    assert_eq!(got["body"]["key"], Value::Null);
    assert_eq!(got["body"]["service_account"]["name"], "ci-bot");
    // Service accounts are not users.
    let (_, users) = app.get("/api/v1/users").await;
    assert_eq!(users["total"], 1, "{users}");
    let (_, accounts) = app.get("/api/v1/service_accounts?name=ci-bot").await;
    assert_eq!((accounts["total"].as_i64(), accounts["items"][0]["metadata"].is_null()), (Some(1), true));
}

#[actix_web::test]
async fn wrong_keys_are_refused_in_the_specs_shape() {
    let app = spawn_app().await;
    let (_, key_id, key) = account_with_key(&app, "ci-bot").await;
    let forged = trove::auth::api_key::encode(&trove::models::Id::parse(&key_id).unwrap(), &"0".repeat(64));
    let unknown_id = "11111111-1111-1111-1111-111111111111";
    let unknown = trove::auth::api_key::encode(&trove::models::Id::parse(unknown_id).unwrap(), "x");
    let cases = [
        (forged.as_str(), "Authentication error: could not verify key value for API key default".to_string()),
        ("ZENKEY_bm90IGpzb24=", "Authentication error: error decoding API key".to_string()),
        ("not-a-key", "Authentication error: error decoding API key".to_string()),
        (unknown.as_str(), format!("Authentication error: error retrieving API key {unknown_id}")),
    ];
    for (text, message) in &cases {
        let resp = key_login(&app, text).await;
        assert!(resp.headers().get("www-authenticate").is_none());
        let (status, body) = split(resp).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"detail": ["CredentialsNotValid", message]})));
        let (status, body) = me(&app, text).await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = split(key_login(&app, "").await).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"detail": "API key is required."})));
    assert_eq!(split(key_login(&app, &key).await).await.0, 200);
}

#[actix_web::test]
async fn a_deactivated_key_or_account_is_refused_at_once() {
    let app = spawn_app().await;
    let (sa, _, key) = account_with_key(&app, "ci-bot").await;
    let token = token_of(&app, &key).await;
    assert_eq!(me(&app, &token).await.0, 200);
    assert_eq!(me(&app, &key).await.0, 200);
    let path = format!("/api/v1/service_accounts/{sa}/api_keys/default");
    let (status, body) = app.put(&path, json!({"active": false})).await;
    assert_eq!((status, body["body"]["active"].as_bool()), (StatusCode::OK, Some(false)));
    let refused = "Authentication error: API key default associated with service account ci-bot is not active";
    for text in [&token, &key] {
        let (status, body) = me(&app, text).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"detail": ["CredentialsNotValid", refused]})));
    }
    assert_eq!(split(key_login(&app, &key).await).await.1["detail"][1], refused);
    assert_eq!(app.put(&path, json!({"active": true})).await.0, 200);
    assert_eq!(me(&app, &token).await.0, 200);
    // The account itself.
    assert_eq!(app.put(&format!("/api/v1/service_accounts/{sa}"), json!({"active": false})).await.0, 200);
    let (status, body) = me(&app, &token).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"][1].as_str().unwrap().contains("not active"), "{body}");
    let (_, body) = split(key_login(&app, &key).await).await;
    assert_eq!(
        body["detail"][1],
        "Authentication error: service account ci-bot associated with API key default is not active"
    );
}

#[actix_web::test]
async fn a_rotated_key_works_for_its_retain_period_then_is_refused() {
    let app = spawn_app().await;
    let (sa, key_id, old) = account_with_key(&app, "ci-bot").await;
    let old_token = token_of(&app, &old).await;
    let rotate = format!("/api/v1/service_accounts/{sa}/api_keys/{key_id}/rotate");
    let (status, rotated) = app.put(&rotate, json!({"retain_period_minutes": 5})).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["body"]["key"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(rotated["metadata"], Value::Null);
    // Within the retain period: both keys, and the old key's token.
    assert_eq!(me(&app, &old_token).await.0, 200);
    assert_eq!(claims(&token_of(&app, &old).await)["key_gen"], 2);
    let new_token = token_of(&app, &new).await;
    app.db.clock().advance(minutes(4));
    assert_eq!(me(&app, &old).await.0, 200);
    assert_eq!(me(&app, &old_token).await.0, 200);
    // After it: only the new key and its tokens.
    app.db.clock().advance(minutes(1));
    let (status, body) = split(key_login(&app, &old).await).await;
    assert_eq!(
        (status, &body["detail"][1]),
        (StatusCode::UNAUTHORIZED, &json!("Authentication error: could not verify key value for API key default"))
    );
    let (status, body) = me(&app, &old_token).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"][1]
        .as_str()
        .unwrap()
        .ends_with("was issued for an API key generation that is no longer valid"));
    assert_eq!(me(&app, &new_token).await.0, 200);
    assert_eq!(me(&app, &new).await.0, 200);
    // Without a retain period the old key stops at once.
    let (_, again) = app.put(&rotate, json!({})).await;
    assert_eq!(me(&app, &new).await.0, 401);
    assert_eq!(me(&app, &new_token).await.0, 401);
    assert_eq!(me(&app, again["body"]["key"].as_str().unwrap()).await.0, 200);
    let (status, body) = app.put(&rotate, json!({"retain_period_minutes": "soon"})).await;
    assert_eq!(status, 422, "{body}");
}

#[actix_web::test]
async fn deleting_the_key_or_account_ends_its_logins() {
    let app = spawn_app().await;
    let (sa, _, key) = account_with_key(&app, "ci-bot").await;
    let token = token_of(&app, &key).await;
    let (status, second) =
        app.post(&format!("/api/v1/service_accounts/{sa}/api_keys"), json!({"name": "second"})).await;
    assert_eq!(status, 200);
    let second = second["body"]["key"].as_str().unwrap().to_string();
    assert_eq!(app.delete(&format!("/api/v1/service_accounts/{sa}/api_keys/default")).await.0, 200);
    assert_eq!(me(&app, &token).await.0, 401);
    assert_eq!(me(&app, &key).await.0, 401);
    let second_token = token_of(&app, &second).await;
    let (status, body) = app.delete(&format!("/api/v1/service_accounts/{sa}")).await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    let (status, body) = me(&app, &second_token).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"][1], format!("Authentication error: error retrieving token account {sa}"));
    assert_eq!(me(&app, &second).await.0, 401);
    let conn = app.db.conn().unwrap();
    let keys: i64 = conn.query_row("SELECT count(*) FROM api_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(keys, 0, "an account's keys go with it");
}

#[actix_web::test]
async fn only_admins_manage_service_accounts() {
    let mut app = spawn_app().await;
    let (sa, _, key) = account_with_key(&app, "ci-bot").await;
    let mut conn = app.db.conn().unwrap();
    let hash = trove::auth::password::hash("eve-pass-123");
    trove::db::write_sync(&mut conn, |tx| trove::db::users::insert(tx, "eve", &hash, false)).unwrap();
    let admin_token = std::mem::take(&mut app.token);
    app.token = app.login("eve", "eve-pass-123").await.1["access_token"].as_str().unwrap().to_string();
    let keys = format!("/api/v1/service_accounts/{sa}/api_keys");
    let attempts = [
        (
            Method::POST,
            "/api/v1/service_accounts".to_string(),
            Some(json!({"name": "x", "active": true})),
            "create service account",
        ),
        (
            Method::PUT,
            format!("/api/v1/service_accounts/{sa}"),
            Some(json!({"active": false})),
            "update service account",
        ),
        (Method::DELETE, format!("/api/v1/service_accounts/{sa}"), None, "delete service account"),
        (Method::POST, keys.clone(), Some(json!({"name": "mine"})), "create API key"),
        (Method::PUT, format!("{keys}/default"), Some(json!({"active": false})), "update API key"),
        (Method::PUT, format!("{keys}/default/rotate"), Some(json!({})), "rotate API key"),
        (Method::DELETE, format!("{keys}/default"), None, "delete API key"),
    ];
    for token in [app.token.clone(), key.clone()] {
        for (method, path, body, action) in &attempts {
            let (status, body) = call_as(&app, &token, method.clone(), path, body.clone()).await;
            let message = format!("Only admin users can perform `{action}` without RBAC enabled.");
            assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"detail": ["IllegalOperationError", message]})));
        }
    }
    // Reading is open; nothing was changed.
    assert_eq!(app.get(&keys).await.1["total"], 1);
    app.token = admin_token;
    assert_eq!(app.get(&format!("/api/v1/service_accounts/{sa}")).await.1["body"]["active"], true);
    assert_eq!(me(&app, &key).await.0, 200);
}

#[actix_web::test]
async fn service_accounts_cannot_use_the_password_grant() {
    let app = spawn_app().await;
    let (sa, _, _) = account_with_key(&app, "ci-bot").await;
    // Even with a password hash on its row.
    let mut conn = app.db.conn().unwrap();
    let hash = trove::auth::password::hash("bot-pass-123");
    trove::db::write_sync(&mut conn, |tx| {
        Ok(tx.execute("UPDATE users SET password_hash = ?1 WHERE name = 'ci-bot'", [&hash])?)
    })
    .unwrap();
    for name in ["ci-bot", sa.as_str()] {
        let (status, body) = app.login(name, "bot-pass-123").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["detail"][1], "Authentication error: invalid username or password");
    }
}

#[actix_web::test]
async fn an_account_that_owns_resources_is_kept_and_tokens_it_gets_stay_bound_to_its_key() {
    let mut app = spawn_app().await;
    let (sa, _, key) = account_with_key(&app, "ci-bot").await;
    let bot_token = token_of(&app, &key).await;
    let admin_token = std::mem::replace(&mut app.token, bot_token);
    let created = app.create("made-by-bot", json!({})).await;
    assert_eq!(created["resources"]["user"]["name"], "ci-bot", "{created}");
    // A token from /api_token carries the key, and ends with it.
    let (status, minted) = app.get("/api/v1/api_token").await;
    assert_eq!(status, 200, "{minted}");
    let minted = minted.as_str().unwrap().to_string();
    assert_eq!(claims(&minted)["key_gen"], 1);
    app.token = admin_token;
    let (status, body) = app.delete(&format!("/api/v1/service_accounts/{sa}")).await;
    assert_eq!((status, error_name(&body)), (StatusCode::FORBIDDEN, "IllegalOperationError"), "{body}");
    assert_eq!(
        app.put(&format!("/api/v1/service_accounts/{sa}/api_keys/default"), json!({"active": false})).await.0,
        200
    );
    assert_eq!(me(&app, &minted).await.0, 401);
}

#[actix_web::test]
async fn names_ids_and_bodies_are_checked() {
    let app = spawn_app().await;
    let (sa, _, _) = account_with_key(&app, "ci-bot").await;
    let (status, body) = app.post("/api/v1/service_accounts", json!({"name": "ci-bot", "active": true})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["detail"][1],
        "Unable to create service account with name 'ci-bot': Found existing service account with this name."
    );
    let (status, body) = app.post("/api/v1/service_accounts", json!({"name": "admin", "active": true})).await;
    assert_eq!((status, error_name(&body)), (StatusCode::CONFLICT, "EntityExistsError"));
    let (status, body) = app.post("/api/v1/service_accounts", json!({"name": "x"})).await;
    assert_eq!((status, body[0].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("ValueError")), "{body}");
    let (status, body) = app.post(&format!("/api/v1/service_accounts/{sa}/api_keys"), json!({"name": "default"})).await;
    assert_eq!(status, 409);
    assert_eq!(body["detail"][1], "Unable to register API key with name 'default': Found an existing API key with the same name configured for the same 'ci-bot' service account.");
    let (status, body) = app.get("/api/v1/service_accounts/nobody").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": ["KeyError", "\"No service account with the 'nobody' name or ID was found\""]})
        )
    );
    let (status, body) = app.get(&format!("/api/v1/service_accounts/{sa}/api_keys/nokey")).await;
    let message =
        format!("\"An API key with ID or name 'nokey' is not configured for service account with ID '{sa}'.\"");
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"detail": ["KeyError", message]})));
    let (status, body) = app.get("/api/v1/service_accounts/not-a-uuid/api_keys").await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.get("/api/v1/service_accounts/00000000000000000000000000000000/api_keys").await;
    assert_eq!(status, 404);
    // A user is not a service account.
    let (_, me_body) = app.get("/api/v1/current-user").await;
    let admin = me_body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/service_accounts/{admin}")).await.0, 404);
    assert_eq!(app.post(&format!("/api/v1/service_accounts/{admin}/api_keys"), json!({"name": "k"})).await.0, 404);
    // Renames and descriptions.
    let (status, body) =
        app.put(&format!("/api/v1/service_accounts/{sa}"), json!({"name": "ci", "description": "d"})).await;
    assert_eq!(
        (status, body["name"].as_str(), body["metadata"]["description"].as_str()),
        (StatusCode::OK, Some("ci"), Some("d"))
    );
    let (_, keys) = app.get(&format!("/api/v1/service_accounts/{sa}/api_keys?active=true&hydrate=true")).await;
    assert_eq!(
        (keys["total"].as_i64(), keys["items"][0]["metadata"]["retain_period_minutes"].as_i64()),
        (Some(1), Some(0))
    );
}
