//! A posted form from one of our pages: `WebForm` reads the urlencoded body and refuses it
//! (403, nothing changed) unless its CSRF token and origin are ours; `Post<P>` does the same
//! first, and then asks for the audience `P` (`audience.rs`), so a forged post is refused
//! before anyone's session is looked at.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

use super::form::FormValues;
use super::page::Web;
use crate::state::AppState;

/// A form post from one of our pages, checked against CSRF and cross-origin posting.
pub struct WebForm(pub FormValues);

/// A form post that only audience `P` may make: the audience's page and the form's values.
pub struct Post<P>(pub P, pub FormValues);

/// The body's fields, once its CSRF token and origin are known to be ours.
async fn read_form(parts: &mut Parts, body: Body, state: &AppState) -> Result<FormValues, Response> {
    let mut web = Web::of(parts, state).await;
    let bytes = match axum::body::to_bytes(body, crate::state::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return Err(web.render("bad_request.html", StatusCode::PAYLOAD_TOO_LARGE, minijinja::context! {})),
    };
    let values = FormValues::parse(&bytes);
    if !super::csrf::is_ours(state, &parts.headers, values.get("csrf")) {
        return Err(web.forbidden());
    }
    Ok(values)
}

impl FromRequest<AppState> for WebForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        Ok(WebForm(read_form(&mut parts, body, state).await?))
    }
}

impl<P> FromRequest<AppState> for Post<P>
where
    P: FromRequestParts<AppState, Rejection = Response>,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let values = read_form(&mut parts, body, state).await?;
        let page = P::from_request_parts(&mut parts, state).await?;
        Ok(Post(page, values))
    }
}
