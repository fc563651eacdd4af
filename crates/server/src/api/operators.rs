//! Counter operators sign in here.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{AppJson, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorLoginBody {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/counter/login", tag = "counter", request_body = OperatorLoginBody, responses(
    (status = 200, body = TokenView)))]
pub async fn post_counter_login(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppJson(body): AppJson<OperatorLoginBody>,
) -> ApiResult<Json<TokenView>> {
    let token = state.services.operator_login(&ctx, &body.username, &body.password).await?;
    Ok(Json(TokenView { token }))
}
