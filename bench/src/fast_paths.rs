//! The paths that should cost next to nothing: a session's `/me`, token introspection,
//! client_credentials issuance and the authorization-code exchange, each against `/healthz`
//! (the cheapest route of the same server) measured in the same run.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::load::{closed_loop, gather, new_histogram, open_loop, MakeRequest, Run};
use crate::report::{Figure, Target};
use crate::server::{Server, REDIRECT};

pub const CONCURRENCY: usize = 16;

pub struct FastPaths {
    pub healthz: f64,
    pub figures: Vec<Figure>,
    /// /me and introspection as fractions of healthz, for the comparison at scale.
    pub me_ratio: f64,
    pub introspection_ratio: f64,
}

pub fn healthz(s: &Server) -> MakeRequest {
    let url = format!("{}/healthz", s.base);
    Arc::new(move |c| c.get(&url))
}

pub fn me(s: &Server, session: &str) -> MakeRequest {
    let (url, token) = (format!("{}/api/v1/me", s.base), session.to_string());
    Arc::new(move |c| c.get(&url).bearer_auth(&token))
}

pub fn introspect(s: &Server, token: String) -> MakeRequest {
    let (url, id, secret) = (format!("{}/oidc/introspect", s.base), s.client_id.clone(), s.client_secret.clone());
    Arc::new(move |c| c.post(&url).basic_auth(&id, Some(&secret)).form(&[("token", token.as_str())]))
}

pub fn client_credentials(s: &Server) -> MakeRequest {
    let (url, id, secret) = (format!("{}/oidc/token", s.base), s.client_id.clone(), s.client_secret.clone());
    Arc::new(move |c| c.post(&url).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]))
}

/// Throughput at c=16 of every fast path, then p99 of `/me` and introspection offered at
/// half their own throughput (open loop), with `session` as the caller.
pub async fn measure(s: &Server, session: &str, duration: Duration) -> anyhow::Result<FastPaths> {
    let http = &s.http;
    let h = closed_loop(http, healthz(s), 200, CONCURRENCY, duration).await;
    let base = ("GET /healthz", h.per_second());
    let mut figures = Vec::new();

    let me_run = closed_loop(http, me(s, session), 200, CONCURRENCY, duration).await;
    figures.push(Figure::ratio("GET /api/v1/me with a session (c=16)", &me_run, base, 0.5));
    let access = s.client_token().await?;
    let intro_run = closed_loop(http, introspect(s, access.clone()), 200, CONCURRENCY, duration).await;
    figures.push(Figure::ratio("OIDC token introspection (c=16)", &intro_run, base, 0.5));

    for (name, make, rate) in [
        ("GET /api/v1/me at half its throughput: p99", me(s, session), me_run.per_second() / 2.0),
        ("OIDC introspection at half its throughput: p99", introspect(s, access), intro_run.per_second() / 2.0),
    ] {
        let run = open_loop(http, make, 200, None, rate, duration).await;
        let notes = format!("offered {rate:.0}/s open loop, {} answered, {} failed", run.ok, run.failed);
        let produced = run.ok > 0 && run.failed == 0;
        figures.push(Figure::value(name, run.p99_ms(), "ms", Target::AtMost(1.0), notes, produced));
    }

    let run = closed_loop(http, client_credentials(s), 200, CONCURRENCY, duration).await;
    figures.push(Figure::ratio("OIDC client_credentials token issuance (c=16)", &run, base, 0.08));

    let run = code_exchanges(s, session, duration).await;
    let mut f = Figure::ratio("OIDC authorization-code exchange (c=16)", &run, base, 0.04);
    f.notes = format!(
        "token requests alone, codes asked for beforehand; p99 {:.2} ms, {} exchanges",
        run.p99_ms(),
        run.requests
    );
    figures.push(f);

    Ok(FastPaths {
        healthz: base.1,
        figures,
        me_ratio: me_run.per_second() / base.1,
        introspection_ratio: intro_run.per_second() / base.1,
    })
}

