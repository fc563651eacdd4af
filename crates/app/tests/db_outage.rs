//! Database outage (issue 7, point 4), PostgreSQL: the server reaches its database through a
//! TCP path the test cuts and restores under load (every connection reset, new ones refused:
//! what a stopped PostgreSQL looks like from the server). While it is down requests fail fast
//! with `503` problems, never `500` (past the first requests, which wait out the pool's 5 s
//! acquire timeout, in milliseconds: the store's breaker), and `/readyz` says not ready; when it is back the service
//! recovers by itself; nothing is half-written (every staff login the API confirmed exists,
//! every login is whole, the audit chain verifies). `EA_DB_OUTAGE_SECS` sets how long the
//! outage lasts (default 10 s).

mod support;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP forwarder to PostgreSQL that can be cut (`down`) and restored (`up`) on the same port.
struct CuttablePath {
    port: u16,
    target: String,
    task: Option<JoinHandle<()>>,
    tunnels: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl CuttablePath {
    async fn new(target: String) -> CuttablePath {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut p = CuttablePath { port, target, task: None, tunnels: Arc::new(Mutex::new(vec![])) };
        p.up().await;
        p
    }

    async fn up(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let (target, tunnels) = (self.target.clone(), self.tunnels.clone());
        self.task = Some(tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { continue };
                let target = target.clone();
                let tunnel = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tunnels.lock().unwrap().push(tunnel);
            }
        }));
    }

    /// New connections are refused and open ones are cut.
    fn down(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        for t in self.tunnels.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unavailable: AtomicU64,
    other: Mutex<Vec<String>>,
    /// The slowest 503 answered while the path was down, once the requests that were already
    /// waiting for a connection when it went (at most the pool's 5 s acquire timeout) are out.
    slowest_503_ms: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_fails_fast_with_503_and_recovers_by_itself() {
    let Some(mut s) = Server::start(Backend::Postgres).await else { return };
    let op = s.operator_token().await;
    let (_, entity) =
        s.approve(&op, application("OUTAGE-1", "+85366400000", &[("Admin", "passport", "O4000001", "66400001")])).await;
    s.activate("entity_number", &entity, "+85366400001", "admin").await;

    // Route the server's connections through the cuttable path.
    s.stop();
    let direct = s.database_url.clone();
    let (hostport, rest) = direct.split_once("@").unwrap().1.split_once('/').unwrap();
    let mut path = CuttablePath::new(hostport.to_string()).await;
    s.database_url = direct.replace(&format!("@{hostport}/"), &format!("@127.0.0.1:{}/", path.port));
    assert!(s.database_url.ends_with(rest));
    s.spawn().await;
    let (admin, _) = s.login(&entity, "admin").await;
    let readyz = format!("{}/readyz", s.base);

    let outage_secs: u64 = std::env::var("EA_DB_OUTAGE_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let tally = Arc::new(Tally::default());
    let down = Arc::new(AtomicBool::new(false));
    let down_since = Arc::new(Mutex::new(None::<Instant>));
    let stop = Arc::new(AtomicBool::new(false));
    let confirmed = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = vec![];
    for worker in 0..4u32 {
        let (http, base, admin, entity) = (s.http.clone(), s.base.clone(), admin.clone(), entity.clone());
        let (tally, stop, down, down_since, confirmed) =
            (tally.clone(), stop.clone(), down.clone(), down_since.clone(), confirmed.clone());
        load.push(tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                // Half reads, half writes (a staff login: a transaction with its audit record and SMS).
                let started = Instant::now();
                let res = if i.is_multiple_of(2) {
                    http.get(format!("{base}/api/v1/me")).bearer_auth(&admin).send().await
                } else {
                    let body = json!({"name": format!("Staff {worker}-{i}"),
                        "id_document": {"type": "passport", "number": format!("Q{worker}{i:06}")},
                        "mobile": format!("6{worker}{i:06}")});
                    http.post(format!("{base}/api/v1/entities/{entity}/logins"))
                        .bearer_auth(&admin)
                        .json(&body)
                        .send()
                        .await
                };
                let Ok(res) = res else { continue };
                let status = res.status().as_u16();
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                match status {
                    200 | 201 => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                        if status == 201 {
                            confirmed.lock().unwrap().push(body["login_id"].as_str().unwrap().to_string());
                        }
                    }
                    503 => {
                        assert_eq!(body["code"], "service_unavailable", "{body}");
                        tally.unavailable.fetch_add(1, Ordering::Relaxed);
                        let since = *down_since.lock().unwrap();
                        if down.load(Ordering::Relaxed) && since.is_some_and(|t| t.elapsed() > Duration::from_secs(6)) {
                            let ms = started.elapsed().as_millis() as u64;
                            tally.slowest_503_ms.fetch_max(ms, Ordering::Relaxed);
                        }
                    }
                    _ => tally.other.lock().unwrap().push(format!("{status} {body}")),
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let ok_before = tally.ok.load(Ordering::Relaxed);
    assert!(ok_before > 0, "the load runs");
    path.down();
    down.store(true, Ordering::Relaxed);
    *down_since.lock().unwrap() = Some(Instant::now());
    // `/readyz` says not ready within the acquire timeout, and then at once.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = s.http.get(&readyz).send().await.unwrap();
        if r.status() == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz still ready with the database gone");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(outage_secs)).await;
    let t = Instant::now();
    let r = s.http.get(&readyz).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let readyz_ms = t.elapsed().as_millis();
    let unavailable = tally.unavailable.load(Ordering::Relaxed);
    assert!(unavailable > 0, "requests were refused while the database was down");

    path.up().await;
    down.store(false, Ordering::Relaxed);
    let back = Instant::now();
    loop {
        let r = s.http.get(&readyz).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(20), "the service did not recover by itself");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_ms = back.elapsed().as_millis();
    let ok_at_recovery = tally.ok.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    assert!(tally.ok.load(Ordering::Relaxed) > ok_at_recovery, "requests succeed again after the outage");
    let other = tally.other.lock().unwrap().clone();
    assert!(other.is_empty(), "only 2xx and 503 answers, never a 500: {other:?}");
    let slowest = tally.slowest_503_ms.load(Ordering::Relaxed);
    assert!(slowest < 1_000, "a request during the outage waited {slowest} ms for its 503: not fast");
    eprintln!(
        "outage {outage_secs}s: {unavailable} requests refused with 503 (slowest once the first 6 s were out {slowest} ms, \
         /readyz {readyz_ms} ms), recovered {recovered_ms} ms after the database came back, {} answered in all",
        tally.ok.load(Ordering::Relaxed)
    );

    // Nothing half-written: every confirmed staff login exists and is whole; the chain verifies.
    let (st, list) = s.call("GET", &format!("/entities/{entity}/logins"), Some(&admin), None).await;
    assert_eq!(st, 200, "{list}");
    let listed: Vec<String> =
        list["logins"].as_array().unwrap().iter().map(|l| l["login_id"].as_str().unwrap().to_string()).collect();
    for id in confirmed.lock().unwrap().iter() {
        assert!(listed.contains(id), "confirmed staff login {id} is missing after the outage");
    }
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(&direct).await.unwrap();
    let half: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM logins l WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = l.entity_id) \
         OR (l.status = 'active' AND (l.username IS NULL OR l.password_hash IS NULL)) \
         OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target = l.id)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(half, 0, "every login is whole and was audited");
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.status.success(), "audit verify: {}", String::from_utf8_lossy(&out.stderr));
}
