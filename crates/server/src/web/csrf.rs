//! Cross-site request forgery defence for every form (R14): a random secret in an
//! HttpOnly cookie, and in each form its keyed hash; a post is accepted only when the two
//! pair and, where the browser says where the post comes from, it comes from our origin.

use axum::http::{header, HeaderMap, HeaderValue};

use super::cookies;
use crate::state::AppState;

/// The form value for this browser, and the cookie to set when it has none yet.
pub fn pair(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookies::read(state, headers, cookies::CSRF) {
        Some(c) => (state.services.vault.csrf_token(&c), None),
        None => {
            let c = domain::crypto::random_token();
            let form = state.services.vault.csrf_token(&c);
            (form, Some(cookies::set(state, cookies::CSRF, &c, None)))
        }
    }
}

/// Whether a posted form is ours: the browser's origin headers (when sent) name us, and
/// the form's token pairs with the cookie.
pub fn is_ours(state: &AppState, headers: &HeaderMap, form_csrf: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin != state.issuer_origin() {
            return false;
        }
    }
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return false;
    }
    match cookies::read(state, headers, cookies::CSRF) {
        Some(c) => domain::crypto::constant_time_eq(&state.services.vault.csrf_token(&c), form_csrf),
        None => false,
    }
}
