//! The counter back-office (R1–R8, R19, R22, R23): an operator signs in at `/counter/login`,
//! registers applications after checking the documents, reviews, approves or rejects them,
//! finds entities to add or restore administrators and reissue activation codes, keeps the
//! e-service catalogue, and enrols advanced e-ID tools in person. Every page asks
//! `Web::operator()` first; every form is CSRF-checked by `WebForm`.

mod application_form;
mod applications;
mod eid;
mod entities;
mod eservices;
mod sign_in;

use axum::routing::{get, post};
use axum::Router;
use domain::clock::Timestamp;
use domain::identity::IdDocumentType;
use domain::model::{ApplicationStatus, Assurance, EntityType, LoginKind, LoginStatus, PersonRole};

use crate::router::AppState;

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counter", get(sign_in::get_root))
        .route("/counter/login", get(sign_in::get_login).post(sign_in::post_login))
        .route("/counter/sign-out", post(sign_in::post_sign_out))
        .route("/counter/applications", get(applications::get_queue))
        .route("/counter/applications/new", get(application_form::get_new).post(application_form::post_new))
        .route("/counter/applications/{application_number}", get(applications::get_review))
        .route("/counter/applications/{application_number}/review", post(applications::post_start_review))
        .route("/counter/applications/{application_number}/approve", post(applications::post_approve))
        .route("/counter/applications/{application_number}/reject", post(applications::post_reject))
        .route("/counter/entities", get(entities::get_lookup))
        .route("/counter/entities/{entity_number}", get(entities::get_entity))
        .route("/counter/entities/{entity_number}/administrators", post(entities::post_add_admin))
        .route("/counter/entities/{entity_number}/eservices", post(entities::post_register_eservice))
        .route("/counter/entities/{entity_number}/logins/{login_id}/restore-admin", post(entities::post_restore_admin))
        .route("/counter/entities/{entity_number}/logins/{login_id}/activation-code", post(entities::post_activation_code))
        .route("/counter/eservices", get(eservices::get_catalogue).post(eservices::post_eservice))
        .route("/counter/eid", get(eid::get_eid))
        .route("/counter/eid/security-code", post(eid::post_security_code))
        .route("/counter/eid/face-recognition", post(eid::post_face_on))
}

/// A moment as the counter reads it: Macau time (UTC+8), to the minute.
pub(crate) fn when(t: Timestamp) -> String {
    let s = t.plus_secs(8 * 3600).rfc3339();
    s.get(..16).unwrap_or(&s).replace('T', " ")
}

pub(crate) fn when_opt(t: Option<Timestamp>) -> Option<String> {
    t.map(when)
}

pub(crate) fn status_key(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted => "counter-status-submitted",
        ApplicationStatus::UnderReview => "counter-status-under-review",
        ApplicationStatus::Approved => "counter-status-approved",
        ApplicationStatus::Rejected => "counter-status-rejected",
    }
}

pub(crate) fn entity_type_key(t: EntityType) -> &'static str {
    match t {
        EntityType::Association => "counter-entity-type-association",
        EntityType::Foundation => "counter-entity-type-foundation",
        EntityType::Company => "counter-entity-type-company",
        EntityType::Entrepreneur => "counter-entity-type-entrepreneur",
        EntityType::Unincorporated => "counter-entity-type-unincorporated",
    }
}

pub(crate) fn id_type_key(t: IdDocumentType) -> &'static str {
    match t {
        IdDocumentType::MacauResident => "counter-id-type-macau-resident",
        IdDocumentType::Passport => "counter-id-type-passport",
        IdDocumentType::Other => "counter-id-type-other",
    }
}

pub(crate) fn role_key(r: PersonRole) -> &'static str {
    match r {
        PersonRole::Representative => "counter-role-representative",
        PersonRole::Proxy => "counter-role-proxy",
        PersonRole::Administrator => "counter-role-administrator",
    }
}

pub(crate) fn login_kind_key(k: LoginKind) -> &'static str {
    match k {
        LoginKind::Entity => "counter-login-kind-entity",
        LoginKind::Admin => "counter-login-kind-admin",
        LoginKind::Staff => "counter-login-kind-staff",
    }
}

pub(crate) fn login_status_key(s: LoginStatus) -> &'static str {
    match s {
        LoginStatus::Pending => "counter-login-status-pending",
        LoginStatus::Active => "counter-login-status-active",
        LoginStatus::Deleted => "counter-login-status-deleted",
    }
}

pub(crate) fn assurance_key(a: Assurance) -> &'static str {
    match a {
        Assurance::Basic => "counter-assurance-basic",
        Assurance::Advanced => "counter-assurance-advanced",
    }
}

/// The identity document types, as `[value, label key]` pairs for `m.select`.
pub(crate) fn id_type_options() -> Vec<(&'static str, &'static str)> {
    [IdDocumentType::MacauResident, IdDocumentType::Passport, IdDocumentType::Other]
        .into_iter()
        .map(|t| (t.as_str(), id_type_key(t)))
        .collect()
}
