//! (being built)

use axum::Router;

use crate::router::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
