//! SMS gateway outage (issue 7, point 3), end to end: the server's webhook sink points at a
//! gateway that is down while applications are approved and codes re-sent; `/metrics` shows the
//! backlog and its age growing; when the gateway comes back every message is delivered once,
//! in the order queued for each number (so the last code a person receives is the one that
//! works), and each code message says until when (Macau time) it is valid, so one delivered
//! late says plainly when it expired. `EA_SMS_OUTAGE_SECS` sets the outage (default 4 s; the
//! issue's "minutes": `EA_SMS_OUTAGE_SECS=180`, then delivery follows within the 60 s
//! backoff cap).

mod support;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::{json, Value};
use support::*;

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

async fn metrics(s: &Server) -> String {
    s.http.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap()
}

type Received = Arc<Mutex<Vec<(String, Value)>>>;

async fn start_gateway(port: u16, received: Received) {
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
            let received = received.clone();
            async move {
                let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                received.lock().unwrap().push((key, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

async fn outage(backend: Backend) {
    let gateway_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sink = format!("webhook:http://127.0.0.1:{gateway_port}/sms");
    let Some(s) = Server::start_with(backend, &["--sms-sink", &sink]).await else { return };
    let op = s.operator_token().await;

    // Three entities, each with an administrator; the first administrator asks twice more.
    let mut admins = vec![];
    for i in 0..3 {
        let admin_mobile = format!("6650000{i}");
        let app = application(
            &format!("OUTAGE-SMS-{i}"),
            &format!("+8536651000{i}"),
            &[("Admin", "passport", &format!("S500000{i}"), &admin_mobile)],
        );
        let (_, entity) = s.approve(&op, app).await;
        admins.push((entity, format!("+853{admin_mobile}")));
    }
    let (first_entity, first_mobile) = admins[0].clone();
    for _ in 0..2 {
        let (st, b) = s
            .call(
                "POST",
                "/activation-codes/resend",
                None,
                Some(json!({"entity_number": first_entity, "id_document_number": "S5000000", "mobile": "66500000"})),
            )
            .await;
        assert_eq!(st, 202, "{b}");
    }
    let queued = 3 * 2 + 2;

    let outage_secs: u64 = std::env::var("EA_SMS_OUTAGE_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    tokio::time::sleep(Duration::from_secs(outage_secs)).await;
    let m = metrics(&s).await;
    assert_eq!(metric(&m, "ea_sms_outbox_backlog"), queued as f64, "every message waits while the gateway is down");
    let age = metric(&m, "ea_sms_outbox_oldest_age_seconds");
    assert!(age >= outage_secs as f64 - 1.0, "the outbox age shows the outage: {age}");

    let received: Received = Arc::default();
    start_gateway(gateway_port, received.clone()).await;
    let back = Instant::now();
    loop {
        if metric(&metrics(&s).await, "ea_sms_outbox_backlog") == 0.0 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(90), "the backlog did not drain after the gateway came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = back.elapsed();
    let received = received.lock().unwrap().clone();

    // Once each, under the key it carries.
    assert_eq!(received.len(), queued, "{received:?}");
    let mut ids: Vec<i64> = vec![];
    for (key, body) in &received {
        assert_eq!(Some(key.as_str()), body["id"].as_str(), "the Idempotency-Key is the message's id");
        ids.push(key.trim_start_matches("sms-").parse().unwrap());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), queued, "no message twice: {ids:?}");
    // In the order queued, for each number.
    let mut per_number: HashMap<String, Vec<i64>> = HashMap::new();
    for ((_, body), id) in received.iter().zip(&ids) {
        per_number.entry(body["to"].as_str().unwrap().to_string()).or_default().push(*id);
    }
    for (to, ids) in &per_number {
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "messages to {to} out of order: {ids:?}");
    }
    assert_eq!(per_number[&first_mobile].len(), 3);
    // Each code message says until when it is valid.
    for (_, body) in &received {
        let text = body["body"].as_str().unwrap();
        assert!(text.contains("Macau time") && text.contains("until"), "{text}");
    }
    // The last code the person received is the one that works.
    let codes: Vec<&str> = received
        .iter()
        .filter(|(_, b)| b["to"] == first_mobile.as_str())
        .map(|(_, b)| b["params"]["code"].as_str().unwrap())
        .collect();
    let activate = |code: &str| json!({"entity_number": first_entity, "activation_code": code, "username": "admin", "password": PASSWORD});
    let (st, _) = s.call("POST", "/activate", None, Some(activate(codes[0]))).await;
    assert_ne!(st, 200, "an earlier, replaced code does not activate");
    let (st, b) = s.call("POST", "/activate", None, Some(activate(codes[2]))).await;
    assert_eq!(st, 200, "{b}");
    eprintln!(
        "{backend:?}: gateway down {outage_secs}s with {queued} messages queued; all delivered once, in order per number, \
         {drained:?} after it came back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_outage_delivers_every_message_once_in_order_per_number_sqlite() {
    outage(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_outage_delivers_every_message_once_in_order_per_number_postgres() {
    outage(Backend::Postgres).await;
}
