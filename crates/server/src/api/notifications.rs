//! A login's notification inbox (R25), and whether notices of access ending come by SMS too
//! (R29).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::dto::rfc3339;
use crate::error::ApiResult;
use crate::extract::{AppJson, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// e.g. `application_approved`, `login_created`, `admin_rights_removed`, `eservices_assigned`.
    pub kind: String,
    pub params: BTreeMap<String, String>,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationListView {
    pub notifications: Vec<NotificationView>,
}

#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "sessions", security(("bearer" = [])), responses(
    (status = 200, body = NotificationListView)))]
pub async fn get_notifications(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
) -> ApiResult<Json<NotificationListView>> {
    let list = state.services.my_notifications(&caller).await?;
    Ok(Json(NotificationListView {
        notifications: list
            .into_iter()
            .map(|n| NotificationView {
                id: n.id,
                kind: n.kind,
                params: n.params.into_iter().collect(),
                created_at: rfc3339(n.created_at),
            })
            .collect(),
    }))
}

/// How the login's notices reach it besides the inbox (R29).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticePreferences {
    /// Notices that an assignment ends (14 and 3 days before) come by SMS too.
    pub sms: bool,
}

#[utoipa::path(get, path = "/api/v1/me/notice-preferences", tag = "sessions", security(("bearer" = [])), responses(
    (status = 200, body = NoticePreferences)))]
pub async fn get_notice_preferences(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
) -> ApiResult<Json<NoticePreferences>> {
    Ok(Json(NoticePreferences { sms: state.services.sms_notices(&caller).await? }))
}

#[utoipa::path(put, path = "/api/v1/me/notice-preferences", tag = "sessions", security(("bearer" = [])),
    request_body = NoticePreferences, responses(
    (status = 200, body = NoticePreferences)))]
pub async fn put_notice_preferences(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<NoticePreferences>,
) -> ApiResult<Json<NoticePreferences>> {
    Ok(Json(NoticePreferences { sms: state.services.set_sms_notices(&caller, &ctx, b.sms).await? }))
}
