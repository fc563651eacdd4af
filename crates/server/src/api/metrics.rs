//! `/metrics` for Prometheus, and the layer that counts and times every routed request.
//! Only loopback and the trusted proxies may read it: it is for operators, not the public.

use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Counts and times every request that matched a route, by its template (`/api/v1/entities/{entity_number}/logins`),
/// so the number of series stays bounded whatever paths are asked for.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
    let res = next.run(req).await;
    state.metrics.observe(&method, &route, res.status(), started.elapsed().as_secs_f64());
    res
}

#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus metrics (OpenMetrics text); loopback and trusted proxies only", content_type = "application/openmetrics-text"),
    (status = 404, description = "asked from any other address")))]
pub async fn get_metrics(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let allowed = match peer {
        Some(ip) => ip.is_loopback() || state.trusted_proxies.contains(&ip),
        // In-process requests (tests through the router) have no peer.
        None => true,
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = state.metrics.render(&state.services).await;
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    res
}
