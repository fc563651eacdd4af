//! Two server nodes on one PostgreSQL at once (issue 7, point 2): both serve the same data;
//! each SMS is delivered exactly once, and in queue order per number, though both nodes'
//! workers lease from the one outbox; the failure counters and the 100-failure lock of R13
//! count every node's failures; a session revoked through one node is refused by the other on
//! its very next request (R14), and so is an ended or removed assignment at every OpenID
//! Connect endpoint (R28); and two nodes started at the same instant on a fresh database
//! migrate it once and both serve.
//!
//! PostgreSQL only: `EA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
//! CARGO_BUILD_JOBS=1 cargo test -p app --test two_nodes`. Without that URL every test is
//! skipped, unless `EA_REQUIRE_POSTGRES=1`, when they fail instead. Long run:
//! `EA_TWO_NODES_ROUNDS=20` (simultaneous starts, default 3) and `EA_TWO_NODES_APPS=100`
//! (applications whose SMS the two nodes race to deliver, default 12).

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection;
use support::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().map_or(default, |v| v.trim().parse().unwrap_or_else(|_| panic!("{name}: {v:?}")))
}

/// One node's HTTP API, with an optional client address behind the trusted proxy.
#[derive(Clone)]
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    fn of(base: &str) -> Api {
        Api { base: base.to_string(), http: reqwest::Client::new() }
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        self.call_from(None, method, path, token, body).await
    }

    async fn call_from(
        &self,
        source: Option<&str>,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        api_call(&self.http, &self.base, source, method, path, token, body).await
    }

    async fn ready(&self) -> bool {
        matches!(self.http.get(format!("{}/readyz", self.base)).send().await, Ok(r) if r.status() == 200)
    }
}

/// A second `serve` process; killed when dropped.
struct Node {
    api: Api,
    sink: PathBuf,
    child: Child,
}

impl Node {
    /// Starts `serve` from `command` (database, key and folder set) on a new port, and waits
    /// until it is ready; fails if the process exits first.
    async fn start(command: Command, sink: PathBuf, extra: &[&str]) -> Node {
        let mut node = Node::spawn(command, sink, extra);
        node.wait_ready().await;
        node
    }

