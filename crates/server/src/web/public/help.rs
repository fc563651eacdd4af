//! "Need help" (R12): resend an activation code, recall a username, reset a forgotten
//! password. The three requests answer with the same page and status whether or not the
//! details matched a login: the lookup runs after the answer, on its own, as the API's does.
//! Only the form's own faults (a blank field, a malformed mobile number) come back beside
//! their fields, and they say nothing about any account.

use axum::http::StatusCode;
use axum::response::Response;
use domain::help::{HelpInput, HelpKind, ResetInput};
use domain::Code;
use minijinja::context;

use super::{merge, required};
use crate::web::form::{FormErrors, FormValues};
use crate::web::page::Web;
use crate::web::posted::WebForm;
use crate::web::query::query_values;

pub async fn get_help(mut web: Web) -> Response {
    web.render("public/help.html", StatusCode::OK, context! {})
}

/// The three requests that start from what a person knows.
#[derive(Clone, Copy)]
enum Topic {
    Resend,
    Username,
    Password,
}

impl Topic {
    fn slug(self) -> &'static str {
        match self {
            Topic::Resend => "resend",
            Topic::Username => "username",
            Topic::Password => "password",
        }
    }

    fn kind(self) -> HelpKind {
        match self {
            Topic::Resend => HelpKind::ResendActivationCode,
            Topic::Username => HelpKind::ForgotUsername,
            Topic::Password => HelpKind::ResetPassword,
        }
    }
}

fn request_page(web: &mut Web, topic: Topic, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    web.render_form("public/help_request.html", status, context! { topic => topic.slug() }, form, errors)
}

async fn get_request(mut web: Web, topic: Topic) -> Response {
    let query = query_values(&web);
    let prefill = FormValues(query.0.into_iter().filter(|(k, v)| k == "entity_number" && v.len() <= 20).collect());
    request_page(&mut web, topic, StatusCode::OK, &prefill, &FormErrors::default())
}

async fn post_request(mut web: Web, topic: Topic, form: FormValues) -> Response {
    let mut errors = FormErrors::default();
    required(&form, &["entity_number", "id_document_number", "mobile"], &mut errors);
    let input = HelpInput {
        entity_number: form.get("entity_number").to_string(),
        id_document_number: form.get("id_document_number").to_string(),
        mobile: form.get("mobile").to_string(),
    };
    // These errors are about the form and the source's rate limit, never about a login.
    let req = match web.state.services.parse_help(&web.ctx, &input).await {
        Ok(r) => r,
        Err(e) => {
            let status = if errors.is_empty() { FormErrors::status(&e) } else { StatusCode::UNPROCESSABLE_ENTITY };
            return request_page(&mut web, topic, status, &form, &merge(errors, FormErrors::from_error(&e)));
        }
    };
    // A blank field never parses: `errors` is empty here.
    let services = web.state.services.clone();
    let ctx = web.ctx.clone();
    tokio::spawn(async move {
        if let Err(e) = services.fulfil_help(&ctx, topic.kind(), req).await {
            tracing::error!(error = %e, "help request failed");
        }
    });
    web.render("public/help_sent.html", StatusCode::OK, context! { topic => topic.slug() })
}

pub async fn get_resend(web: Web) -> Response {
    get_request(web, Topic::Resend).await
}

pub async fn post_resend(web: Web, WebForm(form): WebForm) -> Response {
    post_request(web, Topic::Resend, form).await
}

pub async fn get_username(web: Web) -> Response {
    get_request(web, Topic::Username).await
}

pub async fn post_username(web: Web, WebForm(form): WebForm) -> Response {
    post_request(web, Topic::Username, form).await
}

pub async fn get_password(web: Web) -> Response {
    get_request(web, Topic::Password).await
}

pub async fn post_password(web: Web, WebForm(form): WebForm) -> Response {
    post_request(web, Topic::Password, form).await
}

fn reset_page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let min_password = web.state.services.policy.password.min_chars;
    web.render_form("public/help_reset.html", status, context! { min_password }, form, errors)
}

/// Setting the new password with the code from the SMS.
pub async fn get_reset(mut web: Web) -> Response {
    let query = query_values(&web);
    let prefill = FormValues(query.0.into_iter().filter(|(k, v)| k == "entity_number" && v.len() <= 20).collect());
    reset_page(&mut web, StatusCode::OK, &prefill, &FormErrors::default())
}

pub async fn post_reset(mut web: Web, WebForm(form): WebForm) -> Response {
    let mut errors = FormErrors::default();
    let blank = required(&form, &["entity_number", "username", "reset_code", "password"], &mut errors);
    if form.get("password_confirm").is_empty() {
        errors.field("password_confirm", Code::Required);
    } else if form.get("password") != form.get("password_confirm") {
        errors.field("password_confirm", Code::PasswordMismatch);
    }
    // Only a form with a blank field (which the service refuses before anything else) goes
    // on with errors already found, for the other fields' faults.
    if !errors.is_empty() && !blank {
        return reset_page(&mut web, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors);
    }
    let entity_number = form.get("entity_number").trim().to_string();
    let input = ResetInput {
        entity_number: entity_number.clone(),
        username: form.get("username").to_string(),
        reset_code: form.get("reset_code").trim().to_string(),
        password: form.get("password").to_string(),
    };
    match web.state.services.reset_password(&web.ctx, input).await {
        Ok(()) => {
            let q =
                form_urlencoded::Serializer::new(String::new()).append_pair("entity_number", &entity_number).finish();
            let login_href = format!("/login?{q}");
            web.render("public/help_reset_done.html", StatusCode::OK, context! { login_href })
        }
        Err(e) => {
            let mut theirs = FormErrors::from_error(&e);
            // A wrong, used or expired code is the reset code's fault, shown beside it.
            if let Some(key) = theirs.fields.remove("activation_code") {
                theirs.fields.insert("reset_code".into(), key);
            }
            let status = if errors.is_empty() { FormErrors::status(&e) } else { StatusCode::UNPROCESSABLE_ENTITY };
            reset_page(&mut web, status, &form, &merge(errors, theirs))
        }
    }
}
