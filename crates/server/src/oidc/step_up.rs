//! `POST /oidc/step-up`: the second factor an advanced e-service asks for (R21), then the
//! authorization answer as if the request had just arrived.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use domain::access::Principal;
use domain::eid::step_up::Factor;
use domain::Code;
use domain::Error;

use super::authorize::{finish, session_caller, show_step_up};
use super::cookies::{self, SSO};
use super::page;
use crate::extract::ReqCtx;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::redirect::see_other;

#[derive(serde::Deserialize)]
pub struct StepUpBody {
    #[serde(default)]
    authorize: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    security_code: String,
    #[serde(default)]
    capture_ref: String,
}

pub async fn post_step_up(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<StepUpBody>,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(f.authorize.as_bytes()).into_owned().collect();
    let req = match state.services.parse_authorize(&pairs).await {
        Ok(r) => r,
        Err(_) => {
            return page::bad_request_page(
                page::lang_for(&state, &headers, None),
                "the authorization request is invalid",
            )
        }
    };
    let lang = page::lang_of(&state, &headers, &f.authorize, req.locale);
    if !csrf::is_ours(&state, &headers, &f.csrf) {
        return page::forbidden_page(lang);
    }
    // Signed out meanwhile, or the e-service asked for a fresher password sign-in
    // (`prompt=login`, `max_age`) than this session: back to the sign-in.
    let caller = match session_caller(&state, &headers).await {
        Some(c) if state.services.session_suffices(&req, &c) => c,
        _ => return see_other(&format!("/oidc/authorize?{}", f.authorize)),
    };
    let (factor, field) = match (f.method.as_str(), &state.face) {
        ("otp", _) => (Factor::Code(&f.security_code), "security_code"),
        ("face", Some(v)) => (Factor::Face { capture_ref: &f.capture_ref, verifier: v.as_ref() }, "capture_ref"),
        ("face", None) => {
            let eid = state.services.my_eid(&caller).await.unwrap_or_else(|_| no_factor());
            let error = Some(("capture_ref", Code::FaceVerificationUnavailable));
            let status = StatusCode::SERVICE_UNAVAILABLE;
            return show_step_up(&state, &headers, &f.authorize, &req, &eid, error, status).await;
        }
        _ => return page::bad_request_page(lang, "method must be otp or face"),
    };
    match state.services.step_up(&caller, &ctx, factor).await {
        // The session was replaced (R14): carry on as the new one and give the browser its id.
        Ok(stepped) => {
            let Ok(Principal::Login(renewed)) = state.services.authenticate(&stepped.token).await else {
                return see_other(&format!("/oidc/authorize?{}", f.authorize));
            };
            let mut res = finish(&state, &ctx, &headers, &renewed, &req, &f.authorize).await;
            res.headers_mut().append(header::SET_COOKIE, cookies::set(&state, SSO, &stepped.token, None));
            res
        }
        Err(e) => {
            let (status, key) = match &e {
                Error::InvalidCode | Error::Validation(_) => (StatusCode::UNAUTHORIZED, Code::InvalidCode),
                Error::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, Code::TooManyAttempts),
                Error::Conflict { code: Code::FaceNotAvailable, .. } => (StatusCode::CONFLICT, Code::FaceNotAvailable),
                Error::Conflict { code: Code::SecurityCodeNotBound, .. } => {
                    (StatusCode::CONFLICT, Code::SecurityCodeNotBound)
                }
                Error::Conflict { code: Code::FaceVerificationUnavailable, .. } => {
                    (StatusCode::SERVICE_UNAVAILABLE, Code::FaceVerificationUnavailable)
                }
                other => {
                    tracing::error!(error = %other, "step-up failed");
                    (StatusCode::SERVICE_UNAVAILABLE, Code::FaceVerificationUnavailable)
                }
            };
            let eid = state.services.my_eid(&caller).await.unwrap_or_else(|_| no_factor());
            show_step_up(&state, &headers, &f.authorize, &req, &eid, Some((field, key)), status).await
        }
    }
}

fn no_factor() -> domain::model::eid::EidState {
    domain::model::eid::EidState {
        face_available: false,
        face_enabled: false,
        face_off_reason: None,
        code_available: false,
        code_bound: false,
    }
}
