//! A login's e-services with their dates (R19, R28) and the approval of four-eyes proposals
//! (R31).

use axum::extract::State;
use axum::Json;
use domain::assignment_form::AssignmentInput;
use domain::assignments::LoginAssignment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::rfc3339_opt;
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, LoginAuth, ReqCtx};
use crate::state::AppState;

/// An e-service to assign: its code alone (no dates), or the code with dates.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AssignmentItem {
    Code(String),
    Dated(DatedAssignment),
}

impl From<AssignmentItem> for AssignmentInput {
    fn from(i: AssignmentItem) -> Self {
        match i {
            AssignmentItem::Code(code) => AssignmentInput::plain(code),
            AssignmentItem::Dated(d) => {
                AssignmentInput { code: d.code, valid_from: d.valid_from, valid_until: d.valid_until }
            }
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedAssignment {
    pub code: String,
    /// RFC 3339; from then on (at most one year ahead). Absent: from now.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// RFC 3339; until then, exclusive. Absent: no end.
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    /// The e-services, replacing the login's current ones.
    pub eservices: Vec<AssignmentItem>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentView {
    pub code: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    /// `active`, `pending` (not started, or awaiting a second administrator), `suspended`
    /// (left unconfirmed by an access review) or `ended`.
    pub status: String,
    /// R31: the administrator whose proposal awaits another's approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
    /// When a token was last issued under it (recorded at most once a minute).
    pub last_used_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentsView {
    pub eservices: Vec<AssignmentView>,
}

fn view(list: Vec<LoginAssignment>) -> AssignmentsView {
    AssignmentsView {
        eservices: list
            .into_iter()
            .map(|a| AssignmentView {
                code: a.code,
                valid_from: rfc3339_opt(a.valid_from),
                valid_until: rfc3339_opt(a.valid_until),
                status: a.status.to_string(),
                proposed_by: a.proposed_by.map(String::from),
                last_used_at: rfc3339_opt(a.last_used_at),
            })
            .collect(),
    }
}

#[utoipa::path(put, path = "/api/v1/entities/{entity_number}/logins/{login_id}/eservices", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), request_body = AssignmentBody, responses(
    (status = 200, body = AssignmentsView)))]
pub async fn put_login_eservices(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
    AppJson(b): AppJson<AssignmentBody>,
) -> ApiResult<Json<AssignmentsView>> {
    let admin = caller.admin_of(&entity_number)?;
    let wanted = b.eservices.into_iter().map(AssignmentInput::from).collect();
    let list = state.services.assign_eservices(&admin, &ctx, &login_id, wanted).await?;
    Ok(Json(view(list)))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/logins/{login_id}/eservices", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 200, body = AssignmentsView)))]
pub async fn get_login_eservices(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<Json<AssignmentsView>> {
    let list = state.services.login_assignments(&caller, &entity_number, &login_id).await?;
    Ok(Json(view(list)))
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/logins/{login_id}/eservices/{code}/approve", tag = "entity",
    security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path), ("code" = String, Path)), responses(
    (status = 200, body = AssignmentsView, description = "the proposal took effect")))]
pub async fn post_approve_assignment(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id, code)): AppPath<(String, String, String)>,
) -> ApiResult<Json<AssignmentsView>> {
    let admin = caller.admin_of(&entity_number)?;
    let list = state.services.approve_assignment(&admin, &ctx, &login_id, &code).await?;
    Ok(Json(view(list)))
}
