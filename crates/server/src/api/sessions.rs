//! Signing in and out (R13, R14), and what a login sees of itself.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::sessions::LoginInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::MaskedIdDocument;
use super::eservices::EServiceView;
use crate::error::ApiResult;
use crate::extract::{AppJson, Auth, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub entity_number: String,
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub token: String,
    pub login_id: String,
    /// `entity`, `admin` or `staff`.
    pub kind: String,
}

#[utoipa::path(post, path = "/api/v1/login", tag = "sessions", request_body = LoginBody, responses(
    (status = 200, body = SessionView)))]
pub async fn post_login(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<LoginBody>,
) -> ApiResult<Json<SessionView>> {
    let input = LoginInput { entity_number: b.entity_number, username: b.username, password: b.password };
    let s = state.services.login(&ctx, input).await?;
    Ok(Json(SessionView { token: s.token, login_id: s.login_id, kind: s.kind.as_str().into() }))
}

#[utoipa::path(post, path = "/api/v1/logout", tag = "sessions", security(("bearer" = [])), responses(
    (status = 204, description = "the session has ended")))]
pub async fn post_logout(State(state): State<AppState>, ReqCtx(ctx): ReqCtx, Auth(p): Auth) -> ApiResult<StatusCode> {
    state.services.logout(&ctx, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct EntityNamesView {
    pub zh: Option<String>,
    pub pt: Option<String>,
    pub en: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub login_id: String,
    pub kind: String,
    pub name: String,
    pub username: Option<String>,
    pub id_document: Option<MaskedIdDocument>,
    pub mobile: String,
    pub entity_number: String,
    pub entity_name: String,
    pub entity_names: EntityNamesView,
    pub eservices: Vec<EServiceView>,
    pub eid: crate::api::eid::EidView,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "sessions", security(("bearer" = [])), responses(
    (status = 200, body = MeView)))]
pub async fn get_me(State(state): State<AppState>, LoginAuth(caller): LoginAuth) -> ApiResult<Json<MeView>> {
    let me = state.services.me(&caller).await?;
    Ok(Json(MeView {
        login_id: me.login.id.into(),
        kind: me.login.kind.as_str().into(),
        name: me.login.name,
        username: me.login.username,
        id_document: me
            .login
            .id_type
            .map(|t| MaskedIdDocument { kind: t.as_str().into(), number: me.login.id_number_mask.unwrap_or_default() }),
        mobile: me.login.mobile_mask,
        entity_number: me.entity.number,
        entity_name: me.entity.names.display().to_string(),
        entity_names: EntityNamesView { zh: me.entity.names.zh, pt: me.entity.names.pt, en: me.entity.names.en },
        eservices: me.eservices.into_iter().map(EServiceView::from).collect(),
        eid: me.eid.into(),
    }))
}
