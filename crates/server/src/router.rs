//! The routes and the layers every request passes: the 64 KiB body
//! limit, the request deadline, panic containment (a panic answers a generic 500 problem),
//! tracing, and headers.

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::api::*;
use crate::error::ApiError;
use crate::state::{body_limit_of, AppState, BODY_LIMIT, IMPORT_BODY_LIMIT, REQUEST_DEADLINE};

// One route a line, as a table to read.
#[rustfmt::skip]
fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/counter/login", post(operators::post_counter_login))
        .route("/counter/applications", post(applications::post_application).get(applications::get_applications))
        .route("/counter/applications/{application_number}", get(applications::get_application))
        .route("/counter/applications/{application_number}/review", post(applications::post_review))
        .route("/counter/applications/{application_number}/approve", post(applications::post_approve))
        .route("/counter/applications/{application_number}/reject", post(applications::post_reject))
        .route("/counter/entities/{entity_number}", get(logins::get_counter_entity))
        .route("/counter/entities/{entity_number}/administrators", post(logins::post_administrator))
        .route("/counter/entities/{entity_number}/logins/{login_id}/restore-admin", post(logins::post_restore_admin))
        .route("/counter/entities/{entity_number}/logins/{login_id}/activation-code", post(logins::post_counter_activation_code))
        .route("/counter/entities/{entity_number}/logins/{login_id}/security-code", post(eid::post_security_code))
        .route("/counter/entities/{entity_number}/logins/{login_id}/face-recognition", post(eid::post_face_recognition))
        .route("/counter/entities/{entity_number}/logins/{login_id}/eid", get(eid::get_counter_eid))
        .route("/counter/eservices", post(eservices::post_eservice).get(eservices::get_counter_eservices))
        .route("/counter/eservices/{code}/client", put(eservices::put_client))
        .route("/counter/eservices/{code}/client-secret", post(eservices::post_client_secret))
        .route("/counter/entities/{entity_number}/eservices/{code}", put(eservices::put_entity_registration))
        .route("/department/eservices/{code}/entities/{entity_number}", put(department::put_registration).delete(department::delete_registration))
        .route("/department/eservices/{code}/entities/{entity_number}/notifications", post(department::post_notification))
        .route("/department/eservices/{code}/entities/{entity_number}/logins", get(department::get_permitted_logins))
        .route("/applications/{application_number}/status", get(applications::get_application_status))
        .route("/activate", post(activation::post_activate))
        .route("/activation-codes/resend", post(help::post_resend))
        .route("/help/username", post(help::post_forgot_username))
        .route("/help/password-reset", post(help::post_password_reset_request))
        .route("/help/password-reset/confirm", post(help::post_password_reset_confirm))
        .route("/login", post(sessions::post_login))
        .route("/logout", post(sessions::post_logout))
        .route("/me", get(sessions::get_me))
        .route("/me/notifications", get(notifications::get_notifications))
        .route(
            "/me/notice-preferences",
            get(notifications::get_notice_preferences).put(notifications::put_notice_preferences),
        )
        .route("/me/eid", get(eid::get_my_eid))
        .route("/me/eid/face", put(eid::put_my_face))
        .route("/me/eid/enrolments", post(eid::post_enrolment))
        .route("/eservices", get(eservices::get_eservices))
        .route("/entities/{entity_number}/logins", get(logins::get_logins).post(logins::post_login_staff))
        .route("/entities/{entity_number}/logins/{login_id}", delete(logins::delete_login))
        .route(
            "/entities/{entity_number}/logins/import",
            post(staff_import::post_logins_import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .route("/entities/{entity_number}/logins/{login_id}/remove-admin", post(logins::post_remove_admin))
        .route("/entities/{entity_number}/logins/{login_id}/activation-code", post(logins::post_activation_code))
        .route(
            "/entities/{entity_number}/logins/{login_id}/eservices",
            put(assignments::put_login_eservices).get(assignments::get_login_eservices),
        )
        .route("/entities/{entity_number}/logins/{login_id}/eservices/{code}/approve", post(assignments::post_approve_assignment))
        .route("/entities/{entity_number}/access-review", get(reviews::get_access_review))
        .route("/entities/{entity_number}/access-review/decisions", post(reviews::post_review_decisions))
        .route("/entities/{entity_number}/access-review/export", get(reviews::get_review_export))
        .route(
            "/entities/{entity_number}/access-requests",
            post(access_requests::post_access_request).get(access_requests::get_access_requests),
        )
        .route("/entities/{entity_number}/access-requests/{request_id}/grant", post(access_requests::post_grant_request))
        .route("/entities/{entity_number}/access-requests/{request_id}/refuse", post(access_requests::post_refuse_request))
        .route("/entities/{entity_number}/mandates", post(mandates::post_mandate).get(mandates::get_mandates))
        .route(
            "/entities/{entity_number}/machine-credentials",
            post(machine_credentials::post_machine_credential).get(machine_credentials::get_machine_credentials),
        )
        .route(
            "/entities/{entity_number}/machine-credentials/{client_id}",
            get(machine_credentials::get_machine_credential).delete(machine_credentials::delete_machine_credential),
        )
        .route(
            "/entities/{entity_number}/machine-credentials/{client_id}/eservices",
            put(machine_credentials::put_machine_credential_eservices),
        )
        .route(
            "/entities/{entity_number}/mandates/{mandate_id}",
            get(mandates::get_mandate).delete(mandates::delete_mandate),
        )
        .route("/entities/{entity_number}/mandates/{mandate_id}/accept", post(mandates::post_accept_mandate))
        .route("/entities/{entity_number}/mandates/{mandate_id}/decline", post(mandates::post_decline_mandate))
        .route(
            "/entities/{entity_number}/logins/{login_id}/mandates/{mandate_id}",
            put(mandates::put_login_mandate).get(mandates::get_login_mandate),
        )
        .route("/entities/{entity_number}/audit", get(audit::get_entity_audit))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// A browser asking for a page gets a page; programs get problem+json.
fn wants_page(web: &crate::web::page::Web) -> bool {
    let accepts_html =
        web.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    accepts_html && !web.path.starts_with("/api/")
}

async fn not_found(mut web: crate::web::page::Web) -> Response {
    if wants_page(&web) {
        return web.not_found();
    }
    ApiError::not_found().into_response()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this path does not accept this method",
    )
}

/// Bodies past the limit: refused before they are read when their length is declared, and
/// in every case answered in the shape the endpoint's clients read (OAuth's JSON error at the
/// token, introspection and revocation endpoints, a problem document on the API, a page
/// elsewhere) rather than the extractor's plain text.
async fn body_limit(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let path = req.uri().path().to_string();
    let limit = body_limit_of(&path);
    let res = if declared.is_some_and(|n| n > limit as u64) {
        None
    } else {
        let res = next.run(req).await;
        let plain = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
        if res.status() == StatusCode::PAYLOAD_TOO_LARGE && plain {
            None
        } else {
            Some(res)
        }
    };
    res.unwrap_or_else(|| too_large(&path, limit))
}

fn too_large(path: &str, limit: usize) -> Response {
    let detail = format!("the body is larger than {} KiB", limit / 1024);
    let detail = detail.as_str();
    let mut res = if ["/oidc/token", "/oidc/introspect", "/oidc/revoke"].contains(&path) {
        crate::oidc::token::oauth_error(domain::oidc::OidcError::oauth("invalid_request", detail))
    } else if path.starts_with("/api/") {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", detail).into_response()
    } else {
        crate::oidc::page::bad_request_page(crate::web::i18n::Lang::Zh, detail)
    };
    *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    // The rest of the body is unread, so the connection cannot carry another request; say so,
    // or a client would send its next request on a connection that is closing.
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

async fn request_deadline(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "Request timeout",
            "the request did not arrive in time",
        )
        .into_response(),
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal().into_response()
}

pub fn router(state: AppState) -> Router {
    // Behind an https public URL, browsers must never come back over plain HTTP.
    let hsts = state.secure_cookies().then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .route("/metrics", get(crate::api::metrics::get_metrics))
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .nest("/api/v1", api_routes())
        .nest("/scim/v2", crate::scim::routes())
        .merge(crate::oidc::routes())
        .merge(crate::web::routes())
        // After every route: it sees the matched route's template.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::api::metrics::track))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(body_limit))
        .layer(axum::middleware::from_fn(request_deadline))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(tower::util::option_layer(hsts))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
