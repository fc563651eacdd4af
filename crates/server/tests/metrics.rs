//! `/metrics` (issue 6): requests and latency by route template (never by raw path), the
//! password-hash pool's figures, and the SMS outbox backlog, in the Prometheus text format.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::crypto::Vault;
use domain::password_hash::HashParams;
use domain::Services;
use http_body_util::BodyExt;
use server::hashing::Argon2Pool;
use server::AppState;
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_report_the_pool_and_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("m.db").display())).await.unwrap();
    let pool = Arc::new(Argon2Pool::new(HashParams { m_kib: 64, t: 1, p: 1 }, 1));
    let services = Arc::new(Services {
        store,
        hasher: pool.clone(),
        clock: Arc::new(SystemClock),
        vault: Arc::new(Vault::new(&[8u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    let app = server::router(AppState::new(services).with_hash_pool(pool));

    send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    send(&app, Request::get("/api/v1/entities/10000012/logins").body(Body::empty()).unwrap()).await;
    send(&app, Request::get("/api/v1/entities/10000020/logins").body(Body::empty()).unwrap()).await;
    let login = r#"{"entity_number":"10000012","username":"someone","password":"a long enough pass phrase"}"#;
    let req = Request::post("/api/v1/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(login));
    assert_eq!(send(&app, req.unwrap()).await.0, StatusCode::UNAUTHORIZED);

    let (status, text) = send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains(r#"ea_http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{text}");
    // Two entity numbers, one series: the route's template, not the path.
    let template =
        r#"ea_http_requests_total{method="GET",route="/api/v1/entities/{entity_number}/logins",status="401"} 2"#;
    assert!(text.contains(template), "{text}");
    assert!(!text.contains("10000012"), "no path values in labels");
    assert!(
        text.contains(r#"ea_http_request_duration_seconds_count{method="POST",route="/api/v1/login"} 1"#),
        "{text}"
    );
    // The failed sign-in hashed once (the dummy hash for an unknown entity).
    assert!(text.contains("ea_hash_pool_admitted_total 1"), "{text}");
    assert!(text.contains("ea_hash_pool_refused_total 0"), "{text}");
    assert!(text.contains("ea_hash_pool_waiting 0"), "{text}");
    assert!(text.contains("ea_sms_outbox_backlog 0"), "{text}");
    assert!(text.contains("ea_sms_outbox_oldest_age_seconds 0"), "{text}");
    // The database pool: its limit, and connections by state.
    assert!(text.contains("ea_db_pool_max_connections "), "{text}");
    assert!(text.contains(r#"ea_db_pool_connections{state="idle"}"#), "{text}");
    assert!(text.contains(r#"ea_db_pool_connections{state="in_use"}"#), "{text}");
}
