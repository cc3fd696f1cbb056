//! `GET /metrics`: off by default (404), behind its own bearer token when
//! `metrics_token` is set (401 without it), Prometheus text counting the
//! requests by route pattern and status.

use crate::helpers::*;
use serde_json::json;

const TOKEN: &str = "scrape-token-0123456789";

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = app.client.get(format!("{}/metrics", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    (status, kind, resp.text().await.unwrap())
}

#[actix_web::test]
async fn metrics_are_off_by_default() {
    let app = spawn_app().await;
    let (status, _, body) = scrape(&app, None).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({"detail": "Not Found"}).to_string());
    // Not even the session token of an admin opens it.
    let (status, _, _) = scrape(&app, Some(&app.token)).await;
    assert_eq!(status, 404);
    // Other methods get the 404 of any unknown path, as before /metrics existed.
    let (status, body) = app.post("/metrics", json!({})).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Not Found"})));
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = spawn_with(|s| s.metrics_token = Some(TOKEN.into())).await;
    for token in [None, Some("wrong-token-0123456789"), Some(app.token.as_str())] {
        let (status, _, body) = scrape(&app, token).await;
        assert_eq!(status, 401, "{token:?}: {body}");
        assert!(body.contains("Not authenticated"), "{body}");
    }
    for _ in 0..3 {
        let (status, _) = app.get("/health").await;
        assert_eq!(status, 200);
    }
    app.create("counted", json!({})).await;
    let (status, _) = app.get("/api/v1/artifact_versions/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/no/such/path/42").await;
    assert_eq!(status, 404);

    let (status, kind, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(kind.as_deref(), Some("text/plain; version=0.0.4; charset=utf-8"));
    for line in [
        r#"trove_http_requests_total{method="GET",route="/health",status="200"} 3"#,
        r#"trove_http_requests_total{method="POST",route="/api/v1/artifact_versions",status="200"} 1"#,
        r#"trove_http_requests_total{method="GET",route="/api/v1/artifact_versions/{artifact_version_id}",status="404"} 1"#,
        r#"trove_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"trove_http_requests_total{method="GET",route="/metrics",status="401"} 3"#,
        r#"trove_http_request_duration_seconds_count{method="GET",route="/health"} 3"#,
        r#"trove_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"} 3"#,
        "trove_db_writer_queue_depth 0",
        r#"trove_build_info{version=""#,
    ] {
        assert!(text.lines().any(|l| l.starts_with(line)), "no {line} in:\n{text}");
    }
    let value = |name: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} in:\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("trove_db_write_group_size_count ") >= 1.0, "{text}");
    assert!(value("trove_db_write_duration_seconds_count ") >= 1.0, "{text}");
    assert!(value("trove_db_pool_wait_seconds_count ") >= 1.0, "{text}");
    assert!(value(r#"trove_db_size_bytes{file="db"}"#) > 0.0, "{text}");
    // The path of an unmatched request is not a label.
    assert!(!text.contains("/no/such/path"), "{text}");
    // Every line is a comment or `name{labels} value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, v) = line.rsplit_once(' ').unwrap();
        assert!(v.parse::<f64>().is_ok(), "{line}");
    }
}
