//! The SMS outbox worker against a real webhook: a gateway that refuses connections,
//! answers 500, or hangs past the timeout is retried with backoff until it takes the
//! message, and each message is delivered once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use domain::clock::{Clock, FakeClock, Timestamp};
use domain::config::Policy;
use domain::crypto::Vault;
use domain::identity::MacauMobile;
use domain::sms::{self, SmsMessage, SmsTemplate};
use domain::Services;
use server::hashing::Argon2Pool;
use server::sms_worker::{SmsSink, SmsWorker};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Fail500,
    Hang,
    Accept,
}

struct Gateway {
    mode: Mutex<Mode>,
    calls: AtomicUsize,
    accepted: Mutex<Vec<serde_json::Value>>,
}

async fn start_gateway(listener: tokio::net::TcpListener, gw: Arc<Gateway>) {
    let app = Router::new().route(
        "/sms",
        post(move |Json(body): Json<serde_json::Value>| {
            let gw = gw.clone();
            async move {
                gw.calls.fetch_add(1, Ordering::SeqCst);
                let mode = *gw.mode.lock().unwrap();
                match mode {
                    Mode::Fail500 => StatusCode::INTERNAL_SERVER_ERROR,
                    Mode::Hang => {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        StatusCode::OK
                    }
                    Mode::Accept => {
                        gw.accepted.lock().unwrap().push(body);
                        StatusCode::OK
                    }
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_webhook_is_retried_until_it_succeeds_and_delivers_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("s.db").display())).await.unwrap();
    let clock = Arc::new(FakeClock::new(Timestamp(1_790_000_000_000_000)));
    let services = Arc::new(Services {
        store: store.clone(),
        hasher: Arc::new(Argon2Pool::new(domain::password_hash::HashParams { m_kib: 64, t: 1, p: 1 }, 1)),
        clock: clock.clone(),
        vault: Arc::new(Vault::new(&[3u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    let mobile = MacauMobile::parse("m", "66999001").unwrap();
    let mut tx = store.write().await.unwrap();
    for code in ["AAAAA-11111", "BBBBB-22222"] {
        let msg = SmsMessage::new(
            &mobile,
            SmsTemplate::ActivationCode,
            vec![("code", code.into()), ("entity_number", "10000012".into())],
        );
        sms::enqueue(tx.as_mut(), &services.vault, clock.now(), &msg).await.unwrap();
    }
    tx.commit().await.unwrap();

    // The gateway's port is reserved but nothing listens yet: connections are refused.
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    drop(std_listener);
    let worker = SmsWorker::new(
        services.clone(),
        SmsSink::Webhook(format!("http://{addr}/sms")),
        Arc::new(tokio::sync::Notify::new()),
    )
    .with_timeout(Duration::from_millis(300));

    assert_eq!(worker.deliver_due().await.unwrap(), 2, "both leased, both refused");
    assert_eq!(worker.deliver_due().await.unwrap(), 0, "backoff: not due again yet");
    let (pending, _) = store.read().await.unwrap().sms_backlog().await.unwrap();
    assert_eq!(pending, 2);

    let gw =
        Arc::new(Gateway { mode: Mutex::new(Mode::Fail500), calls: AtomicUsize::new(0), accepted: Mutex::new(vec![]) });
    start_gateway(tokio::net::TcpListener::bind(addr).await.unwrap(), gw.clone()).await;
    for mode in [Mode::Fail500, Mode::Hang] {
        *gw.mode.lock().unwrap() = mode;
        clock.advance_secs(600);
        assert_eq!(worker.deliver_due().await.unwrap(), 2);
        assert!(gw.accepted.lock().unwrap().is_empty());
    }
    *gw.mode.lock().unwrap() = Mode::Accept;
    clock.advance_secs(600);
    assert_eq!(worker.deliver_due().await.unwrap(), 2);
    for _ in 0..3 {
        clock.advance_secs(600);
        assert_eq!(worker.deliver_due().await.unwrap(), 0, "a delivered message is never sent again");
    }
    let accepted = gw.accepted.lock().unwrap().clone();
    let codes: Vec<&str> = accepted.iter().map(|m| m["params"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["AAAAA-11111", "BBBBB-22222"], "each once, in order");
    assert_eq!(accepted[0]["to"], "+85366999001");
    assert_eq!(accepted[0]["template"], "activation_code");
    assert!(accepted[0]["body"].as_str().unwrap().contains("AAAAA-11111"));
    assert!(accepted[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(store.read().await.unwrap().sms_backlog().await.unwrap().0, 0);
}
