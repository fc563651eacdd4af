//! R13, R26: the client address that throttling and the audit log use is the TCP peer,
//! unless the peer is a trusted load balancer — then the right-most untrusted hop of
//! `X-Forwarded-For`. Anyone else's header is ignored.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::crypto::Vault;
use domain::password_hash::HashParams;
use domain::Services;
use server::hashing::Argon2Pool;
use server::AppState;
use tower::ServiceExt;

async fn source_recorded(trusted: Vec<std::net::IpAddr>, peer: &str, forwarded: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("a.db").display())).await.unwrap();
    let services = Arc::new(Services {
        store: store.clone(),
        hasher: Arc::new(Argon2Pool::new(HashParams { m_kib: 64, t: 1, p: 1 }, 1)),
        clock: Arc::new(SystemClock),
        vault: Arc::new(Vault::new(&[9u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    let app = server::router(AppState::new(services).with_trusted_proxies(trusted));
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/v1/login")
        .header("content-type", "application/json")
        .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let body = r#"{"entity_number": "10000012", "username": "nobody", "password": "wrong password"}"#;
    let res = app.oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    assert_eq!(res.status(), 401);
    let rows = store.read().await.unwrap().list_audit(None, 0, 10).await.unwrap();
    rows.last().expect("the failed login is audited").source.clone()
}

#[tokio::test]
async fn r13_client_address_is_the_peer_unless_a_trusted_proxy_forwards() {
    let lb: std::net::IpAddr = "10.0.0.5".parse().unwrap();
    // No trusted proxy: the header is ignored.
    assert_eq!(source_recorded(vec![], "198.51.100.7:4000", Some("203.0.113.9")).await, "198.51.100.7");
    // A trusted proxy: the client it names.
    assert_eq!(source_recorded(vec![lb], "10.0.0.5:4000", Some("203.0.113.9")).await, "203.0.113.9");
    // A client forging an extra hop in front gains nothing: the right-most untrusted hop counts.
    assert_eq!(source_recorded(vec![lb], "10.0.0.5:4000", Some("1.2.3.4, 203.0.113.9")).await, "203.0.113.9");
    // An untrusted peer sending the header is itself the client.
    assert_eq!(source_recorded(vec![lb], "198.51.100.7:4000", Some("203.0.113.9")).await, "198.51.100.7");
}
