//! Crash safety (issue 7, point 1): a seeded workload — applications, approvals, activations
//! with the codes from the SMS file, administrators signing in, staff logins created, assigned
//! an e-service and deleted, codes resent by the counter — drives the spawned server over HTTP
//! while the test kills it with SIGKILL at random moments (most land mid-request) and restarts
//! it on the same address. After every restart each named check below must hold: every
//! approved application has its entity, its logins and their activation SMS; no login is
//! half-made; every write the server acknowledged is still there; every SMS the outbox holds as
//! delivered is in the sink exactly once (by its `id`), in queue order per recipient, and the
//! outbox drains; `audit verify` passes; the server is ready and the workload carries on.
//!
//! Short run (10 kills per backend): `CARGO_BUILD_JOBS=1 cargo test -p app --test crash_safety`
//! (PostgreSQL too with `EA_TEST_POSTGRES_URL=postgres://…`). Long run:
//! `EA_CRASH_KILLS=200 cargo test -p app --test crash_safety -- --nocapture`. Every run prints
//! its seed; `EA_CRASH_SEED=N` replays the workload's choices and the kill delays (the server's
//! own timing still varies from run to run).

mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::{Connection, Row};
use support::*;
use tokio::sync::RwLock;

const ESERVICE: &str = "crash-filing";
const DEFAULT_KILLS: usize = 10;
/// How long the server lives between a restart and the next kill, in milliseconds: about
/// the length of a few requests, so that most kills land mid-request.
const ALIVE_MS: std::ops::Range<u64> = 20..400;
/// The workload runs this long before the first kill, so there is state to crash on.
const WARM_UP: Duration = Duration::from_millis(1500);
/// A restarted node takes back its own leases at once; this is generous.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);
/// After the last restart the workload must complete this many operations.
const RESUMED_OPS: u64 = 5;

on_both_backends!(crash_sigkill_at_random_moments_loses_nothing, |s: Server| async move {
    run_harness(s).await;
});

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.trim().parse().unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}")))
}

async fn run_harness(mut s: Server) {
    let seed = env_number("EA_CRASH_SEED").unwrap_or_else(rand::random);
    let kills = env_number("EA_CRASH_KILLS").map_or(DEFAULT_KILLS, |k| k as usize);
    let label = format!("{:?}", s.backend);
    eprintln!("crash harness [{label}]: seed {seed} (replay with EA_CRASH_SEED={seed}), {kills} kills");
    let started = Instant::now();

    let op = s.operator_token().await;
    let (st, b) = s
        .call(
            "POST",
            "/counter/eservices",
            Some(&op),
            Some(json!({"code": ESERVICE, "names": {"zh": "申報", "pt": "Declarações", "en": "Filing"},
                        "department": "DSF", "assurance": "basic", "requires_registration": false})),
        )
        .await;
    assert_eq!(st, 201, "{b}");

    let port = s.port();
    let shared = Arc::new(Shared::default());
    let gate = Arc::new(RwLock::new(()));
    let workload = Workload::new(&s, op, seed, shared.clone());
    let task = tokio::spawn(workload.run(gate.clone()));
    let mut rng = StdRng::seed_from_u64(seed.rotate_left(32) ^ 0x5eed_c0de);
    let mut report = Report::default();

    tokio::time::sleep(WARM_UP).await;
    for k in 1..=kills {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(ALIVE_MS))).await;
        if shared.in_flight.load(Ordering::SeqCst) > 0 {
            report.mid_request += 1;
        }
        s.stop();
        // The workload's step in flight fails fast against the dead address; then it waits.
        let paused = gate.write().await;
        report.caught_delivering(&s).await;
        s.spawn_at(port).await;
        let failures = check_all(&s, &shared, &mut report, false).await;
        assert!(
            failures.is_empty(),
            "[{label}] after kill {k} of {kills} (EA_CRASH_SEED={seed}):\n  {}",
            failures.join("\n  ")
        );
        report.kills += 1;
        drop(paused);
    }

    // workload_resumes: after the last restart it completes operations again (and, on a slow
    // machine, runs until it has activated at least one login, so the run proves something).
    let before = shared.total_ops();
    let deadline = Instant::now() + Duration::from_secs(30);
    let activated = || shared.ops.lock().unwrap().get("activate").copied().unwrap_or(0) > 0;
    while (shared.total_ops() < before + RESUMED_OPS || !activated()) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let resumed = shared.total_ops() - before;
    shared.stop.store(true, Ordering::SeqCst);
    task.await.expect("the workload task ends");
    assert!(
        resumed >= RESUMED_OPS,
        "[{label}] workload_resumes: only {resumed} operations completed in 30 s after the last restart (EA_CRASH_SEED={seed})"
    );

    // The final drain: every message queued during the whole run delivered exactly once.
    let failures = check_all(&s, &shared, &mut report, true).await;
    assert!(failures.is_empty(), "[{label}] at the end (EA_CRASH_SEED={seed}):\n  {}", failures.join("\n  "));

    let ops = shared.ops.lock().unwrap().clone();
    eprintln!(
        "crash harness [{label}] seed {seed}: {} kills survived ({} mid-request, {} mid-delivery with {} SMS leased, \
         {} of them already written), {} operations completed {:?}, {} SMS checked exactly once, slowest drain \
         after a restart {} ms, {:.1} s",
        report.kills,
        report.mid_request,
        report.mid_delivery,
        report.leased_at_kill,
        report.written_not_marked,
        ops.values().sum::<u64>(),
        ops,
        report.messages,
        report.slowest_drain.as_millis(),
        started.elapsed().as_secs_f64()
    );
    assert!(ops.get("activate").copied().unwrap_or(0) > 0, "[{label}] the workload never activated a login");
}

