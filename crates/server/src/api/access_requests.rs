//! Access requests (R37): a login asks for an e-service with a reason; an administrator
//! grants it with dates or refuses it with a reason.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::model::AccessRequestRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{rfc3339, rfc3339_opt};
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, AppQuery, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AccessRequestView {
    pub request_id: String,
    pub login_id: String,
    pub eservice: String,
    pub reason: String,
    pub created_at: String,
    /// `granted`, `refused`, or null while open.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The administrators' reason for a refusal.
    pub answer: Option<String>,
}

fn view(r: AccessRequestRecord) -> AccessRequestView {
    AccessRequestView {
        request_id: r.id,
        login_id: r.login_id.into(),
        eservice: r.eservice_code,
        reason: r.reason,
        created_at: rfc3339(r.created_at),
        decision: r.decision.map(|d| d.to_string()),
        decided_by: r.decided_by,
        decided_at: rfc3339_opt(r.decided_at),
        answer: r.answer,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessRequestList {
    pub requests: Vec<AccessRequestView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequestBody {
    /// The e-service's code.
    pub eservice: String,
    /// Why (1 to 500 characters); the administrators see it.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/access-requests", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path)), request_body = AccessRequestBody, responses(
    (status = 201, body = AccessRequestView, description = "the administrators are told")))]
pub async fn post_access_request(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<AccessRequestBody>,
) -> ApiResult<(StatusCode, Json<AccessRequestView>)> {
    let r = state.services.request_access(&caller, &ctx, &entity_number, &b.eservice, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(view(r))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Only the open ones.
    pub open: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/access-requests", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), RequestsQuery), responses(
    (status = 200, body = AccessRequestList, description = "an administrator sees the entity's, any other login its own")))]
pub async fn get_access_requests(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
    AppQuery(q): AppQuery<RequestsQuery>,
) -> ApiResult<Json<AccessRequestList>> {
    if caller.entity_number() != entity_number {
        return Err(domain::Error::NotFound.into());
    }
    let list = state.services.access_requests(&caller, q.open.unwrap_or(false)).await?;
    Ok(Json(AccessRequestList { requests: list.into_iter().map(view).collect() }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// RFC 3339 or a date (Macau time); absent: from now.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// RFC 3339 or a date (Macau time, the whole day included); absent: no end.
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/access-requests/{request_id}/grant", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("request_id" = String, Path)),
    request_body = GrantBody, responses(
    (status = 200, body = AccessRequestView, description = "assigned (a proposal, where the e-service demands four eyes)")))]
pub async fn post_grant_request(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, request_id)): AppPath<(String, String)>,
    AppJson(b): AppJson<GrantBody>,
) -> ApiResult<Json<AccessRequestView>> {
    let admin = caller.admin_of(&entity_number)?;
    let r = state.services.grant_access_request(&admin, &ctx, &request_id, b.valid_from, b.valid_until).await?;
    Ok(Json(view(r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    /// Why (1 to 500 characters); the requester sees it.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/access-requests/{request_id}/refuse", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("request_id" = String, Path)),
    request_body = RefuseBody, responses(
    (status = 200, body = AccessRequestView)))]
pub async fn post_refuse_request(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, request_id)): AppPath<(String, String)>,
    AppJson(b): AppJson<RefuseBody>,
) -> ApiResult<Json<AccessRequestView>> {
    let admin = caller.admin_of(&entity_number)?;
    let r = state.services.refuse_access_request(&admin, &ctx, &request_id, &b.reason).await?;
    Ok(Json(view(r)))
}
