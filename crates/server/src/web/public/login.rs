//! Signing in and out of the platform (R13, R14): entity number, username and password,
//! the same service as the API's login; a new session id every time, the old one ended.

use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Principal;
use domain::sessions::LoginInput;
use domain::Error;
use minijinja::context;

use crate::web::cookies;
use crate::web::form::{FormErrors, FormValues};
use crate::web::page::Web;
use crate::web::posted::WebForm;
use crate::web::query::{next_of, query_values};
use crate::web::{home_of, local_path};

pub async fn get_home(mut web: Web) -> Response {
    match web.current_login().await {
        Some(c) => web.redirect(home_of(c.kind())),
        None => web.redirect("/login"),
    }
}

fn page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let next = match form.opt("next") {
        Some(n) => local_path(&n).unwrap_or_default().to_string(),
        None => next_of(web),
    };
    web.render_form("public/login.html", status, context! { next }, form, errors)
}

pub async fn get_login(mut web: Web) -> Response {
    if let Some(c) = web.current_login().await {
        let to = Some(next_of(&web)).filter(|n| !n.is_empty()).unwrap_or_else(|| home_of(c.kind()).to_string());
        return web.redirect(&to);
    }
    // `?entity_number=` (the activation and reset pages link so) fills the number in.
    let prefill =
        FormValues(query_values(&web).0.into_iter().filter(|(k, v)| k == "entity_number" && v.len() <= 20).collect());
    page(&mut web, StatusCode::OK, &prefill, &FormErrors::default())
}

pub async fn post_login(mut web: Web, WebForm(form): WebForm) -> Response {
    let input = LoginInput {
        entity_number: form.get("entity_number").trim().to_string(),
        username: form.get("username").to_string(),
        password: form.get("password").to_string(),
    };
    match web.state.services.login(&web.ctx, input).await {
        Ok(signed) => {
            // A new session id at sign-in (R14): whatever session this browser had ends.
            if let Some(old) = web.current_login().await {
                let _ = web.state.services.logout(&web.ctx, &Principal::Login(old)).await;
            }
            web.set_cookie(cookies::set(&web.state, cookies::SESSION, &signed.token, None));
            let to = form.opt("next").and_then(|n| local_path(&n).map(str::to_string));
            web.redirect(&to.unwrap_or_else(|| home_of(signed.kind).to_string()))
        }
        Err(e) => {
            let errors = match e {
                Error::Validation(_) => FormErrors::from_error(&e),
                _ => FormErrors::from_error(&e).beside("password"),
            };
            page(&mut web, FormErrors::status(&e), &form, &errors)
        }
    }
}

pub async fn post_logout(mut web: Web, WebForm(_): WebForm) -> Response {
    if let Some(c) = web.current_login().await {
        if let Err(e) = web.state.services.logout(&web.ctx, &Principal::Login(c)).await {
            tracing::warn!(error = %e, "sign-out did not end the session");
        }
    }
    web.set_cookie(cookies::clear(&web.state, cookies::SESSION));
    web.redirect("/login?signed_out=1")
}
