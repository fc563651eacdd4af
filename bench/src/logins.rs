//! Password logins: what HTTP logins reach against Argon2id alone on the same cores, and
//! what the rest of the service does while logins are offered at twice that capacity.

use std::sync::Arc;
use std::time::Duration;

use crate::fast_paths::me;
use crate::load::{closed_loop, hashes_per_second, open_loop, MakeRequest};
use crate::process::PeakRss;
use crate::report::{Figure, Target};
use crate::server::Server;

/// Argon2id's memory a hashing thread holds while it works (m = 19 MiB) plus slack: the
/// flood's memory bound is idle + workers × this + 30 MB.
const MIB_PER_HASH_WORKER: f64 = 20.0;

pub fn login(s: &Server, entity_number: &str, username: &str) -> MakeRequest {
    let url = format!("{}/api/v1/login", s.base);
    let body =
        serde_json::json!({"entity_number": entity_number, "username": username, "password": crate::server::PASSWORD});
    Arc::new(move |c| c.post(&url).json(&body))
}

/// Logins/s at c=8 over HTTP against hashes/s of the same parameters on every core, the
/// hash-only rate measured just before. Returns the figure and the login rate.
pub async fn efficiency(s: &Server, entity_number: &str, username: &str, duration: Duration) -> (Figure, f64) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let hash_rate = tokio::task::spawn_blocking(move || hashes_per_second(cores, duration)).await.unwrap_or(0.0);
    let run = closed_loop(&s.http, login(s, entity_number, username), 200, 8, duration).await;
    let baseline = ("Argon2id alone, same parameters and cores", hash_rate);
    (Figure::ratio("Password logins over HTTP (c=8)", &run, baseline, 0.85), run.per_second())
}

/// Logins offered at twice `capacity` (open loop) for `duration` while `/me` is offered at
/// a steady rate beside them; the server's memory is sampled throughout.
pub async fn flood(
    s: &Server,
    entity_number: &str,
    username: &str,
    capacity: f64,
    idle_mib: f64,
    duration: Duration,
) -> Vec<Figure> {
    const ME_RATE: f64 = 200.0;
    let peak = s.pid().map(PeakRss::start);
    // At least 40/s: even a debug build's smoke run then overflows the queue and is refused.
    let offered = (2.0 * capacity).max(40.0);
    let (logins, me_run) = tokio::join!(
        open_loop(&s.http, login(s, entity_number, username), 200, Some(503), offered, duration),
        open_loop(&s.http, me(s, &s.session), 200, None, ME_RATE, duration),
    );
    let peak_mib = match peak {
        Some(p) => p.stop().await,
        None => 0.0,
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) as f64;
    let bound = idle_mib + workers * MIB_PER_HASH_WORKER + 30.0;
    let me_notes = format!("{ME_RATE:.0}/s offered, {} answered, {} failed or timed out", me_run.ok, me_run.failed);
    let login_notes = format!(
        "{offered:.0}/s offered for {} s ({} requests): {} signed in, {} refused (503), {} failed or timed out",
        duration.as_secs(),
        logins.offered,
        logins.ok,
        logins.refused,
        logins.failed
    );
    vec![
        Figure::value(
            "GET /api/v1/me p99 during the flood",
            me_run.p99_ms(),
            "ms",
            Target::AtMost(5.0),
            me_notes,
            me_run.ok > 0 && me_run.failed == 0,
        ),
        Figure::value(
            "Refused logins answered within (p99)",
            logins.refused_p99_ms(),
            "ms",
            Target::AtMost(50.0),
            login_notes,
            logins.refused > 0 && logins.failed == 0,
        ),
        Figure::value(
            "Requests that timed out or failed",
            (logins.failed + me_run.failed) as f64,
            "",
            Target::AtMost(0.0),
            "10 s timeout a request".into(),
            true,
        ),
        Figure::value(
            "Peak RSS during the flood",
            peak_mib,
            "MiB",
            Target::AtMost(bound),
            format!("idle {idle_mib:.1} MiB + {workers} hash workers × {MIB_PER_HASH_WORKER} MiB + 30 MB"),
            peak_mib > 0.0,
        ),
    ]
}
