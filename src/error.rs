//! The one API error type at the HTTP boundary, rendered in ZenML's shapes
//! (see `artifact-versions.md` §2.2):
//! * shape A — request validation, 422, a bare JSON array `["ValueError", "<n> validation error(s): …"]`;
//! * shape B — handled errors, `{"detail": ["<ExceptionName>", "<message>"]}`;
//! * shape C — framework/auth errors, `{"detail": "<text>"}`.
//!
//! Internal errors are logged with their cause and answered with an opaque 500.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

pub use crate::models::validate::Issue;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422 shape A.
    #[error("request validation failed")]
    Validation(Vec<Issue>),
    /// 401 `{"detail": "Not authenticated"}` + `WWW-Authenticate: Bearer`.
    #[error("not authenticated")]
    NotAuthenticated,
    /// 401 `CredentialsNotValid` for a rejected token (with `WWW-Authenticate: Bearer`).
    #[error("credentials not valid: {0}")]
    Credentials(String),
    /// 401 `CredentialsNotValid` for a failed login (no `WWW-Authenticate`, as the reference).
    #[error("login failed: {0}")]
    LoginFailed(String),
    /// Shape C with any status (login form errors, upload refusal).
    #[error("{1}")]
    Plain(StatusCode, String),
    /// 400 `ValueError` (business rules).
    #[error("{0}")]
    BadRequest(String),
    /// 422 shape B `ValueError` (schema errors raised inside handlers).
    #[error("{0}")]
    Unprocessable(String),
    /// 403 `IllegalOperationError`.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `KeyError`.
    #[error("{0}")]
    NotFound(String),
    /// 404 `DoesNotExistException`.
    #[error("{0}")]
    DoesNotExist(String),
    /// 409 `EntityExistsError`.
    #[error("{0}")]
    Conflict(String),
    /// 429 `{"detail": ["TooManyRequests", msg]}` + `Retry-After: <seconds>`.
    #[error("{1}")]
    TooManyRequests(u64, String),
    /// 413 `ValueError`: a request body over `max_body_mb`.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 408 `RuntimeError`: a client too slow to send its request.
    #[error("{0}")]
    RequestTimeout(String),
    /// 500 with a message that is safe to show (a documented refusal, not a bug).
    #[error("{0}")]
    Runtime(String),
    /// 500, opaque to the client; the cause is logged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(issue: Issue) -> ApiError {
        ApiError::Validation(vec![issue])
    }

    pub fn internal(cause: impl fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotAuthenticated | ApiError::Credentials(_) | ApiError::LoginFailed(_) => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Plain(status, _) => *status,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::DoesNotExist(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Runtime(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut resp = HttpResponse::build(self.status_code());
        let detail = |name: &str, msg: &str| json!({ "detail": [name, msg] });
        let body = match self {
            ApiError::Validation(issues) => {
                let n = issues.len();
                let plural = if n == 1 { "" } else { "s" };
                let lines: Vec<String> = issues.iter().map(|i| format!("  {}", i.render())).collect();
                json!(["ValueError", format!("{n} validation error{plural}:\n{}", lines.join("\n"))])
            }
            ApiError::NotAuthenticated => {
                resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                json!({ "detail": "Not authenticated" })
            }
            ApiError::Credentials(msg) => {
                resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                detail("CredentialsNotValid", msg)
            }
            ApiError::LoginFailed(msg) => detail("CredentialsNotValid", msg),
            ApiError::Plain(_, msg) => json!({ "detail": msg }),
            ApiError::BadRequest(msg) | ApiError::Unprocessable(msg) | ApiError::PayloadTooLarge(msg) => {
                detail("ValueError", msg)
            }
            ApiError::RequestTimeout(msg) => {
                resp.insert_header((header::CONNECTION, "close"));
                detail("RuntimeError", msg)
            }
            ApiError::Forbidden(msg) => detail("IllegalOperationError", msg),
            ApiError::NotFound(msg) => detail("KeyError", msg),
            ApiError::DoesNotExist(msg) => detail("DoesNotExistException", msg),
            ApiError::Conflict(msg) => detail("EntityExistsError", msg),
            ApiError::TooManyRequests(secs, msg) => {
                resp.insert_header((header::RETRY_AFTER, secs.to_string()));
                detail("TooManyRequests", msg)
            }
            ApiError::Runtime(msg) => detail("RuntimeError", msg),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                detail("RuntimeError", "Internal server error")
            }
        };
        resp.json(body)
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        use crate::db::DbError as D;
        match e {
            D::NotFound(m) => ApiError::NotFound(m),
            D::Conflict(m) => ApiError::Conflict(m),
            D::Forbidden(m) => ApiError::Forbidden(m),
            D::Invalid(m) => ApiError::BadRequest(m),
            D::Unprocessable(m) => ApiError::Unprocessable(m),
            D::Refused(m) => ApiError::Runtime(m),
            D::Filter(f) => f.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<crate::filter::FilterError> for ApiError {
    fn from(e: crate::filter::FilterError) -> Self {
        use crate::filter::FilterError as F;
        match e {
            F::Validation { loc, kind, msg, input } => {
                ApiError::validation(Issue::new(kind, &["query", &loc], msg, crate::pycompat::repr_str(&input)))
            }
            F::Invalid(msg) => ApiError::Unprocessable(msg),
            F::BadRequest(msg) => ApiError::BadRequest(msg),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}
