//! The server under test: the real `entity-account` binary on a fresh database, with one
//! operator, one entity whose administrator has signed in, and one e-service client.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

pub const PASSWORD: &str = "a bench pass phrase that is long enough";
const OPERATOR: &str = "bench-operator";
const ADMIN_MOBILE: &str = "+85366112233";
pub const REDIRECT: &str = "https://bench.example/cb";
/// The prepared entity's administrator, signed in as `Server::session`.
pub const ADMIN_USERNAME: &str = "admin1";

pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    bin: PathBuf,
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub database_url: String,
    pub entity_number: String,
    /// A signed-in administrator's session token.
    pub session: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.env("EA_DATABASE_URL", &self.database_url)
            .env("EA_KEY_FILE", self.key_file())
            .env("EA_LOG", "warn")
            .current_dir(self.dir.path());
        c
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("master.key")
    }

    /// Sets up `database_url` (an empty database; SQLite in a temporary folder when `None`)
    /// with an operator and an e-service client, starts the server, and prepares the data
    /// every scenario needs.
    pub async fn start(bin: &Path, database_url: Option<&str>) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let database_url = match database_url {
            Some(u) => u.to_string(),
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        // No redirects followed: the authorization endpoint's answer is the code.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let mut s = Server {
            base: String::new(),
            http,
            bin: bin.to_path_buf(),
            child: None,
            dir,
            database_url,
            entity_number: String::new(),
            session: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
        };
        let mut op = s
            .command()
            .args(["operator", "add", "--username", OPERATOR, "--password-stdin"])
            .stdin(Stdio::piped())
            .spawn()?;
        {
            use std::io::Write;
            op.stdin.take().expect("piped").write_all(PASSWORD.as_bytes())?;
        }
        if !op.wait()?.success() {
            bail!("operator add failed");
        }
        let out = s
            .command()
            .args(["eservice", "add", "--code", "bench-svc", "--name-zh", "基準", "--name-pt", "Aferição"])
            .args(["--name-en", "Bench", "--department", "BENCH", "--redirect-uri", REDIRECT])
            .output()?;
        if !out.status.success() {
            bail!("eservice add: {}", String::from_utf8_lossy(&out.stderr));
        }
        let client: Value = serde_json::from_slice(&out.stdout).context("eservice add prints JSON")?;
        s.client_id = client["client_id"].as_str().unwrap_or_default().to_string();
        s.client_secret = client["client_secret"].as_str().unwrap_or_default().to_string();
        s.spawn().await?;
        s.prepare().await?;
        Ok(s)
    }

    /// Starts the server on the prepared database; returns how long it took to be ready.
    pub async fn spawn(&mut self) -> anyhow::Result<Duration> {
        let port = free_port()?;
        self.base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let child = self
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", &self.base])
            .arg("--sms-sink")
            .arg(format!("file:{}", self.dir.path().join("sms.jsonl").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        self.child = Some(child);
        self.wait_ready().await?;
        Ok(started.elapsed())
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            // Polled often: the time to ready is one of the figures.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        bail!("the server did not become ready")
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> anyhow::Result<Value> {
        let url = format!("{}/api/v1{path}", self.base);
        let mut req = self.http.request(method.parse()?, url).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{method} {path}: {status} {v}");
        }
        Ok(v)
    }

    /// An entity with one administrator, activated and signed in.
    async fn prepare(&mut self) -> anyhow::Result<()> {
        let op = self.call("POST", "/counter/login", None, json!({"username": OPERATOR, "password": PASSWORD})).await?;
        let op = op["token"].as_str().unwrap_or_default().to_string();
        let app = json!({
            "entity": {"type": "company", "name_zh": "基準測試有限公司", "name_pt": "Aferição Lda", "name_en": "Bench Ltd",
                       "registration_number": "BENCH-1", "mobile": "+85366000001"},
            "representatives": [{"name": "陳大文", "id_document": {"type": "macau_resident", "number": "5215299(8)"}, "document_shown": true}],
            "proxy": null,
            "administrators": [{"name": "Admin", "id_document": {"type": "passport", "number": "BENCH001"}, "mobile": ADMIN_MOBILE}],
            "agreement_signed": true
        });
        let submitted = self.call("POST", "/counter/applications", Some(&op), app).await?;
        let number = submitted["application_number"].as_str().unwrap_or_default().to_string();
        let approved =
            self.call("POST", &format!("/counter/applications/{number}/approve"), Some(&op), json!({})).await?;
        self.entity_number = approved["entity_number"].as_str().unwrap_or_default().to_string();
        let code = self.code_for(ADMIN_MOBILE).await?;
        let body = json!({"entity_number": self.entity_number, "activation_code": code, "username": ADMIN_USERNAME, "password": PASSWORD});
        self.call("POST", "/activate", None, body).await?;
        self.session = self.sign_in(&self.entity_number, ADMIN_USERNAME).await?;
        self.assign_bench_service(&self.session, &self.entity_number).await
    }

    /// The signed-in administrator may use the bench e-service: the authorization-code flow
    /// needs it.
    pub async fn assign_bench_service(&self, session: &str, entity_number: &str) -> anyhow::Result<()> {
        let me = self.call("GET", "/me", Some(session), json!(null)).await?;
        let login_id = me["login_id"].as_str().unwrap_or_default();
        let path = format!("/entities/{entity_number}/logins/{login_id}/eservices");
        self.call("PUT", &path, Some(session), json!({"eservices": ["bench-svc"]})).await?;
        Ok(())
    }

    /// A session token of `username` of `entity_number`, signed in with the bench password.
    pub async fn sign_in(&self, entity_number: &str, username: &str) -> anyhow::Result<String> {
        let body = json!({"entity_number": entity_number, "username": username, "password": PASSWORD});
        let signed = self.call("POST", "/login", None, body).await?;
        Ok(signed["token"].as_str().unwrap_or_default().to_string())
    }

    async fn code_for(&self, mobile: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(self.dir.path().join("sms.jsonl")).unwrap_or_default();
            for line in text.lines() {
                let m: Value = serde_json::from_str(line)?;
                if m["to"] == mobile {
                    if let Some(code) = m["params"]["code"].as_str() {
                        return Ok(code.to_string());
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("no activation code reached {mobile}")
    }

    /// An access token of the e-service client (for introspection).
    pub async fn client_token(&self) -> anyhow::Result<String> {
        let res = self
            .http
            .post(format!("{}/oidc/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?;
        let v: Value = res.json().await?;
        v["access_token"].as_str().map(str::to_string).context("client_credentials gives an access token")
    }
}
