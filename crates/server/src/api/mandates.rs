//! Mandates (R34): an entity authorises another to act for it on chosen e-services until an
//! end; the other accepts or declines, assigns its own logins under it; either side ends it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::assignment_form::AssignmentInput;
use domain::mandate_form::MandateInput;
use domain::mandates::{MandateView as Mandate, MandatedEService, Party};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::assignments::AssignmentItem;
use super::dto::{rfc3339, rfc3339_opt};
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateBody {
    /// The entity to act for this one.
    pub to_entity_number: String,
    /// E-services whose departments allow intermediaries.
    pub eservices: Vec<String>,
    /// RFC 3339, or a date (Macau time, the whole day included); at most two years ahead.
    pub valid_until: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub entity_number: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
}

fn party(p: Party) -> PartyView {
    PartyView {
        entity_number: p.entity_number,
        name_zh: p.entity_names.zh,
        name_pt: p.entity_names.pt,
        name_en: p.entity_names.en,
    }
}

/// A login acting under the mandate: its name, never its identity document.
#[derive(Serialize, ToSchema)]
pub struct ActingView {
    /// Only the mandated entity's side sees its logins' ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    pub name: String,
    pub eservice: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MandateView {
    pub mandate_id: String,
    pub from: PartyView,
    pub to: PartyView,
    pub eservices: Vec<String>,
    pub valid_until: String,
    /// `offered`, `active`, `declined` or `ended` (an active one whose end has come is ended).
    pub status: String,
    pub offered_at: String,
    pub decided_at: Option<String>,
    pub ended_at: Option<String>,
    pub acting: Vec<ActingView>,
}

fn view(m: Mandate, viewer: &str) -> MandateView {
    let own_logins = m.to.entity_number == viewer;
    MandateView {
        mandate_id: m.id,
        eservices: m.eservices,
        valid_until: rfc3339(m.valid_until),
        status: m.status.to_string(),
        offered_at: rfc3339(m.offered_at),
        decided_at: rfc3339_opt(m.decided_at),
        ended_at: rfc3339_opt(m.ended_at),
        acting: m
            .acting
            .into_iter()
            .map(|a| ActingView {
                login_id: own_logins.then(|| a.login_id.to_string()),
                name: a.name,
                eservice: a.eservice_code,
                valid_from: rfc3339_opt(a.valid_from),
                valid_until: rfc3339_opt(a.valid_until),
            })
            .collect(),
        from: party(m.from),
        to: party(m.to),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MandateLists {
    /// Mandates this entity gave.
    pub given: Vec<MandateView>,
    /// Mandates this entity received.
    pub received: Vec<MandateView>,
}

#[derive(Serialize, ToSchema)]
pub struct MandateStatusView {
    pub mandate_id: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct MandateCreated {
    pub mandate_id: String,
    pub status: String,
    pub mandate: MandateView,
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/mandates", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path)), request_body = MandateBody, responses(
    (status = 201, body = MandateCreated, description = "offered; the other entity's administrators are told")))]
pub async fn post_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<MandateBody>,
) -> ApiResult<(StatusCode, Json<MandateCreated>)> {
    let admin = caller.admin_of(&entity_number)?;
    let input =
        MandateInput { to_entity_number: b.to_entity_number, eservices: b.eservices, valid_until: b.valid_until };
    let m = state.services.offer_mandate(&admin, &ctx, input).await?;
    let mandate = view(m, caller.entity_number());
    let created = MandateCreated { mandate_id: mandate.mandate_id.clone(), status: mandate.status.clone(), mandate };
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/mandates", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path)), responses(
    (status = 200, body = MandateLists, description = "for the entity account and the administrators")))]
