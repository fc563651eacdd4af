//! Failing fast while the database is away. When a connection cannot be had (the pool timed
//! out, or connecting failed), the breaker opens: every request is answered `Unavailable`
//! (503) at once instead of each waiting out the pool's acquire timeout, while a background
//! probe tries for a connection, one at a time, at most every `PROBE_EVERY`; the first probe
//! that gets one closes the breaker. So an outage costs callers microseconds, not seconds,
//! and the service recovers by itself when the database is back.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PROBE_EVERY: Duration = Duration::from_millis(500);

pub struct Breaker {
    epoch: Instant,
    open: AtomicBool,
    probing: AtomicBool,
    /// When the next probe may start, in milliseconds after `epoch`.
    next_probe_ms: AtomicU64,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            epoch: Instant::now(),
            open: AtomicBool::new(false),
            probing: AtomicBool::new(false),
            next_probe_ms: AtomicU64::new(0),
        }
    }
}

/// Ends a probe however it ends (a probe that panicked must not block every later one).
struct Probing(Arc<Breaker>);

impl Drop for Probing {
    fn drop(&mut self) {
        self.0.probing.store(false, Ordering::Release);
    }
}

/// Whether an error means no connection could be had (rather than a query that failed).
fn unreachable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_))
}

impl Breaker {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Runs `acquire` (getting a connection) while the breaker is closed. While it is open,
    /// answers `PoolTimedOut` at once and, unless a probe ran lately, starts `probe` (another
    /// way to get a connection, owning what it needs) in the background.
    pub async fn call<T, C>(
        self: &Arc<Self>,
        acquire: impl Future<Output = Result<T, sqlx::Error>>,
        probe: impl FnOnce() -> C,
    ) -> Result<T, sqlx::Error>
    where
        C: Future<Output = Result<(), sqlx::Error>> + Send + 'static,
    {
        if self.is_open() {
            self.start_probe(probe);
            return Err(sqlx::Error::PoolTimedOut);
        }
        let result = acquire.await;
        if let Err(e) = &result {
            if unreachable(e) && !self.open.swap(true, Ordering::AcqRel) {
                tracing::error!(error = %e, "no database connection; failing fast until one can be had again");
            }
        }
        result
    }

    fn start_probe<C>(self: &Arc<Self>, probe: impl FnOnce() -> C)
    where
        C: Future<Output = Result<(), sqlx::Error>> + Send + 'static,
    {
        let now = self.now_ms();
        if now < self.next_probe_ms.load(Ordering::Acquire) || self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        self.next_probe_ms.store(now + PROBE_EVERY.as_millis() as u64, Ordering::Release);
        let probing = Probing(self.clone());
        let attempt = probe();
        tokio::spawn(async move {
            if attempt.await.is_ok() {
                probing.0.open.store(false, Ordering::Release);
                tracing::info!("the database answers again");
            }
            drop(probing);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> sqlx::Error {
        sqlx::Error::PoolTimedOut
    }

    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn an_open_breaker_answers_at_once_and_a_successful_probe_closes_it() {
        let b = Arc::new(Breaker::default());
        assert!(b.call(async { Err::<(), _>(unavailable()) }, || async { Ok(()) }).await.is_err());
        assert!(b.is_open());
        let mut tried = false;
        let r = b
            .call(
                async {
                    tried = true;
                    Ok::<_, sqlx::Error>(())
                },
                || async { Ok(()) },
            )
            .await;
        assert!(matches!(r, Err(sqlx::Error::PoolTimedOut)) && !tried, "failed at once without trying");
        settle().await;
        assert!(!b.is_open(), "the probe got a connection and closed it");
        assert!(b.call(async { Ok::<_, sqlx::Error>(()) }, || async { Ok(()) }).await.is_ok());
    }

    #[tokio::test]
    async fn a_failed_probe_keeps_it_open_and_probes_are_spaced() {
        let b = Arc::new(Breaker::default());
        let _ = b.call(async { Err::<(), _>(unavailable()) }, || async { Ok(()) }).await;
        let probes = Arc::new(AtomicU64::new(0));
        for _ in 0..20 {
            let p = probes.clone();
            let r = b
                .call(async { Ok::<_, sqlx::Error>(()) }, move || async move {
                    p.fetch_add(1, Ordering::Relaxed);
                    Err(unavailable())
                })
                .await;
            assert!(r.is_err());
            settle().await;
        }
        assert!(b.is_open());
        assert_eq!(probes.load(Ordering::Relaxed), 1, "one probe within PROBE_EVERY, however many requests");
    }

    #[tokio::test]
    async fn a_query_that_fails_for_its_own_reasons_does_not_open_it() {
        let b = Arc::new(Breaker::default());
        let r = b.call(async { Err::<(), _>(sqlx::Error::RowNotFound) }, || async { Ok(()) }).await;
        assert!(r.is_err());
        assert!(!b.is_open());
    }
}
