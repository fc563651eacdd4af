//! Advanced e-ID over the API (R22–R24): a login's state, switching face recognition off,
//! asking for a security-code enrolment (the app's part), and the counter's part — the
//! scanned QR payload, face recognition back on, a login's state.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::model::eid::EidState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::dto::IdDocumentBody;
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, LoginAuth, OperatorAuth, ReqCtx};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct FaceView {
    /// Registered with a Macau resident identity card.
    pub available: bool,
    pub enabled: bool,
    /// `person` or `failures` while off.
    pub off_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SecurityCodeView {
    /// Registered with any other identity document.
    pub available: bool,
    /// An app is bound to this login.
    pub enrolled: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EidView {
    pub face: FaceView,
    pub security_code: SecurityCodeView,
}

impl From<EidState> for EidView {
    fn from(s: EidState) -> Self {
        EidView {
            face: FaceView { available: s.face_available, enabled: s.face_enabled, off_reason: s.face_off_reason },
            security_code: SecurityCodeView { available: s.code_available, enrolled: s.code_bound },
        }
    }
}

#[utoipa::path(get, path = "/api/v1/me/eid", tag = "eid", security(("bearer" = [])), responses(
    (status = 200, body = EidView)))]
pub async fn get_my_eid(State(state): State<AppState>, LoginAuth(caller): LoginAuth) -> ApiResult<Json<EidView>> {
    Ok(Json(state.services.my_eid(&caller).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceBody {
    /// `false` switches face recognition off; only the counter switches it back on.
    pub enabled: bool,
}

#[utoipa::path(put, path = "/api/v1/me/eid/face", tag = "eid", security(("bearer" = [])), request_body = FaceBody, responses(
    (status = 200, body = EidView)))]
pub async fn put_my_face(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<FaceBody>,
) -> ApiResult<Json<EidView>> {
    Ok(Json(state.services.set_my_face(&caller, &ctx, b.enabled).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct EnrolmentView {
    pub enrolment_id: String,
    /// RFC 3339; the enrolment is single use and lives 10 minutes.
    pub expires_at: String,
    /// The server's X25519 enrolment public key (base64url, 32 bytes) to seal the secret to.
    pub server_key: String,
}

#[utoipa::path(post, path = "/api/v1/me/eid/enrolments", tag = "eid", security(("bearer" = [])), responses(
    (status = 201, body = EnrolmentView)))]
pub async fn post_enrolment(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
) -> ApiResult<(StatusCode, Json<EnrolmentView>)> {
    let e = state.services.request_enrolment(&caller, &ctx).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolmentView { enrolment_id: e.id, expires_at: e.expires_at.rfc3339(), server_key: e.server_key }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityCodeBody {
    /// The QR code's text, as scanned.
    pub payload: String,
    /// The document the operator checked: it must be the one the login was registered with.
    pub id_document: IdDocumentBody,
}

#[utoipa::path(post, path = "/api/v1/counter/entities/{entity_number}/logins/{login_id}/security-code", tag = "counter",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("login_id" = String, Path)),
    request_body = SecurityCodeBody, responses(
    (status = 204, description = "the app is bound to the login")))]
pub async fn post_security_code(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
    AppJson(b): AppJson<SecurityCodeBody>,
) -> ApiResult<StatusCode> {
    let doc = b.id_document.into();
    state.services.bind_security_code(&op, &ctx, &entity_number, &login_id, &b.payload, doc).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/counter/entities/{entity_number}/logins/{login_id}/face-recognition", tag = "counter",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 204, description = "face recognition is on again")))]
pub async fn post_face_recognition(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state.services.counter_face_on(&op, &ctx, &entity_number, &login_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/counter/entities/{entity_number}/logins/{login_id}/eid", tag = "counter",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 200, body = EidView)))]
pub async fn get_counter_eid(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<Json<EidView>> {
    Ok(Json(state.services.counter_eid(&op, &entity_number, &login_id).await?.into()))
}
