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
use domain::model::{Assurance, PersonRole};

use crate::state::AppState;

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

pub(crate) fn role_key(r: PersonRole) -> &'static str {
    match r {
        PersonRole::Representative => "counter-role-representative",
        PersonRole::Proxy => "counter-role-proxy",
        PersonRole::Administrator => "counter-role-administrator",
    }
}

pub(crate) fn assurance_key(a: Assurance) -> &'static str {
    match a {
        Assurance::Basic => "counter-assurance-basic",
        Assurance::Advanced => "counter-assurance-advanced",
    }
}
