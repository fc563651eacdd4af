//! A closed-loop load generator: `concurrency` tasks each send a request, wait for its
//! answer, and send the next, for `duration`; every latency goes into an HDR histogram.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// One request of a scenario: builds it on the shared client.
pub type MakeRequest = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

/// Microseconds from 1 µs to a minute, three significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

pub struct Run {
    pub requests: u64,
    /// Answers with an unexpected status.
    pub errors: u64,
    pub seconds: f64,
    pub latency_us: Histogram<u64>,
}

impl Run {
    pub fn empty() -> Run {
        Run { requests: 0, errors: 0, seconds: 0.0, latency_us: new_histogram() }
    }
    /// Adds one loop's counts and latencies.
    pub fn add(&mut self, requests: u64, errors: u64, latency_us: &Histogram<u64>) {
        self.requests += requests;
        self.errors += errors;
        self.latency_us.add(latency_us).expect("same bounds");
    }
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
            let mut hist = new_histogram();
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
    gather(tasks, started).await
}

/// What a closed loop's tasks counted (requests, errors, latencies), over the time since
/// `started`.
pub async fn gather(tasks: Vec<tokio::task::JoinHandle<(u64, u64, Histogram<u64>)>>, started: Instant) -> Run {
    let mut run = Run::empty();
    for t in tasks {
        let (n, e, h) = t.await.expect("a load task does not panic");
        run.add(n, e, &h);
    }
    run.seconds = started.elapsed().as_secs_f64();
    run
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

/// An open-loop run: what was offered at a fixed rate, whatever the server answered.
pub struct OpenRun {
    pub offered: u64,
    /// Answers with the expected status.
    pub ok: u64,
    /// Answers with the refusal status (`503 busy` for logins), and their latencies.
    pub refused: u64,
    pub refused_us: Histogram<u64>,
    /// No answer within the timeout, or a connection error.
    pub failed: u64,
    /// Every answered request, from the moment it was due (so a server that falls behind
    /// cannot hide its queue: no coordinated omission).
    pub latency_us: Histogram<u64>,
}

impl OpenRun {
    pub fn p99_ms(&self) -> f64 {
        self.latency_us.value_at_quantile(0.99) as f64 / 1000.0
    }
    pub fn refused_p99_ms(&self) -> f64 {
        self.refused_us.value_at_quantile(0.99) as f64 / 1000.0
    }
}

/// Offers `rate` requests a second for `duration`, each sent when due whether or not earlier
/// ones were answered; `refusal` is a status that counts apart (not as a failure).
pub async fn open_loop(
    client: &reqwest::Client,
    make: MakeRequest,
    expect: u16,
    refusal: Option<u16>,
    rate: f64,
    duration: Duration,
) -> OpenRun {
    const TIMEOUT: Duration = Duration::from_secs(10);
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let started = tokio::time::Instant::now();
    let total = (duration.as_secs_f64() * rate).round() as u64;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let due = started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let (client, make) = (client.clone(), make.clone());
        tasks.spawn(async move {
            let answer = tokio::time::timeout(TIMEOUT, async {
                let res = make(&client).send().await.ok()?;
                let status = res.status().as_u16();
                res.bytes().await.ok()?;
                Some(status)
            })
            .await;
            (answer.ok().flatten(), due.elapsed().as_micros() as u64)
        });
    }
    let mut run = OpenRun {
        offered: total,
        ok: 0,
        refused: 0,
        refused_us: new_histogram(),
        failed: 0,
        latency_us: new_histogram(),
    };
    while let Some(done) = tasks.join_next().await {
        let (status, micros) = done.expect("a load task does not panic");
        match status {
            Some(s) if s == expect => {
                run.ok += 1;
                run.latency_us.saturating_record(micros);
            }
            Some(s) if Some(s) == refusal => {
                run.refused += 1;
                run.refused_us.saturating_record(micros);
                run.latency_us.saturating_record(micros);
            }
            _ => run.failed += 1,
        }
    }
    run
}
