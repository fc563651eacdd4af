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

/// A `multipart/form-data` post with one file (R32's staff file) that only audience `P` may
/// make: the page, the form's other values, and the file's bytes (empty when none was chosen).
pub struct Upload<P>(pub P, pub FormValues, pub axum::body::Bytes);

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

/// The fields of a multipart body, and its one file, once its CSRF token and origin are
/// known to be ours.
async fn read_upload(
    parts: &mut Parts,
    body: Body,
    state: &AppState,
) -> Result<(FormValues, axum::body::Bytes), Response> {
    let mut web = Web::of(parts, state).await;
    // The route's `DefaultBodyLimit` (`state::IMPORT_BODY_LIMIT`) bounds what is read.
    let req = Request::from_parts(parts.clone(), body);
    let bad = |web: &mut Web| web.render("bad_request.html", StatusCode::BAD_REQUEST, minijinja::context! {});
    let Ok(mut multipart) = axum::extract::Multipart::from_request(req, state).await else {
        return Err(bad(&mut web));
    };
    let mut values = FormValues::default();
    let mut file = axum::body::Bytes::new();
    loop {
        match multipart.next_field().await {
            Ok(None) => break,
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let is_file = field.file_name().is_some();
                let Ok(bytes) = field.bytes().await else {
                    return Err(web.render("bad_request.html", StatusCode::PAYLOAD_TOO_LARGE, minijinja::context! {}));
                };
                if is_file {
                    file = bytes;
                } else {
                    values.0.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(web.render("bad_request.html", StatusCode::PAYLOAD_TOO_LARGE, minijinja::context! {}))
            }
            Err(_) => return Err(bad(&mut web)),
        }
    }
    if !super::csrf::is_ours(state, &parts.headers, values.get("csrf")) {
        return Err(web.forbidden());
    }
    Ok((values, file))
}

impl<P> FromRequest<AppState> for Upload<P>
where
    P: FromRequestParts<AppState, Rejection = Response>,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let (values, file) = read_upload(&mut parts, body, state).await?;
        let page = P::from_request_parts(&mut parts, state).await?;
        Ok(Upload(page, values, file))
    }
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
