//! An application's progress (R7): anyone with the application number and the entity's
//! registration number sees its status and dates, nothing more. An unknown application and
//! a registration number that does not match answer alike.

use axum::http::StatusCode;
use axum::response::Response;
use domain::clock::Timestamp;
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{merge, required};
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::local_time;
use crate::web::labels::application_status_key;
use crate::web::page::Web;
use crate::web::posted::WebForm;
use crate::web::query::query_values;

#[derive(Serialize)]
struct When {
    /// RFC 3339, for `<time datetime>`.
    iso: String,
    /// Macau local time, as people read it.
    text: String,
}

fn when(t: Timestamp) -> When {
    When { iso: t.rfc3339(), text: local_time(t) }
}

fn page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    web.render_form("public/progress.html", status, context! {}, form, errors)
}

async fn query(mut web: Web, form: FormValues) -> Response {
    let mut errors = FormErrors::default();
    required(&form, &["application_number", "registration_number"], &mut errors);
    let (number, registration) = (form.get("application_number"), form.get("registration_number"));
    let found = web.state.services.application_progress(&web.ctx, number, registration).await;
    // A blank field never parses: on success `errors` is empty.
    match found {
        Ok(p) => {
            let values = context! {
                result => context! {
                    status => p.status.as_str(),
                    status_key => application_status_key(p.status),
                    submitted => when(p.submitted_at),
                    decided => p.decided_at.map(when),
                },
            };
            web.render_form("public/progress.html", StatusCode::OK, values, &form, &FormErrors::default())
        }
        Err(Error::NotFound) => {
            // One answer for "no such application" and "the registration number differs".
            let values = context! { not_found => true };
            web.render_form("public/progress.html", StatusCode::NOT_FOUND, values, &form, &FormErrors::default())
        }
        Err(e) => {
            let status = if errors.is_empty() { FormErrors::status(&e) } else { StatusCode::UNPROCESSABLE_ENTITY };
            page(&mut web, status, &form, &merge(errors, FormErrors::from_error(&e)))
        }
    }
}

/// The form; with both numbers in the query (a bookmarked link), the answer too.
pub async fn get_progress(mut web: Web) -> Response {
    let q = query_values(&web);
    if q.opt("application_number").is_some() || q.opt("registration_number").is_some() {
        let wanted = ["application_number", "registration_number"];
        let form = FormValues(q.0.into_iter().filter(|(k, _)| wanted.contains(&k.as_str())).collect());
        return query(web, form).await;
    }
    page(&mut web, StatusCode::OK, &FormValues::default(), &FormErrors::default())
}

pub async fn post_progress(web: Web, WebForm(form): WebForm) -> Response {
    query(web, form).await
}
