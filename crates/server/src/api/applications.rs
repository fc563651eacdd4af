//! Applications at the counter (R1–R7) and the public progress query.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::application_form::{ApplicationInput, EntityInput, ProxyInput};
use domain::model::{ApplicationRecord, ApplicationStatus, PersonRole};
use domain::person::PersonInput;
use domain::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{rfc3339, rfc3339_opt, IdDocumentBody, MaskedIdDocument, PersonBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppJson, AppPath, AppQuery, OperatorAuth, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityBody {
    /// `association`, `foundation`, `company`, `entrepreneur` or `unincorporated`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
    pub registration_number: String,
    /// The entity's linked Macau mobile number.
    pub mobile: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeBody {
    pub name: String,
    pub id_document: IdDocumentBody,
    /// The original or a certified copy was shown at the counter (R2).
    pub document_shown: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerOfAttorneyBody {
    pub notarised: bool,
    pub reference: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyBody {
    pub name: String,
    pub id_document: IdDocumentBody,
    pub document_shown: bool,
    pub power_of_attorney: PowerOfAttorneyBody,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    pub entity: EntityBody,
    pub representatives: Vec<RepresentativeBody>,
    #[serde(default)]
    pub proxy: Option<ProxyBody>,
    pub administrators: Vec<PersonBody>,
    /// The entity account agreement, signed and stamped.
    pub agreement_signed: bool,
}

impl From<ApplicationBody> for ApplicationInput {
    fn from(b: ApplicationBody) -> Self {
        ApplicationInput {
            entity: EntityInput {
                kind: b.entity.kind,
                name_zh: b.entity.name_zh,
                name_pt: b.entity.name_pt,
                name_en: b.entity.name_en,
                registration_number: b.entity.registration_number,
                mobile: b.entity.mobile,
            },
            representatives: b
                .representatives
                .into_iter()
                .map(|r| PersonInput {
                    name: r.name,
                    id_document: r.id_document.into(),
                    mobile: None,
                    document_shown: Some(r.document_shown),
                })
                .collect(),
            proxy: b.proxy.map(|p| ProxyInput {
                person: PersonInput {
                    name: p.name,
                    id_document: p.id_document.into(),
                    mobile: None,
                    document_shown: Some(p.document_shown),
                },
                poa_notarised: p.power_of_attorney.notarised,
                poa_reference: p.power_of_attorney.reference,
            }),
            administrators: b.administrators.into_iter().map(PersonInput::from).collect(),
            agreement_signed: b.agreement_signed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubmittedView {
    pub application_number: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusView {
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApprovedView {
    pub entity_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct EntityView {
    #[serde(rename = "type")]
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
    pub registration_number: String,
    /// Masked.
    pub mobile: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    /// `representative`, `proxy` or `administrator`.
    pub role: String,
    pub name: String,
    pub id_document: MaskedIdDocument,
    pub mobile: Option<String>,
    pub document_shown: bool,
    pub power_of_attorney_reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub application_number: String,
    pub status: String,
    pub entity: EntityView,
    pub people: Vec<PersonView>,
    pub agreement_signed: bool,
    pub submitted_at: String,
    pub decided_at: Option<String>,
    pub reject_reason: Option<String>,
    /// Once approved: the entity number it was given.
    pub entity_number: Option<String>,
}

impl From<ApplicationRecord> for ApplicationView {
    fn from(a: ApplicationRecord) -> Self {
        ApplicationView {
            application_number: a.number,
            status: a.status.as_str().to_string(),
            entity: EntityView {
                kind: a.entity_type.as_str().to_string(),
                name_zh: a.names.zh,
                name_pt: a.names.pt,
                name_en: a.names.en,
                registration_number: a.registration_number,
                mobile: a.mobile_mask,
            },
            people: a
                .people
                .into_iter()
                .map(|p| PersonView {
                    role: p.role.as_str().to_string(),
                    name: p.name,
                    id_document: MaskedIdDocument { kind: p.id_type.as_str().to_string(), number: p.id_number_mask },
                    mobile: p.mobile_mask,
                    document_shown: p.document_shown,
                    power_of_attorney_reference: p.poa_reference.filter(|_| p.role == PersonRole::Proxy),
                })
                .collect(),
            agreement_signed: a.agreement_signed,
            submitted_at: rfc3339(a.submitted_at),
            decided_at: rfc3339_opt(a.decided_at),
            reject_reason: a.reject_reason,
            entity_number: a.entity_number,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationListView {
    pub applications: Vec<ApplicationView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only applications in this status.
    pub status: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    /// The entity's registration number, as on the application.
    pub registration_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressView {
    pub status: String,
    pub submitted_at: String,
    pub decided_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/counter/applications", tag = "counter", security(("bearer" = [])),
    request_body = ApplicationBody, responses(
    (status = 201, body = SubmittedView)))]
pub async fn post_application(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppJson(body): AppJson<ApplicationBody>,
) -> ApiResult<(StatusCode, Json<SubmittedView>)> {
    let (number, status) = state.services.submit_application(&op, &ctx, body.into()).await?;
    Ok((StatusCode::CREATED, Json(SubmittedView { application_number: number, status: status.as_str().into() })))
}

#[utoipa::path(get, path = "/api/v1/counter/applications", tag = "counter", security(("bearer" = [])),
    params(ListQuery), responses(
    (status = 200, body = ApplicationListView)))]
pub async fn get_applications(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    AppQuery(q): AppQuery<ListQuery>,
) -> ApiResult<Json<ApplicationListView>> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(ApplicationStatus::from_str_opt(s).ok_or_else(|| {
            ApiError::validation(vec![domain::FieldError::new(
                "status",
                Code::InvalidChoice,
                format!("one of {}", ApplicationStatus::choices()),
            )])
        })?),
    };
    let apps = state.services.list_applications(&op, status).await?;
    Ok(Json(ApplicationListView { applications: apps.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(get, path = "/api/v1/counter/applications/{application_number}", tag = "counter", security(("bearer" = [])),
    params(("application_number" = String, Path)), responses(
    (status = 200, body = ApplicationView)))]
pub async fn get_application(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    AppPath(number): AppPath<String>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(state.services.get_application(&op, &number).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/counter/applications/{application_number}/review", tag = "counter", security(("bearer" = [])),
    params(("application_number" = String, Path)), responses(
    (status = 200, body = StatusView)))]
pub async fn post_review(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(number): AppPath<String>,
) -> ApiResult<Json<StatusView>> {
    let status = state.services.start_review(&op, &ctx, &number).await?;
    Ok(Json(StatusView { status: status.as_str().into() }))
}

#[utoipa::path(post, path = "/api/v1/counter/applications/{application_number}/approve", tag = "counter", security(("bearer" = [])),
    params(("application_number" = String, Path)), responses(
    (status = 200, body = ApprovedView)))]
pub async fn post_approve(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(number): AppPath<String>,
) -> ApiResult<Json<ApprovedView>> {
    let approved = state.services.approve_application(&op, &ctx, &number).await?;
    Ok(Json(ApprovedView { entity_number: approved.entity_number }))
}

#[utoipa::path(post, path = "/api/v1/counter/applications/{application_number}/reject", tag = "counter", security(("bearer" = [])),
    params(("application_number" = String, Path)), request_body = RejectBody, responses(
    (status = 200, body = StatusView)))]
pub async fn post_reject(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(number): AppPath<String>,
    AppJson(body): AppJson<RejectBody>,
) -> ApiResult<Json<StatusView>> {
    let status = state.services.reject_application(&op, &ctx, &number, &body.reason).await?;
    Ok(Json(StatusView { status: status.as_str().into() }))
}

#[utoipa::path(get, path = "/api/v1/applications/{application_number}/status", tag = "public",
    params(("application_number" = String, Path), ProgressQuery), responses(
    (status = 200, body = ProgressView)))]
pub async fn get_application_status(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    AppPath(number): AppPath<String>,
    AppQuery(q): AppQuery<ProgressQuery>,
) -> ApiResult<Json<ProgressView>> {
    let p = state.services.application_progress(&ctx, &number, &q.registration_number).await?;
    Ok(Json(ProgressView {
        status: p.status.as_str().into(),
        submitted_at: rfc3339(p.submitted_at),
        decided_at: rfc3339_opt(p.decided_at),
    }))
}
