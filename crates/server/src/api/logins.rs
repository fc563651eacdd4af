//! An entity's logins: listed by its entity account and administrators, created and deleted
//! by administrators (R15, R16), administrator rights removed by the entity account (R17),
//! added and restored at the counter (R8).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::activation::Reissuer;
use domain::logins::LoginSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{rfc3339, rfc3339_opt, KindView, LoginIdView, MaskedIdDocument, PersonBody};
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, AppQuery, LoginAuth, OperatorAuth, ReqCtx};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct LoginView {
    pub login_id: String,
    pub kind: String,
    pub name: String,
    /// `pending` (not yet activated) or `active`.
    pub status: String,
    pub username: Option<String>,
    pub id_document: Option<MaskedIdDocument>,
    pub mobile: String,
    pub eservices: Vec<String>,
    pub created_at: String,
    pub activated_at: Option<String>,
}

fn login_view(s: LoginSummary) -> LoginView {
    let l = s.login;
    LoginView {
        login_id: l.id.into(),
        kind: l.kind.as_str().into(),
        name: l.name,
        status: l.status.as_str().into(),
        username: l.username,
        id_document: l
            .id_type
            .map(|t| MaskedIdDocument { kind: t.as_str().into(), number: l.id_number_mask.unwrap_or_default() }),
        mobile: l.mobile_mask,
        eservices: s.eservices,
        created_at: rfc3339(l.created_at),
        activated_at: rfc3339_opt(l.activated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginListView {
    pub logins: Vec<LoginView>,
    /// Paged answers only, when another page follows: pass it as `after` to get that page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Paging; without either parameter the answer holds every login, as it always has. Unknown
/// parameters are ignored, not refused: the endpoint took none before paging, and a request
/// that worked then still works.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginsQuery {
    /// One page of at most this many logins (1–500; 100 when only `after` is given).
    pub limit: Option<i64>,
    /// The `next` of the previous page: this page starts after it.
    pub after: Option<String>,
}

const DEFAULT_PAGE: i64 = 100;

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/logins", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), LoginsQuery), responses(
    (status = 200, body = LoginListView)))]
pub async fn get_logins(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
    AppQuery(q): AppQuery<LoginsQuery>,
) -> ApiResult<Json<LoginListView>> {
    let viewer = caller.overseer_of(&entity_number)?;
    if q.limit.is_none() && q.after.is_none() {
        let list = state.services.list_logins(&viewer).await?;
        return Ok(Json(LoginListView { logins: list.into_iter().map(login_view).collect(), next: None }));
    }
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    let page = state.services.list_logins_page(&viewer, q.after.as_deref(), limit).await?;
    Ok(Json(LoginListView { logins: page.logins.into_iter().map(login_view).collect(), next: page.next }))
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/logins", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path)), request_body = PersonBody, responses(
    (status = 201, body = LoginIdView)))]
pub async fn post_login_staff(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<PersonBody>,
) -> ApiResult<(StatusCode, Json<LoginIdView>)> {
    let admin = caller.admin_of(&entity_number)?;
    let login_id = state.services.create_staff(&admin, &ctx, b.into()).await?;
    Ok((StatusCode::CREATED, Json(LoginIdView { login_id })))
}

#[utoipa::path(delete, path = "/api/v1/entities/{entity_number}/logins/{login_id}", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 204, description = "deleted; its sessions ended")))]
pub async fn delete_login(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let admin = caller.admin_of(&entity_number)?;
    state.services.delete_login(&admin, &ctx, &login_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/logins/{login_id}/remove-admin", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 200, body = KindView)))]
pub async fn post_remove_admin(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<Json<KindView>> {
    let account = caller.entity_account_of(&entity_number)?;
    let kind = state.services.remove_admin(&account, &ctx, &login_id).await?;
    Ok(Json(KindView { kind: kind.as_str().into() }))
}

#[utoipa::path(post, path = "/api/v1/counter/entities/{entity_number}/administrators", tag = "counter", security(("bearer" = [])),
    params(("entity_number" = String, Path)), request_body = PersonBody, responses(
    (status = 201, body = LoginIdView)))]
pub async fn post_administrator(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<PersonBody>,
) -> ApiResult<(StatusCode, Json<LoginIdView>)> {
    let login_id = state.services.add_admin(&op, &ctx, &entity_number, b.into()).await?;
    Ok((StatusCode::CREATED, Json(LoginIdView { login_id })))
}

#[utoipa::path(post, path = "/api/v1/counter/entities/{entity_number}/logins/{login_id}/restore-admin", tag = "counter", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 200, body = KindView)))]
pub async fn post_restore_admin(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<Json<KindView>> {
    let kind = state.services.restore_admin(&op, &ctx, &entity_number, &login_id).await?;
    Ok(Json(KindView { kind: kind.as_str().into() }))
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/logins/{login_id}/activation-code", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 204, description = "a new activation code is on its way to the login's registered mobile")))]
pub async fn post_activation_code(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let admin = caller.admin_of(&entity_number)?;
    state.services.reissue_activation_code(Reissuer::Admin(&admin), &ctx, &login_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/counter/entities/{entity_number}/logins/{login_id}/activation-code", tag = "counter", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("login_id" = String, Path)), responses(
    (status = 204, description = "a new activation code is on its way to the login's registered mobile")))]
pub async fn post_counter_activation_code(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, login_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state.services.reissue_activation_code(Reissuer::Counter(&op, &entity_number), &ctx, &login_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CounterEntityView {
    pub entity_number: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
    pub registration_number: String,
    pub created_at: String,
    pub logins: Vec<LoginView>,
}

#[utoipa::path(get, path = "/api/v1/counter/entities/{entity_number}", tag = "counter", security(("bearer" = [])),
    params(("entity_number" = String, Path)), responses(
    (status = 200, body = CounterEntityView)))]
pub async fn get_counter_entity(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    AppPath(entity_number): AppPath<String>,
) -> ApiResult<Json<CounterEntityView>> {
    let v = state.services.lookup_entity(&op, &entity_number).await?;
    Ok(Json(CounterEntityView {
        entity_number: v.entity.number,
        kind: v.entity.entity_type.as_str().into(),
        name_zh: v.entity.names.zh,
        name_pt: v.entity.names.pt,
        name_en: v.entity.names.en,
        registration_number: v.entity.registration_number,
        created_at: rfc3339(v.entity.created_at),
        logins: v.logins.into_iter().map(login_view).collect(),
    }))
}
