//! The counter's sign-in and sign-out: operator username and password, a new session every
//! time (the browser's previous counter session ends), the `ea_counter` cookie.

use axum::http::StatusCode;
use axum::response::Response;
use domain::access::{Operator, Principal};
use domain::Error;
use minijinja::context;

use crate::web::cookies;
use crate::web::form::{FormErrors, FormValues};
use crate::web::local_path;
use crate::web::page::Web;
use crate::web::posted::WebForm;
use crate::web::query::{next_of, query_is};

/// Where an operator lands after signing in.
const HOME: &str = "/counter/applications";

/// The signed-in operator of this browser, if any, without redirecting. (`Web::operator`
/// answers with the sign-in redirect and takes the page's cookies with it, so it cannot be
/// used here; a non-redirecting `Web::current_operator` would belong in `page.rs`.)
async fn current_operator(web: &mut Web) -> Option<Operator> {
    let token = cookies::read(&web.state, &web.headers, cookies::COUNTER)?;
    match web.state.services.authenticate(&token).await {
        Ok(Principal::Operator(o)) => Some(o),
        _ => None,
    }
}

fn page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let next = match form.opt("next") {
        Some(n) => local_path(&n).unwrap_or_default().to_string(),
        None => next_of(web),
    };
    let signed_out = query_is(web, "signed_out", "1");
    web.render_form("counter/login.html", status, context! { next, signed_out }, form, errors)
}

pub async fn get_root(mut web: Web) -> Response {
    match current_operator(&mut web).await {
        Some(_) => web.redirect(HOME),
        None => web.redirect("/counter/login"),
    }
}

pub async fn get_login(mut web: Web) -> Response {
    if current_operator(&mut web).await.is_some() {
        let to = Some(next_of(&web)).filter(|n| !n.is_empty()).unwrap_or_else(|| HOME.to_string());
        return web.redirect(&to);
    }
    page(&mut web, StatusCode::OK, &FormValues::default(), &FormErrors::default())
}

pub async fn post_login(mut web: Web, WebForm(form): WebForm) -> Response {
    let ctx = web.ctx.clone();
    match web.state.services.operator_login(&ctx, form.get("username"), form.get("password")).await {
        Ok(token) => {
            // A new session at sign-in: whatever counter session this browser had ends.
            if let Some(old) = current_operator(&mut web).await {
                let _ = web.state.services.logout(&ctx, &Principal::Operator(old)).await;
            }
            web.set_cookie(cookies::set(&web.state, cookies::COUNTER, &token, None));
            let to = form.opt("next").and_then(|n| local_path(&n).map(str::to_string));
            web.redirect(&to.unwrap_or_else(|| HOME.to_string()))
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

/// Ends the operator's session: a shared counter computer must not stay signed in.
pub async fn post_sign_out(mut web: Web, WebForm(_): WebForm) -> Response {
    if let Some(op) = current_operator(&mut web).await {
        let ctx = web.ctx.clone();
        if let Err(e) = web.state.services.logout(&ctx, &Principal::Operator(op)).await {
            tracing::warn!(error = %e, "operator sign-out did not end the session");
        }
    }
    web.set_cookie(cookies::clear(&web.state, cookies::COUNTER));
    web.redirect("/counter/login?signed_out=1")
}
