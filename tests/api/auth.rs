use crate::helpers::*;
use reqwest::StatusCode;

#[actix_web::test]
async fn login_returns_a_bearer_token_that_authorises() {
    let app = spawn_app().await;
    let (status, body) = app.login("admin", PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert!(body["expires_in"].is_null());
    let (status, me) = app.get("/api/v1/current-user").await;
    assert_eq!(status, 200);
    assert_eq!(me["name"], "admin");
    assert_eq!(me["body"]["is_admin"], true);
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = spawn_app().await;
    let (s1, b1) = app.login("admin", "wrong").await;
    let (s2, b2) = app.login("nobody", "wrong").await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(b1, b2);
    assert_eq!(error_name(&b1), "CredentialsNotValid");
}

#[actix_web::test]
async fn login_form_errors() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/login", app.base);
    let empty = app.client.post(&url).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    let json = app.client.post(&url).json(&serde_json::json!({"username": "admin"})).send().await.unwrap();
    assert_eq!(json.status(), 400);
    let grant = app
        .client
        .post(&url)
        .form(&[("grant_type", "client_credentials"), ("username", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 400);
    let key = app.client.post(&url).form(&[("password", "x")]).send().await.unwrap();
    assert_eq!(key.status(), 401);
}

#[actix_web::test]
async fn missing_token_gets_401_with_www_authenticate() {
    let app = spawn_app().await;
    for path in ["/api/v1/artifact_versions", "/api/v1/current-user", "/api/v1/projects", "/api/v1/stacks"] {
        let resp = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["detail"], "Not authenticated");
    }
    // Authentication comes before validation.
    let resp = app.client.get(format!("{}/api/v1/artifact_versions/not-a-uuid", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
}

#[actix_web::test]
async fn bad_tokens_get_credentials_not_valid() {
    let app = spawn_app().await;
    for auth in ["Bearer garbage", "Bearer a.b.c", "Basic YWRtaW46eA=="] {
        let resp = app
            .client
            .get(format!("{}/api/v1/current-user", app.base))
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{auth}");
    }
    // Lower-case scheme works.
    let resp = app
        .client
        .get(format!("{}/api/v1/current-user", app.base))
        .header("Authorization", format!("bearer {}", app.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[actix_web::test]
async fn tokens_of_unknown_users_are_rejected() {
    let app = spawn_app().await;
    let (_, info) = app.get("/api/v1/info").await;
    let server = info["id"].as_str().unwrap();
    let claims =
        serde_json::json!({"sub": "00000000-0000-0000-0000-000000000001", "iss": server, "aud": server, "iat": 1.0});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let resp = app.client.get(format!("{}/api/v1/current-user", app.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["detail"][1].as_str().unwrap().contains("error retrieving token account"));
}

#[actix_web::test]
async fn expiring_tokens_report_expires_in() {
    let app = spawn_with(|s| s.token_lifetime_minutes = 30).await;
    let (_, body) = app.login("admin", PASSWORD).await;
    assert_eq!(body["expires_in"], 1800);
}

#[actix_web::test]
async fn the_login_cookie_authenticates_too() {
    let app = spawn_app().await;
    let (_, info) = app.get("/api/v1/info").await;
    let cookie = format!("zenml-server-{}={}", info["id"].as_str().unwrap(), app.token);
    let resp =
        app.client.get(format!("{}/api/v1/current-user", app.base)).header("Cookie", cookie).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

/// The login form of `user`, answered as (status, Retry-After, body).
async fn login_raw(app: &TestApp, user: &str, password: &str) -> (StatusCode, Option<u64>, serde_json::Value) {
    let resp = app
        .client
        .post(format!("{}/api/v1/login", app.base))
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = split(resp).await;
    (status, retry, body)
}

/// After `login_max_failures` failures a user's logins get 429 with
/// Retry-After, the right password included, and a flood of them hashes
/// nothing; other users are not affected.
#[actix_web::test]
async fn failed_logins_of_a_user_are_throttled_without_hashing() {
    let app = spawn_with(|s| {
        s.login_max_failures = 3;
        s.login_max_failures_per_address = 0;
        s.login_failure_window_seconds = 120;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login("admin", "wrong").await.0, 401);
    }
    let hashed = app.passwords.checks_run();
    let (status, retry, body) = login_raw(&app, "admin", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert!(matches!(retry, Some(1..=120)), "{retry:?}");
    assert_eq!(error_name(&body), "TooManyRequests");
    assert!(body["detail"][1].as_str().unwrap().contains("try again in"), "{body}");

    let flood: Vec<_> = (0..200)
        .map(|_| {
            let (client, url) = (app.client.clone(), format!("{}/api/v1/login", app.base));
            actix_web::rt::spawn(async move {
                client.post(url).form(&[("username", "admin"), ("password", "guess")]).send().await.unwrap().status()
            })
        })
        .collect();
    for request in flood {
        assert_eq!(request.await.unwrap(), 429);
    }
    assert_eq!(app.passwords.checks_run(), hashed, "a throttled login checks no password");
    assert_eq!(app.login("nobody", "wrong").await.0, 401, "other names are not throttled");
    // The token issued before is still good.
    assert_eq!(app.get("/api/v1/current-user").await.0, 200);
}

#[actix_web::test]
async fn a_successful_login_resets_the_users_count() {
    let app = spawn_with(|s| {
        s.login_max_failures = 3;
        s.login_max_failures_per_address = 0;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login("admin", "wrong").await.0, 401);
        assert_eq!(app.login("admin", "wrong").await.0, 401);
        assert_eq!(app.login("admin", PASSWORD).await.0, 200);
    }
}

/// The address limit counts failures under any name, and refuses every
/// name from that address; the window's end lifts it.
#[actix_web::test]
async fn failed_logins_from_one_address_are_throttled_for_every_name() {
    let app = spawn_with(|s| {
        s.login_max_failures = 0;
        s.login_max_failures_per_address = 3;
        s.login_failure_window_seconds = 3;
    })
    .await;
    for name in ["a", "b", "c"] {
        assert_eq!(app.login(name, "wrong").await.0, 401);
    }
    let hashed = app.passwords.checks_run();
    let (status, retry, _) = login_raw(&app, "admin", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry = retry.expect("Retry-After");
    assert!((1..=3).contains(&retry), "{retry}");
    for i in 0..50 {
        assert_eq!(app.login(&format!("user-{i}"), "wrong").await.0, 429);
    }
    assert_eq!(app.passwords.checks_run(), hashed, "new names from a throttled address check no password");
    // Retry-After is the wait rounded up: after it, the window has ended.
    app.state.login_throttle.advance(std::time::Duration::from_millis(retry * 1000 + 100));
    assert_eq!(app.login("admin", PASSWORD).await.0, 200);
}

/// Attempts in flight count as failures: a burst of concurrent wrong
/// logins from one address checks no more passwords than the limit.
#[actix_web::test]
async fn a_burst_of_concurrent_failed_logins_checks_no_more_passwords_than_the_limit() {
    let app = spawn_with(|s| {
        s.login_max_failures = 0;
        s.login_max_failures_per_address = 5;
    })
    .await;
    let before = app.passwords.checks_run();
    let burst: Vec<_> = (0..64)
        .map(|i| {
            let (client, url) = (app.client.clone(), format!("{}/api/v1/login", app.base));
            actix_web::rt::spawn(async move {
                let name = format!("user-{i}");
                client
                    .post(url)
                    .form(&[("username", name.as_str()), ("password", "guess")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in burst {
        statuses.push(request.await.unwrap().as_u16());
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 59, "{statuses:?}");
    assert_eq!(app.passwords.checks_run() - before, 5);
}

/// A token stops working once its user is deactivated (the user is read
/// again within the auth cache's 2 s).
#[actix_web::test]
async fn tokens_of_deactivated_users_are_refused() {
    let mut app = spawn_app().await;
    let mut conn = app.db.conn().unwrap();
    let hash = trove::auth::password::hash("eve-pass-123");
    trove::db::write_sync(&mut conn, |tx| trove::db::users::insert(tx, "eve", &hash, false)).unwrap();
    let (status, body) = app.login("eve", "eve-pass-123").await;
    assert_eq!(status, 200, "{body}");
    app.token = body["access_token"].as_str().unwrap().to_string();
    trove::db::write_sync(&mut conn, |tx| Ok(tx.execute("UPDATE users SET active = 0 WHERE name = 'eve'", [])?))
        .unwrap();
    let (status, body) = app.get("/api/v1/current-user").await;
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"][1].as_str().unwrap().contains("not active"), "{body}");
}
