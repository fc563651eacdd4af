//! Test support for the HTTP suites: spawns the real `entity-account` binary on a fresh
//! database (SQLite in a temporary folder, or a new PostgreSQL database when
//! `EA_TEST_POSTGRES_URL` is set), reads the SMS file sink, and snapshots the database.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection;

pub const BIN: &str = env!("CARGO_BIN_EXE_entity-account");
pub const OPERATOR: &str = "counter1";
pub const OPERATOR_PASSWORD: &str = "counter operator pass phrase";
pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Server {
    pub backend: Backend,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pub http: reqwest::Client,
    child: Option<Child>,
    /// Extra `serve` arguments (e.g. `--id-token-ttl-secs 2`), kept for restarts.
    extra_args: Vec<String>,
    /// Drops the PostgreSQL test database when the test ends (after the server stops).
    _pg: Option<testkit::PgTestDb>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// `None` for PostgreSQL when no test database is configured.
    pub async fn start(backend: Backend) -> Option<Server> {
        Self::start_with(backend, &[]).await
    }

    /// As `start`, with extra `serve` arguments, e.g. `&["--id-token-ttl-secs", "2"]`.
    pub async fn start_with(backend: Backend, extra_args: &[&str]) -> Option<Server> {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(testkit::PgTestDb::create("h").await?),
        };
        let database_url = match &pg {
            None => format!("sqlite://{}", dir.path().join("ea.db").display()),
            Some(db) => db.url.clone(),
        };
        let mut s = Server {
            backend,
            base: String::new(),
            database_url,
            http: reqwest::Client::new(),
            child: None,
            extra_args: extra_args.iter().map(|a| a.to_string()).collect(),
            dir,
            _pg: pg,
        };
        let out =
            s.cli(&["operator", "add", "--username", OPERATOR, "--password-stdin"], Some(OPERATOR_PASSWORD)).await;
        assert!(out.status.success(), "operator add: {}", String::from_utf8_lossy(&out.stderr));
        s.spawn().await;
        Some(s)
    }

    /// The binary with this server's database, key and folder (for a CLI call or another node).
    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("EA_DATABASE_URL", &self.database_url)
            .env("EA_KEY_FILE", self.dir.path().join("master.key"))
            .env("EA_LOG", "warn")
            .current_dir(self.dir.path());
        c
    }

    pub fn sms_path(&self) -> PathBuf {
        self.dir.path().join("sms.jsonl")
    }

    /// Starts `serve` and waits until `/healthz` answers. The port is chosen first so that
    /// the issuer (`--public-url`) is exactly the base URL the tests use.
    pub async fn spawn(&mut self) {
        self.spawn_at(free_port()).await
    }

    /// As `spawn`, on a given port: a restart on the same address is the same node, which
    /// takes back the SMS leases its previous process held.
    pub async fn spawn_at(&mut self, port: u16) {
        self.base = format!("http://127.0.0.1:{port}");
        let mut command = self.command();
        command.args(["serve", "--listen", &format!("127.0.0.1:{port}")]).args(["--public-url", &self.base]);
        // The file sink unless the test gives its own (a webhook).
        if !self.extra_args.iter().any(|a| a == "--sms-sink") {
            command.arg("--sms-sink").arg(format!("file:{}", self.sms_path().display()));
        }
        let child = command
            .args(&self.extra_args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn entity-account serve");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.http.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The port this server listens on.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a spawned server")
    }

    /// Kills the process with SIGKILL (no graceful shutdown) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Runs a CLI subcommand against this server's database and key.
    pub async fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut c = self.command();
        c.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn entity-account");
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).unwrap();
            }
        }
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base, path)
    }

    /// A JSON call; returns (status, body as JSON or Null).
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        api_call(&self.http, &self.base, None, method, path, token, body).await
    }

    pub async fn operator_token(&self) -> String {
        let (s, b) = self
            .call("POST", "/counter/login", None, Some(json!({"username": OPERATOR, "password": OPERATOR_PASSWORD})))
            .await;
        assert_eq!(s, 200, "{b}");
        b["token"].as_str().unwrap().to_string()
    }

    pub async fn login(&self, entity_number: &str, username: &str) -> (String, String) {
        let (s, b) = self
            .call(
                "POST",
                "/login",
                None,
                Some(json!({"entity_number": entity_number, "username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        (b["token"].as_str().unwrap().to_string(), b["login_id"].as_str().unwrap().to_string())
    }

    /// Submits and approves an application; returns (application number, entity number).
    pub async fn approve(&self, op: &str, app: Value) -> (String, String) {
        let (st, b) = self.call("POST", "/counter/applications", Some(op), Some(app)).await;
        assert_eq!(st, 201, "{b}");
        let app_no = b["application_number"].as_str().unwrap().to_string();
        let (st, b) = self.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(op), None).await;
        assert_eq!(st, 200, "{b}");
        (app_no, b["entity_number"].as_str().unwrap().to_string())
    }

    /// Activates, with the first code sent to `mobile`, the login that `number_field`
    /// (`application_number` or `entity_number`) = `number` names; returns its kind.
    pub async fn activate(&self, number_field: &str, number: &str, mobile: &str, username: &str) -> String {
        let code = self.code_for(mobile, 1).await;
        let body = json!({number_field: number, "activation_code": code, "username": username, "password": PASSWORD});
        let (st, b) = self.call("POST", "/activate", None, Some(body)).await;
        assert_eq!(st, 200, "{b}");
        b["kind"].as_str().unwrap().to_string()
    }

    /// Every message in the SMS file sink.
    pub fn sms(&self) -> Vec<Value> {
        std::fs::read_to_string(self.sms_path())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
            .collect()
    }

    /// Waits until the `n`-th code (1-based) addressed to `mobile` arrives, and returns it.
    pub async fn code_for(&self, mobile: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let codes: Vec<String> = self
                .sms()
                .into_iter()
                .filter(|m| m["to"] == mobile && m["params"]["code"].is_string())
                .map(|m| m["params"]["code"].as_str().unwrap().to_string())
                .collect();
            if codes.len() >= n {
                return codes[n - 1].clone();
            }
            assert!(Instant::now() < deadline, "no SMS code #{n} for {mobile}: {:?}", self.sms());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every row of every table, as text, in a stable order: to prove a refused request
    /// changed nothing.
    pub async fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.database_url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for t in tables {
                    let cols: Vec<String> = sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{t}')"))
                        .fetch_all(&mut c)
                        .await
                        .unwrap();
                    let expr = cols.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || ',' || ");
                    let rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT '{t}:' || {expr} AS r FROM {t} ORDER BY r"))
                            .fetch_all(&mut c)
                            .await
                            .unwrap();
                    out.extend(rows);
                }
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.database_url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations' ORDER BY 1",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for t in tables {
                    let rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT '{t}:' || t::text AS r FROM {t} t ORDER BY r"))
                            .fetch_all(&mut c)
                            .await
                            .unwrap();
                    out.extend(rows);
                }
            }
        }
        out
    }

    /// Runs raw SQL against the database (tests that tamper with it).
    pub async fn sql(&self, statement: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.database_url).await.unwrap();
                sqlx::query(statement).execute(&mut c).await.unwrap();
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.database_url).await.unwrap();
                sqlx::query(statement).execute(&mut c).await.unwrap();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A JSON call to `/api/v1{path}` of the node at `base`, as the client `source` (sent as
/// `X-Forwarded-For`, believed from a `--trusted-proxies` address); returns (status, body as
/// JSON or Null).
pub async fn api_call(
    http: &reqwest::Client,
    base: &str,
    source: Option<&str>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http.request(method.parse().unwrap(), format!("{base}/api/v1{path}"));
    if let Some(ip) = source {
        req = req.header("X-Forwarded-For", ip);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A valid application body (contract shape) for registration number `reg`.
pub fn application(reg: &str, entity_mobile: &str, admins: &[(&str, &str, &str, &str)]) -> Value {
    json!({
        "entity": {"type": "company", "name_zh": "澳門測試有限公司", "name_pt": "Teste Limitada", "name_en": "Test Ltd",
                   "registration_number": reg, "mobile": entity_mobile},
        "representatives": [{"name": "陳大文", "id_document": {"type": "macau_resident", "number": "5215299(8)"}, "document_shown": true}],
        "proxy": null,
        "administrators": admins.iter().map(|(name, kind, number, mobile)| json!({
            "name": name, "id_document": {"type": kind, "number": number}, "mobile": mobile
        })).collect::<Vec<_>>(),
        "agreement_signed": true
    })
}

/// Runs an HTTP test against SQLite always and PostgreSQL when configured; with a list of
/// extra `serve` arguments in brackets before the body when the test needs them.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, [$($arg:expr),* $(,)?], $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let s = support::Server::start_with(support::Backend::Sqlite, &[$($arg),*]).await.unwrap();
                ($body)(s).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(s) = support::Server::start_with(support::Backend::Postgres, &[$($arg),*]).await else { return };
                ($body)(s).await;
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let s = support::Server::start(support::Backend::Sqlite).await.unwrap();
                ($body)(s).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(s) = support::Server::start(support::Backend::Postgres).await else { return };
                ($body)(s).await;
            }
        }
    };
}
