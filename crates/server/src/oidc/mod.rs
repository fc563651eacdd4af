//! The OpenID Connect provider's HTTP face: discovery, JWKS, authorize with its sign-in
//! page, token, userinfo, introspection, revocation, RP-initiated logout, and the
//! back-channel logout worker. Decisions are `domain::oidc`'s; this is the wire format.

pub mod authorize;
pub mod backchannel;
pub mod choose;
pub mod cookies;
pub mod discovery;
pub mod jose;
pub mod logout;
pub mod page;
pub mod step_up;
pub mod token;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::get_configuration))
        .route("/oidc/jwks", get(discovery::get_jwks))
        .route("/oidc/authorize", get(authorize::get_authorize).post(authorize::post_authorize))
        .route("/oidc/login", post(authorize::post_login))
        .route("/oidc/step-up", post(step_up::post_step_up))
        .route("/oidc/act", post(choose::post_act))
        .route("/oidc/token", post(token::post_token))
        .route("/oidc/userinfo", get(token::userinfo).post(token::userinfo))
        .route("/oidc/introspect", post(token::post_introspect))
        .route("/oidc/revoke", post(token::post_revoke))
        .route("/oidc/logout", get(logout::get_logout).post(logout::post_logout))
}