#[derive(Default)]
struct Report {
    kills: usize,
    mid_request: usize,
    /// Kills that left SMS leased but not marked delivered, and how many of those messages
    /// were already in the sink (the case the restarted node must not send again).
    mid_delivery: usize,
    leased_at_kill: usize,
    written_not_marked: usize,
    messages: usize,
    slowest_drain: Duration,
}

impl Report {
    /// Counts, while the server is down, what its killed process had leased and not finished.
    async fn caught_delivering(&mut self, s: &Server) {
        let mut db = Db::open(s).await;
        let leased: Vec<i64> = db
            .rows("SELECT CAST(id AS TEXT) FROM sms_outbox WHERE delivered_at IS NULL AND lease_until IS NOT NULL")
            .await
            .iter()
            .map(|r| text(&r[0]).parse().unwrap())
            .collect();
        if !leased.is_empty() {
            let written: HashSet<i64> = read_sink(&s.sms_path()).lines.iter().filter_map(|l| l.id).collect();
            self.mid_delivery += 1;
            self.leased_at_kill += leased.len();
            self.written_not_marked += leased.iter().filter(|id| written.contains(id)).count();
        }
    }
}

/// What the workload and the checks share.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    in_flight: AtomicUsize,
    /// Operations completed (answered 2xx), by kind.
    ops: Mutex<BTreeMap<&'static str, u64>>,
    /// Writes the server acknowledged: each must survive every later crash.
    acks: Mutex<Vec<Ack>>,
    /// Mobiles of everyone the workload registered, recorded before the request that
    /// registers them: `person:<name>`, or `entity:<registration number>` for entity accounts.
    mobiles: Mutex<HashMap<String, String>>,
    /// Answers a live server should not give (5xx, or a refusal the workload's state rules out).
    anomalies: Mutex<Vec<String>>,
}

impl Shared {
    fn done(&self, kind: &'static str) {
        *self.ops.lock().unwrap().entry(kind).or_default() += 1;
    }
    fn total_ops(&self) -> u64 {
        self.ops.lock().unwrap().values().sum()
    }
    fn ack(&self, a: Ack) {
        self.acks.lock().unwrap().push(a);
    }
    fn anomaly(&self, what: String) {
        self.anomalies.lock().unwrap().push(what);
    }
}

#[derive(Debug, Clone)]
enum Ack {
    Submitted { application: String },
    Approved { application: String, entity: String },
    Activated { entity: String, login: String },
    StaffCreated { entity: String, login: String },
    StaffDeleted { entity: String, login: String },
    Assigned { entity: String, login: String },
}

// ---------------------------------------------------------------------------------------------
// The workload: one step at a time, each re-reading what it acts on, so that a request whose
// answer was lost to a kill (it may or may not have happened) is simply resolved next time.

enum Answer {
    Got(u16, Value),
    Lost,
}

#[derive(Clone)]
struct Person {
    name: String,
    passport: String,
    mobile: String,
    username: String,
    state: StaffState,
}

#[derive(Clone, PartialEq)]
enum StaffState {
    /// Not (known to be) created: created when a step finds it missing from the entity.
    Planned,
    Created(String),
    Deleted,
}

struct Ent {
    idx: usize,
    reg: String,
    mobile: String,
    admins: Vec<Person>,
    app_no: Option<String>,
    number: Option<String>,
    /// The last submission or approval lost its answer: read the application first.
    unsure: bool,
    admin_token: Option<String>,
    staff: Vec<Person>,
    /// Codes each login (by name) was refused with: stale, replaced or used.
    tried: HashMap<String, HashSet<String>>,
    /// How many codes a login (by name) had received when the counter was last asked for another.
    resent_at: HashMap<String, usize>,
}

struct Workload {
    http: reqwest::Client,
    base: String,
    sms_path: PathBuf,
    op: String,
    rng: StdRng,
    shared: Arc<Shared>,
    ents: Vec<Ent>,
    next_person: u32,
}

enum Action {
    Activate(Value),
    SignIn(Value),
    CreateStaff,
    DeleteStaff(Value),
    Assign(Value),
    Resend(Value),
}

