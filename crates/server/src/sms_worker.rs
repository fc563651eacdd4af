//! SMS delivery: a worker leases due messages from the outbox, hands each to the sink, and
//! marks it delivered — or schedules a retry with exponential backoff, for as long as the
//! gateway keeps failing. Leases expire, so a node that dies mid-delivery loses nothing, and a
//! node restarted under the same identity takes its leases back at once. Messages to one
//! number go out in the order they were queued. Every message carries an `id`; a message that
//! may already have been sent (its lease was lost mid-delivery) is sent again with the same
//! `id`, which the gateway deduplicates and the file sink checks before writing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::sms::SmsMessage;

use crate::sms_pace::Pace;
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

/// The JSON object the contract fixes for both sinks, with the message's `id` (the webhook's
/// `Idempotency-Key`) added.
pub fn sink_json(id: i64, msg: &SmsMessage, at: &str) -> serde_json::Value {
    let params: serde_json::Map<String, serde_json::Value> =
        msg.params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::json!({
        "id": message_key(id),
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
    /// At most this many messages a second to the gateway (`sms_pace.rs`).
    pace: std::sync::Mutex<Pace>,
    timeout: Duration,
}

const BATCH: i64 = 20;
/// Messages a second to the gateway from one node, unless configured (`--sms-rate`).
pub const DEFAULT_RATE: u32 = 20;
/// A lease outlives the slowest batch (every call timing out) by this margin, so no other
/// node takes a message while this one may still be sending it.
const LEASE_MARGIN_SECS: i64 = 60;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BACKOFF_SECS: i64 = 60;
/// How long a message waits before asking again whether the earlier one to its number is out.
const ORDER_WAIT_SECS: i64 = 5;

/// The key a message keeps across retries and nodes: sink lines' `id`, the `Idempotency-Key`.
pub fn message_key(id: i64) -> String {
    format!("sms-{id}")
}

impl SmsWorker {
    pub fn new(services: Arc<Services>, sink: SmsSink, wake: Arc<Notify>) -> Self {
        let http = reqwest::Client::builder().timeout(DEFAULT_TIMEOUT).build().expect("http client");
        let pace = std::sync::Mutex::new(Pace::per_second(DEFAULT_RATE));
        SmsWorker { services, sink, wake, owner: uuid_like(), http, pace, timeout: DEFAULT_TIMEOUT }
    }

    /// At most `rate` messages a second from this node to the gateway (default 20).
    pub fn with_rate(mut self, rate: u32) -> Self {
        self.pace = std::sync::Mutex::new(Pace::per_second(rate));
        self
    }

    /// Leases under a stable node identity (e.g. host and listen address) instead of a random
    /// one, so that after a crash the restarted node takes back what it had leased.
    pub fn with_node_id(mut self, node_id: &str) -> Self {
        self.owner = node_id.to_string();
        self
    }

    /// How long one webhook call may take before it counts as failed (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder().timeout(timeout).build().expect("http client");
        self.timeout = timeout;
        self
    }

    fn lease_secs(&self) -> i64 {
        let paced = self.pace.lock().expect("the pace").span_of(BATCH as u32).as_secs() as i64;
        BATCH * (self.timeout.as_secs() as i64 + 1) + paced + LEASE_MARGIN_SECS
    }

    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move { self.run().await })
    }

    async fn run(self) {
        match self.take_back_leases().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "took back the SMS leases of this node's previous process"),
            Err(e) => tracing::warn!(error = %e, "SMS outbox unavailable"),
        }
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "SMS outbox unavailable"),
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), self.wake.notified()).await;
        }
    }

    /// Ends the leases held under this worker's identity by a process that is gone.
    pub async fn take_back_leases(&self) -> Result<u64, String> {
        let mut tx = self.services.store.read().await.map_err(|e| e.to_string())?;
        tx.release_sms_leases(&self.owner).await.map_err(|e| e.to_string())
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
            let mut tx = s.store.read().await.map_err(|e| e.to_string())?;
            if tx.sms_waits_for_earlier(m.id).await.map_err(|e| e.to_string())? {
                let later = s.clock.now().plus_secs(ORDER_WAIT_SECS);
                tx.mark_sms_retry(m.id, &self.owner, later, "waiting for an earlier message to the same number")
                    .await
                    .map_err(|e| e.to_string())?;
                continue;
            }
            drop(tx);
            let slot = self.pace.lock().expect("the pace").take(std::time::Instant::now());
            tokio::time::sleep_until(slot.into()).await;
            // A message leased before may have been sent by a process that died before it
            // could record the delivery.
            let maybe_sent = m.attempts > 1;
            let result = match SmsMessage::open(&s.vault, &m.payload_sealed) {
                Some(msg) => self.send(m.id, &msg, maybe_sent).await,
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

    async fn send(&self, id: i64, msg: &SmsMessage, maybe_sent: bool) -> Result<(), String> {
        let json = sink_json(id, msg, &self.services.clock.now().rfc3339());
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
                if maybe_sent && file_holds(path, id).await? {
                    return Ok(());
                }
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
                    .header("Idempotency-Key", message_key(id))
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

/// Whether the sink file already has the message's line (JSON escapes quotes inside strings,
/// so the `"id":"sms-N"` pair cannot appear inside another field).
async fn file_holds(path: &std::path::Path, id: i64) -> Result<bool, String> {
    let needle = format!("\"id\":\"{}\"", message_key(id));
    match tokio::fs::read_to_string(path).await {
        Ok(text) => Ok(text.contains(&needle)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

fn uuid_like() -> String {
    domain::crypto::random_token()[..16].to_string()
}
