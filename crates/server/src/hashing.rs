//! The password-hash pool: Argon2id runs on blocking threads, never on the async workers,
//! at most one hash per core at once, and at most `max_waiting` requests wait for one: past
//! that, a request is refused at once (`Busy`, answered 503 with `Retry-After`) instead of
//! queueing without bound, so a login flood cannot starve the rest of the service.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use domain::credentials::Password;
use domain::password_hash::{Busy, HashParams, PasswordHasher};
use tokio::sync::Semaphore;

/// Waiting requests per hashing thread before the pool refuses more.
pub const WAITING_PER_WORKER: usize = 16;

pub struct Argon2Pool {
    params: HashParams,
    permits: Arc<Semaphore>,
    /// Requests admitted and not yet hashing.
    waiting: AtomicUsize,
    max_waiting: usize,
    admitted: AtomicU64,
    refused: AtomicU64,
    /// Time admitted requests spent waiting for a thread, in microseconds.
    wait_micros: AtomicU64,
    /// A real hash of a random password, verified when there is no stored hash to verify,
    /// so unknown usernames cost the same time as wrong passwords.
    dummy: String,
}

#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub waiting: usize,
    pub admitted: u64,
    pub refused: u64,
    pub wait_micros: u64,
}

/// Counts a request as waiting until it starts hashing, or until its caller goes away.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Argon2Pool {
    pub fn new(params: HashParams, workers: usize) -> Self {
        Self::with_queue(params, workers, workers.max(1) * WAITING_PER_WORKER)
    }

    /// A pool of `workers` hashing threads that lets at most `max_waiting` requests wait.
    pub fn with_queue(params: HashParams, workers: usize, max_waiting: usize) -> Self {
        let dummy = params.hash(&Password::for_login(&domain::crypto::random_token()));
        Argon2Pool {
            params,
            permits: Arc::new(Semaphore::new(workers.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            admitted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            wait_micros: AtomicU64::new(0),
            dummy,
        }
    }

    /// Requests waiting for a hashing thread now (a gauge for operators).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// The pool's figures for `/metrics`.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            waiting: self.waiting(),
            admitted: self.admitted.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            wait_micros: self.wait_micros.load(Ordering::Relaxed),
        }
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            self.refused.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("password-hash pool saturated; request refused");
            return Err(Busy { retry_after_secs: 1 });
        }
        self.admitted.fetch_add(1, Ordering::Relaxed);
        let waiting = Waiting(&self.waiting);
        let since = std::time::Instant::now();
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        drop(waiting);
        self.wait_micros.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
        Ok(tokio::task::spawn_blocking(f).await.expect("the hash task does not panic"))
    }
}

#[async_trait::async_trait]
impl PasswordHasher for Argon2Pool {
    async fn hash(&self, password: Password) -> Result<String, Busy> {
        let params = self.params;
        self.run(move || params.hash(&password)).await
    }

    async fn verify(&self, password: Password, phc: String) -> Result<bool, Busy> {
        self.run(move || HashParams::verify(&password, &phc)).await
    }

    async fn verify_dummy(&self, password: Password) -> Result<(), Busy> {
        let phc = self.dummy.clone();
        self.run(move || HashParams::verify(&password, &phc)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saturated_pool_refuses_at_once_instead_of_queueing() {
        // One thread, one waiting place: of four requests at once, one hashes, one waits,
        // and the other two are refused without waiting.
        let pool = Arc::new(Argon2Pool::with_queue(HashParams { m_kib: 8 * 1024, t: 2, p: 1 }, 1, 1));
        let hash = || pool.hash(Password::for_login("a long enough pass phrase"));
        // `join!` polls them in order on this task.
        let (a, b, c, d) = tokio::join!(hash(), hash(), hash(), hash());
        let results = [a, b, c, d];
        let refused = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(refused, 2, "{results:?}");
        assert!(results.iter().filter_map(|r| r.as_ref().ok()).all(|h| h.starts_with("$argon2id$")));
        assert_eq!(pool.waiting(), 0, "nothing is left counted as waiting");
        // Once it drains, the pool admits again.
        assert!(pool.hash(Password::for_login("a long enough pass phrase")).await.is_ok());
    }
}
