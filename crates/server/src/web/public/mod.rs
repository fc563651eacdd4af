//! Pages for anyone: sign-in, activation, "need help", and application progress.

mod activation;
mod help;
mod login;
mod progress;

use axum::routing::{get, post};
use axum::Router;
use domain::Code;

use crate::state::AppState;
use crate::web::form::{FormErrors, FormValues};

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::get_home))
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/activate", get(activation::get_activate).post(activation::post_activate))
        .route("/help", get(help::get_help))
        .route("/help/resend", get(help::get_resend).post(help::post_resend))
        .route("/help/username", get(help::get_username).post(help::post_username))
        .route("/help/password", get(help::get_password).post(help::post_password))
        .route("/help/password/confirm", get(help::get_reset).post(help::post_reset))
        .route("/applications/status", get(progress::get_progress).post(progress::post_progress))
}

/// A blank field gets "required" beside it; true when one was blank. The services refuse a
/// blank field before they read or write anything, so a page may still ask them, to show
/// every other field's fault at once.
fn required(form: &FormValues, names: &[&str], errors: &mut FormErrors) -> bool {
    let mut blank = false;
    for name in names {
        if form.get(name).trim().is_empty() {
            errors.field(name, Code::Required);
            blank = true;
        }
    }
    blank
}

/// What the page found first, then what the service found (the page's word wins per field).
fn merge(mut mine: FormErrors, theirs: FormErrors) -> FormErrors {
    for (field, key) in theirs.fields {
        mine.fields.entry(field).or_insert(key);
    }
    mine.summary.extend(theirs.summary);
    mine
}
