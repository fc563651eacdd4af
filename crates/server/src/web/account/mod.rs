//! The signed-in pages of an entity's logins (R15–R20, R22, R25, R26): the entity account's
//! overview, its logins and the removal of administrator rights (`entity.rs`); the
//! administrators' staff list, new staff logins and deletions (`staff.rs`), e-service
//! assignments (`assignments.rs`, and one login's with their dates and approvals,
//! `login_eservices.rs`; what the pages say of dates, `terms.rs`), the access review
//! (`review.rs`), the answers to access requests (`requests.rs`) and mandates given and
//! received, with the logins acting under them (`mandates.rs`); the entity's audit
//! trail (`audit.rs`); and what every login sees of itself (`my.rs`, and its e-services and
//! requests, `my_access.rs`).
//!
//! The tenant is always the session's: every service call names `caller.entity_number()`,
//! never an entity number from the path or the form, and a login id from the path is looked
//! up only among the caller's own entity's logins (R20).

mod assignments;
mod audit;
mod entity;
mod login_eservices;
mod machine_credentials;
mod mandates;
mod my;
mod my_access;
mod requests;
mod review;
mod staff;
mod staff_import;
mod terms;

use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::logins::LoginSummary;
use domain::model::{EServiceRecord, EntityNames};
use domain::Error;
use minijinja::context;
use serde::Serialize;

