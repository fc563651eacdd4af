//! A login's notification inbox (R25).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::dto::rfc3339;
use crate::error::ApiResult;
use crate::extract::LoginAuth;
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
