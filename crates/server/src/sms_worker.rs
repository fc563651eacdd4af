//! SMS delivery: a worker leases due messages from the outbox, hands each to the sink, and
//! marks it delivered — or schedules a retry with exponential backoff, for as long as the
//! gateway keeps failing. Leases expire, so a node that dies mid-delivery loses nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::sms::SmsMessage;
use domain::Services;
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;

/// Where messages go. `file:` is for development and tests; `webhook:` is the gateway.
#[derive(Debug, Clone)]
pub enum SmsSink {
    File(PathBuf),
    Webhook(String),
}

impl SmsSink {
    pub fn parse(s: &str) -> Result<SmsSink, String> {
        if let Some(p) = s.strip_prefix("file:") {
            Ok(SmsSink::File(PathBuf::from(p)))
        } else if let Some(u) = s.strip_prefix("webhook:") {
            if u.starts_with("http://") || u.starts_with("https://") {
                Ok(SmsSink::Webhook(u.to_string()))
            } else {
                Err(format!("webhook sink needs an http(s) URL, got {u}"))
            }
        } else {
            Err(format!("unknown SMS sink {s:?}: use file:PATH or webhook:URL"))
        }
    }
}

/// The JSON object the contract fixes for both sinks.
pub fn sink_json(msg: &SmsMessage, at: &str) -> serde_json::Value {
    let params: serde_json::Map<String, serde_json::Value> =
        msg.params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::json!({
        "to": msg.to,
        "template": msg.template,
        "params": params,
        "body": msg.body,
        "at": at,
    })
}

pub struct SmsWorker {
    services: Arc<Services>,
    sink: SmsSink,
    wake: Arc<Notify>,
    owner: String,
    http: reqwest::Client,
    timeout: Duration,
}

const BATCH: i64 = 20;
/// A lease outlives the slowest batch (every call timing out) by this margin, so no other
/// node takes a message while this one may still be sending it.
const LEASE_MARGIN_SECS: i64 = 60;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BACKOFF_SECS: i64 = 300;

impl SmsWorker {
    pub fn new(services: Arc<Services>, sink: SmsSink, wake: Arc<Notify>) -> Self {
        let http = reqwest::Client::builder().timeout(DEFAULT_TIMEOUT).build().expect("http client");
        SmsWorker { services, sink, wake, owner: uuid_like(), http, timeout: DEFAULT_TIMEOUT }
    }

    /// How long one webhook call may take before it counts as failed (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder().timeout(timeout).build().expect("http client");
        self.timeout = timeout;
        self
    }

    fn lease_secs(&self) -> i64 {
        BATCH * (self.timeout.as_secs() as i64 + 1) + LEASE_MARGIN_SECS
    }

    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move { self.run().await })
    }

    async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "SMS outbox unavailable"),
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), self.wake.notified()).await;
        }
    }

    /// Delivers one batch; returns how many messages it leased.
    pub async fn deliver_due(&self) -> Result<usize, String> {
        let s = &self.services;
        let now = s.clock.now();
        let batch = {
            let mut tx = s.store.read().await.map_err(|e| e.to_string())?;
            tx.lease_sms(now, now.plus_secs(self.lease_secs()), &self.owner, BATCH).await.map_err(|e| e.to_string())?
        };
        for m in &batch {
            let result = match SmsMessage::open(&s.vault, &m.payload_sealed) {
                Some(msg) => self.send(m.id, &msg).await,
                None => Err("the message could not be opened".to_string()),
            };
            let mut tx = s.store.read().await.map_err(|e| e.to_string())?;
            let now = s.clock.now();
            match result {
                Ok(()) => tx.mark_sms_delivered(m.id, &self.owner, now).await.map_err(|e| e.to_string())?,
                Err(err) => {
                    let backoff = (1i64 << m.attempts.clamp(0, 9)).min(MAX_BACKOFF_SECS);
                    tracing::warn!(sms_id = m.id, attempts = m.attempts, error = %err, "SMS delivery failed; will retry");
                    tx.mark_sms_retry(m.id, &self.owner, now.plus_secs(backoff), &err)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(batch.len())
    }

    async fn send(&self, id: i64, msg: &SmsMessage) -> Result<(), String> {
        let json = sink_json(msg, &self.services.clock.now().rfc3339());
        match &self.sink {
            SmsSink::File(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                }
                let mut f = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut line = json.to_string();
                line.push('\n');
                f.write_all(line.as_bytes()).await.map_err(|e| e.to_string())?;
                f.sync_data().await.map_err(|e| e.to_string())
            }
            SmsSink::Webhook(url) => {
                // A gateway that took a message but answered too late sees the same key again
                // on the retry, and can drop the duplicate.
                let res = self
                    .http
                    .post(url)
                    .header("Idempotency-Key", format!("sms-{id}"))
                    .json(&json)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("gateway answered {}", res.status()))
                }
            }
        }
    }
}

fn uuid_like() -> String {
    domain::crypto::random_token()[..16].to_string()
}
