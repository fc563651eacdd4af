//! The server under test: the real `entity-account` binary on a fresh database, with one
//! operator, one entity whose administrator has signed in, and one e-service client.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

pub const PASSWORD: &str = "a bench pass phrase that is long enough";
const OPERATOR: &str = "bench-operator";
const ADMIN_MOBILE: &str = "+85366112233";

pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    child: Child,
    dir: tempfile::TempDir,
    pub entity_number: String,
    /// A signed-in administrator's session token.
    pub session: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    fn command(bin: &PathBuf, dir: &tempfile::TempDir, database_url: &str) -> Command {
        let mut c = Command::new(bin);
        c.env("EA_DATABASE_URL", database_url)
            .env("EA_KEY_FILE", dir.path().join("master.key"))
            .env("EA_LOG", "warn")
            .current_dir(dir.path());
        c
    }

    /// Starts the server on `database_url` (an empty database; SQLite in a temporary folder
    /// when `None`) and prepares the data every scenario needs.
    pub async fn start(bin: &PathBuf, database_url: Option<&str>) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let database_url = match database_url {
            Some(u) => u.to_string(),
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        let mut op = Self::command(bin, &dir, &database_url)
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
        let out = Self::command(bin, &dir, &database_url)
            .args(["eservice", "add", "--code", "bench-svc", "--name-zh", "基準", "--name-pt", "Aferição"])
            .args(["--name-en", "Bench", "--department", "BENCH", "--redirect-uri", "https://bench.example/cb"])
            .output()?;
        if !out.status.success() {
            bail!("eservice add: {}", String::from_utf8_lossy(&out.stderr));
        }
        let client: Value = serde_json::from_slice(&out.stdout).context("eservice add prints JSON")?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let child = Self::command(bin, &dir, &database_url)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--public-url", &base])
            .arg("--sms-sink")
            .arg(format!("file:{}", dir.path().join("sms.jsonl").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
        let mut s = Server {
            base,
            http,
            child,
            dir,
            entity_number: String::new(),
            session: String::new(),
            client_id: client["client_id"].as_str().unwrap_or_default().to_string(),
            client_secret: client["client_secret"].as_str().unwrap_or_default().to_string(),
        };
        s.wait_ready().await?;
        s.prepare().await?;
        Ok(s)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not become ready")
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> anyhow::Result<Value> {
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
        let body = json!({"entity_number": self.entity_number, "activation_code": code, "username": "admin1", "password": PASSWORD});
        self.call("POST", "/activate", None, body).await?;
        let signed = self.call("POST", "/login", None, self.login_body()).await?;
        self.session = signed["token"].as_str().unwrap_or_default().to_string();
        Ok(())
    }

    pub fn login_body(&self) -> Value {
        json!({"entity_number": self.entity_number, "username": "admin1", "password": PASSWORD})
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
