//! The password-hash pool: Argon2id runs on blocking threads, never on the async workers,
//! at most one hash per core at once, and at most `max_waiting` requests wait for one: past
//! that, a request is refused at once (`Busy`, answered 503 with `Retry-After`) instead of
//! queueing without bound, so a login flood cannot starve the rest of the service.
//!
//! The hashes run on the pool's own long-lived threads, not on tokio's blocking pool: that
//! one spreads jobs over up to 512 threads, and the allocator keeps a freed 19 MiB Argon2
//! block in each thread's arena, so a login flood grew the process by hundreds of MiB. With
//! `workers` threads the memory is bounded by `workers` × the hash's memory.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use domain::credentials::Password;
use domain::password_hash::{Busy, HashParams, Memory, PasswordHasher};
use tokio::sync::Semaphore;

/// Waiting requests per hashing thread before the pool refuses more.
pub const WAITING_PER_WORKER: usize = 16;

/// Work for a hashing thread, done in that thread's Argon2 memory.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

pub struct Argon2Pool {
    params: HashParams,
    /// The hashing threads' queue; a job is sent only while holding a permit, so one of
    /// them is free to take it at once. The threads end when the pool is dropped.
    jobs: mpsc::Sender<Job>,
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
            jobs: hashing_threads(workers.max(1)),
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

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Memory) -> T + Send + 'static) -> Result<T, Busy> {
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
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = answer.send(f(memory));
        });
        self.jobs.send(job).expect("the hashing threads live as long as the pool");
        Ok(answered.await.expect("a hashing thread answers every job"))
    }
}

/// Hashing threads run at a lower priority (nice 10): when a core is wanted both by Argon2
/// and by a request handler, the handler goes first. Logins wait a little longer under
/// load; nothing else waits behind a login flood (the target: `/me` p99 < 5 ms in one).
/// Where the system refuses, the thread keeps the normal priority (logged at debug).
fn yield_to_requests() {
    let tid = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(tid), 10) {
        tracing::debug!(error = %e, "hashing thread priority unchanged");
    }
}

/// `n` threads taking jobs from one queue until it is closed.
fn hashing_threads(n: usize) -> mpsc::Sender<Job> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for i in 0..n {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                yield_to_requests();
                // Allocated at the first job and reused by every later one.
                let mut memory = Memory::default();
                loop {
                    // The lock is held only while waiting for the next job, not while hashing.
                    let next = queue.lock().expect("no thread panics holding the queue").recv();
                    match next {
                        // A job that panics loses its answer, not the thread.
                        Ok(job) => {
                            let run = std::panic::AssertUnwindSafe(|| job(&mut memory));
                            drop(std::panic::catch_unwind(run));
                        }
                        Err(_) => return,
                    }
                }
            })
            .expect("starting a hashing thread");
    }
    jobs
}

#[async_trait::async_trait]
impl PasswordHasher for Argon2Pool {
    async fn hash(&self, password: Password) -> Result<String, Busy> {
        let params = self.params;
        self.run(move |memory| params.hash_in(memory, &password)).await
    }

    async fn verify(&self, password: Password, phc: String) -> Result<bool, Busy> {
        self.run(move |memory| HashParams::verify_in(memory, &password, &phc)).await
    }

    async fn verify_dummy(&self, password: Password) -> Result<(), Busy> {
        let phc = self.dummy.clone();
        self.run(move |memory| HashParams::verify_in(memory, &password, &phc)).await.map(|_| ())
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
