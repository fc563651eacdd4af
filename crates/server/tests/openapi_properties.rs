//! Requests generated from the OpenAPI document (issue 7, point 5). The router runs in
//! process (`tower::ServiceExt::oneshot`, as `problems.rs` does) over SQLite and PostgreSQL,
//! started as `entity-account serve` starts it (signing and enrolment keys made). The test
//! builds a real world through the API — a counter operator, an e-service with its OpenID
//! Connect client, an approved entity whose entity account and two administrators are
//! activated with the codes from the SMS outbox (one holding a Macau resident card, for face
//! recognition, one a passport, for the security verification code), a staff login, a pending
//! application, and the e-service's client_credentials token for the department API — and
//! then, for every operation (path × method) of the served document, sends generated
//! requests: path parameters that name real things, plausible ones and garbage; query
//! parameters; JSON bodies generated from the operation's request schema with plausible
//! values, then mutated (wrong types, missing and unknown fields, huge strings, deep nesting,
//! not JSON, empty, oversized, other content types); as nobody, with forged tokens, and as the
//! operator, the entity account, the administrators and the department. About a third of the
//! requests are valid throughout, so the handlers' success paths run too; one in twenty finds
//! the password-hash pool saturated (as any sign-in may under load); now and then a method the
//! path does not document. When generated requests sign a principal out, demote, delete or
//! lock it, the harness restores it (or builds a new entity) before going on.
//!
//! Properties of every answer:
//! - no 5xx, except a 5xx status the operation documents;
//! - its status is documented by the operation (exactly, as a range like `4XX`, or `default`);
//! - under `/api/`, a non-2xx answer is `application/problem+json` with `type`, `title`,
//!   `status` (equal to the status), `detail` and a snake_case `code`;
//! - a 429 or 503 API answer says when to come back (`Retry-After`);
//! - an answer whose documented response declares a content type has that content type, and
//!   a JSON 2xx body conforms to the documented schema (required fields, types);
//! - nothing is logged at ERROR while the requests run (a help request's background work fails
//!   silently otherwise), and no request makes the server warn that a value got past the
//!   parsers (the database refused it: PostgreSQL refuses NUL characters that SQLite stores);
//!   other WARN lines are counted and printed.
//!
//! Every operation of the document must have been exercised. A separate test checks that the
//! document puts every parameter where the server reads it (path or query), and another that
//! the verdict refuses what it must (so the property can fail).
//!
//! The OpenID Connect endpoints are not in the document; `oidc_endpoints_*` sends them hostile
//! requests too (token, introspection, revocation and userinfo with right, wrong, doubled and
//! malformed client authentication and tokens; authorization requests with every parameter
//! right or garbage) and holds them to OAuth's shapes (`docs/oidc.md`): no 5xx; JSON
//! `{error, error_description}` errors with 400 (401 for `invalid_client`, with a challenge);
//! userinfo refusals with a Bearer challenge; no redirect anywhere but a registered redirect
//! URI or the provider's own pages.
//!
//! Short run (2,500 requests to the documented operations and 500 to the provider, a backend):
//!   `CARGO_BUILD_JOBS=1 cargo test -p server --test openapi_properties -- --nocapture`
//! PostgreSQL too: add `EA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test EA_REQUIRE_POSTGRES=1`.
//! Long run: `EA_PROPERTY_REQUESTS=20000` (any count); `EA_PROPERTY_SEED=N` picks another
//! sequence (the seed of a failing run is printed with its failures);
//! `EA_PROPERTY_TRACE='POST /api/v1/activate'` prints every request to the operations whose
//! `METHOD /template` contains the text, with its answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use base64::Engine as _;
use domain::access::Principal;
use domain::clock::{Clock, SystemClock};
use domain::config::Policy;
use domain::credentials::Password;
use domain::crypto::Vault;
use domain::eid::payload;
use domain::numbers::{ApplicationNumber, EntityNumber};
use domain::password_hash::{Busy, HashParams, PasswordHasher};
use domain::sms::SmsMessage;
use domain::store::Store;
use domain::Services;
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use server::hashing::Argon2Pool;
use server::AppState;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const DEFAULT_REQUESTS: usize = 2_500;

// ---------------------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------------------

struct Backend {
    name: &'static str,
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<testkit::PgTestDb>,
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("p.db").display())).await.unwrap();
    Backend { name: "sqlite", store, _dir: Some(dir), _pg: None }
}

async fn postgres() -> Option<Backend> {
    let db = testkit::PgTestDb::create("props").await?;
    let store = store::open(&db.url).await.unwrap();
    Some(Backend { name: "postgres", store, _dir: None, _pg: Some(db) })
}

/// The server's Argon2 pool, which the test can make answer as a saturated pool does
/// (`Busy`: the server's admission control answers 503 with `Retry-After`) for the requests it
/// chooses — as any sign-in may be answered under load.
struct Pool {
    inner: Argon2Pool,
    saturated: AtomicBool,
}

impl Pool {
    fn busy(&self) -> Result<(), Busy> {
        if self.saturated.load(Ordering::SeqCst) {
            Err(Busy { retry_after_secs: 1 })
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl PasswordHasher for Pool {
    async fn hash(&self, password: Password) -> Result<String, Busy> {
        self.busy()?;
        self.inner.hash(password).await
    }
    async fn verify(&self, password: Password, phc: String) -> Result<bool, Busy> {
        self.busy()?;
        self.inner.verify(password, phc).await
    }
    async fn verify_dummy(&self, password: Password) -> Result<(), Busy> {
        self.busy()?;
        self.inner.verify_dummy(password).await
    }
}

// ---------------------------------------------------------------------------------------
// What the server logs while the requests run
// ---------------------------------------------------------------------------------------

/// Collects WARN and ERROR events of the test's thread (the runtime is current-thread, so
/// handlers and the tasks they spawn log here).
struct Capture(Arc<Mutex<Vec<(tracing::Level, String)>>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.is_event() && *metadata.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = format!("{}: ", event.metadata().target());
        event.record(&mut Fields(&mut s));
        self.0.lock().unwrap().push((*event.metadata().level(), s));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

// ---------------------------------------------------------------------------------------
// The document's operations
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Op {
    method: Method,
    template: String,
    /// `{name}`s of the template.
    path_params: Vec<String>,
    /// Documented query parameters, and path parameters the template does not hold (the
    /// server can only read those from the query).
    query_params: Vec<String>,
    body: Option<Value>,
    responses: Value,
    secured: bool,
}

impl Op {
    fn id(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
    fn is_department(&self) -> bool {
        self.template.starts_with("/api/v1/department/")
    }
}

fn template_params(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(String::from)
        .collect()
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else { continue };
            if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&m.as_str()) {
                continue;
            }
            let path_params = template_params(template);
            let query_params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" || (p["in"] == "path" && !path_params.iter().any(|n| *n == p["name"])))
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            let body = op["requestBody"]["content"]["application/json"]["schema"].clone();
            ops.push(Op {
                method: m,
                template: template.clone(),
                path_params,
                query_params,
                body: (!body.is_null()).then_some(body),
                responses: op["responses"].clone(),
                secured: op["security"].as_array().is_some_and(|s| !s.is_empty()),
            });
        }
    }
    ops
}

/// The documented response an answer falls under: its exact status, its class (`4XX`), or
/// `default`.
fn documented(responses: &Value, status: StatusCode) -> Option<&Value> {
    let code = status.as_u16().to_string();
    let class = format!("{}XX", status.as_u16() / 100);
    let r = responses.as_object()?;
    r.get(&code)
        .or_else(|| r.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)).map(|(_, v)| v))
        .or_else(|| r.get("default"))
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            (&doc["components"]["schemas"][name], Some(name))
        }
        None => (schema, None),
    }
}

