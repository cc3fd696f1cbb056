//! Request parsing shared by the handlers: raw query pairs, JSON bodies,
//! UUID path parameters and booleans, each failing with ZenML's 422 shape A;
//! [`Hydrate`] and [`PathId`] are the same as extractors; [`Body`] reads a
//! body within the size and time limits.

use crate::error::{ApiError, Issue};
use crate::models::validate::Invalid;
use crate::models::Id;
use crate::pycompat::repr_str;
use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde_json::Value;
use std::future::{ready, Ready};

/// Query parameters in request order (repeated keys kept).
pub fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(req.query_string()).map_err(|e| {
        ApiError::validation(Issue::new("query_parsing", &["query"], e.to_string(), repr_str(req.query_string())))
    })
}

/// The last value of a single-valued query parameter.
pub fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A FastAPI `bool` query value (pydantic's lax bool, surrounding
/// whitespace ignored).
pub fn parse_bool(s: &str) -> Option<bool> {
    crate::pycompat::lax_bool(s.trim())
}

/// A boolean query parameter with its default.
pub fn bool_param(pairs: &[(String, String)], name: &str, default: bool) -> Result<bool, ApiError> {
    match last(pairs, name) {
        None => Ok(default),
        Some(v) => parse_bool(v).ok_or_else(|| {
            ApiError::validation(Issue::new(
                "bool_parsing",
                &["query", name],
                "Input should be a valid boolean, unable to interpret input",
                repr_str(v),
            ))
        }),
    }
}

/// A UUID path parameter (any form the reference accepts).
pub fn path_uuid(raw: &str, name: &str) -> Result<Id, ApiError> {
    Id::parse(raw).ok_or_else(|| {
        ApiError::validation(Issue::new(
            "uuid_parsing",
            &["path", name],
            "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]",
            repr_str(raw),
        ))
    })
}

/// A JSON request body, whatever the content type says.
pub fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError::validation(Issue::new("json_invalid", &["body", "0"], "JSON decode error", "''")))
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        match e {
            Invalid::Schema(issues) => ApiError::Validation(issues),
            Invalid::Value(m) => ApiError::Unprocessable(m),
            Invalid::Rule(m) => ApiError::BadRequest(m),
        }
    }
}

/// The request body, read whole within `max_body_mb` (413) and
/// `request_body_timeout_seconds` (408), both answered in shape B.
pub struct Body(pub Bytes);

impl FromRequest for Body {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let settings = req.app_data::<actix_web::web::Data<crate::state::AppState>>().map(|s| s.settings.clone());
        let (limit, timeout) = settings.map_or((0, 0), |s| (s.max_body_mb, s.request_body_timeout_seconds));
        let read = Bytes::from_request(req, payload);
        Box::pin(async move {
            let read =
                match timeout {
                    0 => read.await,
                    secs => actix_web::rt::time::timeout(std::time::Duration::from_secs(secs), read).await.map_err(
                        |_| ApiError::RequestTimeout(format!("The request body did not arrive within {secs} seconds.")),
                    )?,
                };
            read.map(Body).map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                Some(actix_web::error::PayloadError::Overflow) => {
                    ApiError::PayloadTooLarge(format!("The request body is larger than {limit} MiB (max_body_mb)."))
                }
                _ => ApiError::BadRequest(format!("Invalid request body: {e}")),
            })
        })
    }
}

/// The `hydrate` query parameter of a get (default `true`), as an extractor.
pub struct Hydrate(pub bool);

impl FromRequest for Hydrate {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_pairs(req).and_then(|pairs| bool_param(&pairs, "hydrate", true)).map(Hydrate))
    }
}

/// The route's one UUID path segment (its name is the error's `loc`), as an
/// extractor; put it before [`Hydrate`] so its error comes first.
pub struct PathId(pub Id);

impl FromRequest for PathId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let segment = req.match_info().iter().next();
        ready(match segment {
            Some((name, raw)) => path_uuid(raw, name).map(PathId),
            None => Err(ApiError::Internal("PathId on a route without a path segment".into())),
        })
    }
}
