//! R22: the HTTP `FaceVerifier` asks the verification service about one capture and reads
//! its answer; a failing service is "unavailable", never a match.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use domain::eid::face::FaceVerifier;
use serde_json::{json, Value};
use server::face::HttpFaceVerifier;

async fn service(answer: Option<Value>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/verify",
        post(move |Json(body): Json<Value>| {
            let log = log.clone();
            let answer = answer.clone();
            async move {
                log.lock().unwrap().push(body);
                match answer {
                    Some(a) => (axum::http::StatusCode::OK, Json(a)),
                    None => (axum::http::StatusCode::BAD_GATEWAY, Json(json!({}))),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/verify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn r22_the_http_verifier_sends_the_capture_and_reads_match_and_liveness() {
    let (url, seen) = service(Some(json!({"match": true, "live": false}))).await;
    let v = HttpFaceVerifier::new(&url);
    let m = v.verify("cap-123", "1234567(8)").await.unwrap();
    assert!(m.matched && !m.live, "a match of a photo is not live");
    let body = seen.lock().unwrap()[0].clone();
    assert_eq!(body, json!({"capture_ref": "cap-123", "id_document_number": "1234567(8)"}));

    let (url, _) = service(None).await;
    assert!(HttpFaceVerifier::new(&url).verify("cap", "n").await.is_err(), "a failing service is no answer");
    let unknown = HttpFaceVerifier::new(&format!("{url}/unknown")).verify("cap", "n").await.unwrap();
    assert!(!unknown.matched, "a capture the service refuses (404) is a failed try, not a free one");
    assert!(HttpFaceVerifier::new("http://127.0.0.1:9/none").verify("cap", "n").await.is_err());
}
