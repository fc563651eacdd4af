//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "the process is up")))]
pub async fn get_healthz() -> &'static str {
    "ok"
}

#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "the database answers"),
    (status = 503, description = "the database does not answer")))]
pub async fn get_readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.services.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
