//! An entity's part of the audit log (R26), for its entity account and administrators.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::rfc3339;
use crate::error::ApiResult;
use crate::extract::{AppPath, AppQuery, LoginAuth};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Records after this sequence number (for paging).
    pub after: Option<i64>,
    /// At most this many records (1–500, default 100).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    /// `success` or `refused`.
    pub result: String,
    pub detail: String,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditListView {
    pub records: Vec<AuditRecordView>,
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/audit", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), AuditQuery), responses(
    (status = 200, body = AuditListView)))]
pub async fn get_entity_audit(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
    AppQuery(q): AppQuery<AuditQuery>,
) -> ApiResult<Json<AuditListView>> {
    let viewer = caller.overseer_of(&entity_number)?;
    let rows = state.services.entity_audit(&viewer, q.after.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    Ok(Json(AuditListView {
        records: rows
            .into_iter()
            .map(|r| AuditRecordView {
                seq: r.seq,
                at: rfc3339(r.at),
                actor: r.actor,
                action: r.action,
                target: r.target,
                result: r.result,
                detail: r.detail,
                source: r.source,
            })
            .collect(),
    }))
}
