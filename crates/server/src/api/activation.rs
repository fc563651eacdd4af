//! Activation (R9, R10): a person sets their own username and password with an SMS code.

use axum::extract::State;
use axum::Json;
use domain::activation::ActivateInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{AppJson, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    /// For the entity account.
    pub application_number: Option<String>,
    /// For administrator and staff logins.
    pub entity_number: Option<String>,
    pub activation_code: String,
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActivatedView {
    pub login_id: String,
    pub kind: String,
}

#[utoipa::path(post, path = "/api/v1/activate", tag = "public", request_body = ActivateBody, responses(
    (status = 200, body = ActivatedView)))]
pub async fn post_activate(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<ActivateBody>,
) -> ApiResult<Json<ActivatedView>> {
    let input = ActivateInput {
        application_number: b.application_number,
        entity_number: b.entity_number,
        activation_code: b.activation_code,
        username: b.username,
        password: b.password,
    };
    let a = state.services.activate(&ctx, input).await?;
    Ok(Json(ActivatedView { login_id: a.login_id, kind: a.kind.as_str().into() }))
}
