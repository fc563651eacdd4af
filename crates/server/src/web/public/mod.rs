//! Pages for anyone: sign-in, activation, "need help", and application progress.

mod login;

use axum::routing::{get, post};
use axum::Router;

use crate::router::AppState;

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::get_home))
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
}
