//! The department API (R19, R25): an e-service's own credentials (a client_credentials
//! access token) register entities with its department's e-services, post notices to an
//! entity's logins, and list who may use an e-service.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use domain::oidc::tokens::DepartmentClient;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{bearer, AppJson, AppPath, ReqCtx};
use crate::state::AppState;

/// The department behind the bearer token.
pub struct DepartmentAuth(pub DepartmentClient);

impl FromRequestParts<AppState> for DepartmentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| ApiError::from(domain::Error::Unauthenticated))?;
        match state.services.department_client(token).await {
            Ok(d) => Ok(DepartmentAuth(d)),
            Err(domain::oidc::OidcError::Service(e)) => Err(e.into()),
            Err(_) => Err(domain::Error::Unauthenticated.into()),
        }
    }
}

#[utoipa::path(put, path = "/api/v1/department/eservices/{code}/entities/{entity_number}", tag = "department",
    security(("bearer" = [])), params(("code" = String, Path), ("entity_number" = String, Path)), responses(
    (status = 204, description = "the entity is registered with the e-service")))]
pub async fn put_registration(
    State(state): State<AppState>,
    DepartmentAuth(dept): DepartmentAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((code, entity_number)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state.services.department_register(&dept, &ctx, &code, &entity_number).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/department/eservices/{code}/entities/{entity_number}", tag = "department",
    security(("bearer" = [])), params(("code" = String, Path), ("entity_number" = String, Path)), responses(
    (status = 204, description = "the entity is no longer registered with the e-service")))]
pub async fn delete_registration(
    State(state): State<AppState>,
    DepartmentAuth(dept): DepartmentAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((code, entity_number)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state.services.department_unregister(&dept, &ctx, &code, &entity_number).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    pub subject: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeSent {
    /// How many logins' inboxes got it.
    pub recipients: usize,
}

#[utoipa::path(post, path = "/api/v1/department/eservices/{code}/entities/{entity_number}/notifications", tag = "department",
    security(("bearer" = [])), params(("code" = String, Path), ("entity_number" = String, Path)), request_body = NoticeBody, responses(
    (status = 201, body = NoticeSent)))]
pub async fn post_notification(
    State(state): State<AppState>,
    DepartmentAuth(dept): DepartmentAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((code, entity_number)): AppPath<(String, String)>,
    AppJson(b): AppJson<NoticeBody>,
) -> ApiResult<(StatusCode, Json<NoticeSent>)> {
    let recipients = state.services.department_notify(&dept, &ctx, &code, &entity_number, &b.subject, &b.body).await?;
    Ok((StatusCode::CREATED, Json(NoticeSent { recipients })))
}

#[derive(Serialize, ToSchema)]
pub struct PermittedLoginView {
    pub login_id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct PermittedLogins {
    pub logins: Vec<PermittedLoginView>,
}

#[utoipa::path(get, path = "/api/v1/department/eservices/{code}/entities/{entity_number}/logins", tag = "department",
    security(("bearer" = [])), params(("code" = String, Path), ("entity_number" = String, Path)), responses(
    (status = 200, body = PermittedLogins)))]
pub async fn get_permitted_logins(
    State(state): State<AppState>,
    DepartmentAuth(dept): DepartmentAuth,
    AppPath((code, entity_number)): AppPath<(String, String)>,
) -> ApiResult<Json<PermittedLogins>> {
    let list = state.services.department_permitted_logins(&dept, &code, &entity_number).await?;
    Ok(Json(PermittedLogins {
        logins: list
            .into_iter()
            .map(|l| PermittedLoginView { login_id: l.login_id, name: l.name, kind: l.kind.as_str().into() })
            .collect(),
    }))
}
