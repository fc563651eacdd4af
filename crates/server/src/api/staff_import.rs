//! R32 over the API: an administrator posts a staff file (`text/csv`); a dry run reports
//! every row's faults, a commit creates every row or none (`docs/import.md`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::import_form::RowError;
use domain::staff_import::ImportReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiResult;
use crate::extract::{AppPath, AppQuery, CsvBody, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: only check the file; nothing is created. Default `false`.
    pub dry_run: Option<bool>,
}

/// One fault: its row (the line it starts on, the header being line 1; 0 for the file as a
/// whole), its column, and a code the pages translate.
#[derive(Serialize, ToSchema)]
pub struct RowErrorView {
    pub row: usize,
    /// A column (`name`, `id_document_type`, `id_document_number`, `mobile`, `eservices`), or
    /// `file`.
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    /// The rows the file holds.
    pub rows: usize,
    /// The logins created (0 for a dry run, and for a file with faults).
    pub created: usize,
    pub errors: Vec<RowErrorView>,
    /// The new logins' ids, in the file's order.
    pub login_ids: Vec<String>,
}

pub fn row_error_view(e: RowError) -> RowErrorView {
    RowErrorView { row: e.row, field: e.field, code: e.code.to_string(), message: e.message }
}

fn view(r: ImportReport) -> ImportView {
    ImportView {
        rows: r.rows,
        created: r.created,
        errors: r.errors.into_iter().map(row_error_view).collect(),
        login_ids: r.login_ids,
    }
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/logins/import", tag = "entity", security(("bearer" = [])),
    params(("entity_number" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "UTF-8 (BOM allowed), CRLF or LF; columns name,id_document_type,id_document_number,mobile,eservices (codes separated by ;); at most 1,000 rows and 1 MiB"),
    responses(
    (status = 200, body = ImportView, description = "a dry run without faults, or every row created; their activation codes are queued"),
    (status = 422, description = "the file has faults (a report, nothing created), or the request itself is bad (a problem)",
        content((ImportView = "application/json"), (crate::error::Problem = "application/problem+json")))))]
pub async fn post_logins_import(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppQuery(q): AppQuery<ImportQuery>,
    CsvBody(file): CsvBody,
) -> ApiResult<(StatusCode, Json<ImportView>)> {
    let admin = caller.admin_of(&entity_number)?;
    let report = state.services.import_staff(&admin, &ctx, &file, q.dry_run.unwrap_or(false)).await?;
    let status = if report.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(view(report))))
}
