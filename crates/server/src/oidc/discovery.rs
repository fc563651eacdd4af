//! Discovery (OpenID Connect Discovery 1.0) and the JWKS.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

pub async fn get_configuration(State(state): State<AppState>) -> Json<Value> {
    let i = state.issuer.as_ref();
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/oidc/authorize"),
        "token_endpoint": format!("{i}/oidc/token"),
        "userinfo_endpoint": format!("{i}/oidc/userinfo"),
        "jwks_uri": format!("{i}/oidc/jwks"),
        "introspection_endpoint": format!("{i}/oidc/introspect"),
        "revocation_endpoint": format!("{i}/oidc/revoke"),
        "end_session_endpoint": format!("{i}/oidc/logout"),
        "scopes_supported": domain::oidc::SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid",
                             "name", "locale", "entity_number", "entity_name", "login_kind"],
        "acr_values_supported": ["basic", "advanced"],
        "ui_locales_supported": ["zh-Hant", "pt", "en"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    }))
}

pub async fn get_jwks(State(state): State<AppState>) -> Response {
    match state.services.published_keys().await {
        Ok(keys) => {
            let keys: Vec<Value> = keys.iter().filter_map(|k| serde_json::from_str(k).ok()).collect();
            Json(json!({ "keys": keys })).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "JWKS unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
