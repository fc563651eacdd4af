//! The application queue and an application's review page (R4–R6): details with identity
//! numbers and mobiles masked as the API shows them, then start review, approve (the entity
//! number appears; the domain sends each activation code by SMS) or reject with a reason.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Operator;
use domain::model::{ApplicationRecord, ApplicationStatus};
use minijinja::context;
use serde::Serialize;

use super::role_key;
use crate::web::audience::OperatorPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{local_time, path_segment};
use crate::web::labels::{application_status_key as status_key, entity_type_key, id_type_key};
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::{notice_of, query_values};

#[derive(Serialize)]
struct QueueRow {
    number: String,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
    entity_type_key: &'static str,
    registration_number: String,
    status: &'static str,
    status_key: &'static str,
    submitted_at: String,
}

/// The statuses a queue can be filtered by, as `[value, label key]`.
fn status_options() -> Vec<(&'static str, &'static str)> {
    ApplicationStatus::ALL.iter().map(|s| (s.as_str(), status_key(*s))).collect()
}

pub async fn get_queue(OperatorPage(mut web, op): OperatorPage) -> Response {
    let query = query_values(&web);
    let status = query.opt("status").and_then(|s| ApplicationStatus::from_str_opt(&s));
    let apps = match web.state.services.list_applications(&op, status).await {
        Ok(a) => a,
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            return web.render_form(
                "counter/applications.html",
                FormErrors::status(&e),
                context! { rows => Vec::<QueueRow>::new(), statuses => status_options() },
                &query,
                &errors,
            );
        }
    };
    let rows: Vec<QueueRow> = apps
        .into_iter()
        .map(|a| QueueRow {
            number: a.number,
            name_zh: a.names.zh,
            name_pt: a.names.pt,
            name_en: a.names.en,
            entity_type_key: entity_type_key(a.entity_type),
            registration_number: a.registration_number,
            status: a.status.as_str(),
            status_key: status_key(a.status),
            submitted_at: local_time(a.submitted_at),
        })
        .collect();
    let selected = status.map(|s| s.as_str()).unwrap_or("");
    web.render(
        "counter/applications.html",
        StatusCode::OK,
        context! { rows, statuses => status_options(), selected, form => query.for_template() },
    )
}

#[derive(Serialize)]
struct PersonRow {
    role_key: &'static str,
    name: String,
    id_type_key: &'static str,
    id_number: String,
    mobile: Option<String>,
    document_shown: bool,
    power_of_attorney_reference: Option<String>,
}

#[derive(Serialize)]
struct ApplicationView {
    number: String,
    status: &'static str,
    status_key: &'static str,
    entity_type_key: &'static str,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
    registration_number: String,
    mobile: String,
    agreement_signed: bool,
    submitted_at: String,
    decided_at: Option<String>,
    reject_reason: Option<String>,
    entity_number: Option<String>,
    representatives: Vec<PersonRow>,
    administrators: Vec<PersonRow>,
    can_start_review: bool,
    can_decide: bool,
}

fn view(a: ApplicationRecord) -> ApplicationView {
    use domain::model::PersonRole;
    let mut representatives = Vec::new();
    let mut administrators = Vec::new();
    for p in a.people {
        let row = PersonRow {
            role_key: role_key(p.role),
            name: p.name,
            id_type_key: id_type_key(p.id_type),
            id_number: p.id_number_mask,
            mobile: p.mobile_mask,
            document_shown: p.document_shown,
            power_of_attorney_reference: p.poa_reference.filter(|_| p.role == PersonRole::Proxy),
        };
        match p.role {
            PersonRole::Administrator => administrators.push(row),
            PersonRole::Representative | PersonRole::Proxy => representatives.push(row),
        }
    }
    ApplicationView {
        number: a.number,
        status: a.status.as_str(),
        status_key: status_key(a.status),
        entity_type_key: entity_type_key(a.entity_type),
        name_zh: a.names.zh,
        name_pt: a.names.pt,
        name_en: a.names.en,
        registration_number: a.registration_number,
        mobile: a.mobile_mask,
        agreement_signed: a.agreement_signed,
        submitted_at: local_time(a.submitted_at),
        decided_at: a.decided_at.map(local_time),
        reject_reason: a.reject_reason,
        entity_number: a.entity_number,
        representatives,
        administrators,
        can_start_review: a.status == ApplicationStatus::Submitted,
        can_decide: a.status.is_undecided(),
    }
}

/// The notices a redirect back to the review page asks for (`?done=…`).
const NOTICES: &[(&str, &str)] = &[
    ("submitted", "counter-done-submitted"),
    ("review", "counter-done-review"),
    ("approved", "counter-done-approved"),
    ("rejected", "counter-done-rejected"),
];

async fn review_page(
    web: &mut Web,
    op: &Operator,
    number: &str,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    web.page_is(&format!("/counter/applications/{}", path_segment(number)));
    let app = match web.state.services.get_application(op, number).await {
        Ok(a) => a,
        Err(domain::Error::NotFound) => return web.not_found(),
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            return web.render_form("counter/application.html", FormErrors::status(&e), context! {}, form, &errors);
        }
    };
    let notice = notice_of(web, NOTICES);
    web.render_form("counter/application.html", status, context! { app => view(app), notice }, form, errors)
}

pub async fn get_review(Path(number): Path<String>, OperatorPage(mut web, op): OperatorPage) -> Response {
    review_page(&mut web, &op, &number, StatusCode::OK, &FormValues::default(), &FormErrors::default()).await
}

fn done(web: &mut Web, number: &str, what: &str) -> Response {
    let path = format!("/counter/applications/{}?done={what}", path_segment(number));
    web.redirect(&path)
}

pub async fn post_start_review(
    Path(number): Path<String>,
    Post(OperatorPage(mut web, op), form): Post<OperatorPage>,
) -> Response {
    match web.state.services.start_review(&op, &web.ctx, &number).await {
        Ok(_) => done(&mut web, &number, "review"),
        Err(e) => review_page(&mut web, &op, &number, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await,
    }
}

pub async fn post_approve(
    Path(number): Path<String>,
    Post(OperatorPage(mut web, op), form): Post<OperatorPage>,
) -> Response {
    match web.state.services.approve_application(&op, &web.ctx, &number).await {
        Ok(_) => done(&mut web, &number, "approved"),
        Err(e) => review_page(&mut web, &op, &number, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await,
    }
}

pub async fn post_reject(
    Path(number): Path<String>,
    Post(OperatorPage(mut web, op), form): Post<OperatorPage>,
) -> Response {
    match web.state.services.reject_application(&op, &web.ctx, &number, form.get("reason")).await {
        Ok(_) => done(&mut web, &number, "rejected"),
        Err(e) => review_page(&mut web, &op, &number, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await,
    }
}
