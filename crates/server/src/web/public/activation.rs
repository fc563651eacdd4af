//! Activation (R9, R10): the entity account with its application number and the code its
//! mobile received; administrator and staff logins with the entity number and their code.
//! The person chooses a username and a password (typed twice here; a mismatch is caught
//! before anything is asked of the service).

use axum::http::StatusCode;
use axum::response::Response;
use domain::activation::ActivateInput;
use domain::Code;
use minijinja::context;

use super::{merge, required};
use crate::web::form::{FormErrors, FormValues};
use crate::web::labels::login_kind_key;
use crate::web::page::Web;
use crate::web::posted::WebForm;
use crate::web::query::query_values;

/// Which of the two ways the page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    /// The entity account: application number + code.
    Entity,
    /// An administrator or staff login: entity number + code.
    Login,
}

impl Way {
    fn as_str(self) -> &'static str {
        match self {
            Way::Entity => "entity",
            Way::Login => "login",
        }
    }

    fn number_field(self) -> &'static str {
        match self {
            Way::Entity => "application_number",
            Way::Login => "entity_number",
        }
    }

    /// `as=entity|login`; without it, an application number means the entity account.
    fn of(values: &FormValues) -> Way {
        match values.get("as") {
            "entity" => Way::Entity,
            "login" => Way::Login,
            _ if values.opt("application_number").is_some() => Way::Entity,
            _ => Way::Login,
        }
    }
}

fn page(web: &mut Web, way: Way, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let min_password = web.state.services.policy.password.min_chars;
    let values = context! { way => way.as_str(), number_field => way.number_field(), min_password };
    web.render_form("public/activate.html", status, values, form, errors)
}

/// The form; `?as=` chooses the way, and a number in the query (a link from a notice)
/// is filled in.
pub async fn get_activate(mut web: Web) -> Response {
    let query = query_values(&web);
    let way = Way::of(&query);
    let prefill =
        FormValues(query.0.into_iter().filter(|(k, v)| k == way.number_field() && v.chars().count() <= 20).collect());
    page(&mut web, way, StatusCode::OK, &prefill, &FormErrors::default())
}

pub async fn post_activate(mut web: Web, WebForm(form): WebForm) -> Response {
    let way = Way::of(&form);
    let mut errors = FormErrors::default();
    let blank = required(&form, &[way.number_field(), "activation_code", "username", "password"], &mut errors);
    if form.get("password_confirm").is_empty() {
        errors.field("password_confirm", Code::Required);
    } else if form.get("password") != form.get("password_confirm") {
        errors.field("password_confirm", Code::PasswordMismatch);
    }
    // Only a form with a blank field (which the service refuses before anything else) goes
    // on with errors already found, for the other fields' faults.
    if !errors.is_empty() && !blank {
        return page(&mut web, way, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors);
    }
    let number = form.get(way.number_field()).trim().to_string();
    let (application_number, entity_number) = match way {
        Way::Entity => (Some(number), None),
        Way::Login => (None, Some(number)),
    };
    let input = ActivateInput {
        application_number,
        entity_number: entity_number.clone(),
        activation_code: form.get("activation_code").trim().to_string(),
        username: form.get("username").to_string(),
        password: form.get("password").to_string(),
    };
    match web.state.services.activate(&web.ctx, input).await {
        Ok(done) => {
            let login_href = match &entity_number {
                Some(n) => {
                    let q = form_urlencoded::Serializer::new(String::new()).append_pair("entity_number", n).finish();
                    format!("/login?{q}")
                }
                None => "/login".to_string(),
            };
            let values = context! {
                kind_key => login_kind_key(done.kind),
                entity_number,
                login_href,
            };
            web.render("public/activated.html", StatusCode::OK, values)
        }
        Err(e) => {
            let status = if errors.is_empty() { FormErrors::status(&e) } else { StatusCode::UNPROCESSABLE_ENTITY };
            page(&mut web, way, status, &form, &merge(errors, FormErrors::from_error(&e)))
        }
    }
}
