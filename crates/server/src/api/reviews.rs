//! Access reviews (R30): the entity's current review, its decisions, and the export of the
//! last finished one (CSV or JSON, stamped with the audit-chain head that sealed it).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::reviews::{DecisionInput, Review, ReviewItem, ReviewReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppJson, AppPath, AppQuery, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReviewItemView {
    pub login_id: String,
    pub login_name: String,
    pub eservice: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub last_used_at: Option<String>,
    /// `confirm` (granted or confirmed in this review), `remove`, or null: undecided.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    /// `active`, `pending`, `suspended` or `ended`.
    pub status: String,
}

fn item_view(i: ReviewItem) -> ReviewItemView {
    ReviewItemView {
        login_id: i.login_id,
        login_name: i.login_name,
        eservice: i.eservice,
        valid_from: i.valid_from,
        valid_until: i.valid_until,
        last_used_at: i.last_used_at,
        decision: i.decision,
        decided_by: i.decided_by,
        status: i.status,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    pub started_at: String,
    pub due_at: String,
    /// From then on, undecided items grant nothing until confirmed.
    pub suspends_at: String,
    pub items: Vec<ReviewItemView>,
    /// The last finished review, exported at `…/access-review/export`.
    pub last_finished_id: Option<String>,
    pub last_finished_at: Option<String>,
}

fn review_view(r: Review) -> ReviewView {
    ReviewView {
        started_at: rfc3339(r.started_at),
        due_at: rfc3339(r.due_at),
        suspends_at: rfc3339(r.suspends_at),
        items: r.items.into_iter().map(item_view).collect(),
        last_finished_id: r.last_finished.as_ref().map(|(id, _)| id.clone()),
        last_finished_at: r.last_finished.map(|(_, at)| rfc3339(at)),
    }
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/access-review", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path)), responses(
    (status = 200, body = ReviewView)))]
pub async fn get_access_review(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
) -> ApiResult<Json<ReviewView>> {
    let admin = caller.admin_of(&entity_number)?;
    Ok(Json(review_view(state.services.access_review(&admin).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub login_id: String,
    pub eservice: String,
    /// `confirm` or `remove`.
    pub decision: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionsBody {
    pub decisions: Vec<DecisionBody>,
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/access-review/decisions", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path)), request_body = DecisionsBody, responses(
    (status = 200, body = ReviewView, description = "the review after the decisions; all are taken or none")))]
pub async fn post_review_decisions(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<DecisionsBody>,
) -> ApiResult<Json<ReviewView>> {
    let admin = caller.admin_of(&entity_number)?;
    let decisions = b
        .decisions
        .into_iter()
        .map(|d| DecisionInput { login_id: d.login_id, eservice: d.eservice, decision: d.decision })
        .collect();
    Ok(Json(review_view(state.services.decide_review(&admin, &ctx, decisions).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewExport {
    pub review_id: String,
    pub started_at: String,
    pub due_at: String,
    pub finished_at: String,
    pub finished_by: String,
    /// The audit chain's head (`seq:hash`) right after the record that finished the review.
    pub sealed_head: String,
    pub items: Vec<ReviewItemView>,
}

/// A finished review as its JSON export shows it (the API's and the pages' alike).
pub(crate) fn export_of(r: ReviewReport) -> ReviewExport {
    ReviewExport {
        review_id: r.review_id,
        started_at: r.started_at,
        due_at: r.due_at,
        finished_at: r.finished_at,
        finished_by: r.finished_by,
        sealed_head: r.sealed_head,
        items: r.items.into_iter().map(item_view).collect(),
    }
}

/// A cell a spreadsheet would read as a formula is prefixed with `'` (OWASP's advice on CSV
/// injection): names are typed by people.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub(crate) fn csv_of(r: &ReviewReport) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "review_id",
        "finished_at",
        "sealed_head",
        "login_id",
        "login_name",
        "eservice",
        "valid_from",
        "valid_until",
        "last_used_at",
        "decision",
        "decided_by",
        "status",
    ])?;
    for i in &r.items {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([
            r.review_id.clone(),
            r.finished_at.clone(),
            r.sealed_head.clone(),
            i.login_id.clone(),
            cell(&i.login_name),
            i.eservice.clone(),
            opt(&i.valid_from),
            opt(&i.valid_until),
            opt(&i.last_used_at),
            opt(&i.decision),
            opt(&i.decided_by),
            i.status.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/access-review/export", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ExportQuery), responses(
    (status = 200, description = "the last finished review; `format=csv` answers text/csv with the same fields a row each",
        content((ReviewExport = "application/json"), (String = "text/csv")))))]
pub async fn get_review_export(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
    AppQuery(q): AppQuery<ExportQuery>,
) -> ApiResult<Response> {
    let admin = caller.admin_of(&entity_number)?;
    let format = q.format.unwrap_or_else(|| "json".into());
    if format != "json" && format != "csv" {
        return Err(ApiError::validation(vec![domain::FieldError::new(
            "format",
            domain::Code::InvalidChoice,
            "json or csv",
        )]));
    }
    let r = state.services.review_export(&admin).await?;
    let name = format!("attachment; filename=\"access-review-{}.{format}\"", r.review_id);
    let disposition =
        HeaderValue::from_str(&name).map_err(|e| ApiError::from(domain::Error::Internal(e.to_string())))?;
    if format == "csv" {
        let body = csv_of(&r).map_err(|e| ApiError::from(domain::Error::Internal(e.to_string())))?;
        let headers = [(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"))];
        return Ok((StatusCode::OK, headers, [(header::CONTENT_DISPOSITION, disposition)], body).into_response());
    }
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(export_of(r))).into_response())
}
