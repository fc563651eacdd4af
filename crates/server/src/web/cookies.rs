//! The browser's cookies: the sign-in session (shared with the OpenID Connect provider, so
//! one sign-in serves the platform and the e-services), the counter's session, the CSRF
//! secret and the language. Behind `https` they are `__Host-` cookies (Secure, Path=/, no
//! Domain); on a plain-HTTP development URL the prefix and `Secure` are dropped, or
//! browsers would refuse them.

use axum::http::{header, HeaderMap, HeaderValue};

use super::i18n::Lang;
use crate::state::AppState;

pub const SESSION: &str = "ea_sso";
pub const COUNTER: &str = "ea_counter";
pub const CSRF: &str = "ea_csrf";
pub const LANG: &str = "ea_lang";

fn name(state: &AppState, base: &str) -> String {
    if state.secure_cookies() {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

pub fn read(state: &AppState, headers: &HeaderMap, base: &str) -> Option<String> {
    let wanted = name(state, base);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == wanted)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value; `max_age` 0 deletes. Session cookies carry no Max-Age: the
/// server's session timeouts decide.
pub fn set(state: &AppState, base: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.secure_cookies() { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    let v = format!("{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}", name(state, base));
    HeaderValue::from_str(&v).expect("cookie values are base64url")
}

/// The language choice, kept a year.
pub fn set_lang(state: &AppState, lang: Lang) -> HeaderValue {
    set(state, LANG, lang.html_lang(), Some(365 * 24 * 3600))
}

pub fn clear(state: &AppState, base: &str) -> HeaderValue {
    set(state, base, "", Some(0))
}
