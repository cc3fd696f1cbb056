//! `POST /login` (OAuth2 password grant, `zenml-api-key` grant), `GET /logout`, `GET /current-user`.

use super::extract::Body;
use super::extract::{last, path_uuid, query_pairs};
use super::json;
use crate::auth::{password, AuthUser};
use crate::error::{ApiError, Issue};
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(login).service(logout).service(current_user).service(api_token);
}

/// The login form; every field optional, unknown fields ignored.
#[derive(Deserialize, Default)]
struct LoginForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    device_code: Option<String>,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    csrf_token: Option<String>,
    scope: Option<String>,
    device_id: Option<String>,
    device_metadata: Option<serde_json::Value>,
}

impl TokenResponse {
    /// What both grants answer: a bearer token, nothing else of OAuth2's.
    fn bearer(access_token: String, expires_in: Option<u64>) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "bearer",
            expires_in,
            refresh_token: None,
            csrf_token: None,
            scope: None,
            device_id: None,
            device_metadata: None,
        }
    }
}

enum Grant {
    Password,
    ApiKey,
}

fn grant_of(form: &LoginForm) -> Result<Grant, ApiError> {
    let given = form.grant_type.as_deref().filter(|g| !g.is_empty());
    match given {
        Some("password") => Ok(Grant::Password),
        Some("zenml-api-key") => Ok(Grant::ApiKey),
        Some(other) => Err(ApiError::Plain(StatusCode::BAD_REQUEST, format!("Unsupported grant type: {other}"))),
        None if form.username.is_some() => Ok(Grant::Password),
        None if form.password.is_some() => Ok(Grant::ApiKey),
        None if form.device_code.is_some() => Err(ApiError::Plain(
            StatusCode::BAD_REQUEST,
            "Unsupported grant type: urn:ietf:params:oauth:grant-type:device_code".into(),
        )),
        None => Ok(Grant::Password),
    }
}

fn read_form(req: &HttpRequest, body: &Bytes) -> Result<LoginForm, ApiError> {
    let ctype = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ctype.starts_with("multipart/") {
        return Err(ApiError::Plain(StatusCode::FORBIDDEN, "File uploads are not allowed on this endpoint.".into()));
    }
    if !ctype.starts_with("application/x-www-form-urlencoded") {
        return Ok(LoginForm::default());
    }
    Ok(serde_urlencoded::from_bytes(body).unwrap_or_default())
}

#[utoipa::path(tag = "auth", operation_id = "auth_login", summary = "OAuth2 password grant (form: grant_type, username, password)", request_body(content = serde_json::Value, content_type = "application/x-www-form-urlencoded", description = "form: grant_type, username, password"), responses((status = 200, body = serde_json::Value)))]
#[post("/login")]
async fn login(req: HttpRequest, Body(body): Body, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let form = read_form(&req, &body)?;
    if let Grant::ApiKey = grant_of(&form)? {
        return api_key_login(form.password.unwrap_or_default(), &state).await;
    }
    let username = form
        .username
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::Plain(StatusCode::BAD_REQUEST, "Invalid request: username is required.".into()))?;
    let pw = form.password.unwrap_or_default();
    // The TCP peer, not a forwarding header a client could invent.
    let addr = req.peer_addr().map(|a| a.ip());
    let throttle = &state.login_throttle;
    if let Err(wait) = throttle.attempt(&username, addr) {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::debug!(user = %username, client = ?addr, "login refused: too many failed logins");
        return Err(ApiError::TooManyRequests(
            secs,
            format!(
                "Authentication error: too many failed logins for this user or client; try again in {secs} seconds"
            ),
        ));
    }
    let name = username.clone();
    let found = state.db.read(move |c| crate::db::users::credentials(c, &name)).await?;
    let (user, hash) = match found {
        Some((u, h)) if !u.is_service_account => (Some(u), h),
        _ => (None, None),
    };
    let Ok(ok) = state.passwords.try_run(move || password::verify(&pw, hash.as_deref())).await else {
        throttle.forget(&username, addr);
        return Err(ApiError::TooManyRequests(
            1,
            "The server is busy checking other logins; try again in 1 second".into(),
        ));
    };
    let Some(user) = user.filter(|_| ok == Some(true)) else {
        return Err(ApiError::LoginFailed("Authentication error: invalid username or password".into()));
    };
    throttle.succeeded(&username, addr);
    if !user.active {
        return Err(ApiError::LoginFailed(format!("Authentication error: user {} is not active", user.name)));
    }
    let (token, expires_in) = state.tokens.issue(&user.id);
    let mut cookie = Cookie::build(state.cookie_name.clone(), token.clone())
        .http_only(true)
        .path("/")
        .same_site(SameSite::Lax)
        .finish();
    if let Some(secs) = expires_in {
        cookie.set_max_age(actix_web::cookie::time::Duration::seconds(secs as i64));
    }
    tracing::info!(user = %user.name, "login");
    Ok(HttpResponse::Ok().cookie(cookie).json(TokenResponse::bearer(token, expires_in)))
}

