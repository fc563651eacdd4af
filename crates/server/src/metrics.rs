//! Prometheus metrics (text format; served by `api/metrics.rs`): requests and their latency per route
//! template, the password-hash pool (waiting, admitted, refused, time spent waiting), and the
//! SMS outbox (backlog, age of its oldest message). Counters live in this node; the outbox
//! figures are read from the database at each scrape, so every node reports the same.
//! Only loopback and the trusted proxies may read it: it is for operators, not the public.

use std::sync::Arc;

use axum::http::StatusCode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::hashing::Argon2Pool;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DbStateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: String,
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<LatencyLabels, Histogram>,
    hash_waiting: Gauge,
    hash_admitted: Counter,
    hash_refused: Counter,
    hash_wait_seconds: Counter<f64, std::sync::atomic::AtomicU64>,
    sms_backlog: Gauge,
    sms_oldest_age_seconds: Gauge,
    db_connections: Family<DbStateLabels, Gauge>,
    db_max_connections: Gauge,
    /// The pool whose figures are reported, when the server runs one.
    pool: Option<Arc<Argon2Pool>>,
}

fn latency_histogram() -> Histogram {
    // 100 µs to about 13 s: authorisation checks at the bottom, password hashes in the middle.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 18))
}

impl Metrics {
    pub fn new(pool: Option<Arc<Argon2Pool>>) -> Metrics {
        let mut registry = Registry::with_prefix("ea");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<LatencyLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let (hash_waiting, hash_admitted, hash_refused) = (Gauge::default(), Counter::default(), Counter::default());
        let hash_wait_seconds = Counter::<f64, std::sync::atomic::AtomicU64>::default();
        let (sms_backlog, sms_oldest_age_seconds) = (Gauge::default(), Gauge::default());
        registry.register("http_requests", "Requests answered, by route template and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer, by route template", latency.clone());
        registry.register("hash_pool_waiting", "Requests waiting for a password-hash thread", hash_waiting.clone());
        registry.register("hash_pool_admitted", "Requests admitted to the password-hash pool", hash_admitted.clone());
        registry.register(
            "hash_pool_refused",
            "Requests refused because the pool was full (503)",
            hash_refused.clone(),
        );
        registry.register(
            "hash_pool_wait_seconds",
            "Time admitted requests waited for a thread",
            hash_wait_seconds.clone(),
        );
        registry.register("sms_outbox_backlog", "Text messages not yet delivered", sms_backlog.clone());
        registry.register(
            "sms_outbox_oldest_age_seconds",
            "Age of the oldest undelivered message",
            sms_oldest_age_seconds.clone(),
        );
        let (db_connections, db_max_connections) = (Family::<DbStateLabels, Gauge>::default(), Gauge::default());
        registry.register(
            "db_pool_connections",
            "Database connections open, by state (idle, in_use)",
            db_connections.clone(),
        );
        registry.register("db_pool_max_connections", "The database pool's size limit", db_max_connections.clone());
        Metrics {
            registry,
            db_connections,
            db_max_connections,
            requests,
            latency,
            hash_waiting,
            hash_admitted,
            hash_refused,
            hash_wait_seconds,
            sms_backlog,
            sms_oldest_age_seconds,
            pool,
        }
    }

    pub fn observe(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        let labels = RouteLabels { method: method.into(), route: route.into(), status: status.as_u16().to_string() };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&LatencyLabels { method: method.into(), route: route.into() }).observe(seconds);
    }

    pub async fn render(&self, services: &domain::Services) -> String {
        if let Some(pool) = &self.pool {
            let s = pool.stats();
            self.hash_waiting.set(s.waiting as i64);
            self.hash_admitted.inner().store(s.admitted, std::sync::atomic::Ordering::Relaxed);
            self.hash_refused.inner().store(s.refused, std::sync::atomic::Ordering::Relaxed);
            self.hash_wait_seconds
                .inner()
                .store((s.wait_micros as f64 / 1e6).to_bits(), std::sync::atomic::Ordering::Relaxed);
        }
        let db = services.db_pool();
        self.db_connections.get_or_create(&DbStateLabels { state: "idle" }).set(i64::from(db.idle));
        self.db_connections
            .get_or_create(&DbStateLabels { state: "in_use" })
            .set(i64::from(db.open.saturating_sub(db.idle)));
        self.db_max_connections.set(i64::from(db.max));
        match services.sms_backlog().await {
            Ok((count, oldest_age)) => {
                self.sms_backlog.set(count);
                self.sms_oldest_age_seconds.set(oldest_age.unwrap_or(0));
            }
            Err(e) => tracing::warn!(error = %e, "the SMS outbox could not be read for /metrics"),
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}