impl Workload {
    fn new(s: &Server, op: String, seed: u64, shared: Arc<Shared>) -> Workload {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(20))
            .build()
            .expect("http client");
        Workload {
            http,
            base: s.base.clone(),
            sms_path: s.sms_path(),
            op,
            rng: StdRng::seed_from_u64(seed),
            shared,
            ents: Vec::new(),
            next_person: 0,
        }
    }

    async fn run(mut self, gate: Arc<RwLock<()>>) {
        while !self.shared.stop.load(Ordering::SeqCst) {
            let _running = gate.read().await;
            if self.shared.stop.load(Ordering::SeqCst) {
                break;
            }
            self.step().await;
        }
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = self.http.request(method.parse().unwrap(), format!("{}/api/v1{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let answer = match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                match res.text().await {
                    Ok(text) => Answer::Got(status, serde_json::from_str(&text).unwrap_or(Value::Null)),
                    Err(_) => Answer::Lost,
                }
            }
            Err(_) => Answer::Lost,
        };
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Answer::Got(st, b) = &answer {
            if *st >= 500 {
                self.shared.anomaly(format!("{method} {path} answered {st}: {b}"));
            }
        }
        answer
    }

    fn unexpected(&self, what: &str, st: u16, b: &Value) {
        if st < 500 {
            self.shared.anomaly(format!("{what} answered {st}: {b}"));
        }
    }

    fn person(&mut self, role: &str) -> Person {
        self.next_person += 1;
        let k = self.next_person;
        Person {
            name: format!("{role} {k}"),
            passport: format!("P{k:07}"),
            mobile: format!("+8536{:07}", 2_000_000 + k),
            username: format!("{}{k}", role.to_lowercase()),
            state: StaffState::Planned,
        }
    }

    async fn step(&mut self) {
        let unfinished = self.ents.iter().filter(|e| e.number.is_none()).count();
        if self.ents.is_empty() || (unfinished < 2 && self.rng.gen_bool(0.15)) {
            let idx = self.ents.len();
            let n_admins = self.rng.gen_range(1..=3);
            let admins = (0..n_admins).map(|_| self.person("Admin")).collect();
            self.next_person += 1;
            let mobile = format!("+8536{:07}", 2_000_000 + self.next_person);
            self.ents.push(Ent {
                idx,
                reg: format!("CRASH-{idx}"),
                mobile,
                admins,
                app_no: None,
                number: None,
                unsure: false,
                admin_token: None,
                staff: Vec::new(),
                tried: HashMap::new(),
                resent_at: HashMap::new(),
            });
        }
        let i = self.rng.gen_range(0..self.ents.len());
        if self.ents[i].app_no.is_none() {
            self.submit(i).await;
        } else if self.ents[i].number.is_none() {
            self.approve(i).await;
        } else {
            self.entity_step(i).await;
        }
    }

    async fn submit(&mut self, i: usize) {
        if self.ents[i].unsure {
            // Was it submitted before its answer was lost?
            let Answer::Got(200, list) = self.call("GET", "/counter/applications", Some(&self.op), None).await else {
                return;
            };
            let reg = self.ents[i].reg.clone();
            let found = list["applications"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["entity"]["registration_number"] == reg.as_str());
            self.ents[i].app_no = found.and_then(|a| a["application_number"].as_str()).map(String::from);
            self.ents[i].unsure = false;
            return;
        }
        let e = &self.ents[i];
        {
            let mut m = self.shared.mobiles.lock().unwrap();
            m.insert(format!("entity:{}", e.reg), e.mobile.clone());
            for a in &e.admins {
                m.insert(format!("person:{}", a.name), a.mobile.clone());
            }
        }
        let body = json!({
            "entity": {"type": "company", "name_zh": format!("崩潰測試{}號", e.idx), "name_pt": format!("Teste {}", e.idx),
                       "name_en": format!("Crash {} Ltd", e.idx), "registration_number": e.reg, "mobile": e.mobile},
            "representatives": [{"name": "陳大文", "id_document": {"type": "macau_resident", "number": "5215299(8)"},
                                 "document_shown": true}],
            "proxy": null,
            "administrators": e.admins.iter().map(|a| json!({
                "name": a.name, "id_document": {"type": "passport", "number": a.passport}, "mobile": a.mobile
            })).collect::<Vec<_>>(),
            "agreement_signed": true
        });
        match self.call("POST", "/counter/applications", Some(&self.op), Some(body)).await {
            Answer::Got(201, b) => {
                let no = b["application_number"].as_str().unwrap_or_default().to_string();
                self.shared.ack(Ack::Submitted { application: no.clone() });
                self.shared.done("submit");
                self.ents[i].app_no = Some(no);
            }
            Answer::Got(st, b) => self.unexpected("submitting an application", st, &b),
            Answer::Lost => self.ents[i].unsure = true,
        }
    }

    async fn approve(&mut self, i: usize) {
        let app_no = self.ents[i].app_no.clone().expect("submitted");
        if self.ents[i].unsure {
            if let Answer::Got(200, b) =
                self.call("GET", &format!("/counter/applications/{app_no}"), Some(&self.op), None).await
            {
                self.ents[i].number = b["entity_number"].as_str().map(String::from);
                self.ents[i].unsure = false;
            }
            return;
        }
        match self.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&self.op), None).await {
            Answer::Got(200, b) => {
                let number = b["entity_number"].as_str().unwrap_or_default().to_string();
                self.shared.ack(Ack::Approved { application: app_no, entity: number.clone() });
                self.shared.done("approve");
                self.ents[i].number = Some(number);
            }
            Answer::Got(st, b) => self.unexpected("approving an application", st, &b),
            Answer::Lost => self.ents[i].unsure = true,
        }
    }

    /// The person a login of the entity is, by name; the entity account is the entity's own.
    fn mobile_of(&self, i: usize, login: &Value) -> Option<String> {
        let e = &self.ents[i];
        if login["kind"] == "entity" {
            return Some(e.mobile.clone());
        }
        e.admins.iter().chain(&e.staff).find(|p| login["name"] == p.name.as_str()).map(|p| p.mobile.clone())
    }

    fn username_of(&self, i: usize, login: &Value) -> String {
        let e = &self.ents[i];
        if login["kind"] == "entity" {
            return "account".into();
        }
        e.admins
            .iter()
            .chain(&e.staff)
            .find(|p| login["name"] == p.name.as_str())
            .map(|p| p.username.clone())
            .unwrap_or_else(|| "unknown".into())
    }

    async fn entity_step(&mut self, i: usize) {
        let number = self.ents[i].number.clone().expect("approved");
        let Answer::Got(st, view) =
            self.call("GET", &format!("/counter/entities/{number}"), Some(&self.op), None).await
        else {
            return;
        };
        if st != 200 {
            return self.unexpected("reading an approved entity", st, &view);
        }
        let logins: Vec<Value> = view["logins"].as_array().cloned().unwrap_or_default();
        // What the entity's staff list says resolves every lost creation and deletion.
        for p in self.ents[i].staff.iter_mut() {
            let seen = logins.iter().find(|l| l["name"] == p.name.as_str() && l["status"] != "deleted");
            p.state = match (&p.state, seen) {
                (_, Some(l)) => StaffState::Created(l["login_id"].as_str().unwrap_or_default().to_string()),
                (StaffState::Created(_) | StaffState::Deleted, None) => StaffState::Deleted,
                (StaffState::Planned, None) => StaffState::Planned,
            };
        }

        let mut actions = Vec::new();
        for l in logins.iter().filter(|l| l["status"] == "pending") {
            actions.push(Action::Activate(l.clone()));
            if l["kind"] != "entity" {
                actions.push(Action::Resend(l.clone()));
            }
        }
        let admins: Vec<&Value> = logins.iter().filter(|l| l["kind"] == "admin" && l["status"] == "active").collect();
        if self.ents[i].admin_token.is_none() {
            if let Some(a) = admins.first() {
                actions.push(Action::SignIn((*a).clone()));
            }
        } else {
            let e = &self.ents[i];
            if e.staff.iter().filter(|p| p.state != StaffState::Deleted).count() < 3 {
                actions.push(Action::CreateStaff);
            }
            for l in logins.iter().filter(|l| l["kind"] == "staff" && l["status"] != "deleted") {
                actions.push(Action::DeleteStaff(l.clone()));
                if !l["eservices"].as_array().is_some_and(|s| s.iter().any(|c| c == ESERVICE)) {
                    actions.push(Action::Assign(l.clone()));
                }
            }
        }
        if actions.is_empty() {
            return;
        }
        let pick = self.rng.gen_range(0..actions.len());
        match actions.swap_remove(pick) {
            Action::Activate(l) => self.activate(i, &number, &l).await,
            Action::Resend(l) => self.resend(i, &number, &l).await,
            Action::SignIn(l) => self.sign_in(i, &number, &l).await,
            Action::CreateStaff => self.create_staff(i, &number).await,
            Action::DeleteStaff(l) => self.delete_staff(i, &number, &l).await,
            Action::Assign(l) => self.assign(i, &number, &l).await,
        }
    }

    async fn activate(&mut self, i: usize, number: &str, login: &Value) {
        let Some(mobile) = self.mobile_of(i, login) else {
            return self.shared.anomaly(format!("a login the workload never registered: {login}"));
        };
        let name = login["name"].as_str().unwrap_or_default().to_string();
        let codes = codes_to(&self.sms_path, &mobile);
        let tried = self.ents[i].tried.entry(name.clone()).or_default();
        let Some(code) = codes.iter().rev().find(|c| !tried.contains(*c)).cloned() else {
            // No code delivered yet, or every one was refused: ask for another (once per code seen).
            if !codes.is_empty() && login["kind"] != "entity" {
                self.resend(i, number, login).await;
            }
            return;
        };
        let mut body = json!({"activation_code": code, "username": self.username_of(i, login), "password": PASSWORD});
        if login["kind"] == "entity" {
            body["application_number"] = json!(self.ents[i].app_no.clone());
        } else {
            body["entity_number"] = json!(number);
        }
        match self.call("POST", "/activate", None, Some(body)).await {
            Answer::Got(200, b) => {
                let id = b["login_id"].as_str().unwrap_or_default().to_string();
                self.shared.ack(Ack::Activated { entity: number.into(), login: id });
                self.shared.done("activate");
            }
            // A stale code (a newer one is on its way) or a used one: try the next.
            Answer::Got(400, b) if b["code"] == "invalid_code" => {
                self.ents[i].tried.entry(name).or_default().insert(code);
            }
            Answer::Got(429, _) | Answer::Lost => {}
            Answer::Got(st, b) => self.unexpected("activating", st, &b),
        }
    }

    async fn resend(&mut self, i: usize, number: &str, login: &Value) {
        let Some(mobile) = self.mobile_of(i, login) else { return };
        let name = login["name"].as_str().unwrap_or_default().to_string();
        let seen = codes_to(&self.sms_path, &mobile).len();
        if self.ents[i].resent_at.get(&name) == Some(&seen) {
            return; // The last one asked for is still on its way.
        }
        let id = login["login_id"].as_str().unwrap_or_default();
        let path = format!("/counter/entities/{number}/logins/{id}/activation-code");
        match self.call("POST", &path, Some(&self.op), None).await {
            Answer::Got(204, _) => {
                self.ents[i].resent_at.insert(name, seen);
                self.shared.done("resend");
            }
            Answer::Got(409, _) | Answer::Lost => {} // Activated meanwhile, or unknown.
            Answer::Got(st, b) => self.unexpected("resending a code", st, &b),
        }
    }

    async fn sign_in(&mut self, i: usize, number: &str, login: &Value) {
        let body = json!({"entity_number": number, "username": self.username_of(i, login), "password": PASSWORD});
        match self.call("POST", "/login", None, Some(body)).await {
            Answer::Got(200, b) => {
                self.ents[i].admin_token = b["token"].as_str().map(String::from);
                self.shared.done("sign_in");
            }
            Answer::Got(429, _) | Answer::Lost => {}
            Answer::Got(st, b) => self.unexpected("an administrator signing in", st, &b),
        }
    }

    /// A session the server handed out must outlive every crash.
    fn session_lost(&mut self, i: usize, what: &str, st: u16, b: &Value) {
        if st == 401 {
            self.shared.anomaly(format!("{what}: the administrator's session was refused after a restart: {b}"));
            self.ents[i].admin_token = None;
        } else {
            self.unexpected(what, st, b);
        }
    }

    async fn create_staff(&mut self, i: usize, number: &str) {
        let planned = self.ents[i].staff.iter().position(|p| p.state == StaffState::Planned);
        let at = match planned {
            Some(at) => at,
            None => {
                let p = self.person("Staff");
                self.ents[i].staff.push(p);
                self.ents[i].staff.len() - 1
            }
        };
        let p = self.ents[i].staff[at].clone();
        self.shared.mobiles.lock().unwrap().insert(format!("person:{}", p.name), p.mobile.clone());
        let body =
            json!({"name": p.name, "id_document": {"type": "passport", "number": p.passport}, "mobile": p.mobile});
        let token = self.ents[i].admin_token.clone();
        match self.call("POST", &format!("/entities/{number}/logins"), token.as_deref(), Some(body)).await {
            Answer::Got(201, b) => {
                let id = b["login_id"].as_str().unwrap_or_default().to_string();
                self.shared.ack(Ack::StaffCreated { entity: number.into(), login: id.clone() });
                self.shared.done("create_staff");
                self.ents[i].staff[at].state = StaffState::Created(id);
            }
            Answer::Got(st, b) => self.session_lost(i, "creating a staff login", st, &b),
            Answer::Lost => {}
        }
    }

    async fn delete_staff(&mut self, i: usize, number: &str, login: &Value) {
        let id = login["login_id"].as_str().unwrap_or_default().to_string();
        let token = self.ents[i].admin_token.clone();
        match self.call("DELETE", &format!("/entities/{number}/logins/{id}"), token.as_deref(), None).await {
            Answer::Got(204, _) => {
                self.shared.ack(Ack::StaffDeleted { entity: number.into(), login: id });
                self.shared.done("delete_staff");
                if let Some(p) = self.ents[i].staff.iter_mut().find(|p| login["name"] == p.name.as_str()) {
                    p.state = StaffState::Deleted;
                }
            }
            Answer::Got(st, b) => self.session_lost(i, "deleting a staff login", st, &b),
            Answer::Lost => {}
        }
    }

    async fn assign(&mut self, i: usize, number: &str, login: &Value) {
        let id = login["login_id"].as_str().unwrap_or_default().to_string();
        let token = self.ents[i].admin_token.clone();
        let path = format!("/entities/{number}/logins/{id}/eservices");
        match self.call("PUT", &path, token.as_deref(), Some(json!({"eservices": [ESERVICE]}))).await {
            Answer::Got(200, _) => {
                self.shared.ack(Ack::Assigned { entity: number.into(), login: id });
                self.shared.done("assign");
            }
            Answer::Got(st, b) => self.session_lost(i, "assigning an e-service", st, &b),
            Answer::Lost => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The SMS file sink.

struct SinkLine {
    id: Option<i64>,
    to: String,
    template: String,
    code: Option<String>,
}

struct Sink {
    lines: Vec<SinkLine>,
    /// Lines that are not one whole JSON object.
    torn: Vec<String>,
}

fn read_sink(path: &Path) -> Sink {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut sink = Sink { lines: Vec::new(), torn: Vec::new() };
    for l in text.lines() {
        match serde_json::from_str::<Value>(l) {
            Ok(v) if v.is_object() => sink.lines.push(SinkLine {
                id: v["id"].as_str().and_then(|s| s.strip_prefix("sms-")).and_then(|n| n.parse().ok()),
                to: v["to"].as_str().unwrap_or_default().to_string(),
                template: v["template"].as_str().unwrap_or_default().to_string(),
                code: v["params"]["code"].as_str().map(String::from),
            }),
            _ => sink.torn.push(l.to_string()),
        }
    }
    sink
}

/// The activation codes sent to `mobile`, oldest first.
fn codes_to(path: &Path, mobile: &str) -> Vec<String> {
    read_sink(path)
        .lines
        .into_iter()
        .filter(|l| l.to == mobile && l.template == "activation_code")
        .filter_map(|l| l.code)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The database, read directly: every value as text (`'y'`/`'n'` for presence).

enum Db {
    Sqlite(sqlx::SqliteConnection),
    Pg(sqlx::PgConnection),
}

type Rows = Vec<Vec<Option<String>>>;

impl Db {
    async fn open(s: &Server) -> Db {
        match s.backend {
            Backend::Sqlite => Db::Sqlite(sqlx::SqliteConnection::connect(&s.database_url).await.expect("open SQLite")),
            Backend::Postgres => Db::Pg(sqlx::PgConnection::connect(&s.database_url).await.expect("open PostgreSQL")),
        }
    }

    async fn rows(&mut self, sql: &str) -> Rows {
        match self {
            Db::Sqlite(c) => sqlx::query(sql)
                .fetch_all(c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i).expect("text")).collect())
                .collect(),
            Db::Pg(c) => sqlx::query(sql)
                .fetch_all(c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i).expect("text")).collect())
                .collect(),
        }
    }

    async fn undelivered(&mut self) -> i64 {
        let r = self.rows("SELECT CAST(COUNT(*) AS TEXT) FROM sms_outbox WHERE delivered_at IS NULL").await;
        r[0][0].as_deref().unwrap_or("0").parse().unwrap()
    }
}

