//! A prepared state in a temporary data folder, and requests to the
//! in-process application.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use serde_json::Value;
use tempfile::TempDir;
use trove::config::Settings;
use trove::state::AppState;

pub const PASSWORD: &str = "inproc-password-123";

/// Schema, admin, default project and stack in a fresh data folder: the
/// state the server would run on (the folder lives as long as the guard).
pub fn state() -> (TempDir, web::Data<AppState>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        admin_password: Some(PASSWORD.into()),
        jwt_secret: Some("inproc-secret-0123456789".into()),
        db_pool_size: 2,
        ..Settings::default()
    };
    let state = trove::startup::prepare(&settings).expect("prepare").state;
    (dir, state)
}

/// Send `req`; the status and the body parsed as JSON (or as a string).
pub async fn send<S, B>(app: &S, req: TestRequest) -> (StatusCode, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status();
    let bytes = test::read_body(resp).await;
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, body)
}

pub fn login_form(user: &str, password: &str) -> TestRequest {
    TestRequest::post().uri("/api/v1/login").set_form([("username", user), ("password", password)])
}

/// A bearer token of the admin, through the login endpoint.
pub async fn admin_token<S, B>(app: &S) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (status, body) = send(app, login_form("admin", PASSWORD)).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_string()
}

/// `req` with the bearer `token`.
pub fn authed(req: TestRequest, token: &str) -> TestRequest {
    req.insert_header(("Authorization", format!("Bearer {token}")))
}
