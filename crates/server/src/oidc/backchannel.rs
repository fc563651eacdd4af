//! Back-channel logout delivery: a worker leases queued logout tokens, signs each at
//! delivery and posts it to the e-service, retrying with backoff until it answers 2xx.
//! Leases expire, so a node that dies mid-delivery loses nothing.

use std::sync::Arc;
use std::time::Duration;

use domain::Services;

use super::jose;

pub struct BackchannelWorker {
    services: Arc<Services>,
    issuer: String,
    owner: String,
    http: reqwest::Client,
}

const BATCH: i64 = 20;
const TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(250);
const SWEEP_EVERY: Duration = Duration::from_secs(30);

impl BackchannelWorker {
    pub fn new(services: Arc<Services>, issuer: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        BackchannelWorker { services, issuer, owner: format!("bcl-{}", uuid::Uuid::new_v4()), http }
    }

    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut last_sweep = std::time::Instant::now();
            loop {
                // Sessions that time out unseen still end, and their e-services hear of it.
                if last_sweep.elapsed() >= SWEEP_EVERY {
                    last_sweep = std::time::Instant::now();
                    if let Err(e) = self.services.end_expired_sessions(500).await {
                        tracing::warn!(error = %e, "ending timed-out sessions failed");
                    }
                    // R28–R30: ending notices, ended assignments' sessions, reviews falling due.
                    if let Err(e) = self.services.sweep_access(500).await {
                        tracing::warn!(error = %e, "the access sweep failed");
                    }
                    match self.services.purge_expired().await {
                        Ok(n) if n > 0 => tracing::info!(rows = n, "purged spent codes, tokens and enrolments"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "purging spent rows failed"),
                    }
                }
                match self.run_once().await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "back-channel logout delivery failed"),
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }

    /// Delivers one batch; returns how many were leased.
    pub async fn run_once(&self) -> Result<usize, domain::Error> {
        // The lease outlives a batch in which every call times out.
        let lease_secs = (TIMEOUT.as_secs() as i64 + 1) * BATCH + 30;
        let batch = self.services.lease_logouts(&self.owner, lease_secs, BATCH).await?;
        let n = batch.len();
        for p in batch {
            let id = p.record.id;
            let Some(uri) = p.uri else {
                // The e-service no longer takes logout tokens: nothing to deliver.
                self.services.logout_delivered(id, &self.owner).await?;
                continue;
            };
            let signer = self.services.signer().await?;
            let now = self.services.clock.now();
            let token = jose::logout_token(
                &signer,
                &self.issuer,
                &p.record.client_id,
                &p.record.sub,
                p.record.sid.as_deref(),
                now,
            )
            .map_err(domain::Error::Internal)?;
            let sent = self.http.post(&uri).form(&[("logout_token", token.as_str())]).send().await;
            match sent {
                Ok(r) if r.status().is_success() => self.services.logout_delivered(id, &self.owner).await?,
                Ok(r) => self.retry(id, p.record.attempts, &format!("answered {}", r.status())).await?,
                Err(e) => self.retry(id, p.record.attempts, &e.to_string()).await?,
            }
        }
        Ok(n)
    }

    async fn retry(&self, id: i64, attempts: i64, error: &str) -> Result<(), domain::Error> {
        let after = 1i64 << attempts.clamp(0, 12);
        tracing::warn!(id, attempts, error, "back-channel logout not delivered; will retry");
        self.services.logout_retry(id, &self.owner, after.min(3600), error).await
    }
}