fn present(col: &str) -> String {
    format!("CASE WHEN {col} IS NULL THEN 'n' ELSE 'y' END")
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

struct LoginRow {
    entity_id: String,
    id: String,
    kind: String,
    status: String,
    name: String,
    /// `y`/`n` for id_type, id_number_sealed, id_number_mask, id_number_lookup, mobile_sealed,
    /// mobile_mask, mobile_lookup, username, username_key, password_hash, activated_at, deleted_at.
    has: String,
    password_hash: String,
}

const LOGIN_FIELDS: [&str; 12] = [
    "id_type",
    "id_number_sealed",
    "id_number_mask",
    "id_number_lookup",
    "mobile_sealed",
    "mobile_mask",
    "mobile_lookup",
    "username",
    "username_key",
    "password_hash",
    "activated_at",
    "deleted_at",
];

impl LoginRow {
    fn has(&self, field: &str) -> bool {
        let at = LOGIN_FIELDS.iter().position(|f| *f == field).expect("a listed field");
        self.has.as_bytes()[at] == b'y'
    }
}

/// One consistent-enough read of what the checks need (the workload is paused meanwhile).
struct DbView {
    /// (id, number, status, entity_id)
    applications: Rows,
    /// (application_id, name) of each requested administrator.
    requested_admins: Rows,
    /// id → (number, registration_number)
    entities: HashMap<String, (String, String)>,
    logins: Vec<LoginRow>,
    /// (entity_id, login_id) → used ('y'/'n')
    activation_codes: HashMap<(String, String), String>,
    /// (entity_id, login_id) of each login session.
    sessions: Rows,
    /// (entity_id, login_id, eservice_code)
    assignments: Rows,
    /// outbox id → delivered
    outbox: HashMap<i64, bool>,
}

impl DbView {
    async fn load(db: &mut Db) -> DbView {
        let outbox = db
            .rows(&format!("SELECT CAST(id AS TEXT), {} FROM sms_outbox", present("delivered_at")))
            .await
            .into_iter()
            .map(|r| (text(&r[0]).parse().unwrap(), text(&r[1]) == "y"))
            .collect();
        let applications =
            db.rows("SELECT CAST(id AS TEXT), number, status, CAST(entity_id AS TEXT) FROM applications").await;
        let requested_admins = db
            .rows("SELECT CAST(application_id AS TEXT), name FROM application_people WHERE role = 'administrator'")
            .await;
        let entities = db
            .rows("SELECT CAST(id AS TEXT), number, registration_number FROM entities")
            .await
            .into_iter()
            .map(|r| (text(&r[0]).to_string(), (text(&r[1]).to_string(), text(&r[2]).to_string())))
            .collect();
        let has = LOGIN_FIELDS.iter().map(|f| present(f)).collect::<Vec<_>>().join(" || ");
        let logins = db
            .rows(&format!("SELECT CAST(entity_id AS TEXT), id, kind, status, name, {has}, password_hash FROM logins"))
            .await
            .into_iter()
            .map(|r| LoginRow {
                entity_id: text(&r[0]).into(),
                id: text(&r[1]).into(),
                kind: text(&r[2]).into(),
                status: text(&r[3]).into(),
                name: text(&r[4]).into(),
                has: text(&r[5]).into(),
                password_hash: text(&r[6]).into(),
            })
            .collect();
        let activation_codes = db
            .rows(
                "SELECT CAST(entity_id AS TEXT), login_id, CASE WHEN used THEN 'y' ELSE 'n' END \
                 FROM codes WHERE purpose = 'activation'",
            )
            .await
            .into_iter()
            .map(|r| ((text(&r[0]).to_string(), text(&r[1]).to_string()), text(&r[2]).to_string()))
            .collect();
        let sessions =
            db.rows("SELECT CAST(entity_id AS TEXT), login_id FROM sessions WHERE login_id IS NOT NULL").await;
        let assignments = db.rows("SELECT CAST(entity_id AS TEXT), login_id, eservice_code FROM login_eservices").await;
        DbView { applications, requested_admins, entities, logins, activation_codes, sessions, assignments, outbox }
    }

    fn entity_id_of(&self, number: &str) -> Option<&str> {
        self.entities.iter().find(|(_, (n, _))| n == number).map(|(id, _)| id.as_str())
    }

    fn login(&self, entity_number: &str, login_id: &str) -> Option<&LoginRow> {
        let eid = self.entity_id_of(entity_number)?;
        self.logins.iter().find(|l| l.entity_id == eid && l.id == login_id)
    }
}

// ---------------------------------------------------------------------------------------------
// The checks. Each returns its failures, every one prefixed with the check's name.

async fn check_all(s: &Server, shared: &Shared, report: &mut Report, last: bool) -> Vec<String> {
    let mut failures = Vec::new();

    // server_ready
    match s.http.get(format!("{}/readyz", s.base)).send().await {
        Ok(r) if r.status() == 200 => {}
        Ok(r) => failures.push(format!("server_ready: /readyz answered {}", r.status())),
        Err(e) => failures.push(format!("server_ready: /readyz failed: {e}")),
    }

    // outbox_drains: the restarted node takes back what its killed process had leased.
    let mut db = Db::open(s).await;
    let t0 = Instant::now();
    let mut left = db.undelivered().await;
    while left > 0 && t0.elapsed() < DRAIN_TIMEOUT {
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = db.undelivered().await;
    }
    report.slowest_drain = report.slowest_drain.max(t0.elapsed());
    if left > 0 {
        failures.push(format!("outbox_drains: {left} SMS still undelivered {DRAIN_TIMEOUT:?} after the restart"));
    }

    let view = DbView::load(&mut db).await;
    // Read after the outbox: a line the sink holds for a row read as delivered is there now.
    let sink = read_sink(&s.sms_path());
    failures.extend(check_sink(&view, &sink, left == 0));
    failures.extend(check_applications(&view));
    failures.extend(check_logins(&view));
    failures.extend(check_acknowledged(&view, &shared.acks.lock().unwrap()));
    if left == 0 {
        failures.extend(check_codes_sent(&view, &sink, &shared.mobiles.lock().unwrap()));
    }
    failures.extend(shared.anomalies.lock().unwrap().drain(..).map(|a| format!("server_answers: {a}")));

    // audit_verify
    let out = s.cli(&["audit", "verify"], None).await;
    if !out.status.success() {
        failures.push(format!(
            "audit_verify: exit {:?}: {}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if last {
        report.messages = sink.lines.len();
        if view.outbox.is_empty() {
            failures.push("sms_checked: the run queued no SMS at all".into());
        }
    }
    failures
}

/// sink_lines_whole, sink_lines_carry_id, sms_never_twice, sms_never_lost, sink_only_outbox,
/// sms_in_queue_order_per_recipient.
fn check_sink(view: &DbView, sink: &Sink, drained: bool) -> Vec<String> {
    let mut f = Vec::new();
    if !sink.torn.is_empty() {
        f.push(format!("sink_lines_whole: {} lines are not one JSON object: {:?}", sink.torn.len(), sink.torn));
    }
    let without_id = sink.lines.iter().filter(|l| l.id.is_none()).count();
    if without_id > 0 {
        f.push(format!(
            "sink_lines_carry_id: {without_id} of {} lines have no \"id\":\"sms-<outbox id>\"",
            sink.lines.len()
        ));
    }
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    for id in sink.lines.iter().filter_map(|l| l.id) {
        *count.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    if !twice.is_empty() {
        f.push(format!("sms_never_twice: sent more than once (id, times): {twice:?}"));
    }
    let mut lost: Vec<i64> =
        view.outbox.iter().filter(|(id, d)| **d && !count.contains_key(id)).map(|(id, _)| *id).collect();
    lost.sort();
    if !lost.is_empty() && without_id == 0 {
        f.push(format!("sms_never_lost: marked delivered but not in the sink: {lost:?}"));
    }
    let unknown: Vec<_> = count.keys().filter(|id| !view.outbox.contains_key(id)).collect();
    if !unknown.is_empty() {
        f.push(format!("sink_only_outbox: lines whose id is no outbox row: {unknown:?}"));
    }
    if drained {
        let unmarked: Vec<_> = count.keys().filter(|id| view.outbox.get(id) == Some(&false)).collect();
        if !unmarked.is_empty() {
            f.push(format!("sms_never_lost: in the sink but never marked delivered: {unmarked:?}"));
        }
    }
    let mut last_per_recipient: HashMap<&str, i64> = HashMap::new();
    for l in &sink.lines {
        let Some(id) = l.id else { continue };
        if let Some(prev) = last_per_recipient.insert(&l.to, id) {
            if prev > id {
                f.push(format!("sms_in_queue_order_per_recipient: {} got sms-{id} after sms-{prev}", l.to));
            }
        }
    }
    f
}

/// approved_application_whole: an approved application has its entity, the entity account
/// and a login for each administrator it asked for; no entity exists without its approval.
fn check_applications(view: &DbView) -> Vec<String> {
    let mut f = Vec::new();
    let mut approvals: HashMap<&str, usize> = HashMap::new();
    for a in &view.applications {
        let (id, number, status, entity_id) = (text(&a[0]), text(&a[1]), text(&a[2]), &a[3]);
        if status != "approved" {
            if entity_id.is_some() {
                f.push(format!("approved_application_whole: {number} is {status} but has an entity"));
            }
            continue;
        }
        let Some(eid) = entity_id.as_deref() else {
            f.push(format!("approved_application_whole: {number} is approved without an entity"));
            continue;
        };
        *approvals.entry(eid).or_default() += 1;
        if !view.entities.contains_key(eid) {
            f.push(format!("approved_application_whole: {number}'s entity {eid} does not exist"));
            continue;
        }
        let logins: Vec<&LoginRow> = view.logins.iter().filter(|l| l.entity_id == eid).collect();
        let accounts = logins.iter().filter(|l| l.kind == "entity").count();
        if accounts != 1 {
            f.push(format!("approved_application_whole: {number}'s entity has {accounts} entity accounts"));
        }
        for r in view.requested_admins.iter().filter(|r| text(&r[0]) == id) {
            let name = text(&r[1]);
            if !logins.iter().any(|l| l.name == name && l.kind != "entity") {
                f.push(format!("approved_application_whole: {number}'s administrator {name:?} has no login"));
            }
        }
    }
    for (eid, (number, _)) in &view.entities {
        if approvals.get(eid.as_str()).copied().unwrap_or(0) != 1 {
            f.push(format!("approved_application_whole: entity {number} is not the result of exactly one approval"));
        }
    }
    f
}

/// login_whole: every login belongs to an entity, has its kind, name, mobile, document and
/// activation code; an active one has its username, password hash, and a used code; a
/// pending one none of these; a deleted one its time, no session and no assignment.
fn check_logins(view: &DbView) -> Vec<String> {
    let mut f = Vec::new();
    for l in &view.logins {
        let who = format!("login_whole: {} {} ({}, {})", l.kind, l.id, l.name, l.status);
        let mut need = |ok: bool, what: &str| {
            if !ok {
                f.push(format!("{who}: {what}"));
            }
        };
        need(view.entities.contains_key(&l.entity_id), "its entity does not exist");
        need(["entity", "admin", "staff"].contains(&l.kind.as_str()), "unknown kind");
        need(!l.name.trim().is_empty(), "no name");
        need(l.has("mobile_sealed") && l.has("mobile_mask") && l.has("mobile_lookup"), "mobile incomplete");
        need(l.has("id_number_lookup"), "no identity lookup");
        if l.kind != "entity" {
            need(
                l.has("id_type") && l.has("id_number_sealed") && l.has("id_number_mask"),
                "identity document incomplete",
            );
        }
        let code = view.activation_codes.get(&(l.entity_id.clone(), l.id.clone()));
        need(code.is_some(), "no activation code");
        match l.status.as_str() {
            "pending" => {
                need(
                    !l.has("username") && !l.has("password_hash") && !l.has("activated_at"),
                    "credentials before activation",
                );
                need(!l.has("deleted_at"), "deletion time while pending");
            }
            "active" => {
                need(
                    l.has("username") && l.has("username_key") && l.has("activated_at"),
                    "username or activation time missing",
                );
                need(l.password_hash.starts_with("$argon2id$"), "no Argon2id password hash");
                need(code.map(String::as_str) == Some("y"), "activated but its code is not used");
                need(!l.has("deleted_at"), "deletion time while active");
            }
            "deleted" => need(l.has("deleted_at"), "deleted without its time"),
            _ => need(false, "unknown status"),
        }
        if l.status != "active" {
            let sessions = view.sessions.iter().filter(|s| text(&s[0]) == l.entity_id && text(&s[1]) == l.id).count();
            need(sessions == 0, "has a session while not active");
        }
        if l.status == "deleted" {
            let kept = view.assignments.iter().any(|a| text(&a[0]) == l.entity_id && text(&a[1]) == l.id);
            need(!kept, "deleted but still assigned an e-service");
        }
    }
    f
}

/// acknowledged_writes_durable: whatever the server answered 2xx to is in the database.
fn check_acknowledged(view: &DbView, acks: &[Ack]) -> Vec<String> {
    let mut f = Vec::new();
    for a in acks {
        let ok = match a {
            Ack::Submitted { application } => view.applications.iter().any(|r| text(&r[1]) == application),
            Ack::Approved { application, entity } => view.applications.iter().any(|r| {
                text(&r[1]) == application
                    && text(&r[2]) == "approved"
                    && r[3].as_deref().and_then(|id| view.entities.get(id)).map(|(n, _)| n) == Some(entity)
            }),
            Ack::Activated { entity, login } => {
                view.login(entity, login).is_some_and(|l| l.status == "active" || l.status == "deleted")
            }
            Ack::StaffCreated { entity, login } => view.login(entity, login).is_some(),
            Ack::StaffDeleted { entity, login } => view.login(entity, login).is_some_and(|l| l.status == "deleted"),
            Ack::Assigned { entity, login } => view.login(entity, login).is_some_and(|l| {
                l.status == "deleted"
                    || view
                        .assignments
                        .iter()
                        .any(|r| text(&r[0]) == l.entity_id && text(&r[1]) == l.id && text(&r[2]) == ESERVICE)
            }),
        };
        if !ok {
            f.push(format!("acknowledged_writes_durable: acknowledged but not in the database: {a:?}"));
        }
    }
    f
}

/// login_code_sent: once the outbox has drained, every login's mobile has received an
/// activation code (the SMS queued with the login, or a later one).
fn check_codes_sent(view: &DbView, sink: &Sink, mobiles: &HashMap<String, String>) -> Vec<String> {
    let mut f = Vec::new();
    let got: HashSet<&str> =
        sink.lines.iter().filter(|l| l.template == "activation_code").map(|l| l.to.as_str()).collect();
    for l in &view.logins {
        let key = if l.kind == "entity" {
            format!("entity:{}", view.entities.get(&l.entity_id).map(|(_, reg)| reg.as_str()).unwrap_or(""))
        } else {
            format!("person:{}", l.name)
        };
        match mobiles.get(&key) {
            None => f.push(format!("login_code_sent: a login the workload never registered: {key}")),
            Some(m) if !got.contains(m.as_str()) => {
                f.push(format!("login_code_sent: {key} ({} {}) never received an activation code", l.kind, l.status))
            }
            Some(_) => {}
        }
    }
    f
}