fn types_of(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Does `v` conform to `schema`? Types, required properties, items, `oneOf`/`anyOf`/`allOf`,
/// `enum` — what a generated client relies on.
fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let (schema, _) = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[key].as_array() {
            if !alts.iter().any(|a| conforms(doc, a, v, at).is_ok()) {
                return Err(format!("{at}: {v} matches none of the {key} alternatives"));
            }
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for a in all {
            conforms(doc, a, v, at)?;
        }
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(v) {
            return Err(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
        }
    }
    let types = types_of(schema);
    if types.is_empty() {
        return Ok(());
    }
    let ok = types.iter().any(|t| match *t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    });
    if !ok {
        return Err(format!("{at}: {} is not of type {types:?}", short(&v.to_string())));
    }
    if let Some(o) = v.as_object() {
        for r in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !o.contains_key(r) {
                return Err(format!("{at}: required property `{r}` is missing"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (k, s) in props {
                if let Some(x) = o.get(k) {
                    conforms(doc, s, x, &format!("{at}.{k}"))?;
                }
            }
            if schema["additionalProperties"] == false {
                if let Some(k) = o.keys().find(|k| !props.contains_key(*k)) {
                    return Err(format!("{at}: property `{k}` is not documented"));
                }
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), schema.get("items")) {
        for (i, x) in a.iter().enumerate() {
            conforms(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn short(s: &str) -> String {
    if s.chars().count() <= 300 {
        s.to_string()
    } else {
        format!("{}… ({} bytes)", s.chars().take(300).collect::<String>(), s.len())
    }
}

// ---------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Nobody,
    Forged,
    Operator,
    EntityAccount,
    /// `admin1`, registered with a Macau resident card (face recognition).
    Admin,
    /// `admin2`, registered with a passport (the security verification code).
    Admin2,
    Department,
}

impl Who {
    fn username(self) -> &'static str {
        match self {
            Who::Admin => "admin1",
            Who::Admin2 => "admin2",
            _ => "entity",
        }
    }
}

struct Sent {
    method: Method,
    uri: String,
    who: Who,
    authorization: Option<Vec<u8>>,
    content_type: Option<String>,
    accept: Option<&'static str>,
    body: Vec<u8>,
    peer: SocketAddr,
}

impl Sent {
    fn new(method: Method, uri: impl Into<String>) -> Sent {
        Sent {
            method,
            uri: uri.into(),
            who: Who::Nobody,
            authorization: None,
            content_type: None,
            accept: None,
            body: Vec::new(),
            peer: SocketAddr::new(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)), 40000),
        }
    }
    fn bearer(mut self, token: &str) -> Sent {
        self.authorization = Some(format!("Bearer {token}").into_bytes());
        self
    }
    fn json(mut self, v: &Value) -> Sent {
        self.content_type = Some("application/json".into());
        self.body = serde_json::to_vec(v).unwrap();
        self
    }
    fn form(mut self, pairs: &[(&str, &str)]) -> Sent {
        self.content_type = Some("application/x-www-form-urlencoded".into());
        self.body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
        self
    }
    /// How to send it again: a curl command line.
    fn reproduction(&self) -> String {
        let mut s = format!("curl -X {} 'http://127.0.0.1:8080{}'", self.method, self.uri);
        if let Some(a) = &self.authorization {
            let _ = write!(s, " -H 'Authorization: {}'", short(&String::from_utf8_lossy(a)));
        }
        if let Some(c) = &self.content_type {
            let _ = write!(s, " -H 'Content-Type: {c}'");
        }
        if let Some(a) = self.accept {
            let _ = write!(s, " -H 'Accept: {a}'");
        }
        if !self.body.is_empty() {
            let _ = write!(s, " --data-binary '{}'", short(&String::from_utf8_lossy(&self.body)));
        }
        format!("{s}   # as {:?}, from {}", self.who, self.peer.ip())
    }
}

struct Answer {
    status: StatusCode,
    content_type: String,
    retry_after: Option<String>,
    location: Option<String>,
    www_authenticate: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn text(&self) -> String {
        short(&String::from_utf8_lossy(&self.body))
    }
}

async fn send(app: &axum::Router, s: &Sent) -> Answer {
    let mut b = Request::builder().method(s.method.clone()).uri(&s.uri);
    if let Some(a) = &s.authorization {
        b = b.header(header::AUTHORIZATION, HeaderValue::from_bytes(a).expect("a header value"));
    }
    if let Some(c) = &s.content_type {
        b = b.header(header::CONTENT_TYPE, c.as_str());
    }
    if let Some(a) = s.accept {
        b = b.header(header::ACCEPT, a);
    }
    let mut req = b.body(Body::from(s.body.clone())).expect("a request");
    req.extensions_mut().insert(ConnectInfo(s.peer));
    let res = tokio::time::timeout(Duration::from_secs(30), app.clone().oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("no answer within 30 s: {}", s.reproduction()))
        .unwrap();
    let status = res.status();
    let header =
        |name| res.headers().get(name).map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
    let retry_after = header(header::RETRY_AFTER);
    let location = header(header::LOCATION);
    let www_authenticate = header(header::WWW_AUTHENTICATE);
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, content_type, retry_after, location, www_authenticate, body }
}

/// The properties every answer must have; `Err` names the one it breaks.
fn verdict(doc: &Value, op: &Op, sent: &Sent, a: &Answer) -> Result<(), String> {
    let status = a.status;
    let entry = documented(&op.responses, status);
    if status.is_server_error() && op.responses.get(status.as_str()).is_none() {
        return Err(format!("{status}: a server error the operation does not document"));
    }
    let Some(entry) = entry else {
        let keys: Vec<&String> = op.responses.as_object().unwrap().keys().collect();
        return Err(format!("{status}: not documented (the operation documents {keys:?})"));
    };
    let media = a.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if matches!(status.as_u16(), 429 | 503) && sent.uri.starts_with("/api/") && a.retry_after.is_none() {
        return Err(format!("{status}: no Retry-After"));
    }
    if sent.uri.starts_with("/api/") && !status.is_success() {
        if media != "application/problem+json" {
            return Err(format!(
                "{status}: a non-2xx API answer as {:?}, not application/problem+json",
                a.content_type
            ));
        }
        let p = a.json();
        for k in ["type", "title", "detail", "code"] {
            if !p[k].is_string() {
                return Err(format!("{status}: the problem document has no string `{k}`: {}", a.text()));
            }
        }
        if p["status"].as_u64() != Some(u64::from(status.as_u16())) {
            return Err(format!("{status}: the problem's `status` is {}", p["status"]));
        }
        let code = p["code"].as_str().unwrap();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(format!("{status}: the problem's `code` {code:?} is not snake_case"));
        }
    }
    if let Some(content) = entry["content"].as_object() {
        if !content.keys().any(|k| k.eq_ignore_ascii_case(&media)) {
            let keys: Vec<&String> = content.keys().collect();
            return Err(format!("{status}: answered as {:?}, documented as {keys:?}", a.content_type));
        }
        if status.is_success() && media == "application/json" {
            let v: Value = serde_json::from_slice(&a.body)
                .map_err(|e| format!("{status}: the JSON answer does not parse ({e}): {}", a.text()))?;
            conforms(doc, &content["application/json"]["schema"], &v, "body")
                .map_err(|e| format!("{status}: the answer does not match its documented schema: {e}"))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------

const NASTY: &[&str] = &[
    "",
    " ",
    "\0",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "..",
    ".",
    "' OR 1=1 --",
    "\"; DROP TABLE logins; --",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "１２３４５６７８",
    "\u{202e}12345678",
    "1000001\u{200b}0",
    "A10000001\u{feff}",
    "%00",
    "%ZZ",
    "\u{fdfa}\u{fdfa}",
    "陳大文",
    "😀",
    "\r\nSet-Cookie: a=b",
    "\u{7f}\u{85}\u{9f}",
    "\u{10ffff}",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
];

const NASTY_CHARS: &[char] = &[
    '\0',
    '\u{1}',
    '\t',
    '\n',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{200b}',
    '\u{200f}',
    '\u{202e}',
    '\u{2028}',
    '\u{3000}',
    '\u{feff}',
    '\u{fffd}',
    '\u{10ffff}',
    '０',
    '６',
    'Ａ',
    '\u{fdfa}',
    'ß',
    'İ',
    '\u{301}',
    '陳',
    '😀',
    '"',
    '\\',
    '/',
    '%',
    '?',
    '#',
    '&',
    '=',
    '+',
    '.',
    '-',
    '(',
    ')',
    'a',
    'Z',
    '1',
    '6',
];

struct Gen {
    rng: StdRng,
    /// A JWKS with a real EC P-256 key, for `private_key_jwt` registrations.
    jwks: Value,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        xs.choose(&mut self.rng).expect("a non-empty choice")
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.rng.gen_range(0..10u8))).collect()
    }
    fn garbage(&mut self) -> String {
        match self.rng.gen_range(0..10) {
            0..=3 => self.pick(NASTY).to_string(),
            4..=7 => {
                let n = self.rng.gen_range(1..40);
                (0..n).map(|_| *self.pick(NASTY_CHARS)).collect()
            }
            8 => {
                let n = self.rng.gen_range(1..40);
                (0..n).map(|_| char::from_u32(self.rng.gen_range(0..0x11_0000)).unwrap_or('\u{fffd}')).collect()
            }
            _ => {
                let c = *self.pick(NASTY_CHARS);
                std::iter::repeat_n(c, self.rng.gen_range(300..20_000)).collect()
            }
        }
    }
    fn mobile(&mut self) -> String {
        let local = format!("6{}", self.digits(7));
        match self.rng.gen_range(0..4) {
            0 => local,
            1 => format!("+853{local}"),
            2 => format!("+853 {} {}", &local[..4], &local[4..]),
            _ => format!("00853-{local}"),
        }
    }
    fn bir(&mut self) -> String {
        format!("{}{}({})", self.pick(&["1", "5", "7"]), self.digits(6), self.digits(1))
    }
    fn passport(&mut self) -> String {
        format!("{}{}", self.pick(&["P", "K", "E", "MA"]), self.digits(7))
    }
    fn words(&mut self) -> String {
        let w = ["澳門", "公司", "Associação", "Macau", "Lda", "Fundação", "entity", "陳", "黃", "Ho", "Chan", "Leong"];
        let n = self.rng.gen_range(1..4);
        (0..n).map(|_| *self.pick(&w)).collect::<Vec<_>>().join(" ")
    }
    fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid().to_string()
    }
    fn huge(&mut self) -> String {
        let c = *self.pick(&['a', '陳', '\u{fdfa}', '0', ' ']);
        std::iter::repeat_n(c, self.rng.gen_range(10_000..25_000)).collect()
    }
}

/// What the test built through the API, and knows about.
struct World {
    operator_name: String,
    tokens: BTreeMap<Who, String>,
    entity_number: String,
    entity_numbers: Vec<String>,
    application_numbers: Vec<String>,
    pending_application: String,
    /// The current entity's own (approved) application, whose registration number is known.
    entity_application: String,
    registration_number: String,
    entity_mobile: String,
    admin_login_id: String,
    admin2_login_id: String,
    admin2_passport: String,
    entity_login_id: String,
    staff_login_ids: Vec<String>,
    /// The administrator's Macau resident card number, canonical (`1234567(8)`).
    admin_document: String,
    admin_mobile: String,
    eservice_codes: Vec<String>,
    client_id: String,
    client_secret: String,
    enrolments: Vec<(String, String)>,
    /// Recent activation codes, and password-reset codes sent to the administrator.
    codes: Vec<String>,
    reset_codes: Vec<String>,
    serial: u32,
}

