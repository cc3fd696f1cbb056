//! Request helpers shared by the listing tests.

use crate::helpers::*;
use chrono::{NaiveDateTime, Timelike};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Percent-encode everything but the unreserved characters.
pub(super) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn qs(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// GET /artifact_versions with the given (encoded) query pairs.
pub(super) async fn list(app: &TestApp, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/artifact_versions?{}", qs(pairs))).await
}

/// Version strings of the page (asserting 200).
pub(super) async fn versions(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    app.list_versions(&qs(pairs)).await.into_iter().map(|(_, v)| v).collect()
}

/// Artifact names of the page (asserting 200).
pub(super) async fn artifacts(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    app.list_versions(&qs(pairs)).await.into_iter().map(|(a, _)| a).collect()
}

/// Item ids of the page (asserting 200).
pub(super) async fn ids(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    let (status, page) = list(app, pairs).await;
    assert_eq!(status, 200, "{pairs:?} → {page}");
    page["items"].as_array().unwrap().iter().map(id).collect()
}

pub(super) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

pub(super) fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// The request must fail with `status` and a shape-B `ValueError`; returns the message.
pub(super) async fn shape_b(app: &TestApp, pairs: &[(&str, &str)], status: u16) -> String {
    let (got, body) = list(app, pairs).await;
    assert_eq!(got.as_u16(), status, "{pairs:?} → {body}");
    assert_eq!(error_name(&body), "ValueError", "{pairs:?} → {body}");
    body["detail"][1].as_str().unwrap_or_default().to_string()
}

/// The request must fail with 422 shape A (a bare `["ValueError", …]` list).
pub(super) async fn shape_a(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let (got, body) = list(app, pairs).await;
    assert_eq!(got, 422, "{pairs:?} → {body}");
    assert_eq!(body[0], "ValueError", "{pairs:?} → {body}");
    body[1].as_str().unwrap_or_default().to_string()
}

/// A response timestamp (`2026-11-28T09:54:26.081951`) truncated to the second.
pub(super) fn second_of(v: &Value, field: &str) -> NaiveDateTime {
    let text = v["body"][field].as_str().unwrap();
    let dt = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    dt.with_nanosecond(0).unwrap()
}

pub(super) fn fmt(dt: NaiveDateTime) -> String {
    dt.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub(super) async fn create_project(app: &TestApp, name: &str) -> String {
    let (status, body) = app.post("/api/v1/projects", json!({ "name": name })).await;
    assert_eq!(status, 200, "{body}");
    id(&body)
}
