//! SCIM 2.0 at `/scim/v2` (R33, RFC 7644; `docs/scim.md`): the routes, the provisioning
//! credential behind the bearer, and SCIM's own error shape for everything under the prefix.

pub mod discovery;
pub mod users;
pub mod wire;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use domain::access::ProvisionerOf;

use crate::extract::{bearer, ReqCtx};
use crate::state::AppState;
use wire::ScimError;

/// The provisioning credential whose access token (`resource=<issuer>/scim/v2`) is the bearer.
pub struct ScimAuth(pub ProvisionerOf);

impl FromRequestParts<AppState> for ScimAuth {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| ScimError::from(domain::Error::Unauthenticated))?.to_string();
        let Ok(ReqCtx(ctx)) = ReqCtx::from_request_parts(parts, state).await;
        match state.services.provisioner_of_bearer(&ctx, &token).await {
            Ok(p) => Ok(ScimAuth(p)),
            Err(e @ (domain::Error::Store(_) | domain::Error::Busy { .. })) => Err(e.into()),
            Err(_) => Err(domain::Error::Unauthenticated.into()),
        }
    }
}

async fn not_found() -> ScimError {
    ScimError::not_found()
}

async fn method_not_allowed() -> ScimError {
    ScimError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, None, "this endpoint does not accept this method")
}

// One route a line, as a table to read.
#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/Users", get(users::get_users).post(users::post_user))
        .route("/Users/{id}", get(users::get_user).put(users::put_user).patch(users::patch_user).delete(users::delete_user))
        .route("/ServiceProviderConfig", get(discovery::get_service_provider_config))
        .route("/Schemas", get(discovery::get_schemas))
        .route("/Schemas/{id}", get(discovery::get_schema))
        .route("/ResourceTypes", get(discovery::get_resource_types))
        .route("/ResourceTypes/{id}", get(discovery::get_resource_type))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
