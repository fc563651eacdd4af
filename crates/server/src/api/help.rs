//! "Need help" (R12). The three requests that start from what a person knows answer 202
//! before any lookup and do their work in the background, so neither the body nor the time
//! tells whether the details matched a login.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::help::{HelpInput, HelpKind, ResetInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{AppJson, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpBody {
    pub entity_number: String,
    /// The identity document number the login was registered with (for the entity account,
    /// the entity's registration number).
    pub id_document_number: String,
    /// The mobile number the login was registered with.
    pub mobile: String,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedView {
    /// Always the same: "if the details match, an SMS is on its way".
    pub message: String,
}

async fn accept(
    state: AppState,
    ctx: domain::services::Ctx,
    kind: HelpKind,
    b: HelpBody,
) -> ApiResult<(StatusCode, Json<AcceptedView>)> {
    let input =
        HelpInput { entity_number: b.entity_number, id_document_number: b.id_document_number, mobile: b.mobile };
    let req = state.services.parse_help(&ctx, &input).await?;
    let services = state.services.clone();
    tokio::spawn(async move {
        if let Err(e) = services.fulfil_help(&ctx, kind, req).await {
            tracing::error!(error = %e, "help request failed");
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(AcceptedView {
            message: "If the details match a login, an SMS will be sent to its registered mobile.".into(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/activation-codes/resend", tag = "public", request_body = HelpBody, responses(
    (status = 202, body = AcceptedView)))]
pub async fn post_resend(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<HelpBody>,
) -> ApiResult<(StatusCode, Json<AcceptedView>)> {
    accept(state, ctx, HelpKind::ResendActivationCode, b).await
}

#[utoipa::path(post, path = "/api/v1/help/username", tag = "public", request_body = HelpBody, responses(
    (status = 202, body = AcceptedView)))]
pub async fn post_forgot_username(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<HelpBody>,
) -> ApiResult<(StatusCode, Json<AcceptedView>)> {
    accept(state, ctx, HelpKind::ForgotUsername, b).await
}

#[utoipa::path(post, path = "/api/v1/help/password-reset", tag = "public", request_body = HelpBody, responses(
    (status = 202, body = AcceptedView)))]
pub async fn post_password_reset_request(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<HelpBody>,
) -> ApiResult<(StatusCode, Json<AcceptedView>)> {
    accept(state, ctx, HelpKind::ResetPassword, b).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    pub entity_number: String,
    pub username: String,
    /// The code from the SMS.
    pub reset_code: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/help/password-reset/confirm", tag = "public", request_body = ResetBody, responses(
    (status = 204, description = "the password is set; every session of the login has ended")))]
pub async fn post_password_reset_confirm(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<ResetBody>,
) -> ApiResult<StatusCode> {
    let input = ResetInput {
        entity_number: b.entity_number,
        username: b.username,
        reset_code: b.reset_code,
        password: b.password,
    };
    state.services.reset_password(&ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}
