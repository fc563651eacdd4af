//! Error bodies through the router (`oneshot`, no network), pinned with snapshots: the
//! problem documents clients see are part of the contract.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::crypto::Vault;
use domain::password_hash::HashParams;
use domain::Services;
use http_body_util::BodyExt;
use server::hashing::Argon2Pool;
use server::AppState;
use tower::ServiceExt;

async fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("p.db").display())).await.unwrap();
    let services = Arc::new(Services {
        store,
        hasher: Arc::new(Argon2Pool::new(HashParams { m_kib: 64, t: 1, p: 1 }, 1)),
        clock: Arc::new(SystemClock),
        vault: Arc::new(Vault::new(&[5u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    (server::router(AppState::new(services)), dir)
}

async fn send(app: &axum::Router, method: &str, uri: &str, body: &str) -> (StatusCode, String, serde_json::Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, ct, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn problem_documents_are_stable() {
    let (app, _dir) = app().await;
    let (st, ct, body) = send(&app, "POST", "/api/v1/login", r#"{"entity_number": "12345678", "username": "u"}"#).await;
    assert_eq!((st, ct.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json"));
    insta::assert_json_snapshot!("missing_field", body);

    let (st, _, body) =
        send(&app, "POST", "/api/v1/login", r#"{"entity_number": "12345670", "username": "u", "password": "p"}"#).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    insta::assert_json_snapshot!("bad_check_digit", body);

    let (st, _, body) = send(&app, "GET", "/api/v1/me", "").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("unauthenticated", body);

    let (st, _, body) = send(&app, "POST", "/api/v1/login", "{").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("malformed_json", body);
}