/// The `zenml-api-key` grant: a token for the key's service account that
/// carries the key's id and generation (re-checked on every request), and
/// no cookie, as the reference.
async fn api_key_login(key: String, state: &AppState) -> Result<HttpResponse, ApiError> {
    if key.is_empty() {
        return Err(ApiError::Plain(StatusCode::BAD_REQUEST, "API key is required.".into()));
    }
    let record = crate::auth::key_auth::authenticate(state, &key, false).await.map_err(|e| match e {
        ApiError::Credentials(m) => ApiError::LoginFailed(m),
        other => other,
    })?;
    let key_id = record.id;
    state.db.write(move |tx| crate::db::api_keys::touch_login(tx, &key_id)).await?;
    let (token, expires_in) = state.tokens.issue_for_key(&record.account_id, &record.id, record.generation);
    tracing::info!(account = %record.account_name, key = %record.name, "login with an API key");
    Ok(HttpResponse::Ok().json(TokenResponse::bearer(token, expires_in)))
}

#[utoipa::path(tag = "auth", operation_id = "auth_logout", summary = "Clear the session cookie (tokens are stateless)", responses((status = 200, body = serde_json::Value)))]
#[get("/logout")]
async fn logout(state: web::Data<AppState>) -> HttpResponse {
    let mut cookie = Cookie::build(state.cookie_name.clone(), "").path("/").finish();
    cookie.make_removal();
    HttpResponse::Ok().cookie(cookie).json(serde_json::Value::Null)
}

#[utoipa::path(tag = "auth", operation_id = "auth_current_user", summary = "The authenticated user", security(("bearer" = [])), responses((status = 200, body = inline(crate::models::user::UserResponse)), (status = 401, description = "Not authenticated or credentials not valid"), (status = 422, description = "Request validation failed")))]
#[get("/current-user")]
async fn current_user(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let u = state.db.read(move |c| crate::db::users::get_by_pk(c, user.pk)).await?;
    Ok(json::ok(&u.to_response(true)))
}

/// `GET /api_token`: a token as a JSON string. Workload tokens must name a
/// running pipeline run (or a schedule or deployment); the local
/// orchestrator never uses them, so they are ordinary session tokens.
#[utoipa::path(tag = "auth", operation_id = "auth_api_token", summary = "Get an API token (JSON string)", security(("bearer" = [])), responses((status = 200, body = String, content_type = "application/json"), (status = 400, description = "Not scoped, or the run does not exist or has finished"), (status = 401, description = "Not authenticated"), (status = 422, description = "Request validation failed")))]
#[get("/api_token")]
async fn api_token(user: AuthUser, req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req)?;
    let token_type = last(&pairs, "token_type").unwrap_or("generic");
    if !matches!(token_type, "generic" | "workload") {
        return Err(ApiError::validation(Issue::new(
            "enum",
            &["query", "token_type"],
            "Input should be 'generic' or 'workload'",
            crate::pycompat::repr_str(token_type),
        )));
    }
    let run = last(&pairs, "pipeline_run_id").map(|v| path_uuid(v, "pipeline_run_id")).transpose()?;
    if token_type == "workload" {
        let scoped = run.is_some() || last(&pairs, "schedule_id").is_some() || last(&pairs, "deployment_id").is_some();
        if !scoped {
            return Err(ApiError::BadRequest(
                "Workload API tokens must be scoped to a schedule, pipeline run or deployment.".into(),
            ));
        }
        if let Some(run) = run {
            let shown = run.hyphenated();
            let status = state.db.read(move |c| crate::db::runs::status_of(c, &run)).await?;
            match status {
                None => {
                    return Err(ApiError::BadRequest(format!(
                        "Pipeline run {shown} does not exist and API tokens cannot be generated for non-existent pipeline runs for security reasons."
                    )))
                }
                Some(s) if crate::models::run::is_finished(&s) => {
                    return Err(ApiError::BadRequest(format!(
                        "The execution of pipeline run {shown} has already concluded and API tokens can no longer be generated for it for security reasons."
                    )))
                }
                Some(_) => {}
            }
        }
    }
    let (token, _) = match user.api_key {
        Some((key_id, generation)) => state.tokens.issue_for_key(&user.id, &key_id, generation),
        None => state.tokens.issue(&user.id),
    };
    Ok(json::ok(&token))
}