impl World {
    fn entity_number(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..20) {
            0..=10 => self.entity_number.clone(),
            11..=12 => g.pick(&self.entity_numbers).clone(),
            13..=14 => EntityNumber::from_sequence(g.rng.gen_range(1..8_999_999)).as_str().to_string(),
            15 => format!("{} {}", &self.entity_number[..4], &self.entity_number[4..]),
            16 => g.digits(8),
            _ => g.garbage(),
        }
    }
    fn application_number(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..20) {
            0..=5 => self.pending_application.clone(),
            6..=10 => g.pick(&self.application_numbers).clone(),
            11..=13 => ApplicationNumber::from_sequence(g.rng.gen_range(1..89_999_999)).as_str().to_string(),
            14 => self.pending_application.to_lowercase(),
            15 => format!("A{}", g.digits(9)),
            _ => g.garbage(),
        }
    }
    fn login_id(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..20) {
            0..=3 => self.admin_login_id.clone(),
            4 => self.admin2_login_id.clone(),
            5..=7 => self.entity_login_id.clone(),
            8..=11 => g.pick(&self.staff_login_ids).clone(),
            12 => self.admin_login_id.to_uppercase(),
            13 => self.admin_login_id.replace('-', ""),
            14..=15 => g.uuid(),
            _ => g.garbage(),
        }
    }
    fn eservice_code(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..10) {
            0..=5 => g.pick(&self.eservice_codes).clone(),
            6 => "no-such-service".into(),
            7 => format!("svc-{}", g.digits(6)),
            _ => g.garbage(),
        }
    }
    fn code(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..10) {
            0..=3 if !self.codes.is_empty() => g.pick(&self.codes).clone(),
            0..=5 => {
                let a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".as_bytes();
                let s: String = (0..10).map(|_| char::from(*g.pick(a))).collect();
                format!("{}-{}", &s[..5], &s[5..])
            }
            _ => g.garbage(),
        }
    }
    fn password(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..10) {
            0..=3 => PASSWORD.into(),
            4..=5 => format!("{} {} pass phrase {}", g.words(), g.digits(4), g.digits(3)),
            6 => "short".into(),
            7 => "password12345678".into(),
            _ => g.garbage(),
        }
    }
    fn username(&self, g: &mut Gen) -> String {
        match g.rng.gen_range(0..10) {
            0..=2 => "admin1".into(),
            3 => "entity".into(),
            4 => self.operator_name.clone(),
            5..=6 => format!("user.{}", g.digits(5)),
            _ => g.garbage(),
        }
    }

    /// A plausible value for a path or query parameter.
    fn parameter(&self, g: &mut Gen, name: &str) -> String {
        match name {
            "entity_number" => self.entity_number(g),
            "application_number" => self.application_number(g),
            "login_id" => self.login_id(g),
            "mandate_id" => {
                if g.chance(0.8) {
                    g.uuid()
                } else {
                    g.garbage()
                }
            }
            "code" => self.eservice_code(g),
            "client_id" => {
                if g.chance(0.7) {
                    format!("mc.{}", &g.uuid().replace('-', ""))
                } else {
                    g.garbage()
                }
            }
            "registration_number" => match g.rng.gen_range(0..6) {
                0..=2 => self.registration_number.clone(),
                3 => self.registration_number.to_lowercase().replace('-', " "),
                4 => format!("R{}", g.digits(6)),
                _ => g.garbage(),
            },
            "status" => {
                let v = ["submitted", "under_review", "approved", "rejected", "SUBMITTED", "", "all"];
                if g.chance(0.8) {
                    g.pick(&v).to_string()
                } else {
                    g.garbage()
                }
            }
            "limit" => {
                let v = [
                    "1",
                    "2",
                    "3",
                    "100",
                    "500",
                    "0",
                    "-1",
                    "501",
                    "abc",
                    "1.5",
                    "",
                    "9223372036854775807",
                    "99999999999999999999",
                ];
                g.pick(&v).to_string()
            }
            "after" => match g.rng.gen_range(0..8) {
                0 => "0".into(),
                1 => g.digits(2),
                2 => self.admin_login_id.clone(),
                3 => g.uuid(),
                4 => "-1".into(),
                5 => "9223372036854775808".into(),
                _ => g.garbage(),
            },
            _ => {
                if g.chance(0.5) {
                    g.digits(8)
                } else {
                    g.garbage()
                }
            }
        }
    }

    /// A plausible value for a body field, by its name and the schema it is in; `None`:
    /// generate from the schema.
    fn field(&self, g: &mut Gen, schema_name: &str, name: &str) -> Option<Value> {
        if g.chance(0.12) {
            return Some(Value::String(g.garbage()));
        }
        let s = |x: String| Some(Value::String(x));
        match (schema_name, name) {
            ("IdDocumentBody", "type") => {
                s(g.pick(&["macau_resident", "passport", "other", "passport", "Passport", "bir"]).to_string())
            }
            ("IdDocumentBody", "number") => match g.rng.gen_range(0..5) {
                0 => s(g.bir()),
                1..=2 => s(g.passport()),
                3 => s(self.admin_document.clone()),
                _ => s(format!("{}/{}/{}", g.digits(1), g.digits(6), g.digits(1))),
            },
            ("EntityBody", "type") => s(g
                .pick(&["association", "foundation", "company", "entrepreneur", "unincorporated", "Company", "ngo"])
                .to_string()),
            ("EntityBody", "registration_number") => match g.rng.gen_range(0..5) {
                0 => s(self.registration_number.clone()),
                _ => s(format!("R-{}", g.digits(8))),
            },
            ("EServiceBody", "code") => match g.rng.gen_range(0..6) {
                0 => s(g.pick(&self.eservice_codes).clone()),
                1 => s("A-Bad-Code".into()),
                _ => s(format!("svc-{}", g.digits(8))),
            },
            ("EServiceBody", "assurance") => s(g.pick(&["basic", "advanced", "high", ""]).to_string()),
            ("EServiceBody", "department") | (_, "department") => s(g.pick(&["DSAJ", "DSF", "DSI", "IAS"]).to_string()),
            (_, "entity_number") => s(self.entity_number(g)),
            (_, "application_number") => s(self.application_number(g)),
            (_, "activation_code") | (_, "reset_code") => s(self.code(g)),
            (_, "username") => s(self.username(g)),
            (_, "password") => s(self.password(g)),
            (_, "mobile") => match g.rng.gen_range(0..6) {
                0 => s(self.admin_mobile.clone()),
                1 => s(self.entity_mobile.clone()),
                2 => s("+85256123456".into()),
                _ => s(g.mobile()),
            },
            (_, "id_document_number") => match g.rng.gen_range(0..4) {
                0 => s(self.admin_document.clone()),
                1 => s(self.registration_number.clone()),
                2 => s(g.bir()),
                _ => s(g.passport()),
            },
            (_, "name") | (_, "zh") | (_, "pt") | (_, "en") | (_, "name_zh") | (_, "name_pt") | (_, "name_en") => {
                match g.rng.gen_range(0..8) {
                    0 => Some(Value::Null),
                    1 => s("   ".into()),
                    _ => s(g.words()),
                }
            }
            (_, "reason") | (_, "subject") | (_, "body") | (_, "reference") => {
                if g.chance(0.1) {
                    s(g.huge())
                } else {
                    s(g.words())
                }
            }
            (_, "redirect_uris") | (_, "post_logout_redirect_uris") => {
                let n = g.rng.gen_range(0..4);
                Some(Value::Array((0..n).map(|_| Value::String(uri(g))).collect()))
            }
            (_, "backchannel_logout_uri") => {
                if g.chance(0.3) {
                    Some(Value::Null)
                } else {
                    s(uri(g))
                }
            }
            (_, "jwks") => Some(match g.rng.gen_range(0..8) {
                0..=2 => g.jwks.clone(),
                3 => Value::Null,
                4 => json!({"keys": []}),
                5 => {
                    let mut k = g.jwks.clone();
                    k["keys"][0]["x"] = Value::String("AAAA".into());
                    k
                }
                6 => {
                    let mut k = g.jwks.clone();
                    k["keys"][0]["kty"] = Value::String("RSA".into());
                    k
                }
                _ => json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k", "x": g.garbage(), "y": g.garbage()}]}),
            }),
            (_, "eservices") => {
                let n = g.rng.gen_range(0..4);
                Some(Value::Array((0..n).map(|_| Value::String(self.eservice_code(g))).collect()))
            }
            (_, "payload") => s(match g.rng.gen_range(0..6) {
                0..=2 if !self.enrolments.is_empty() => {
                    let (id, key) = g.pick(&self.enrolments).clone();
                    let key = payload::decode_key(&key).expect("the server's key");
                    let secret: Vec<u8> = (0..g.rng.gen_range(16..40)).map(|_| g.rng.gen()).collect();
                    payload::seal(&key, &id, &secret)
                }
                0..=3 => format!("EA1.{}.{}.{}", g.uuid(), g.garbage(), g.garbage()),
                _ => g.garbage(),
            }),
            (_, "agreement_signed") | (_, "document_shown") | (_, "notarised") => Some(Value::Bool(g.chance(0.85))),
            _ => None,
        }
    }
}

fn uri(g: &mut Gen) -> String {
    let v = [
        "https://rp.example/cb",
        "https://rp.example/cb?x=1",
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
        "http://[::1]:9000/cb",
        "http://rp.example/cb",
        "https://rp.example/cb#frag",
        "https://user:pw@rp.example/cb",
        "javascript:alert(1)",
        "https://rp.example/ cb",
        "/relative",
    ];
    if g.chance(0.85) {
        g.pick(&v).to_string()
    } else {
        g.garbage()
    }
}

/// A JSON value shaped by `schema`, with plausible values where the field is known.
fn generate(world: &World, g: &mut Gen, doc: &Value, schema: &Value, ctx: &str, depth: usize) -> Value {
    let (schema, name) = resolve(doc, schema);
    let ctx = name.unwrap_or(ctx);
    if let Some(alts) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let non_null: Vec<&Value> = alts.iter().filter(|a| a["type"] != "null").collect();
        let alt = if !non_null.is_empty() && g.chance(0.8) { *g.pick(&non_null) } else { g.pick(alts) };
        return generate(world, g, doc, alt, ctx, depth + 1);
    }
    let types = types_of(schema);
    let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let t = if types.contains(&"null") && (non_null.is_empty() || g.chance(0.15)) {
        "null"
    } else if non_null.is_empty() {
        "object"
    } else {
        *g.pick(&non_null)
    };
    match t {
        "null" => Value::Null,
        "boolean" => Value::Bool(g.chance(0.7)),
        "integer" => json!(g.rng.gen_range(-2..1000)),
        "number" => json!(g.rng.gen_range(-2.0..1000.0)),
        "string" => Value::String(if g.chance(0.7) { g.words() } else { g.garbage() }),
        "array" => {
            let n = if depth > 6 { 0 } else { g.rng.gen_range(0..3) + usize::from(g.chance(0.7)) };
            Value::Array((0..n).map(|_| generate(world, g, doc, &schema["items"], ctx, depth + 1)).collect())
        }
        _ => {
            let mut o = Map::new();
            let required: Vec<&str> =
                schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            for (k, s) in schema["properties"].as_object().into_iter().flatten() {
                if !required.contains(&k.as_str()) && !g.chance(0.6) {
                    continue;
                }
                let v = match world.field(g, ctx, k) {
                    Some(v) => v,
                    None if depth > 8 => Value::Null,
                    None => generate(world, g, doc, s, ctx, depth + 1),
                };
                o.insert(k.clone(), v);
            }
            Value::Object(o)
        }
    }
}

/// Every node of `v`, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn nested(depth: usize, inner: Value) -> Value {
    (0..depth).fold(inner, |v, i| if i % 2 == 0 { json!([v]) } else { json!({ "a": v }) })
}

/// One structural mutation of a valid-shaped body.
fn mutate(g: &mut Gen, v: &mut Value) {
    let mut ps = Vec::new();
    pointers(v, String::new(), &mut ps);
    let p = g.pick(&ps).clone();
    let node = v.pointer_mut(&p).unwrap();
    match g.rng.gen_range(0..9) {
        0 => {
            let wrong = [
                Value::Null,
                json!(true),
                json!(0),
                json!(-1),
                json!(1.5),
                json!(1e300),
                json!(u64::MAX),
                json!(i64::MIN),
                json!(""),
                json!([]),
                json!({}),
                json!([1, "a", null]),
                json!({"a": {"b": 1}}),
            ];
            *node = g.pick(&wrong).clone();
        }
        1 => {
            if let Some(o) = node.as_object_mut() {
                if let Some(k) = o.keys().cloned().collect::<Vec<_>>().choose(&mut g.rng) {
                    o.remove(k);
                }
            }
        }
        2 => {
            if let Some(o) = node.as_object_mut() {
                let k = g.pick(&["extra", "__proto__", "constructor", "", "kind", "is_admin", "entity_id", "login_id"]);
                o.insert(k.to_string(), json!(1));
            }
        }
        3 => *node = Value::String(g.huge()),
        4 => {
            let d = g.rng.gen_range(20..200);
            *node = nested(d, node.clone());
        }
        5 => *node = Value::String(g.garbage()),
        6 => {
            if let Some(a) = node.as_array_mut() {
                if let Some(first) = a.first().cloned() {
                    let n = g.rng.gen_range(4..300);
                    a.extend(std::iter::repeat_n(first, n));
                }
            }
        }
        7 => {
            if let Some(s) = node.as_str() {
                *node = json!(s.chars().count());
            }
        }
        _ => *node = json!([node.clone()]),
    }
}

/// A textual mutation of a JSON body: no longer JSON, or JSON with a twist serde_json parses.
fn mangle(g: &mut Gen, body: &mut Vec<u8>) {
    match g.rng.gen_range(0..8) {
        0 => body.truncate(g.rng.gen_range(0..=body.len())),
        1 => {
            let i = g.rng.gen_range(0..=body.len());
            body.insert(i, *g.pick(&[0xff, 0xc0, 0x00, b'{', b'"', b',', b'\\']));
        }
        2 => {
            let mut b = "\u{feff}".as_bytes().to_vec();
            b.append(body);
            *body = b;
        }
        3 => {
            let tails: [&[u8]; 5] = [b"}", b",", b" trailing", b"{}", b"\0"];
            let tail: &&[u8] = g.pick(&tails);
            body.extend_from_slice(tail);
        }
        4 => {
            if body.first() == Some(&b'{') && body.len() > 2 {
                let dup = b"\"entity_number\":1,\"username\":[],";
                body.splice(1..1, dup.iter().copied());
            }
        }
        5 => {
            let odd: [&[u8]; 8] =
                [b"NaN", b"1e999", b"[1,]", b"{\"a\":1,}", b"// x\n{}", b"'{}'", b"{a:1}", b"\"\\ud800\""];
            *body = g.pick(&odd).to_vec();
        }
        6 => {
            let d = g.rng.gen_range(100..3000);
            *body = format!("{}{}", "[".repeat(d), "]".repeat(d)).into_bytes();
        }
        _ => *body = (0..g.rng.gen_range(1..200)).map(|_| g.rng.gen()).collect(),
    }
}