/// PKCE S256: a verifier and its challenge.
fn pkce() -> (String, String) {
    let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// What a loop of authorization and exchange needs of the server, owned (each loop is a task).
#[derive(Clone)]
pub struct Relying {
    base: String,
    http: reqwest::Client,
    client_id: String,
    client_secret: String,
    session: String,
}

impl Relying {
    pub fn of(s: &Server, session: &str) -> Relying {
        Relying {
            base: s.base.clone(),
            http: s.http.clone(),
            client_id: s.client_id.clone(),
            client_secret: s.client_secret.clone(),
            session: session.to_string(),
        }
    }

    /// One sign-in's code from the authorization endpoint, riding the single sign-on session.
    async fn code(&self) -> Option<(String, String)> {
        let (verifier, challenge) = pkce();
        let url = reqwest::Url::parse_with_params(
            &format!("{}/oidc/authorize", self.base),
            &[
                ("response_type", "code"),
                ("client_id", self.client_id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("state", "bench"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .ok()?;
        let res = self.http.get(url).header("cookie", format!("ea_sso={}", self.session)).send().await.ok()?;
        let location = reqwest::Url::parse(res.headers().get("location")?.to_str().ok()?).ok()?;
        let code = location.query_pairs().find(|(k, _)| k == "code")?.1.into_owned();
        Some((code, verifier))
    }

    async fn exchange(&self, code: &str, verifier: &str) -> bool {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ];
        let url = format!("{}/oidc/token", self.base);
        match self.http.post(url).basic_auth(&self.client_id, Some(&self.client_secret)).form(&form).send().await {
            Ok(res) => res.status().is_success() && res.bytes().await.is_ok(),
            Err(_) => false,
        }
    }
}

/// The exchange alone, as the target asks: codes asked for first, then exchanged.
async fn code_exchanges(s: &Server, session: &str, duration: Duration) -> Run {
    let rp = Relying::of(s, session);
    let (codes, failed_codes) = make_codes(&rp, duration).await;
    let mut run = exchange_codes(&rp, codes, duration).await;
    run.errors += failed_codes;
    run
}

/// Codes waiting for their exchange, oldest first.
pub type Codes = Arc<Mutex<VecDeque<(String, String)>>>;

/// A closed loop on the authorization endpoint for `duration`: the codes, oldest first, and
/// how many requests failed.
pub async fn make_codes(rp: &Relying, duration: Duration) -> (Codes, u64) {
    let deadline = Instant::now() + duration;
    let makers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let rp = rp.clone();
            tokio::spawn(async move {
                let (mut codes, mut failed) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    match rp.code().await {
                        Some(code) => codes.push((Instant::now(), code)),
                        None => failed += 1,
                    }
                }
                (codes, failed)
            })
        })
        .collect();
    let (mut codes, mut failed) = (Vec::new(), 0);
    for m in makers {
        let (c, f) = m.await.expect("a code task does not panic");
        codes.extend(c);
        failed += f;
    }
    codes.sort_by_key(|(made, _)| *made);
    (Arc::new(Mutex::new(codes.into_iter().map(|(_, c)| c).collect())), failed)
}

/// A closed loop exchanging `codes`, oldest first, for at most `duration` or until none is
/// left. A code lives 60 s and waits at most twice `duration`.
pub async fn exchange_codes(rp: &Relying, codes: Codes, duration: Duration) -> Run {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (rp, codes) = (rp.clone(), codes.clone());
            tokio::spawn(async move {
                let mut hist = new_histogram();
                let (mut n, mut errors) = (0u64, 0u64);
                while Instant::now() < deadline {
                    let Some((code, verifier)) = codes.lock().expect("no panic holding the codes").pop_front() else {
                        break;
                    };
                    let t = Instant::now();
                    if !rp.exchange(&code, &verifier).await {
                        errors += 1;
                    }
                    hist.saturating_record(t.elapsed().as_micros() as u64);
                    n += 1;
                }
                (n, errors, hist)
            })
        })
        .collect();
    gather(tasks, started).await
}
