//! A closed-loop load generator: `concurrency` tasks each send a request, wait for its
//! answer, and send the next, for `duration`; every latency goes into an HDR histogram.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// One request of a scenario: builds it on the shared client.
pub type MakeRequest = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

pub struct Run {
    pub requests: u64,
    /// Answers with an unexpected status.
    pub errors: u64,
    pub seconds: f64,
    pub latency_us: Histogram<u64>,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    pub fn p99_ms(&self) -> f64 {
        self.latency_us.value_at_quantile(0.99) as f64 / 1000.0
    }
}

/// Drives `make` with `concurrency` loops for `duration`; a status other than `expect` is
/// counted as an error (and its latency still recorded).
pub async fn closed_loop(
    client: &reqwest::Client,
    make: MakeRequest,
    expect: u16,
    concurrency: usize,
    duration: Duration,
) -> Run {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, make) = (client.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
            let (mut n, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match make(&client).send().await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let _ = res.bytes().await;
                        status == expect
                    }
                    Err(_) => false,
                };
                hist.saturating_record(t.elapsed().as_micros() as u64);
                n += 1;
                if !ok {
                    errors += 1;
                }
            }
            (n, errors, hist)
        }));
    }
    let mut total = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
    let (mut requests, mut errors) = (0, 0);
    for t in tasks {
        let (n, e, h) = t.await.expect("a load task does not panic");
        requests += n;
        errors += e;
        total.add(h).expect("same bounds");
    }
    Run { requests, errors, seconds: started.elapsed().as_secs_f64(), latency_us: total }
}

/// The hash-only rate: Argon2id with the server's parameters on `threads` threads for
/// `duration`, in this process — the ceiling a login path can approach.
pub fn hashes_per_second(threads: usize, duration: Duration) -> f64 {
    let started = Instant::now();
    let deadline = started + duration;
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            std::thread::spawn(move || {
                let password = domain::credentials::Password::for_login(&format!("bench pass phrase number {i}"));
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let _ = domain::password_hash::HashParams::OWASP.hash(&password);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().expect("a hash thread does not panic")).sum();
    total as f64 / started.elapsed().as_secs_f64()
}