/// At most 1,500 characters: a URI stays under the `http` crate's 64 KiB limit once encoded.
fn bounded(s: String) -> String {
    s.chars().take(1_500).collect()
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The harness: the router, the world, the figures
// ---------------------------------------------------------------------------------------

struct Harness {
    backend: &'static str,
    app: axum::Router,
    pool: Arc<Pool>,
    services: Arc<Services>,
    store: Arc<dyn Store>,
    doc: Value,
    ops: Vec<Op>,
    world: World,
    g: Gen,
    seed: u64,
    sent: usize,
    per_op: BTreeMap<String, (usize, usize)>,
    statuses: BTreeMap<u16, usize>,
    failures: BTreeMap<String, (usize, String)>,
    /// What the server logs (WARN and ERROR), so a line can be tied to the request behind it.
    logged: Arc<Mutex<Vec<(tracing::Level, String)>>>,
}

impl Harness {
    async fn start(b: &Backend, seed: u64, logged: Arc<Mutex<Vec<(tracing::Level, String)>>>) -> Harness {
        let pool = Arc::new(Pool {
            inner: Argon2Pool::new(HashParams { m_kib: 64, t: 1, p: 1 }, 2),
            saturated: AtomicBool::new(false),
        });
        let services = Arc::new(Services {
            store: b.store.clone(),
            hasher: pool.clone(),
            clock: Arc::new(SystemClock),
            vault: Arc::new(Vault::new(&[5u8; 32]).unwrap()),
            policy: Policy::default(),
            sms_queued: Arc::new(|| {}),
            issue_queue: Default::default(),
        });
        // As `entity-account serve` does before it listens.
        services.check_master_key().await.unwrap();
        services.ensure_signing_key().await.unwrap();
        services.ensure_enrolment_key().await.unwrap();
        let state = AppState::new(services.clone()).with_face_verifier(Arc::new(server::face::DevFaceVerifier));
        let app = server::router(state);
        let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk_string()).unwrap();
        jwk["kid"] = json!("k1");
        let g = Gen { rng: StdRng::seed_from_u64(seed), jwks: json!({ "keys": [jwk] }) };
        let doc = send(&app, &Sent::new(Method::GET, "/api/v1/openapi.json")).await.json();
        assert!(doc["paths"].is_object(), "the served OpenAPI document");
        let ops = operations(&doc);
        let world = World {
            operator_name: String::new(),
            tokens: BTreeMap::new(),
            entity_number: String::new(),
            entity_numbers: Vec::new(),
            application_numbers: Vec::new(),
            pending_application: String::new(),
            entity_application: String::new(),
            registration_number: String::new(),
            entity_mobile: String::new(),
            admin_login_id: String::new(),
            admin2_login_id: String::new(),
            admin2_passport: String::new(),
            entity_login_id: String::new(),
            staff_login_ids: Vec::new(),
            admin_document: String::new(),
            admin_mobile: String::new(),
            eservice_codes: Vec::new(),
            client_id: String::new(),
            client_secret: String::new(),
            enrolments: Vec::new(),
            codes: Vec::new(),
            reset_codes: Vec::new(),
            serial: 0,
        };
        let mut h = Harness {
            backend: b.name,
            app,
            pool,
            services,
            store: b.store.clone(),
            doc,
            ops,
            world,
            g,
            seed,
            sent: 0,
            per_op: BTreeMap::new(),
            statuses: BTreeMap::new(),
            failures: BTreeMap::new(),
            logged,
        };
        h.new_operator().await;
        h.new_eservices().await;
        h.new_entity().await;
        h.new_department_token().await;
        h
    }

    /// A set-up request: it must answer `want`.
    async fn setup(&self, s: Sent, want: u16) -> Value {
        let a = send(&self.app, &s).await;
        assert_eq!(a.status.as_u16(), want, "set-up request failed: {}\n→ {}", s.reproduction(), a.text());
        a.json()
    }

    fn token(&self, who: Who) -> &str {
        &self.world.tokens[&who]
    }

    /// Every SMS queued so far (read in a transaction that is dropped: nothing is delivered).
    async fn outbox(&self) -> Vec<SmsMessage> {
        let mut tx = self.store.read().await.unwrap();
        let now = SystemClock.now();
        let leased = tx
            .lease_sms(now.plus_secs(1_000_000_000), now.plus_secs(2_000_000_000), "props-reader", 100_000)
            .await
            .unwrap();
        let mut out = Vec::new();
        for m in &leased {
            out.push(SmsMessage::open(&self.services.vault, &m.payload_sealed).expect("sealed with the test key"));
            tx.mark_sms_retry(m.id, "props-reader", now, "read by test").await.unwrap();
        }
        out
    }

    async fn last_code_for(&self, mobile: &str) -> String {
        self.outbox()
            .await
            .into_iter()
            .rev()
            .find_map(|m| (m.to == mobile).then(|| m.param("code").map(str::to_string)).flatten())
            .unwrap_or_else(|| panic!("no code sent to {mobile}"))
    }

    /// Activates the login whose code went to `mobile`, found by `(field, value)` (the
    /// application or entity number); its login id.
    async fn activate(&self, mobile: &str, (field, value): (&str, &str), username: &str) -> String {
        let code = self.last_code_for(mobile).await;
        let body = json!({field: value, "activation_code": code, "username": username, "password": PASSWORD});
        let v = self.setup(Sent::new(Method::POST, "/api/v1/activate").json(&body), 200).await;
        v["login_id"].as_str().unwrap().to_string()
    }

    async fn new_operator(&mut self) {
        self.world.serial += 1;
        let name = format!("operator{}", self.world.serial);
        self.services.create_operator(&name, PASSWORD).await.unwrap();
        let v = self
            .setup(
                Sent::new(Method::POST, "/api/v1/counter/login").json(&json!({"username": name, "password": PASSWORD})),
                200,
            )
            .await;
        self.world.operator_name = name;
        self.world.tokens.insert(Who::Operator, v["token"].as_str().unwrap().to_string());
    }

    async fn new_eservices(&mut self) {
        let op = self.token(Who::Operator).to_string();
        let v = self
            .setup(
                Sent::new(Method::POST, "/api/v1/counter/eservices").bearer(&op).json(&json!({
                    "code": "props-basic", "names": {"zh": "稅務", "pt": "Impostos", "en": "Taxes"},
                    "department": "DSF", "assurance": "basic", "requires_registration": false,
                    "oidc": {"redirect_uris": ["https://rp.example/cb"], "post_logout_redirect_uris": ["https://rp.example/bye"]}
                })),
                201,
            )
            .await;
        self.world.client_id = v["client_id"].as_str().unwrap().to_string();
        self.world.client_secret = v["client_secret"].as_str().unwrap().to_string();
        self.setup(
            Sent::new(Method::POST, "/api/v1/counter/eservices").bearer(&op).json(&json!({
                "code": "props-advanced", "names": {"zh": "社會保障", "pt": "Segurança social", "en": "Social security"},
                "department": "DSF", "assurance": "advanced", "requires_registration": true
            })),
            201,
        )
        .await;
        self.world.eservice_codes = vec!["props-basic".into(), "props-advanced".into()];
    }

    fn application_body(&self, reg: &str, entity_mobile: &str, admins: [(&str, &str, &str); 2]) -> Value {
        let person = |(kind, number, mobile): (&str, &str, &str)| json!({"name": "Admin", "id_document": {"type": kind, "number": number}, "mobile": mobile});
        json!({
            "entity": {"type": "company", "name_zh": "測試有限公司", "name_pt": "Teste Lda", "name_en": "Test Ltd",
                       "registration_number": reg, "mobile": entity_mobile},
            "representatives": [{"name": "陳大文", "id_document": {"type": "macau_resident", "number": "1234567(8)"},
                                 "document_shown": true}],
            "proxy": null,
            "administrators": [person(admins[0]), person(admins[1])],
            "agreement_signed": true
        })
    }

    async fn new_pending_application(&mut self) {
        self.world.serial += 1;
        let n = self.world.serial;
        let bir = format!("7{:06}(1)", n % 1_000_000);
        let passport = format!("Q{n:07}");
        let admins =
            [("macau_resident", bir.as_str(), "+85366200000"), ("passport", passport.as_str(), "+85366300000")];
        let body = self.application_body(&format!("PEND-{n}"), "+85366100000", admins);
        let op = self.token(Who::Operator).to_string();
        let v = self.setup(Sent::new(Method::POST, "/api/v1/counter/applications").bearer(&op).json(&body), 201).await;
        self.world.pending_application = v["application_number"].as_str().unwrap().to_string();
        self.world.application_numbers.push(self.world.pending_application.clone());
    }

    /// An approved entity: entity account and two administrators (one with a Macau resident
    /// card, one with a passport) activated and signed in, one staff login made, one
    /// application pending.
    async fn new_entity(&mut self) {
        self.world.serial += 1;
        let n = self.world.serial;
        let reg = format!("PROPS-{n}-{}", self.g.digits(4));
        let entity_mobile = format!("+8536{:07}", 1_000_000 + n);
        let admin_mobile = format!("+8536{:07}", 2_000_000 + n);
        let admin_document = format!("1{:06}({})", n % 1_000_000, n % 10);
        let admin2_mobile = format!("+8536{:07}", 4_000_000 + n);
        let admin2_passport = format!("P{n:07}");
        let op = self.token(Who::Operator).to_string();
        let admins = [
            ("macau_resident", admin_document.as_str(), admin_mobile.as_str()),
            ("passport", admin2_passport.as_str(), admin2_mobile.as_str()),
        ];
        let body = self.application_body(&reg, &entity_mobile, admins);
        let v = self.setup(Sent::new(Method::POST, "/api/v1/counter/applications").bearer(&op).json(&body), 201).await;
        let app_no = v["application_number"].as_str().unwrap().to_string();
        let v = self
            .setup(Sent::new(Method::POST, format!("/api/v1/counter/applications/{app_no}/approve")).bearer(&op), 200)
            .await;
        let entity_number = v["entity_number"].as_str().unwrap().to_string();
        let by_application = ("application_number", app_no.as_str());
        let by_entity = ("entity_number", entity_number.as_str());
        self.world.entity_login_id = self.activate(&entity_mobile, by_application, "entity").await;
        self.world.admin_login_id = self.activate(&admin_mobile, by_entity, "admin1").await;
        self.world.admin2_login_id = self.activate(&admin2_mobile, by_entity, "admin2").await;
        self.world.admin2_passport = admin2_passport;
        self.world.entity_number = entity_number.clone();
        self.world.entity_numbers.push(entity_number);
        self.world.application_numbers.push(app_no.clone());
        self.world.entity_application = app_no;
        self.world.registration_number = reg;
        self.world.entity_mobile = entity_mobile;
        self.world.admin_mobile = admin_mobile;
        self.world.admin_document = admin_document;
        self.sign_in(Who::EntityAccount).await;
        self.sign_in(Who::Admin).await;
        self.sign_in(Who::Admin2).await;
        self.world.staff_login_ids.clear();
        self.new_staff().await;
        self.new_pending_application().await;
    }

    /// A staff login of the current entity, not yet activated (its code is in the outbox).
    async fn new_staff(&mut self) {
        self.world.serial += 1;
        let n = self.world.serial;
        let admin = self.token(Who::Admin).to_string();
        let v = self
            .setup(
                Sent::new(Method::POST, format!("/api/v1/entities/{}/logins", self.world.entity_number))
                    .bearer(&admin)
                    .json(
                        &json!({"name": "Staff One", "id_document": {"type": "passport", "number": format!("S{n:07}")},
                            "mobile": format!("+8536{:07}", 3_000_000 + n)}),
                    ),
                201,
            )
            .await;
        self.world.staff_login_ids.push(v["login_id"].as_str().unwrap().to_string());
    }

    async fn sign_in(&mut self, who: Who) {
        let username = who.username();
        let v = self
            .setup(
                Sent::new(Method::POST, "/api/v1/login").json(&json!({
                    "entity_number": self.world.entity_number, "username": username, "password": PASSWORD})),
                200,
            )
            .await;
        self.world.tokens.insert(who, v["token"].as_str().unwrap().to_string());
    }

    async fn new_department_token(&mut self) {
        let a = send(
            &self.app,
            &Sent::new(Method::POST, "/oidc/token").form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.world.client_id),
                ("client_secret", &self.world.client_secret),
            ]),
        )
        .await;
        if a.status == StatusCode::OK {
            self.world.tokens.insert(Who::Department, a.json()["access_token"].as_str().unwrap().to_string());
            return;
        }
        // The secret was rotated by a generated request: rotate it again, as the counter would.
        let op = self.token(Who::Operator).to_string();
        let v = self
            .setup(
                Sent::new(Method::POST, format!("/api/v1/counter/eservices/{}/client-secret", self.world.client_id))
                    .bearer(&op),
                200,
            )
            .await;
        self.world.client_secret = v["client_secret"].as_str().unwrap().to_string();
        let v = send(
            &self.app,
            &Sent::new(Method::POST, "/oidc/token").form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.world.client_id),
                ("client_secret", &self.world.client_secret),
            ]),
        )
        .await;
        assert_eq!(v.status, StatusCode::OK, "client_credentials: {}", v.text());
        self.world.tokens.insert(Who::Department, v.json()["access_token"].as_str().unwrap().to_string());
    }

    /// Puts the world back when generated requests changed it: a signed-out or demoted
    /// principal, a rotated client secret, a decided application. A login that can no longer
    /// sign in (throttled or locked by generated wrong passwords) is replaced by a new entity.
    async fn heal(&mut self) {
        match self.services.authenticate(self.token(Who::Operator)).await {
            Ok(Principal::Operator(_)) => {}
            _ => self.new_operator().await,
        }
        let mut rebuild = false;
        for who in [Who::EntityAccount, Who::Admin, Who::Admin2] {
            if self.services.authenticate(self.token(who)).await.is_ok() {
                continue;
            }
            let username = who.username();
            let s = Sent::new(Method::POST, "/api/v1/login").json(&json!({
                "entity_number": self.world.entity_number, "username": username, "password": PASSWORD}));
            let a = send(&self.app, &s).await;
            self.observe("/api/v1/login", &s, &a);
            match a.status {
                StatusCode::OK => {
                    self.world.tokens.insert(who, a.json()["token"].as_str().unwrap().to_string());
                }
                _ => rebuild = true,
            }
        }
        if !rebuild {
            let me = send(&self.app, &Sent::new(Method::GET, "/api/v1/me").bearer(self.token(Who::Admin))).await;
            if me.status == StatusCode::OK && me.json()["kind"] != "admin" {
                let op = self.token(Who::Operator).to_string();
                let uri = format!(
                    "/api/v1/counter/entities/{}/logins/{}/restore-admin",
                    self.world.entity_number, self.world.admin_login_id
                );
                let s = Sent::new(Method::POST, uri).bearer(&op);
                let a = send(&self.app, &s).await;
                self.observe("/api/v1/counter/entities/{entity_number}/logins/{login_id}/restore-admin", &s, &a);
                rebuild = a.status != StatusCode::OK;
            } else if me.status != StatusCode::OK {
                rebuild = true;
            }
        }
        if rebuild {
            self.new_entity().await;
        }
        if self.services.department_client(self.token(Who::Department)).await.is_err() {
            self.new_department_token().await;
        }
        let status = send(
            &self.app,
            &Sent::new(Method::GET, format!("/api/v1/counter/applications/{}", self.world.pending_application))
                .bearer(self.token(Who::Operator)),
        )
        .await
        .json();
        if !matches!(status["status"].as_str(), Some("submitted" | "under_review")) {
            self.new_pending_application().await;
        }
    }

    async fn refresh_codes(&mut self) {
        let outbox = self.outbox().await;
        let codes = |template: &str, to: Option<&str>| -> Vec<String> {
            let mut c: Vec<String> = outbox
                .iter()
                .filter(|m| m.template == template && to.is_none_or(|t| m.to == t))
                .filter_map(|m| m.param("code").map(str::to_string))
                .collect();
            c.split_off(c.len().saturating_sub(20))
        };
        self.world.codes = codes("activation_code", None);
        self.world.reset_codes = codes("password_reset_code", Some(&self.world.admin_mobile));
    }

    // -----------------------------------------------------------------------------------

    fn who_for(&mut self, op: &Op) -> Who {
        let weights: &[(Who, u32)] = if op.is_department() {
            &[(Who::Nobody, 1), (Who::Forged, 1), (Who::Operator, 1), (Who::Admin, 1), (Who::Department, 8)]
        } else if op.secured {
            &[
                (Who::Nobody, 1),
                (Who::Forged, 1),
                (Who::Operator, 4),
                (Who::EntityAccount, 3),
                (Who::Admin, 3),
                (Who::Admin2, 1),
                (Who::Department, 1),
            ]
        } else {
            &[(Who::Nobody, 8), (Who::Forged, 1), (Who::Operator, 1), (Who::Admin, 1)]
        };
        let total: u32 = weights.iter().map(|w| w.1).sum();
        let mut x = self.g.rng.gen_range(0..total);
        for (who, w) in weights {
            if x < *w {
                return *who;
            }
            x -= w;
        }
        unreachable!()
    }

    fn authorization(&mut self, who: Who) -> Option<Vec<u8>> {
        match who {
            Who::Nobody => None,
            Who::Forged => {
                let admin = self.token(Who::Admin).to_string();
                let forged: Vec<Vec<u8>> = vec![
                    format!("Bearer {}", self.g.uuid()).into_bytes(),
                    b"Bearer".to_vec(),
                    b"Bearer ".to_vec(),
                    b"Basic YWRtaW4xOnBhc3N3b3Jk".to_vec(),
                    format!("Bearer {admin}x").into_bytes(),
                    format!("Bearer {}", &admin[..admin.len() - 1]).into_bytes(),
                    format!("bearer   {admin}   ").into_bytes(),
                    format!("Bearer {admin} {admin}").into_bytes(),
                    b"Bearer \xff\xfe\x80".to_vec(),
                    format!("Bearer {}", "A".repeat(8_000)).into_bytes(),
                    format!("Bearer {}", self.world.client_secret).into_bytes(),
                ];
                Some(self.g.pick(&forged).clone())
            }
            _ => Some(format!("Bearer {}", self.token(who)).into_bytes()),
        }
    }

    /// A request that should succeed: the right principal, real path parameters, and a body
    /// every field of which is valid (fresh numbers where uniqueness matters). Without these
    /// the handlers' deeper paths (approval, activation, registration, binding) go unvisited.
    fn valid_request(&mut self, op: &Op) -> Sent {
        let w = &self.world;
        let t = op.template.as_str();
        let mut path = t.to_string();
        for name in &op.path_params {
            let v = match name.as_str() {
                "entity_number" => w.entity_number.clone(),
                "application_number" if t.ends_with("/status") => w.entity_application.clone(),
                "application_number" => w.pending_application.clone(),
                "login_id" if t.contains("/remove-admin") || t.contains("/restore-admin") => w.admin_login_id.clone(),
                "login_id" if t.ends_with("/security-code") => w.admin2_login_id.clone(),
                "login_id"
                    if op.method == Method::DELETE || t.ends_with("/eservices") || t.ends_with("/activation-code") =>
                {
                    self.g.pick(&w.staff_login_ids).clone()
                }
                "login_id" => w.admin_login_id.clone(),
                "code" if t.contains("/client") => "props-basic".into(),
                "code" => self.g.pick(&w.eservice_codes).clone(),
                _ => self.g.digits(8),
            };
            path = path.replace(&format!("{{{name}}}"), &encode(&v));
        }
        let mut query = Vec::new();
        for name in &op.query_params {
            let v = match name.as_str() {
                "registration_number" => w.registration_number.clone(),
                "status" => self.g.pick(&["submitted", "under_review", "approved", "rejected"]).to_string(),
                "limit" => self.g.rng.gen_range(1..=500).to_string(),
                "after" if t.ends_with("/audit") => self.g.rng.gen_range(0..50).to_string(),
                "format" => self.g.pick(&["json", "csv"]).to_string(),
                "open" => self.g.pick(&["true", "false"]).to_string(),
                _ => continue,
            };
            query.push(format!("{name}={}", encode(&v)));
        }
        let uri = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
        let who = if op.is_department() {
            Who::Department
        } else if t.starts_with("/api/v1/counter/") && t != "/api/v1/counter/login" {
            Who::Operator
        } else if t.ends_with("/remove-admin") || (t.ends_with("/audit") && self.g.chance(0.5)) {
            Who::EntityAccount
        } else if t == "/api/v1/me/eid/enrolments" {
            Who::Admin2
        } else if op.secured {
            Who::Admin
        } else {
            Who::Nobody
        };
        let mut s = Sent::new(op.method.clone(), uri);
        s.who = who;
        s.authorization = self.authorization(who);
        if t == "/metrics" {
            s.peer = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50000);
        }
        if let Some(schema) = &op.body {
            let name = resolve(&self.doc, schema).1.unwrap_or("").to_string();
            let body = self.valid_body(&name);
            s = s.json(&body);
        }
        s
    }

    fn fresh(&mut self) -> u64 {
        self.world.serial += 1;
        u64::from(self.world.serial) * 1_000 + self.g.rng.gen_range(0..1_000)
    }

    fn valid_person(&mut self) -> Value {
        let n = self.fresh();
        json!({"name": self.g.words(), "id_document": {"type": "passport", "number": format!("V{n:09}")},
               "mobile": format!("+8536{:07}", 5_000_000 + n % 4_000_000)})
    }

    fn valid_client(&mut self) -> Value {
        let mut c = json!({"redirect_uris": ["https://rp.example/cb", "http://127.0.0.1:8080/cb"]});
        if self.g.chance(0.5) {
            c["post_logout_redirect_uris"] = json!(["https://rp.example/bye"]);
        }
        if self.g.chance(0.3) {
            c["backchannel_logout_uri"] = json!("https://rp.example/backchannel");
        }
        if self.g.chance(0.3) {
            c["jwks"] = self.g.jwks.clone();
        }
        c
    }

    fn valid_body(&mut self, schema: &str) -> Value {
        let w = &self.world;
        let code = if w.codes.is_empty() { "ABCDE-FGHJK".to_string() } else { self.g.pick(&w.codes).clone() };
        match schema {
            "ActivateBody" => {
                let n = self.fresh();
                json!({"entity_number": self.world.entity_number, "activation_code": code,
                       "username": format!("staff{n}"), "password": PASSWORD})
            }
            "ApplicationBody" => {
                let n = self.fresh();
                let mut b = json!({
                    "entity": {"type": self.g.pick(&["association", "foundation", "company", "entrepreneur", "unincorporated"]),
                               "name_zh": self.g.words(), "registration_number": format!("V-{n}"),
                               "mobile": format!("+8536{:07}", 5_000_000 + n % 4_000_000)},
                    "representatives": [{"name": self.g.words(), "id_document": {"type": "macau_resident", "number": "1234567(8)"},
                                         "document_shown": true}],
                    "administrators": [self.valid_person()],
                    "agreement_signed": true
                });
                if self.g.chance(0.5) {
                    b["administrators"].as_array_mut().unwrap().push(self.valid_person());
                }
                if self.g.chance(0.3) {
                    b["proxy"] = json!({"name": "Proxy", "id_document": {"type": "other", "number": format!("X{n:07}")},
                                        "document_shown": true, "power_of_attorney": {"notarised": true, "reference": "POA-1"}});
                }
                b
            }
            "AssignmentBody" => {
                let codes: Vec<String> =
                    self.world.eservice_codes.iter().filter(|_| self.g.rng.gen_bool(0.5)).cloned().collect();
                let items: Vec<Value> = codes
                    .into_iter()
                    .map(|c| match self.g.rng.gen_range(0..3) {
                        0 => json!(c),
                        1 => json!({"code": c, "valid_until": "2099-12-31"}),
                        _ => json!({"code": c, "valid_from": "2000-01-01T00:00:00Z"}),
                    })
                    .collect();
                json!({ "eservices": items })
            }
            "MandateBody" => {
                let codes: Vec<String> =
                    self.world.eservice_codes.iter().filter(|_| self.g.rng.gen_bool(0.5)).cloned().collect();
                let to = self.g.pick(&self.world.entity_numbers).clone();
                let until = self.g.pick(&["2099-12-31", "2000-01-01", "2030-06-30T16:00:00Z"]).to_string();
                json!({"to_entity_number": to, "eservices": codes, "valid_until": until})
            }
            "MachineCredentialBody" => {
                let codes: Vec<String> =
                    self.world.eservice_codes.iter().filter(|_| self.g.rng.gen_bool(0.5)).cloned().collect();
                let until = self.g.pick(&["2099-12-31", "2000-01-01", "2027-06-30T16:00:00Z"]).to_string();
                let provisioning = self.g.chance(0.3);
                let jwk = match self.g.rng.gen_range(0..4) {
                    0 => json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
                    1 => json!({"kty": "oct", "k": "c2VjcmV0"}),
                    _ => Value::Null,
                };
                let mut body = json!({"name": self.g.words(), "eservices": codes, "provisioning": provisioning,
                    "valid_until": until});
                if !jwk.is_null() {
                    body["jwk"] = jwk;
                }
                body
            }
            "MachineCredentialEservicesBody" => {
                let codes: Vec<String> =
                    self.world.eservice_codes.iter().filter(|_| self.g.rng.gen_bool(0.5)).cloned().collect();
                json!({ "eservices": codes })
            }
            "MandateLoginBody" => {
                let codes: Vec<String> =
                    self.world.eservice_codes.iter().filter(|_| self.g.rng.gen_bool(0.5)).cloned().collect();
                let items: Vec<Value> = codes
                    .into_iter()
                    .map(
                        |c| if self.g.chance(0.5) { json!(c) } else { json!({"code": c, "valid_until": "2099-12-31"}) },
                    )
                    .collect();
                json!({ "eservices": items })
            }
            "AccessRequestBody" => {
                json!({"eservice": self.g.pick(&self.world.eservice_codes).clone(), "reason": self.g.words()})
            }
            "DecisionsBody" => {
                let login = self.g.pick(&self.world.staff_login_ids).clone();
                let decision = self.g.pick(&["confirm", "remove"]).to_string();
                json!({"decisions": [{"login_id": login, "eservice": self.g.pick(&self.world.eservice_codes).clone(),
                                      "decision": decision}]})
            }
            "GrantBody" => match self.g.rng.gen_range(0..3) {
                0 => json!({}),
                1 => json!({"valid_until": "2099-01-31"}),
                _ => json!({"valid_from": "2099-01-01", "valid_until": "2099-03-31"}),
            },
            "RefuseBody" => json!({"reason": self.g.words()}),
            "NoticePreferences" => json!({"sms": self.g.chance(0.5)}),
            "ClientBody" => self.valid_client(),
            "EServiceBody" => {
                let n = self.fresh();
                let mut b = json!({"code": format!("svc-{n}"), "names": {"zh": "服務", "pt": "Serviço", "en": "Service"},
                                   "department": self.g.pick(&["DSF", "DSAJ"]), "assurance": self.g.pick(&["basic", "advanced"]),
                                   "requires_registration": self.g.chance(0.5)});
                if self.g.chance(0.5) {
                    b["oidc"] = self.valid_client();
                }
                b
            }
            "FaceBody" => json!({"enabled": self.g.chance(0.5)}),
            "HelpBody" => json!({"entity_number": w.entity_number, "id_document_number": w.admin_document,
                                 "mobile": w.admin_mobile}),
            "LoginBody" => json!({"entity_number": w.entity_number, "username": self.g.pick(&["admin1", "entity"]),
                                  "password": PASSWORD}),
            "NoticeBody" => json!({"subject": self.g.words(), "body": self.g.words()}),
            "OperatorLoginBody" => json!({"username": w.operator_name, "password": PASSWORD}),
            "PersonBody" => self.valid_person(),
            "RejectBody" => json!({"reason": self.g.words()}),
            "ResetBody" => json!({"entity_number": w.entity_number, "username": "admin1",
                                  "reset_code": w.reset_codes.last().cloned().unwrap_or(code),
                                  "password": PASSWORD}),
            "SecurityCodeBody" => {
                let payload = match self.world.enrolments.last() {
                    Some((id, key)) => {
                        let key = payload::decode_key(key).expect("the server's key");
                        payload::seal(&key, id, &self.g.rng.gen::<[u8; 20]>())
                    }
                    None => "EA1.none.none.none".into(),
                };
                json!({"payload": payload, "id_document": {"type": "passport", "number": self.world.admin2_passport}})
            }
            other => panic!("no valid body for {other}: add one"),
        }
    }

    /// One generated request for `op`.
    fn request(&mut self, op: &Op) -> Sent {
        let mut path = op.template.clone();
        for name in &op.path_params {
            let raw = bounded(self.world.parameter(&mut self.g, name));
            let seg = match self.g.rng.gen_range(0..40) {
                0 => "%ZZ".to_string(),
                1 => "%FF%FE".to_string(),
                2 => "%C0%AF".to_string(),
                3 => "a%2Fb".to_string(),
                4 => String::new(),
                _ => encode(&raw),
            };
            path = path.replace(&format!("{{{name}}}"), &seg);
        }
        let mut query = Vec::new();
        for name in &op.query_params {
            if self.g.chance(0.75) {
                let v = bounded(self.world.parameter(&mut self.g, name));
                query.push(format!("{}={}", encode(name), encode(&v)));
                if self.g.chance(0.05) {
                    query.push(format!("{}={}", encode(name), encode(&v)));
                }
            }
        }
        if self.g.chance(0.08) {
            query.push(format!("{}=1", self.g.pick(&["extra", "page", "status", "limit", "", "%ZZ"])));
        }
        if self.g.chance(0.02) {
            query.push("%%&&==%FF".into());
        }
        let uri = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
        let who = self.who_for(op);
        let mut s = Sent::new(op.method.clone(), uri);
        s.who = who;
        s.authorization = self.authorization(who);
        s.peer = if self.g.chance(0.2) {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50000)
        } else {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::new(203, 0, 113, self.g.rng.gen_range(1..255))), 50000)
        };
        if self.g.chance(0.05) {
            s.accept = Some(*self.g.pick(&["text/html", "application/json", "*/*", "application/xml"]));
        }
        match &op.body {
            Some(schema) => {
                let x = self.g.rng.gen_range(0..100);
                let mut body = match x {
                    0..=4 => Vec::new(),
                    5..=7 => {
                        let n = self.g.rng.gen_range(65_537..80_000);
                        format!("{{\"username\":\"{}\"}}", "a".repeat(n)).into_bytes()
                    }
                    _ => {
                        let mut v = generate(&self.world, &mut self.g, &self.doc, schema, "", 0);
                        if x >= 50 {
                            for _ in 0..self.g.rng.gen_range(1..4) {
                                mutate(&mut self.g, &mut v);
                            }
                        }
                        serde_json::to_vec(&v).unwrap()
                    }
                };
                if (8..20).contains(&x) {
                    mangle(&mut self.g, &mut body);
                }
                s.body = body;
                s.content_type = Some(if self.g.chance(0.88) {
                    "application/json".to_string()
                } else {
                    self.g
                        .pick(&[
                            "",
                            "text/plain",
                            "application/x-www-form-urlencoded",
                            "application/json; charset=utf-8",
                            "APPLICATION/JSON",
                            "application/merge-patch+json",
                            "application/jsonx",
                            "multipart/form-data; boundary=x",
                            "application/json, text/plain",
                        ])
                        .to_string()
                });
                if s.content_type.as_deref() == Some("") {
                    s.content_type = None;
                }
            }
            None => {
                if self.g.chance(0.2) {
                    s.content_type = Some("application/json".into());
                    s.body = if self.g.chance(0.5) { b"{\"a\":1}".to_vec() } else { b"{".to_vec() };
                }
            }
        }
        s
    }

    async fn exercise(&mut self, op: &Op) {
        let s = if self.g.chance(0.3) { self.valid_request(op) } else { self.request(op) };
        let trace = std::env::var("EA_PROPERTY_TRACE").is_ok_and(|t| !t.is_empty() && op.id().contains(&t));
        let saturated = self.g.chance(0.05);
        self.pool.saturated.store(saturated, Ordering::SeqCst);
        let logged_before = self.logged.lock().unwrap().len();
        let a = send(&self.app, &s).await;
        self.pool.saturated.store(false, Ordering::SeqCst);
        let new_lines: Vec<String> =
            self.logged.lock().unwrap()[logged_before..].iter().map(|(_, line)| line.clone()).collect();
        // The server's own signal that a parser let a value through (PostgreSQL refuses what
        // SQLite would have stored: a NUL, say).
        if let Some(line) = new_lines.iter().find(|l| l.contains("got past the parsers")) {
            self.fail(format!("{}: a value got past the parsers ({})", op.id(), short(line)), &s, &a);
        }
        self.sent += 1;
        *self.statuses.entry(a.status.as_u16()).or_default() += 1;
        let e = self.per_op.entry(op.id()).or_default();
        e.0 += 1;
        e.1 += usize::from(a.status.is_success());
        if trace {
            eprintln!("{}\n  → {} {}", s.reproduction(), a.status, a.text());
        }
        if let Err(why) = verdict(&self.doc, op, &s, &a) {
            self.fail(format!("{}: {why}", op.id()), &s, &a);
        }
        if a.status.is_success() && op.template == "/api/v1/me/eid/enrolments" {
            let v = a.json();
            if let (Some(id), Some(key)) = (v["enrolment_id"].as_str(), v["server_key"].as_str()) {
                self.world.enrolments.push((id.to_string(), key.to_string()));
            }
        }
        if (a.status.is_success() && op.method != Method::GET) || a.status == StatusCode::UNAUTHORIZED {
            self.heal().await;
        }
        if a.status.is_success() && op.method == Method::DELETE && op.template.contains("/logins/") {
            // Another login to act on (an administrator may have deleted the other one, which
            // `heal` has just replaced with a new entity).
            self.new_staff().await;
        }
    }

    /// A method the path does not document: `405`, as a problem document.
    async fn wrong_method(&mut self, template: &str, documented: &[Method]) {
        let methods = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH, Method::OPTIONS];
        let others: Vec<&Method> = methods.iter().filter(|m| !documented.contains(m)).collect();
        let Some(m) = others.choose(&mut self.g.rng).map(|m| (*m).clone()) else { return };
        let mut path = template.to_string();
        for name in template_params(template) {
            let v = bounded(self.world.parameter(&mut self.g, &name));
            path = path.replace(&format!("{{{name}}}"), &encode(&v));
        }
        let mut s = Sent::new(m.clone(), path);
        s.who = Who::Admin;
        s.authorization = self.authorization(Who::Admin);
        let a = send(&self.app, &s).await;
        self.sent += 1;
        *self.statuses.entry(a.status.as_u16()).or_default() += 1;
        // A path whose segment is empty matches no route at all: 404 is right there.
        let ok_status = a.status == StatusCode::METHOD_NOT_ALLOWED || a.status == StatusCode::NOT_FOUND;
        if !ok_status || !a.content_type.starts_with("application/problem+json") {
            self.fail(format!("{m} {template} (undocumented method): {} as {:?}", a.status, a.content_type), &s, &a);
        }
    }

    /// Counts and checks a request the harness sent on its own account (healing the world).
    fn observe(&mut self, template: &str, s: &Sent, a: &Answer) {
        let Some(op) = self.ops.iter().find(|o| o.method == s.method && o.template == template).cloned() else {
            return;
        };
        self.sent += 1;
        *self.statuses.entry(a.status.as_u16()).or_default() += 1;
        let e = self.per_op.entry(op.id()).or_default();
        e.0 += 1;
        e.1 += usize::from(a.status.is_success());
        if let Err(why) = verdict(&self.doc, &op, s, a) {
            self.fail(format!("{}: {why}", op.id()), s, a);
        }
    }

    fn fail(&mut self, class: String, s: &Sent, a: &Answer) {
        let e =
            self.failures.entry(class).or_insert_with(|| (0, format!("{}\n      → {}", s.reproduction(), a.text())));
        e.0 += 1;
    }
}

