//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): with a valid
//! `id_token_hint` the session ends at once; without one the person confirms. Either way
//! the e-services of that session get back-channel logout tokens, and the browser goes
//! back only to a `post_logout_redirect_uri` registered byte for byte.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Form;
use domain::access::Principal;
use domain::oidc::authorize::pick_locale;

use super::authorize::with_params;
use super::cookies::{self, SSO};
use super::jose;
use super::page::{self, Lang};
use crate::extract::ReqCtx;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::redirect::see_other;

/// Where to send the browser afterwards, if anywhere; an unregistered URI is an error.
async fn return_to(
    state: &AppState,
    params: &HashMap<String, String>,
    hint_aud: Option<String>,
) -> Result<Option<String>, String> {
    let Some(uri) = params.get("post_logout_redirect_uri").filter(|u| !u.is_empty()) else { return Ok(None) };
    let client_id = params.get("client_id").cloned().or(hint_aud).ok_or("client_id or id_token_hint is required")?;
    let client = state.services.find_client(&client_id).await.ok().flatten().ok_or("unknown client_id")?;
    if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
        return Err("post_logout_redirect_uri is not registered for this client".into());
    }
    let mut out = uri.clone();
    if let Some(s) = params.get("state").filter(|s| !s.is_empty()) {
        out = with_params(&out, &[("state", s)]);
    }
    Ok(Some(out))
}

async fn end_session(state: &AppState, ctx: &domain::services::Ctx, headers: &HeaderMap) {
    if let Some(token) = cookies::read(state, headers, SSO) {
        if let Ok(p @ Principal::Login(_)) = state.services.authenticate(&token).await {
            if let Err(e) = state.services.logout(ctx, &p).await {
                tracing::error!(error = %e, "ending a session failed");
            }
        }
    }
}

fn done(state: &AppState, lang: Lang, to: Option<String>) -> Response {
    let mut res = match to {
        Some(uri) => see_other(&uri),
        None => page::logged_out_page(lang),
    };
    res.headers_mut().append(header::SET_COOKIE, cookies::set(state, SSO, "", Some(0)));
    res
}

pub async fn get_logout(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let lang = page::lang_for(&state, &headers, params.get("ui_locales").and_then(|l| pick_locale(l)));
    // A hint that does not verify (say, signed by a key long retired) is only ignored: the
    // person is asked instead.
    let hint = match params.get("id_token_hint").filter(|h| !h.is_empty()) {
        None => None,
        Some(h) => {
            let keys = state.services.published_keys().await.unwrap_or_default();
            jose::verify_hint(h, &state.issuer, &keys)
        }
    };
    let aud = hint.as_ref().and_then(|c| c.get("aud")).and_then(|a| a.as_str()).map(str::to_string);
    if let (Some(a), Some(c)) = (&aud, params.get("client_id")) {
        if a != c {
            return page::bad_request_page(lang, "client_id differs from the id_token_hint's audience");
        }
    }
    let to = match return_to(&state, &params, aud).await {
        Ok(t) => t,
        Err(why) => return page::bad_request_page(lang, &why),
    };
    // Without asking, only the session the hint was issued in: anyone's ID token must not
    // sign someone else out.
    let hint_sid = hint.as_ref().and_then(|c| c.get("sid")).and_then(|s| s.as_str());
    let session_sid =
        cookies::read(&state, &headers, SSO).map(|t| domain::crypto::sid_of(&domain::crypto::token_hash(&t)));
    match (hint_sid, &session_sid) {
        (Some(h), Some(s)) if h == s => {
            end_session(&state, &ctx, &headers).await;
            return done(&state, lang, to);
        }
        // No session to end: nothing to ask.
        (Some(_), None) => return done(&state, lang, to),
        _ => {}
    }
    let (form_csrf, set_cookie) = csrf::pair(&state, &headers);
    let carry: Vec<(&str, &str)> = ["post_logout_redirect_uri", "client_id", "state", "ui_locales"]
        .into_iter()
        .filter_map(|k| params.get(k).map(|v| (k, v.as_str())))
        .collect();
    let mut res = page::logout_confirm_page(lang, &form_csrf, &carry, to.as_deref());
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub async fn post_logout(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let lang = page::lang_for(&state, &headers, params.get("ui_locales").and_then(|l| pick_locale(l)));
    if !csrf::is_ours(&state, &headers, params.get("csrf").map(String::as_str).unwrap_or_default()) {
        return page::forbidden_page(lang);
    }
    let to = match return_to(&state, &params, None).await {
        Ok(t) => t,
        Err(why) => return page::bad_request_page(lang, &why),
    };
    end_session(&state, &ctx, &headers).await;
    done(&state, lang, to)
}
