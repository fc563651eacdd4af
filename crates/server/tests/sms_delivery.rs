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

fn services_with(store: Arc<dyn domain::store::Store>, clock: Arc<FakeClock>) -> Arc<Services> {
    Arc::new(Services {
        store,
        hasher: Arc::new(Argon2Pool::new(domain::password_hash::HashParams { m_kib: 64, t: 1, p: 1 }, 1)),
        clock,
        vault: Arc::new(Vault::new(&[3u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    })
}

async fn queue(services: &Services, mobile: &str, code: &str) {
    let msg = SmsMessage::new(
        &MacauMobile::parse("m", mobile).unwrap(),
        SmsTemplate::ActivationCode,
        vec![("code", code.into()), ("entity_number", "10000012".into())],
    );
    let mut tx = services.store.write().await.unwrap();
    sms::enqueue(tx.as_mut(), &services.vault, services.clock.now(), &msg).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_to_one_number_arrive_in_the_order_queued_even_when_retries_back_off() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("s.db").display())).await.unwrap();
    let clock = Arc::new(FakeClock::new(Timestamp(1_790_000_000_000_000)));
    let services = services_with(store.clone(), clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let gw =
        Arc::new(Gateway { mode: Mutex::new(Mode::Fail500), calls: AtomicUsize::new(0), accepted: Mutex::new(vec![]) });
    start_gateway(listener, gw.clone()).await;
    let worker = SmsWorker::new(
        services.clone(),
        SmsSink::Webhook(format!("http://{addr}/sms")),
        Arc::new(tokio::sync::Notify::new()),
    )
    .with_timeout(Duration::from_millis(300));

    // The first message to X fails five times: its next try is half a minute away.
    queue(&services, "66999001", "XFIRST-1").await;
    for backoff in [2, 4, 8, 16, 1] {
        assert_eq!(worker.deliver_due().await.unwrap(), 1);
        clock.advance_secs(backoff);
    }
    // The gateway is back. A message to Y goes at once; the second to X waits for the first.
    *gw.mode.lock().unwrap() = Mode::Accept;
    queue(&services, "66999002", "YONLY-1").await;
    queue(&services, "66999001", "XSECOND-1").await;
    for _ in 0..4 {
        worker.deliver_due().await.unwrap();
        clock.advance_secs(5);
    }
    let codes = |gw: &Gateway| -> Vec<String> {
        gw.accepted.lock().unwrap().iter().map(|m| m["params"]["code"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(codes(&gw), vec!["YONLY-1"], "the second message to X did not overtake the first");
    clock.advance_secs(60);
    worker.deliver_due().await.unwrap();
    clock.advance_secs(5);
    worker.deliver_due().await.unwrap();
    assert_eq!(codes(&gw), vec!["YONLY-1", "XFIRST-1", "XSECOND-1"]);
    assert_eq!(store.read().await.unwrap().sms_backlog().await.unwrap().0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_restarted_after_a_crash_takes_back_its_leases_and_writes_no_message_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("s.db").display())).await.unwrap();
    let clock = Arc::new(FakeClock::new(Timestamp(1_790_000_000_000_000)));
    let services = services_with(store.clone(), clock.clone());
    let file = dir.path().join("sms.jsonl");
    queue(&services, "66999001", "WRITTEN-1").await;
    queue(&services, "66999002", "NOTYET-1").await;

    // The node leases both and dies after writing the first line, before recording it.
    let now = clock.now();
    let leased =
        store.read().await.unwrap().lease_sms(now, now.plus_secs(600), "host/127.0.0.1:8080", 10).await.unwrap();
    assert_eq!(leased.len(), 2);
    let first = SmsMessage::open(&services.vault, &leased[0].payload_sealed).unwrap();
    let line = server::sms_worker::sink_json(leased[0].id, &first, &now.rfc3339());
    std::fs::write(&file, format!("{line}\n")).unwrap();

    // Another node's identity finds nothing to deliver: the leases still hold.
    let other = SmsWorker::new(services.clone(), SmsSink::File(file.clone()), Arc::new(tokio::sync::Notify::new()))
        .with_node_id("host/127.0.0.1:8081");
    assert_eq!(other.take_back_leases().await.unwrap(), 0);
    assert_eq!(other.deliver_due().await.unwrap(), 0);
    // The same node restarted takes them back at once and writes each message once.
    let restarted = SmsWorker::new(services.clone(), SmsSink::File(file.clone()), Arc::new(tokio::sync::Notify::new()))
        .with_node_id("host/127.0.0.1:8080");
    assert_eq!(restarted.take_back_leases().await.unwrap(), 2);
    assert_eq!(restarted.deliver_due().await.unwrap(), 2);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let codes: Vec<&str> = lines.iter().map(|m| m["params"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["WRITTEN-1", "NOTYET-1"], "each message once");
    assert_eq!(lines[0]["id"], format!("sms-{}", leased[0].id));
    assert_eq!(store.read().await.unwrap().sms_backlog().await.unwrap().0, 0);
}