/// The property run on one backend.
async fn every_answer_is_documented_and_no_5xx(b: Backend) {
    let logged = Arc::new(Mutex::new(Vec::new()));
    let _guard = tracing::subscriber::set_default(Capture(logged.clone()));
    let budget: usize =
        std::env::var("EA_PROPERTY_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_REQUESTS);
    let seed: u64 = std::env::var("EA_PROPERTY_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_260_705);
    let started = Instant::now();
    let mut h = Harness::start(&b, seed, logged.clone()).await;
    let setup = started.elapsed();
    let ops = h.ops.clone();
    assert!(ops.len() >= 40, "the document has {} operations", ops.len());
    let mut methods_of: BTreeMap<String, Vec<Method>> = BTreeMap::new();
    for op in &ops {
        methods_of.entry(op.template.clone()).or_default().push(op.method.clone());
    }
    // Every operation in turn, so each gets its share whatever the budget.
    let mut i = 0;
    while h.sent < budget {
        let op = &ops[i % ops.len()];
        h.exercise(op).await;
        if h.g.chance(0.03) {
            let (t, ms) = methods_of.iter().nth(h.g.rng.gen_range(0..methods_of.len())).unwrap();
            let (t, ms) = (t.clone(), ms.clone());
            h.wrong_method(&t, &ms).await;
        }
        if i % 23 == 0 {
            h.refresh_codes().await;
        }
        i += 1;
    }
    let took = started.elapsed();
    let logs = logged.lock().unwrap().clone();
    // tower-http logs every 5xx answer at ERROR; those are judged by their status above.
    let errors: Vec<&String> = logs
        .iter()
        .filter(|(l, s)| *l == tracing::Level::ERROR && !s.starts_with("tower_http::trace::on_failure"))
        .map(|(_, s)| s)
        .collect();
    let warnings: Vec<&String> = logs.iter().filter(|(l, _)| *l == tracing::Level::WARN).map(|(_, s)| s).collect();

    eprintln!(
        "[{}] {} requests over {} operations in {:.1?} (set-up {:.1?}); seed {}",
        h.backend,
        h.sent,
        ops.len(),
        took,
        setup,
        h.seed
    );
    eprintln!("[{}] statuses: {:?}", h.backend, h.statuses);
    for (op, (n, ok)) in &h.per_op {
        eprintln!("[{}]   {n:5} sent, {ok:4} 2xx  {op}", h.backend);
    }
    for w in warnings.iter().take(5) {
        eprintln!("[{}] WARN {}", h.backend, short(w));
    }
    eprintln!("[{}] {} WARN and {} ERROR lines logged", h.backend, warnings.len(), errors.len());
    let mut report = String::new();
    for (class, (n, example)) in &h.failures {
        let _ = writeln!(report, "  {class}  (×{n})\n      {example}");
    }
    for e in errors.iter().take(10) {
        let _ = writeln!(report, "  logged at ERROR: {}", short(e));
    }
    let unexercised: Vec<String> = ops.iter().map(Op::id).filter(|id| !h.per_op.contains_key(id)).collect();
    assert!(unexercised.is_empty(), "operations never exercised: {unexercised:?}");
    assert!(
        report.is_empty(),
        "[{}] seed {}: {} kinds of answers break the properties:\n{report}",
        h.backend,
        h.seed,
        h.failures.len() + usize::from(!errors.is_empty())
    );
}

// ---------------------------------------------------------------------------------------
// The OpenID Connect endpoints: not in the OpenAPI document; their shapes are OAuth's
// (docs/oidc.md)
// ---------------------------------------------------------------------------------------

const REDIRECT: &str = "https://rp.example/cb";

impl Harness {
    /// The client authentication of an OAuth request: right, wrong, twice, none, malformed.
    fn client_auth(&mut self, form: &mut Vec<(String, String)>, s: &mut Sent) {
        let (mut id, secret) = (self.world.client_id.clone(), self.world.client_secret.clone());
        if self.g.chance(0.2) {
            id = if self.g.chance(0.3) { "props\0basic".into() } else { self.g.garbage() };
        }
        let b64 = |x: &[u8]| base64::engine::general_purpose::STANDARD.encode(x);
        match self.g.rng.gen_range(0..10) {
            0..=2 => {
                form.push(("client_id".into(), id));
                form.push(("client_secret".into(), if self.g.chance(0.7) { secret } else { self.g.garbage() }));
            }
            3..=4 => {
                let pair =
                    if self.g.chance(0.7) { format!("{id}:{secret}") } else { format!("{id}:{}", self.g.garbage()) };
                s.authorization = Some(format!("Basic {}", b64(pair.as_bytes())).into_bytes());
            }
            5 => {
                s.authorization = Some(format!("Basic {}", b64(format!("{id}:{secret}").as_bytes())).into_bytes());
                form.push(("client_secret".into(), secret));
            }
            6 => {
                let v: Vec<&[u8]> = vec![
                    b"Basic",
                    b"Basic ====",
                    b"Basic \xff\xfe",
                    b"Basic Og==",
                    b"Basic /w==",
                    b"Basic bm9jb2xvbg==",
                ];
                s.authorization = Some(self.g.pick(&v).to_vec());
            }
            7 => {
                form.push(("client_id".into(), id));
                form.push((
                    "client_assertion_type".into(),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                let a = ["eyJhbGciOiJFUzI1NiJ9.e30.c2ln", "eyJhbGciOiJub25lIn0.e30.", "a.b.c", "...", "eyJ"];
                let assertion = if self.g.chance(0.7) { self.g.pick(&a).to_string() } else { self.g.garbage() };
                form.push(("client_assertion".into(), assertion));
            }
            8 => form.push(("client_assertion_type".into(), self.g.garbage())),
            _ => {}
        }
    }

    fn oidc_request(&mut self) -> (&'static str, Sent) {
        let kind = *self.g.pick(&[
            "token",
            "token",
            "token",
            "introspect",
            "revoke",
            "userinfo",
            "authorize",
            "authorize",
            "discovery",
        ]);
        let mut form: Vec<(String, String)> = Vec::new();
        let mut s = Sent::new(Method::POST, "/");
        let dept = self.token(Who::Department).to_string();
        let admin = self.token(Who::Admin).to_string();
        let some_token = |g: &mut Gen| match g.rng.gen_range(0..4) {
            0 => dept.clone(),
            1 => admin.clone(),
            2 => g.uuid(),
            _ => g.garbage(),
        };
        match kind {
            "token" => {
                s.uri = "/oidc/token".into();
                let grants = ["client_credentials", "authorization_code", "refresh_token", "password", "implicit", ""];
                let grant = if self.g.chance(0.85) { self.g.pick(&grants).to_string() } else { self.g.garbage() };
                form.push(("grant_type".into(), grant));
                for (k, p) in [
                    ("code", 0.5),
                    ("code_verifier", 0.4),
                    ("redirect_uri", 0.4),
                    ("refresh_token", 0.3),
                    ("scope", 0.2),
                ] {
                    if self.g.chance(p) {
                        let v = match k {
                            "redirect_uri" => REDIRECT.to_string(),
                            "code_verifier" => "a".repeat(self.g.rng.gen_range(1..200)),
                            "scope" => "department openid".into(),
                            _ => some_token(&mut self.g),
                        };
                        form.push((k.into(), v));
                    }
                }
                self.client_auth(&mut form, &mut s);
            }
            "introspect" | "revoke" => {
                s.uri = format!("/oidc/{kind}");
                form.push(("token".into(), some_token(&mut self.g)));
                if self.g.chance(0.3) {
                    form.push((
                        "token_type_hint".into(),
                        self.g.pick(&["access_token", "refresh_token", "x"]).to_string(),
                    ));
                }
                self.client_auth(&mut form, &mut s);
            }
            "userinfo" => {
                s.uri = "/oidc/userinfo".into();
                s.method = if self.g.chance(0.5) { Method::GET } else { Method::POST };
                match self.g.rng.gen_range(0..4) {
                    0 => s = s.bearer(&dept),
                    1 => s = s.bearer(&admin),
                    2 => s.authorization = self.authorization(Who::Forged),
                    _ => {}
                }
                if s.method == Method::POST && self.g.chance(0.3) {
                    form.push(("access_token".into(), some_token(&mut self.g)));
                }
            }
            "authorize" => {
                let mut q: Vec<(String, String)> = Vec::new();
                let mut put = |g: &mut Gen, k: &str, good: &str, p: f64| {
                    if g.chance(p) {
                        q.push((k.into(), if g.chance(0.75) { good.to_string() } else { g.garbage() }));
                    }
                };
                let id = self.world.client_id.clone();
                put(&mut self.g, "client_id", &id, 0.9);
                let uri = self
                    .g
                    .pick(&[
                        REDIRECT,
                        REDIRECT,
                        "https://rp.example/cb/x",
                        "https://evil.example/cb",
                        "https://rp.example/cb?x=1",
                    ])
                    .to_string();
                put(&mut self.g, "redirect_uri", &uri, 0.9);
                let rt = self.g.pick(&["code", "code", "token", "id_token", "code token"]).to_string();
                put(&mut self.g, "response_type", &rt, 0.9);
                let scope = self.g.pick(&["openid", "openid profile entity", "profile", "openid x"]).to_string();
                put(&mut self.g, "scope", &scope, 0.9);
                put(&mut self.g, "state", "s-1", 0.7);
                put(&mut self.g, "nonce", "n-1", 0.5);
                put(&mut self.g, "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", 0.8);
                let m = self.g.pick(&["S256", "S256", "plain"]).to_string();
                put(&mut self.g, "code_challenge_method", &m, 0.8);
                let prompt = self.g.pick(&["none", "login", "consent"]).to_string();
                put(&mut self.g, "prompt", &prompt, 0.3);
                let age = self.g.pick(&["0", "60", "-1", "99999999999999999999"]).to_string();
                put(&mut self.g, "max_age", &age, 0.2);
                put(&mut self.g, "ui_locales", "zh-Hant pt en", 0.3);
                put(&mut self.g, "acr_values", "advanced", 0.2);
                if self.g.chance(0.05) && !q.is_empty() {
                    let dup = q[0].clone();
                    q.push(dup);
                }
                let query = serde_urlencoded::to_string(&q).unwrap();
                if self.g.chance(0.7) {
                    s.method = Method::GET;
                    s.uri = format!("/oidc/authorize?{}", bounded(query));
                } else {
                    s.uri = "/oidc/authorize".into();
                    s.content_type = Some("application/x-www-form-urlencoded".into());
                    s.body = if self.g.chance(0.1) { vec![0xff, 0xfe, b'='] } else { query.into_bytes() };
                }
                return (kind, s);
            }
            _ => {
                s.method = Method::GET;
                s.uri = self.g.pick(&["/.well-known/openid-configuration", "/oidc/jwks"]).to_string();
                return (kind, s);
            }
        }
        if self.g.chance(0.05) && !form.is_empty() {
            let dup = form[0].clone();
            form.push(dup);
        }
        s.content_type = Some(
            self.g
                .pick(&[
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=UTF-8",
                    "application/json",
                    "text/plain",
                ])
                .to_string(),
        );
        s.body = match self.g.rng.gen_range(0..40) {
            0 => b"%%%&&==%ZZ".to_vec(),
            1 => vec![0xff, 0xfe, b'=', b'&'],
            2 => format!("grant_type=client_credentials&x={}", "a".repeat(70_000)).into_bytes(),
            _ => serde_urlencoded::to_string(&form).unwrap().into_bytes(),
        };
        (kind, s)
    }
}

/// OAuth's shapes (RFC 6749 §5.2, RFC 7662, RFC 7009, RFC 6750 §3, docs/oidc.md): no 5xx;
/// token, introspection and revocation errors are JSON `{error, error_description}` with 400,
/// or 401 for `invalid_client` (with a `WWW-Authenticate` challenge); userinfo refuses with
/// a Bearer challenge; authorization never redirects anywhere but a registered redirect URI
/// or the provider's own pages.
fn oidc_verdict(kind: &str, a: &Answer) -> Result<(), String> {
    let status = a.status.as_u16();
    if a.status.is_server_error() {
        return Err(format!("{status}: a server error"));
    }
    let media = a.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let oauth_error = || -> Result<String, String> {
        let v: Value = serde_json::from_slice(&a.body)
            .map_err(|_| format!("{status} as {:?}, not OAuth's JSON error: {}", a.content_type, a.text()))?;
        let e = v["error"].as_str().ok_or_else(|| format!("{status}: no `error`: {}", a.text()))?;
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(format!("{status}: `error` {e:?} is not an OAuth error code"));
        }
        if !v["error_description"].is_null() && !v["error_description"].is_string() {
            return Err(format!("{status}: `error_description` is not a string"));
        }
        Ok(e.to_string())
    };
    match kind {
        "token" | "introspect" | "revoke" => {
            if a.status.is_success() {
                if !a.body.is_empty() && media != "application/json" {
                    return Err(format!("{status} as {:?}", a.content_type));
                }
                return Ok(());
            }
            let e = oauth_error()?;
            match (status, e.as_str()) {
                (401, "invalid_client") if a.www_authenticate.is_none() => {
                    Err("401 invalid_client without a challenge".into())
                }
                (401, "invalid_client") | (400 | 413, _) => Ok(()),
                _ => Err(format!(
                    "{status} {e}: OAuth errors are 400 (413 for a body too large), or 401 for invalid_client"
                )),
            }
        }
        "userinfo" => {
            if a.status.is_success() {
                return if media == "application/json" {
                    Ok(())
                } else {
                    Err(format!("{status} as {:?}", a.content_type))
                };
            }
            match status {
                401 | 403 if a.www_authenticate.as_deref().is_some_and(|w| w.starts_with("Bearer")) => Ok(()),
                400 => oauth_error().map(|_| ()),
                _ => Err(format!("{status} without a Bearer challenge ({:?})", a.www_authenticate)),
            }
        }
        "authorize" => match status {
            200 | 400 | 401 | 413 if media == "text/html" => Ok(()),
            302 | 303 => {
                let to = a.location.as_deref().unwrap_or("");
                let own = to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\");
                let registered = to == REDIRECT || to.starts_with(&format!("{REDIRECT}?"));
                if own || registered {
                    Ok(())
                } else {
                    Err(format!("{status}: redirected to {to:?}, which is neither registered nor the provider's own"))
                }
            }
            _ => Err(format!("{status} as {:?}", a.content_type)),
        },
        _ => {
            if status == 200 && media == "application/json" {
                Ok(())
            } else {
                Err(format!("{status} as {:?}", a.content_type))
            }
        }
    }
}

async fn oidc_endpoints_answer_hostile_requests_in_oauths_shape(b: Backend) {
    let logged = Arc::new(Mutex::new(Vec::new()));
    let _guard = tracing::subscriber::set_default(Capture(logged.clone()));
    let budget: usize =
        std::env::var("EA_PROPERTY_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_REQUESTS) / 5;
    let seed: u64 = std::env::var("EA_PROPERTY_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_260_705);
    let started = Instant::now();
    let mut h = Harness::start(&b, seed, logged.clone()).await;
    let mut per_kind: BTreeMap<&str, BTreeMap<u16, usize>> = BTreeMap::new();
    for _ in 0..budget {
        let (kind, s) = h.oidc_request();
        let logged_before = h.logged.lock().unwrap().len();
        let a = send(&h.app, &s).await;
        let parser_gap = h.logged.lock().unwrap()[logged_before..]
            .iter()
            .find(|(_, line)| line.contains("got past the parsers"))
            .map(|(_, line)| short(line));
        if let Some(line) = parser_gap {
            h.fail(
                format!("{} {}: a value got past the parsers ({line})", s.method, s.uri.split('?').next().unwrap()),
                &s,
                &a,
            );
        }
        *per_kind.entry(kind).or_default().entry(a.status.as_u16()).or_default() += 1;
        if let Err(why) = oidc_verdict(kind, &a) {
            h.fail(format!("{} {}: {why}", s.method, s.uri.split('?').next().unwrap()), &s, &a);
        }
        if a.status.is_success() && kind == "revoke" {
            h.heal().await;
        }
    }
    eprintln!("[{} oidc] {budget} requests in {:.1?}; seed {seed}", h.backend, started.elapsed());
    for (kind, statuses) in &per_kind {
        eprintln!("[{} oidc]   {kind}: {statuses:?}", h.backend);
    }
    let mut report = String::new();
    for (class, (n, example)) in &h.failures {
        let _ = writeln!(report, "  {class}  (×{n})\n      {example}");
    }
    assert!(report.is_empty(), "[{} oidc] seed {seed}: answers out of OAuth's shape:\n{report}", h.backend);
}

#[tokio::test]
async fn oidc_endpoints_answer_hostile_requests_in_oauths_shape_sqlite() {
    oidc_endpoints_answer_hostile_requests_in_oauths_shape(sqlite().await).await;
}

#[tokio::test]
async fn oidc_endpoints_answer_hostile_requests_in_oauths_shape_postgres() {
    let Some(b) = postgres().await else { return };
    oidc_endpoints_answer_hostile_requests_in_oauths_shape(b).await;
}

#[tokio::test]
async fn every_answer_is_documented_and_no_5xx_sqlite() {
    every_answer_is_documented_and_no_5xx(sqlite().await).await;
}

#[tokio::test]
async fn every_answer_is_documented_and_no_5xx_postgres() {
    let Some(b) = postgres().await else { return };
    every_answer_is_documented_and_no_5xx(b).await;
}

/// A client generated from the document puts each parameter where the document says; the
/// server must read it there: every `{name}` of a path is a documented path parameter, and
/// every documented path parameter is in the path (the others are query parameters).
#[test]
fn openapi_parameters_are_documented_where_the_server_reads_them() {
    let doc: Value = serde_json::from_str(&server::openapi::document_json()).unwrap();
    let mut wrong = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let in_path = template_params(template);
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "path" && !in_path.iter().any(|n| n == name) {
                    wrong.push(format!(
                        "{} {template}: `{name}` is documented in the path, which has no {{{name}}}",
                        method.to_uppercase()
                    ));
                }
            }
            for n in &in_path {
                if !params.iter().any(|p| p["in"] == "path" && p["name"] == n.as_str()) {
                    wrong.push(format!("{} {template}: {{{n}}} is not documented", method.to_uppercase()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "parameters documented in the wrong place:\n  {}", wrong.join("\n  "));
}

/// The properties can fail: the verdict refuses the answers it is meant to refuse.
#[test]
fn the_verdict_refuses_undocumented_statuses_and_malformed_problems() {
    let doc: Value = serde_json::from_str(&server::openapi::document_json()).unwrap();
    let ops = operations(&doc);
    let op = |m: Method, t: &str| ops.iter().find(|o| o.method == m && o.template == t).unwrap().clone();
    let problem = |status: u16, code: &str| {
        json!({"type": "https://x/p", "title": "T", "status": status, "detail": "d", "code": code})
            .to_string()
            .into_bytes()
    };
    let answer = |status: u16, ct: &str, body: Vec<u8>, retry: Option<&str>| Answer {
        status: StatusCode::from_u16(status).unwrap(),
        content_type: ct.into(),
        retry_after: retry.map(String::from),
        location: None,
        www_authenticate: None,
        body,
    };
    let check = |o: &Op, a: &Answer| verdict(&doc, o, &Sent::new(o.method.clone(), o.template.clone()), a);
    let login = op(Method::POST, "/api/v1/login");
    let me = op(Method::GET, "/api/v1/me");
    let readyz = op(Method::GET, "/readyz");
    let pj = "application/problem+json";

    assert!(check(&login, &answer(500, pj, problem(500, "internal_error"), None)).is_err());
    assert!(check(&login, &answer(422, pj, problem(422, "validation_failed"), None)).is_ok());
    assert!(check(&login, &answer(429, pj, problem(429, "too_many_attempts"), None)).is_err(), "no Retry-After");
    assert!(check(&login, &answer(429, pj, problem(429, "too_many_attempts"), Some("3"))).is_ok());
    assert!(check(&readyz, &answer(503, "text/plain", b"not ready".to_vec(), None)).is_ok());
    assert!(check(&me, &answer(401, "text/plain", b"no".to_vec(), None)).is_err());
    assert!(check(&me, &answer(401, pj, problem(400, "unauthenticated"), None)).is_err(), "status mismatch");
    assert!(check(&me, &answer(401, pj, problem(401, "Not-Snake"), None)).is_err());
    assert!(check(&me, &answer(200, "application/json", b"{}".to_vec(), None)).is_err(), "required fields");
    assert!(check(&me, &answer(302, "text/html", Vec::new(), None)).is_err(), "undocumented 3xx");
}
