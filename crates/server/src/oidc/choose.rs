//! `POST /oidc/act`: the person's answer to the chooser (R35), "for whom are you acting?",
//! then the authorization answer as if the request had named that entity in `acting_for`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use domain::numbers::EntityNumber;

use super::authorize::{finish, session_caller};
use super::page;
use crate::extract::ReqCtx;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::redirect::see_other;

#[derive(serde::Deserialize)]
pub struct ActBody {
    #[serde(default)]
    authorize: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    acting_for: String,
}

pub async fn post_act(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<ActBody>,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(f.authorize.as_bytes()).into_owned().collect();
    let Ok(mut req) = state.services.parse_authorize(&pairs).await else {
        return page::bad_request_page(page::lang_for(&state, &headers, None), "the authorization request is invalid");
    };
    let lang = page::lang_of(&state, &headers, &f.authorize, req.locale);
    if !csrf::is_ours(&state, &headers, &f.csrf) {
        return page::forbidden_page(lang);
    }
    let Ok(chosen) = EntityNumber::parse("acting_for", f.acting_for.trim()) else {
        return page::bad_request_page(lang, "acting_for must be an entity number");
    };
    // Signed out meanwhile: back to the sign-in, which asks again.
    let caller = match session_caller(&state, &headers).await {
        Some(c) if state.services.may_choose(&req, &c) => c,
        _ => return see_other(&format!("/oidc/authorize?{}", f.authorize)),
    };
    // The choice is checked as any `acting_for` is: only an entity the login may act for.
    req.acting_for = Some(chosen);
    finish(&state, &ctx, &headers, &caller, &req, &f.authorize).await
}