pub async fn get_mandates(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
) -> ApiResult<Json<MandateLists>> {
    let viewer = caller.overseer_of(&entity_number)?;
    let lists = state.services.mandates(&viewer).await?;
    let me = caller.entity_number();
    Ok(Json(MandateLists {
        given: lists.given.into_iter().map(|m| view(m, me)).collect(),
        received: lists.received.into_iter().map(|m| view(m, me)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/mandates/{mandate_id}", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("mandate_id" = String, Path)), responses(
    (status = 200, body = MandateView)))]
pub async fn get_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath((entity_number, mandate_id)): AppPath<(String, String)>,
) -> ApiResult<Json<MandateView>> {
    let viewer = caller.overseer_of(&entity_number)?;
    let m = state.services.mandate(&viewer, &mandate_id).await?;
    Ok(Json(view(m, caller.entity_number())))
}

async fn answer(
    state: AppState,
    caller: domain::access::Caller,
    ctx: domain::services::Ctx,
    (entity_number, mandate_id): (String, String),
    accept: bool,
) -> ApiResult<Json<MandateStatusView>> {
    let admin = caller.admin_of(&entity_number)?;
    let m = state.services.answer_mandate(&admin, &ctx, &mandate_id, accept).await?;
    Ok(Json(MandateStatusView { mandate_id: m.id, status: m.status.to_string() }))
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/mandates/{mandate_id}/accept", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("mandate_id" = String, Path)), responses(
    (status = 200, body = MandateStatusView, description = "the mandated entity's administrator accepted")))]
pub async fn post_accept_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(path): AppPath<(String, String)>,
) -> ApiResult<Json<MandateStatusView>> {
    answer(state, caller, ctx, path, true).await
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/mandates/{mandate_id}/decline", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("mandate_id" = String, Path)), responses(
    (status = 200, body = MandateStatusView, description = "the mandated entity's administrator declined")))]
pub async fn post_decline_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(path): AppPath<(String, String)>,
) -> ApiResult<Json<MandateStatusView>> {
    answer(state, caller, ctx, path, false).await
}

#[utoipa::path(delete, path = "/api/v1/entities/{entity_number}/mandates/{mandate_id}", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("mandate_id" = String, Path)), responses(
    (status = 204, description = "ended by either side; every sign-in made under it ended")))]
pub async fn delete_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, mandate_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let admin = caller.admin_of(&entity_number)?;
    state.services.end_mandate(&admin, &ctx, &mandate_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateLoginBody {
    /// The mandate's e-services the login acts on (replacing its current ones under it): a
    /// code, or a code with dates within the mandate's end. Empty: it acts on none.
    pub eservices: Vec<AssignmentItem>,
}

#[derive(Serialize, ToSchema)]
pub struct MandatedEServiceView {
    pub code: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    /// `active`, `pending` (not started) or `ended` (its end, or the mandate's, has come).
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct MandatedEServicesView {
    pub eservices: Vec<MandatedEServiceView>,
}

fn mandated(list: Vec<MandatedEService>) -> MandatedEServicesView {
    MandatedEServicesView {
        eservices: list
            .into_iter()
            .map(|e| MandatedEServiceView {
                code: e.code,
                valid_from: rfc3339_opt(e.valid_from),
                valid_until: rfc3339_opt(e.valid_until),
                status: e.status.to_string(),
            })
            .collect(),
    }
}

#[utoipa::path(put, path = "/api/v1/entities/{entity_number}/logins/{login_id}/mandates/{mandate_id}", tag = "entity",
    security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path), ("mandate_id" = String, Path)),
    request_body = MandateLoginBody, responses(
    (status = 200, body = MandatedEServicesView, description = "the login's e-services under the mandate")))]
pub async fn put_login_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id, mandate_id)): AppPath<(String, String, String)>,
    AppJson(b): AppJson<MandateLoginBody>,
) -> ApiResult<Json<MandatedEServicesView>> {
    let admin = caller.admin_of(&entity_number)?;
    let wanted: Vec<AssignmentInput> = b.eservices.into_iter().map(AssignmentInput::from).collect();
    let list = state.services.assign_under_mandate(&admin, &ctx, &login_id, &mandate_id, wanted).await?;
    Ok(Json(mandated(list)))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/logins/{login_id}/mandates/{mandate_id}", tag = "entity",
    security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path), ("mandate_id" = String, Path)), responses(
    (status = 200, body = MandatedEServicesView)))]
pub async fn get_login_mandate(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath((entity_number, login_id, mandate_id)): AppPath<(String, String, String)>,
) -> ApiResult<Json<MandatedEServicesView>> {
    let viewer = caller.overseer_of(&entity_number)?;
    let list = state.services.login_mandate_eservices(&viewer, &login_id, &mandate_id).await?;
    Ok(Json(mandated(list)))
}