    /// Starts the process without waiting (to start several at the same instant).
    fn spawn(mut command: Command, sink: PathBuf, extra: &[&str]) -> Node {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", &base])
            .arg("--sms-sink")
            .arg(format!("file:{}", sink.display()))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn entity-account serve");
        Node { api: Api::of(&base), sink, child }
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.api.ready().await {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the node at {} exited before it was ready: {status}", self.api.base);
            }
            assert!(Instant::now() < deadline, "the node at {} was not ready in 30 s", self.api.base);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Node B beside the server `s` (node A): same database, key and folder, its own SMS file.
async fn node_b(s: &Server) -> Node {
    Node::start(s.command(), s.dir.path().join("sms-b.jsonl"), &[]).await
}

const TRUSTED: [&str; 2] = ["--trusted-proxies", "127.0.0.1"];

/// Every line of the given SMS files.
fn sms_lines(sinks: &[&Path]) -> Vec<Value> {
    sinks
        .iter()
        .flat_map(|p| std::fs::read_to_string(p).unwrap_or_default().lines().map(String::from).collect::<Vec<_>>())
        .map(|l| serde_json::from_str(&l).expect("one JSON object a line"))
        .collect()
}

/// The newest `template` code sent to `mobile` by either node (by outbox id when the lines
/// carry one), waiting until at least `n` have arrived.
async fn code_from(sinks: &[&Path], mobile: &str, template: &str, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut codes: Vec<(i64, String)> = sms_lines(sinks)
            .into_iter()
            .filter(|m| m["to"] == mobile && m["template"] == template)
            .filter_map(|m| {
                let id = m["id"].as_str().and_then(|s| s.strip_prefix("sms-")).and_then(|n| n.parse().ok());
                Some((id.unwrap_or(0), m["params"]["code"].as_str()?.to_string()))
            })
            .collect();
        codes.sort_by_key(|(id, _)| *id);
        if codes.len() >= n {
            return codes.last().unwrap().1.clone();
        }
        assert!(Instant::now() < deadline, "no {template} #{n} for {mobile} in {sinks:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pg(s: &Server) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(&s.database_url).await.expect("connect")
}

async fn scalar(c: &mut sqlx::PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// An approved entity whose entity account and administrators are active, prepared through
/// both nodes in turn; returns the entity number.
async fn ready_entity(
    a: &Api,
    b: &Api,
    op: &str,
    sinks: &[&Path],
    reg: &str,
    mobile: &str,
    admins: &[(&str, &str, &str, &str)],
) -> (String, String) {
    let body = application(
        reg,
        mobile,
        &admins.iter().map(|(name, passport, mobile, _)| (*name, "passport", *passport, *mobile)).collect::<Vec<_>>(),
    );
    let (st, v) = a.call("POST", "/counter/applications", Some(op), Some(body)).await;
    assert_eq!(st, 201, "{v}");
    let app_no = v["application_number"].as_str().unwrap().to_string();
    let (st, v) = b.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(op), None).await;
    assert_eq!(st, 200, "{v}");
    let entity = v["entity_number"].as_str().unwrap().to_string();
    let code = code_from(sinks, mobile, "activation_code", 1).await;
    let body =
        json!({"application_number": app_no, "activation_code": code, "username": "account", "password": PASSWORD});
    let (st, v) = a.call("POST", "/activate", None, Some(body)).await;
    assert_eq!(st, 200, "{v}");
    for (k, (_, _, mobile, username)) in admins.iter().enumerate() {
        let code = code_from(sinks, &format!("+853{mobile}"), "activation_code", 1).await;
        let body =
            json!({"entity_number": entity, "activation_code": code, "username": username, "password": PASSWORD});
        let (st, v) = [a, b][k % 2].call("POST", "/activate", None, Some(body)).await;
        assert_eq!(st, 200, "{v}");
    }
    (entity, app_no)
}

async fn sign_in(api: &Api, entity: &str, username: &str, password: &str) -> String {
    let body = json!({"entity_number": entity, "username": username, "password": password});
    let (st, v) = api.call("POST", "/login", None, Some(body)).await;
    assert_eq!(st, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

async fn operator_token(api: &Api) -> String {
    let (st, v) = api
        .call("POST", "/counter/login", None, Some(json!({"username": OPERATOR, "password": OPERATOR_PASSWORD})))
        .await;
    assert_eq!(st, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_serve_the_same_data() {
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (Api::of(&s.base), node.api.clone());
    let sinks = [s.sms_path(), node.sink.clone()];
    let sinks: Vec<&Path> = sinks.iter().map(PathBuf::as_path).collect();

    // An operator session opened on A works on B.
    let op = operator_token(&a).await;
    let (st, v) = b.call("GET", "/counter/applications", Some(&op), None).await;
    assert_eq!(st, 200, "{v}");

    // Submitted through A, read and approved through B, read back through A.
    let body = application("TWO-1", "+85366700000", &[("Admin One", "passport", "P7000001", "66700001")]);
    let (st, v) = a.call("POST", "/counter/applications", Some(&op), Some(body)).await;
    assert_eq!(st, 201, "{v}");
    let app_no = v["application_number"].as_str().unwrap().to_string();
    let (st, v) = b.call("GET", &format!("/counter/applications/{app_no}"), Some(&op), None).await;
    assert_eq!(
        (st, v["status"].as_str(), v["entity"]["registration_number"].as_str()),
        (200, Some("submitted"), Some("TWO-1"))
    );
    let (st, v) = b.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&op), None).await;
    assert_eq!(st, 200, "{v}");
    let entity = v["entity_number"].as_str().unwrap().to_string();
    let (st, v) = a.call("GET", &format!("/counter/applications/{app_no}"), Some(&op), None).await;
    assert_eq!((st, v["status"].as_str(), v["entity_number"].as_str()), (200, Some("approved"), Some(entity.as_str())));

    // The e-service registered through A is in B's catalogue.
    let eservice = json!({"code": "two-nodes", "names": {"zh": "兩節點", "pt": "Dois nós", "en": "Two nodes"},
                          "department": "DSF", "assurance": "basic", "requires_registration": false});
    let (st, v) = a.call("POST", "/counter/eservices", Some(&op), Some(eservice)).await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = b.call("GET", "/counter/eservices", Some(&op), None).await;
    assert_eq!(st, 200, "{v}");
    assert!(v["eservices"].as_array().unwrap().iter().any(|e| e["code"] == "two-nodes"), "{v}");

    // Activated through A, signed in through B, the session used through A.
    let code = code_from(&sinks, "+85366700001", "activation_code", 1).await;
    let body = json!({"entity_number": entity, "activation_code": code, "username": "one", "password": PASSWORD});
    let (st, v) = a.call("POST", "/activate", None, Some(body)).await;
    assert_eq!(st, 200, "{v}");
    let admin = sign_in(&b, &entity, "one", PASSWORD).await;
    let (st, me) = a.call("GET", "/me", Some(&admin), None).await;
    assert_eq!((st, me["entity_number"].as_str(), me["kind"].as_str()), (200, Some(entity.as_str()), Some("admin")));

    // A staff login created through B is listed by A; assigned through A, B shows it.
    let staff =
        json!({"name": "Staff Two", "id_document": {"type": "passport", "number": "P7000002"}, "mobile": "66700002"});
    let (st, v) = b.call("POST", &format!("/entities/{entity}/logins"), Some(&admin), Some(staff)).await;
    assert_eq!(st, 201, "{v}");
    let staff_id = v["login_id"].as_str().unwrap().to_string();
    let (st, v) = a
        .call(
            "PUT",
            &format!("/entities/{entity}/logins/{staff_id}/eservices"),
            Some(&admin),
            Some(json!({"eservices": ["two-nodes"]})),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, listed) = b.call("GET", &format!("/entities/{entity}/logins"), Some(&admin), None).await;
    assert_eq!(st, 200, "{listed}");
    let row = listed["logins"].as_array().unwrap().iter().find(|l| l["login_id"] == staff_id.as_str()).cloned();
    assert_eq!(row.map(|r| r["eservices"].clone()), Some(json!(["two-nodes"])), "{listed}");

    // The counter's whole view of the entity is the same through either node.
    let (_, via_a) = a.call("GET", &format!("/counter/entities/{entity}"), Some(&op), None).await;
    let (_, via_b) = b.call("GET", &format!("/counter/entities/{entity}"), Some(&op), None).await;
    assert_eq!(via_a, via_b);
    assert_eq!(via_a["logins"].as_array().map(Vec::len), Some(3), "{via_a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_each_sms_exactly_once() {
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (Api::of(&s.base), node.api.clone());
    let op = operator_token(&a).await;
    let apps = env_number("EA_TWO_NODES_APPS", 12);

    // Applications of three administrators each, submitted, then approved through both nodes
    // at once.
    let mut numbers = Vec::new();
    for k in 0..apps {
        let m = |j: usize| format!("6{:07}", 7_100_000 + k * 4 + j);
        let admins = [("A", m(1)), ("B", m(2)), ("C", m(3))]
            .map(|(n, mobile)| (format!("Admin {n}{k}"), format!("P8{k:05}{n}"), mobile));
        let admins: Vec<(&str, &str, &str, &str)> =
            admins.iter().map(|(n, p, m)| (n.as_str(), "passport", p.as_str(), m.as_str())).collect();
        let body = application(&format!("SMS-{k}"), &format!("+853{}", m(0)), &admins);
        let (st, v) = a.call("POST", "/counter/applications", Some(&op), Some(body)).await;
        assert_eq!(st, 201, "{v}");
        numbers.push(v["application_number"].as_str().unwrap().to_string());
    }
    // Each application is approved through one node and at once its administrators' codes
    // are sent again through the other, so both messages to a number wait together and both
    // nodes' workers are awake.
    let approve_and_resend = |api: Api, other: Api, op: String, nos: Vec<String>| async move {
        for no in nos {
            let (st, v) = api.call("POST", &format!("/counter/applications/{no}/approve"), Some(&op), None).await;
            assert_eq!(st, 200, "{v}");
            let e = v["entity_number"].as_str().unwrap().to_string();
            let (_, v) = other.call("GET", &format!("/counter/entities/{e}"), Some(&op), None).await;
            for l in v["logins"].as_array().unwrap().iter().filter(|l| l["kind"] == "admin") {
                let id = l["login_id"].as_str().unwrap();
                let (st, v) = other
                    .call("POST", &format!("/counter/entities/{e}/logins/{id}/activation-code"), Some(&op), None)
                    .await;
                assert_eq!(st, 204, "{v}");
            }
        }
    };
    let (even, odd): (Vec<_>, Vec<_>) = numbers.iter().cloned().enumerate().partition(|(i, _)| i % 2 == 0);
    let (ra, rb) = tokio::join!(
        tokio::spawn(approve_and_resend(a.clone(), b.clone(), op.clone(), even.into_iter().map(|(_, n)| n).collect())),
        tokio::spawn(approve_and_resend(b.clone(), a.clone(), op.clone(), odd.into_iter().map(|(_, n)| n).collect())),
    );
    ra.unwrap();
    rb.unwrap();

    // Wait for the outbox to drain, then compare it with the union of both sinks.
    let mut db = pg(&s).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while scalar(&mut db, "SELECT COUNT(*) FROM sms_outbox WHERE delivered_at IS NULL").await > 0 {
        assert!(Instant::now() < deadline, "the outbox did not drain in 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let queued: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM sms_outbox ORDER BY id").fetch_all(&mut db).await.unwrap();
    assert_eq!(queued.len(), apps * 4 + apps * 3, "messages queued");
    let mut seen: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    let (lines_a, lines_b) = (sms_lines(&[&s.sms_path()]), sms_lines(&[&node.sink]));
    for (node, lines) in [("A", &lines_a), ("B", &lines_b)] {
        for l in lines.iter() {
            let id = l["id"].as_str().and_then(|s| s.strip_prefix("sms-")).and_then(|n| n.parse().ok());
            let id =
                id.unwrap_or_else(|| panic!("a line of node {node}'s sink has no \"id\":\"sms-<outbox id>\": {l}"));
            seen.entry(id).or_default().push(node);
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, by)| by.len() > 1).collect();
    assert!(twice.is_empty(), "delivered more than once (id, by nodes): {twice:?}");
    let missing: Vec<_> = queued.iter().filter(|id| !seen.contains_key(id)).collect();
    assert!(missing.is_empty(), "delivered (per the outbox) but in neither sink: {missing:?}");
    let unknown: Vec<_> = seen.keys().filter(|id| !queued.contains(id)).collect();
    assert!(unknown.is_empty(), "in a sink but not in the outbox: {unknown:?}");
    // Per recipient, in the order queued, though the two messages may go through different nodes.
    let rows: Vec<(Option<String>, i64, i64)> =
        sqlx::query_as("SELECT recipient_key, id, delivered_at FROM sms_outbox ORDER BY recipient_key, id")
            .fetch_all(&mut db)
            .await
            .unwrap();
    for pair in rows.windows(2) {
        let ((k1, id1, at1), (k2, id2, at2)) = (&pair[0], &pair[1]);
        assert!(k1.is_some(), "sms-{id1} has no recipient key");
        if k1 == k2 {
            assert!(at1 < at2, "sms-{id2} was delivered before sms-{id1}, queued earlier to the same number");
        }
    }
    eprintln!("two nodes delivered {} SMS exactly once: {} by A, {} by B", queued.len(), lines_a.len(), lines_b.len());
}

/// A wrong password for `holder`, from a new address each time. With `wait`, the growing
/// delay is taken as passed first: the blocked-until times are cleared, the counts kept.
async fn wrong(api: &Api, db: &mut sqlx::PgConnection, entity: &str, attempt: &mut usize, wait: bool) -> (u16, Value) {
    *attempt += 1;
    if wait {
        sqlx::query("UPDATE throttles SET blocked_until = 0").execute(db).await.unwrap();
    }
    let body = json!({"entity_number": entity, "username": "holder", "password": "a wrong pass phrase indeed"});
    let ip = format!("10.13.{}.{}", *attempt / 250, *attempt % 250 + 1);
    api.call_from(Some(&ip), "POST", "/login", None, Some(body)).await
}

/// The right password for `holder`.
async fn right(api: &Api, entity: &str, n: usize) -> (u16, Value) {
    let body = json!({"entity_number": entity, "username": "holder", "password": PASSWORD});
    api.call_from(Some(&format!("10.14.0.{n}")), "POST", "/login", None, Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r13_failure_counters_and_lock_hold_across_nodes() {
    // Behind a trusted proxy each attempt comes from its own address, so only the login's
    // own counter is at work (no per-source throttle).
    let Some(s) = Server::start_with(Backend::Postgres, &TRUSTED).await else { return };
    let node = Node::start(s.command(), s.dir.path().join("sms-b.jsonl"), &TRUSTED).await;
    let (a, b) = (Api::of(&s.base), node.api.clone());
    let sinks = [s.sms_path(), node.sink.clone()];
    let sinks: Vec<&Path> = sinks.iter().map(PathBuf::as_path).collect();
    let op = operator_token(&a).await;
    let (entity, _) =
        ready_entity(&a, &b, &op, &sinks, "LOCK-1", "+85366800000", &[("Holder", "P8000001", "66800001", "holder")])
            .await;
    let mut db = pg(&s).await;
    let mut attempt = 0usize;
    // Five free failures, then growing delays: the tenth failure (through A) makes the login
    // wait 16 s, and B refuses even the right password meanwhile.
    for k in 1..=10 {
        let (st, v) = wrong([&a, &b][k % 2], &mut db, &entity, &mut attempt, k > 5).await;
        assert_eq!((st, v["code"].as_str()), (401, Some("invalid_credentials")), "failure {k}: {v}");
    }
    let (st, v) = right(&b, &entity, 1).await;
    assert_eq!((st, v["code"].as_str()), (429, Some("too_many_attempts")), "the delay A set holds on B: {v}");

    // Up to 99 failures, half through each node: not locked yet, and the one count is the sum.
    for k in 11..=99 {
        let (st, v) = wrong([&a, &b][k % 2], &mut db, &entity, &mut attempt, true).await;
        assert_eq!((st, v["code"].as_str()), (401, Some("invalid_credentials")), "failure {k}: {v}");
    }
    let counted = scalar(&mut db, "SELECT MAX(failures) FROM throttles").await;
    assert_eq!(counted, 99, "the login's one counter holds both nodes' failures");
    assert_eq!(scalar(&mut db, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login_locked'").await, 0);

    // The hundredth failure locks the password on both nodes, even once the delay is over.
    let (st, v) = wrong(&a, &mut db, &entity, &mut attempt, true).await;
    assert_eq!((st, v["code"].as_str()), (401, Some("invalid_credentials")), "failure 100: {v}");
    sqlx::query("UPDATE throttles SET blocked_until = 0").execute(&mut db).await.unwrap();
    for (api, n) in [(&a, 2), (&b, 3)] {
        let (st, v) = right(api, &entity, n).await;
        assert_eq!((st, v["code"].as_str()), (423, Some("password_locked")), "{}: {v}", api.base);
    }
    assert_eq!(scalar(&mut db, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login_locked'").await, 1);

    // A reset asked through B and confirmed through A unlocks it for both.
    let help = json!({"entity_number": entity, "id_document_number": "P8000001", "mobile": "66800001"});
    let (st, v) = b.call_from(Some("10.15.0.1"), "POST", "/help/password-reset", None, Some(help)).await;
    assert_eq!(st, 202, "{v}");
    let code = code_from(&sinks, "+85366800001", "password_reset_code", 1).await;
    let new_password = "a brand new pass phrase once unlocked";
    let body = json!({"entity_number": entity, "username": "holder", "reset_code": code, "password": new_password});
    let (st, v) = a.call_from(Some("10.15.0.2"), "POST", "/help/password-reset/confirm", None, Some(body)).await;
    assert_eq!(st, 204, "{v}");
    sign_in(&b, &entity, "holder", new_password).await;
    sign_in(&a, &entity, "holder", new_password).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r14_session_revoked_on_one_node_is_refused_by_the_other() {
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (Api::of(&s.base), node.api.clone());
    let sinks = [s.sms_path(), node.sink.clone()];
    let sinks: Vec<&Path> = sinks.iter().map(PathBuf::as_path).collect();
    let op = operator_token(&a).await;
    let (entity, _) = ready_entity(
        &a,
        &b,
        &op,
        &sinks,
        "REVOKE-1",
        "+85366900000",
        &[("Admin Lam", "P9000001", "66900001", "lam"), ("Admin Ho", "P9000002", "66900002", "hoiman")],
    )
    .await;
    let me_status = |api: &Api, token: &str| {
        let (api, token) = (api.clone(), token.to_string());
        async move { api.call("GET", "/me", Some(&token), None).await.0 }
    };

    // Logout through A: B refuses the token.
    let lam = sign_in(&b, &entity, "lam", PASSWORD).await;
    assert_eq!(me_status(&a, &lam).await, 200);
    assert_eq!(a.call("POST", "/logout", Some(&lam), None).await.0, 204);
    assert_eq!(me_status(&b, &lam).await, 401, "logged out through A, still accepted by B");

    // Deletion through A: B refuses the deleted staff member's session.
    let lam = sign_in(&a, &entity, "lam", PASSWORD).await;
    let staff =
        json!({"name": "Staff Chan", "id_document": {"type": "passport", "number": "P9000003"}, "mobile": "66900003"});
    let (st, v) = a.call("POST", &format!("/entities/{entity}/logins"), Some(&lam), Some(staff)).await;
    assert_eq!(st, 201, "{v}");
    let staff_id = v["login_id"].as_str().unwrap().to_string();
    let code = code_from(&sinks, "+85366900003", "activation_code", 1).await;
    let body = json!({"entity_number": entity, "activation_code": code, "username": "chan", "password": PASSWORD});
    assert_eq!(b.call("POST", "/activate", None, Some(body)).await.0, 200);
    let chan = sign_in(&b, &entity, "chan", PASSWORD).await;
    assert_eq!(me_status(&b, &chan).await, 200);
    assert_eq!(a.call("DELETE", &format!("/entities/{entity}/logins/{staff_id}"), Some(&lam), None).await.0, 204);
    assert_eq!(me_status(&b, &chan).await, 401, "deleted through A, its session still accepted by B");

    // A password reset through A ends Ho's session on B.
    let ho = sign_in(&b, &entity, "hoiman", PASSWORD).await;
    assert_eq!(me_status(&b, &ho).await, 200);
    let help = json!({"entity_number": entity, "id_document_number": "P9000002", "mobile": "66900002"});
    assert_eq!(a.call("POST", "/help/password-reset", None, Some(help)).await.0, 202);
    let code = code_from(&sinks, "+85366900002", "password_reset_code", 1).await;
    let body = json!({"entity_number": entity, "username": "hoiman", "reset_code": code,
                      "password": "another long and secret pass phrase"});
    let (st, v) = a.call("POST", "/help/password-reset/confirm", None, Some(body)).await;
    assert_eq!(st, 204, "{v}");
    assert_eq!(me_status(&b, &ho).await, 401, "password reset through A, the old session still accepted by B");

    // The entity account removes Lam's administrator rights through A: B refuses Lam's session.
    let lam_b = sign_in(&b, &entity, "lam", PASSWORD).await;
    assert_eq!(me_status(&b, &lam_b).await, 200);
    let account = sign_in(&a, &entity, "account", PASSWORD).await;
    let (_, me) = a.call("GET", "/me", Some(&lam_b), None).await;
    let lam_id = me["login_id"].as_str().unwrap().to_string();
    let (st, v) =
        a.call("POST", &format!("/entities/{entity}/logins/{lam_id}/remove-admin"), Some(&account), None).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(me_status(&b, &lam_b).await, 401, "rights removed through A, the session still accepted by B");
    assert_eq!(me_status(&b, &lam).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_safely_when_two_nodes_start_together() {
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/postgres"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql"))
        .count() as i64;
    for round in 1..=env_number("EA_TWO_NODES_ROUNDS", 3) {
        let Some(db) = testkit::PgTestDb::create("m").await else { return };
        let dir = tempfile::tempdir().unwrap();
        // Nodes share the master key the way a deployment does: the file is there first.
        let key: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
        std::fs::write(dir.path().join("master.key"), key).unwrap();
        let command = || {
            let mut c = Command::new(BIN);
            c.env("EA_DATABASE_URL", &db.url)
                .env("EA_KEY_FILE", dir.path().join("master.key"))
                .env("EA_LOG", "warn")
                .current_dir(dir.path());
            c
        };
        // Both processes are spawned back to back, before either has connected.
        let mut nodes = [
            Node::spawn(command(), dir.path().join("sms-a.jsonl"), &[]),
            Node::spawn(command(), dir.path().join("sms-b.jsonl"), &[]),
        ];
        for n in nodes.iter_mut() {
            n.wait_ready().await;
        }

        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let applied = scalar(&mut c, "SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await;
        assert_eq!(applied, migrations, "round {round}: every migration applied once");
        assert_eq!(scalar(&mut c, "SELECT COUNT(*) FROM _sqlx_migrations").await, migrations, "round {round}");
        assert_eq!(scalar(&mut c, "SELECT COUNT(*) FROM sequences").await, 2, "round {round}: seed rows once");
        assert_eq!(scalar(&mut c, "SELECT COUNT(*) FROM audit_head").await, 1, "round {round}");
        assert_eq!(
            scalar(&mut c, "SELECT COUNT(*) FROM meta WHERE key = 'master_key_fingerprint'").await,
            1,
            "round {round}"
        );
        assert_eq!(
            scalar(&mut c, "SELECT COUNT(*) FROM oidc_keys WHERE retired_at IS NULL").await,
            1,
            "round {round}: one signing key, not one a node"
        );
        assert_eq!(scalar(&mut c, "SELECT COUNT(*) FROM eid_keys").await, 1, "round {round}: one enrolment key");

        // Both serve: an operator made from the command line signs in on each.
        let out = command()
            .args(["operator", "add", "--username", OPERATOR, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(OPERATOR_PASSWORD.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(out.status.success(), "operator add: {}", String::from_utf8_lossy(&out.stderr));
        for n in &nodes {
            operator_token(&n.api).await;
        }
        let out = command().args(["audit", "verify"]).output().unwrap();
        assert!(out.status.success(), "round {round}: audit verify: {}", String::from_utf8_lossy(&out.stderr));
        drop(nodes);
    }
}

/// R28 across nodes: the decision compares the assignment's dates with now on whichever node
/// answers, so an assignment that ends (no sweep needed) or is removed through one node is
/// refused at authorization, refresh, userinfo and introspection on both at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r28_an_ended_or_removed_assignment_is_refused_on_both_nodes_at_once() {
    use oidc_support::*;
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (s.base.clone(), node.api.base.clone());
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "r28-nodes", "DSAL", false, None).await;
    let o = org(&s, &op).await;
    let put = |base: String, body: Value| {
        let (entity, staff, admin) = (o.entity.clone(), o.staff_id.clone(), o.admin_token.clone());
        async move {
            let (st, v) = Api::of(&base)
                .call("PUT", &format!("/entities/{entity}/logins/{staff}/eservices"), Some(&admin), Some(body))
                .await;
            assert_eq!(st, 200, "{v}");
            v
        }
    };
    let refused_everywhere = |tokens: Value, why: &'static str| {
        let (rp, a, b, entity) = (rp.clone(), a.clone(), b.clone(), o.entity.clone());
        async move {
            let access = tokens["access_token"].as_str().unwrap();
            let refresh = tokens["refresh_token"].as_str().unwrap();
            for base in [&a, &b] {
                assert!(
                    !introspect_at(base, &rp, access).await["active"].as_bool().unwrap(),
                    "{why}: introspection at {base}"
                );
                assert_eq!(userinfo_at(base, access).await.0, 401, "{why}: userinfo at {base}");
            }
            let r = token_at(&b, &rp, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
            assert_token_error(&format!("{why}: refresh at B"), &r, 400, "invalid_grant");
            for base in [&a, &b] {
                let mut browser = Browser::new(base);
                let req = auth_request(base, &rp.client_id, "openid profile entity");
                let page = browser.sign_in(&req.url, &entity, STAFF_USER, PASSWORD).await;
                assert_eq!(page.status, 403, "{why}: authorization at {base}: {:?} {}", page.location, page.body);
            }
        }
    };

    // Dated through A to end in a few seconds; signed in through B.
    let end = time::OffsetDateTime::now_utc() + time::Duration::seconds(6);
    let until = end.format(&time::format_description::well_known::Rfc3339).unwrap();
    let v = put(a.clone(), json!({"eservices": [{"code": "r28-nodes", "valid_until": until}]})).await;
    assert_eq!(
        (v["eservices"][0]["status"].as_str(), v["eservices"][0]["valid_until"].is_string()),
        (Some("active"), true),
        "{v}"
    );
    let mut browser = Browser::new(&b);
    let (code, verifier, _) = code_via(&mut browser, &rp.client_id, &o.entity, STAFF_USER).await;
    let (st, tokens) = token_at(
        &b,
        &rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(st, 200, "{tokens}");
    assert!(tokens["expires_in"].as_i64().unwrap() <= 6, "capped at the end: {tokens}");
    assert!(introspect_at(&a, &rp, tokens["access_token"].as_str().unwrap()).await["active"].as_bool().unwrap());
    let wait = end - time::OffsetDateTime::now_utc();
    tokio::time::sleep(Duration::from_millis(wait.whole_milliseconds().max(0) as u64 + 50)).await;
    refused_everywhere(tokens, "ended").await;

    // Without dates again through B, signed in; removed through A: refused on both at once.
    put(b.clone(), json!({"eservices": ["r28-nodes"]})).await;
    let tokens = tokens_for(&s, &rp, &o.entity, STAFF_USER).await;
    assert!(introspect_at(&b, &rp, tokens["access_token"].as_str().unwrap()).await["active"].as_bool().unwrap());
    put(a.clone(), json!({"eservices": []})).await;
    refused_everywhere(tokens, "removed").await;
}

/// R34, R14/R19 across nodes: a firm's staff member signs in for its client through node B;
/// taken off the mandate through node A, then, acting again, the mandate ended by the client
/// through node B: each time refused on both nodes on the very next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r34_a_mandate_ended_on_one_node_is_refused_on_both_at_once() {
    use oidc_support::*;
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (s.base.clone(), node.api.base.clone());
    let op = s.operator_token().await;
    let rp = add_eservice_with(&s, &op, "r34-nodes", "DSF", false, None, json!({"allows_intermediaries": true})).await;
    let client = org_with(&s, &op, 0).await;
    let firm = org_with(&s, &op, 1).await;
    let offer = json!({"to_entity_number": firm.entity, "eservices": ["r34-nodes"], "valid_until": "2027-06-30"});
    let (st, m) = Api::of(&a)
        .call("POST", &format!("/entities/{}/mandates", client.entity), Some(&client.admin_token), Some(offer))
        .await;
    assert_eq!(st, 201, "{m}");
    let id = m["mandate_id"].as_str().unwrap().to_string();
    let (st, v) = Api::of(&b)
        .call("POST", &format!("/entities/{}/mandates/{id}/accept", firm.entity), Some(&firm.admin_token), None)
        .await;
    assert_eq!(st, 200, "{v}");
    let acting = format!("/entities/{}/logins/{}/mandates/{id}", firm.entity, firm.staff_id);
    let put = |base: String, codes: Value| {
        let (acting, admin) = (acting.clone(), firm.admin_token.clone());
        async move {
            let (st, v) = Api::of(&base).call("PUT", &acting, Some(&admin), Some(json!({ "eservices": codes }))).await;
            assert_eq!(st, 200, "{v}");
        }
    };
    let signed_in_at_b = || {
        let (rp, b, entity) = (rp.clone(), b.clone(), firm.entity.clone());
        async move {
            let mut browser = Browser::new(&b);
            // Its only choice is the client: no chooser.
            let (code, verifier, _) = code_via(&mut browser, &rp.client_id, &entity, STAFF_USER).await;
            let form = [
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ];
            let (st, tokens) = token_at(&b, &rp, &form).await;
            assert_eq!(st, 200, "{tokens}");
            tokens
        }
    };
    let refused_everywhere = |tokens: Value, why: &'static str| {
        let (rp, a, b) = (rp.clone(), a.clone(), b.clone());
        async move {
            let access = tokens["access_token"].as_str().unwrap();
            for base in [&a, &b] {
                assert!(
                    !introspect_at(base, &rp, access).await["active"].as_bool().unwrap(),
                    "{why}: introspection at {base}"
                );
                assert_eq!(userinfo_at(base, access).await.0, 401, "{why}: userinfo at {base}");
            }
            let refresh = tokens["refresh_token"].as_str().unwrap();
            let r = token_at(&a, &rp, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
            assert_token_error(&format!("{why}: refresh at A"), &r, 400, "invalid_grant");
        }
    };

    put(b.clone(), json!(["r34-nodes"])).await;
    let tokens = signed_in_at_b().await;
    let seen = introspect_at(&a, &rp, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (&seen["entity_number"], &seen["act"]["entity_number"]),
        (&json!(client.entity), &json!(firm.entity)),
        "{seen}"
    );
    put(a.clone(), json!([])).await;
    refused_everywhere(tokens, "taken off the mandate").await;

    put(a.clone(), json!(["r34-nodes"])).await;
    let tokens = signed_in_at_b().await;
    let (st, v) = Api::of(&b)
        .call("DELETE", &format!("/entities/{}/mandates/{id}", client.entity), Some(&client.admin_token), None)
        .await;
    assert_eq!(st, 204, "{v}");
    refused_everywhere(tokens, "the mandate ended").await;
}

/// R36 across nodes: a machine credential's token, issued by node B, stops on both nodes on
/// the very next request when the credential loses the e-service through node A, is deleted
/// through node B, or reaches its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r36_a_credential_narrowed_deleted_or_ended_on_one_node_stops_on_both_at_once() {
    use oidc_support::*;
    let Some(s) = Server::start(Backend::Postgres).await else { return };
    let node = node_b(&s).await;
    let (a, b) = (s.base.clone(), node.api.base.clone());
    let op = s.operator_token().await;
    let tax = add_eservice(&s, &op, "r36-nodes-tax", "DSF", false, None).await;
    let jobs = add_eservice(&s, &op, "r36-nodes-jobs", "DSAL", false, None).await;
    let o = org(&s, &op).await;
    let credentials = format!("/entities/{}/machine-credentials", o.entity);
    let create = |base: String| {
        let (credentials, admin) = (credentials.clone(), o.admin_token.clone());
        async move {
            let body = json!({"name": "Payroll", "eservices": ["r36-nodes-tax", "r36-nodes-jobs"], "provisioning": false,
                              "valid_until": "2027-06-30"});
            let (st, v) = Api::of(&base).call("POST", &credentials, Some(&admin), Some(body)).await;
            assert_eq!(st, 201, "{v}");
            (v["client_id"].as_str().unwrap().to_string(), v["client_secret"].as_str().unwrap().to_string())
        }
    };
    let token_answer = |base: String, id: String, secret: String, resource: &'static str| async move {
        let res = reqwest::Client::new()
            .post(format!("{base}/oidc/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials"), ("resource", resource)])
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let token = |base: String, id: String, secret: String, resource: &'static str| async move {
        let (st, v) = token_answer(base.clone(), id, secret, resource).await;
        assert_eq!(st, 200, "a token at {base}: {v}");
        v["access_token"].as_str().unwrap().to_string()
    };
    let active_at = |rp: &Rp, access: &str| {
        let (rp, access, a, b) = (rp.clone(), access.to_string(), a.clone(), b.clone());
        async move {
            let mut seen = Vec::new();
            for base in [&a, &b] {
                seen.push(introspect_at(base, &rp, &access).await["active"].as_bool().unwrap());
            }
            seen
        }
    };

    // Narrowed through A: the tax token stops on both, the jobs token goes on.
    let (id, secret) = create(a.clone()).await;
    let for_tax = token(b.clone(), id.clone(), secret.clone(), "r36-nodes-tax").await;
    let for_jobs = token(b.clone(), id.clone(), secret.clone(), "r36-nodes-jobs").await;
    assert_eq!(active_at(&tax, &for_tax).await, [true, true]);
    let seen = introspect_at(&a, &tax, &for_tax).await;
    assert_eq!((&seen["sub"], &seen["entity_number"]), (&json!(id), &json!(o.entity)), "{seen}");
    let (st, v) = Api::of(&a)
        .call(
            "PUT",
            &format!("{credentials}/{id}/eservices"),
            Some(&o.admin_token),
            Some(json!({"eservices": ["r36-nodes-jobs"]})),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(active_at(&tax, &for_tax).await, [false, false], "narrowed");
    assert_eq!(active_at(&jobs, &for_jobs).await, [true, true], "the e-service it keeps");

    // Deleted through B.
    let (st, v) = Api::of(&b).call("DELETE", &format!("{credentials}/{id}"), Some(&o.admin_token), None).await;
    assert_eq!(st, 204, "{v}");
    assert_eq!(active_at(&jobs, &for_jobs).await, [false, false], "deleted");

    // Ended: a second credential whose end the database moves into the past.
    let (id, secret) = create(b.clone()).await;
    let for_jobs = token(a.clone(), id.clone(), secret.clone(), "r36-nodes-jobs").await;
    assert_eq!(active_at(&jobs, &for_jobs).await, [true, true]);
    let mut db = pg(&s).await;
    sqlx::query("UPDATE machine_credentials SET valid_until = 1 WHERE client_id = $1")
        .bind(&id)
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(active_at(&jobs, &for_jobs).await, [false, false], "ended");
    let (st, v) = token_answer(b.clone(), id, secret, "r36-nodes-jobs").await;
    assert_eq!(st, 401, "an ended credential gets no token: {v}");
}
