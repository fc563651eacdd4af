//! Admission control on the password-hash pool (issue 6): when the pool is saturated a
//! sign-in is answered at once with 503 and `Retry-After`, on the API and on the page, and
//! nothing is counted against the login or its source.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::credentials::Password;
use domain::crypto::Vault;
use domain::password_hash::{Busy, PasswordHasher};
use domain::Services;
use http_body_util::BodyExt;
use server::AppState;
use tower::ServiceExt;

/// A pool that is always full.
struct Saturated;

#[async_trait::async_trait]
impl PasswordHasher for Saturated {
    async fn hash(&self, _: Password) -> Result<String, Busy> {
        Err(Busy { retry_after_secs: 1 })
    }
    async fn verify(&self, _: Password, _: String) -> Result<bool, Busy> {
        Err(Busy { retry_after_secs: 1 })
    }
    async fn verify_dummy(&self, _: Password) -> Result<(), Busy> {
        Err(Busy { retry_after_secs: 1 })
    }
}

async fn router() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("a.db").display())).await.unwrap();
    let services = Arc::new(Services {
        store,
        hasher: Arc::new(Saturated),
        clock: Arc::new(SystemClock),
        vault: Arc::new(Vault::new(&[7u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    (server::router(AppState::new(services)), dir)
}

#[tokio::test]
async fn a_saturated_hash_pool_answers_503_with_retry_after_at_once() {
    let (app, _d) = router().await;
    let body = r#"{"entity_number":"10000012","username":"someone","password":"a long enough pass phrase"}"#;
    // More tries than the free failures of a login and of a source (R13).
    let tries = Policy::default().source_free_failures + 5;
    for _ in 0..tries {
        let req = Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
        let json: serde_json::Value =
            serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(json["code"], "busy", "{json}");
    }
    // Refusals for capacity are not failures: after all those tries the answer is still
    // 503, never the throttle's 429.
}