use crate::state::{AppState, IMPORT_BODY_LIMIT};
use crate::web::form::FormErrors;
use crate::web::format::local_time;
use crate::web::i18n::Lang;
use crate::web::labels::{id_type_key, login_kind_key, login_status_key};
use crate::web::page::Web;
use axum::extract::DefaultBodyLimit;

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(entity::get_overview))
        .route("/account/logins", get(entity::get_logins))
        .route("/account/logins/{login_id}/remove-admin", get(entity::get_remove_admin).post(entity::post_remove_admin))
        .route("/admin/staff", get(staff::get_staff))
        .route("/admin/staff/new", get(staff::get_new).post(staff::post_new))
        .route("/admin/staff/import", get(staff_import::get_import).post(staff_import::post_import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .route("/admin/logins/{login_id}/delete", get(staff::get_delete).post(staff::post_delete))
        .route("/admin/assignments", get(assignments::get_assignments).post(assignments::post_assignments))
        .route("/admin/logins/{login_id}/eservices", get(login_eservices::get_login_eservices).post(login_eservices::post_login_eservices))
        .route("/admin/logins/{login_id}/eservices/approve", post(login_eservices::post_approve))
        .route("/admin/access-review", get(review::get_review).post(review::post_review))
        .route("/admin/access-review/export.csv", get(review::get_export_csv))
        .route("/admin/access-review/export.json", get(review::get_export_json))
        .route("/admin/access-requests", get(requests::get_requests))
        .route("/admin/access-requests/{id}/grant", post(requests::post_grant))
        .route("/admin/access-requests/{id}/refuse", post(requests::post_refuse))
        .route(
            "/admin/machine-credentials",
            get(machine_credentials::get_machine_credentials).post(machine_credentials::post_machine_credential),
        )
        .route("/admin/machine-credentials/{client_id}/delete", post(machine_credentials::post_delete))
        .route("/admin/mandates", get(mandates::get_mandates).post(mandates::post_offer))
        .route("/admin/mandates/{id}", get(mandates::get_mandate))
        .route("/admin/mandates/{id}/accept", post(mandates::post_accept))
        .route("/admin/mandates/{id}/decline", post(mandates::post_decline))
        .route("/admin/mandates/{id}/end", post(mandates::post_end))
        .route("/admin/mandates/{id}/logins/{login_id}", post(mandates::post_mandate_login))
        .route("/entity/audit", get(audit::get_audit))
        .route("/my/eservices", get(my_access::get_my_eservices))
        .route("/my/eservices/request", post(my_access::post_my_request))
        .route("/my/notifications", get(my::get_notifications))
        .route("/my/notifications/sms", post(my::post_sms_notices))
        .route("/my/entity", get(my::get_entity))
        .route("/my/eid", get(my::get_eid))
        .route("/my/eid/face-off", get(my::get_face_off).post(my::post_face_off))
}

fn entity_name(lang: Lang, names: &EntityNames) -> String {
    let (zh, pt, en) =
        (names.zh.as_deref().unwrap_or(""), names.pt.as_deref().unwrap_or(""), names.en.as_deref().unwrap_or(""));
    lang.pick(zh, pt, en).to_string()
}

fn eservice_name(lang: Lang, e: &EServiceRecord) -> String {
    lang.pick(&e.name_zh, &e.name_pt, &e.name_en).to_string()
}

/// An e-service as the pages show it.
#[derive(Serialize, Clone)]
struct EServiceView {
    code: String,
    name: String,
    department: String,
    /// `basic` or `advanced`.
    assurance: &'static str,
    requires_registration: bool,
}

fn eservice_view(lang: Lang, e: &EServiceRecord) -> EServiceView {
    EServiceView {
        code: e.code.clone(),
        name: eservice_name(lang, e),
        department: e.department.clone(),
        assurance: e.assurance.as_str(),
        requires_registration: e.requires_registration,
    }
}

/// A login as the lists show it: identity document number and mobile only masked (R27).
#[derive(Serialize, Clone)]
struct LoginRow {
    login_id: String,
    name: String,
    username: Option<String>,
    /// `entity`, `admin` or `staff`.
    kind: &'static str,
    kind_key: &'static str,
    /// `pending` or `active`.
    status: &'static str,
    status_key: &'static str,
    id_type_key: Option<&'static str>,
    id_mask: Option<String>,
    mobile_mask: String,
    /// Its e-services, named in the page's language, each with its end where it has one (R29).
    eservices: Vec<HeldView>,
    /// Administrator rights were removed by the entity account (only the counter restores them).
    admin_removed: bool,
    is_self: bool,
    created_at: String,
}

/// An e-service a list shows beside a login: its name, and its terms when it has an end or
/// does not grant now.
#[derive(Serialize, Clone)]
struct HeldView {
    name: String,
    terms: Option<terms::TermsView>,
}

/// Each login's assignments with their dates, by login id: one read for a whole list.
type EntityTerms = std::collections::BTreeMap<String, Vec<domain::assignments::LoginAssignment>>;

async fn entity_terms(web: &Web, caller: &domain::access::Caller) -> Result<EntityTerms, Error> {
    let viewer = caller.overseer_of(caller.entity_number())?;
    web.state.services.entity_assignments(&viewer).await
}

fn login_row(lang: Lang, s: &LoginSummary, catalogue: &[EServiceRecord], held: &EntityTerms, me: &str) -> LoginRow {
    let l = &s.login;
    let terms_of = held.get(l.id.as_str());
    let eservices = s
        .eservices
        .iter()
        .map(|code| {
            let name =
                catalogue.iter().find(|e| &e.code == code).map(|e| eservice_name(lang, e)).unwrap_or(code.clone());
            let a = terms_of.and_then(|list| list.iter().find(|a| &a.code == code));
            let worth_saying =
                a.filter(|a| a.valid_until.is_some() || a.status != domain::access_terms::AssignmentStatus::Active);
            HeldView { name, terms: worth_saying.map(|a| terms::terms_view(lang, a)) }
        })
        .collect();
    LoginRow {
        login_id: l.id.to_string(),
        name: l.name.clone(),
        username: l.username.clone(),
        kind: l.kind.as_str(),
        kind_key: login_kind_key(l.kind),
        status: l.status.as_str(),
        status_key: login_status_key(l.status),
        id_type_key: l.id_type.map(id_type_key),
        id_mask: l.id_number_mask.clone(),
        mobile_mask: l.mobile_mask.clone(),
        eservices,
        admin_removed: l.admin_removed,
        is_self: l.id == me,
        created_at: local_time(l.created_at),
    }
}

/// The logins of the caller's entity, for lists (the entity account and administrators only).
async fn entity_logins(web: &Web, caller: &domain::access::Caller) -> Result<Vec<LoginSummary>, Error> {
    let viewer = caller.overseer_of(caller.entity_number())?;
    web.state.services.list_logins(&viewer).await
}

/// A page that could not be shown: no such record (404, also for another entity's ids, R20),
/// rights that are gone, or a failure, as a page with the reason.
fn failed(web: &mut Web, e: &Error) -> Response {
    match e {
        Error::NotFound => web.not_found(),
        Error::Unauthenticated => web.redirect("/login"),
        Error::Forbidden => web.forbidden(),
        _ => {
            let errors = FormErrors::from_error(e);
            web.render("account/problem.html", FormErrors::status(e), context! { errors })
        }
    }
}
