//! The counter's e-ID pages (R22, R23): an operator signs in, looks a login up, sees its
//! e-ID state, submits the app's scanned QR payload with the identity document checked,
//! and switches face recognition back on. Plain trilingual pages without script, the same
//! services as the API, CSRF on every form; the web platform will restyle them.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::access::{Operator, Principal};
use domain::applications::IdDocumentInput;
use domain::Error;

use crate::extract::ReqCtx;
use crate::oidc::authorize::{csrf_pair, form_is_ours, see_other, with_params};
use crate::oidc::cookies;
use crate::oidc::page::{self, esc, hidden, message, Lang};
use crate::router::AppState;

const SESSION: &str = "ea_counter";

#[rustfmt::skip]
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counter", get(get_sign_in).post(post_sign_in))
        .route("/counter/eid", get(get_eid))
        .route("/counter/eid/security-code", post(post_security_code))
        .route("/counter/eid/face-recognition", post(post_face_on))
        .route("/counter/sign-out", post(post_sign_out))
}

fn lang_of(params: &HashMap<String, String>) -> Lang {
    Lang::from_tag(params.get("lang").and_then(|l| domain::oidc::authorize::pick_locale(l)))
}

async fn operator(state: &AppState, headers: &HeaderMap) -> Option<Operator> {
    let token = cookies::read(state, headers, SESSION)?;
    match state.services.authenticate(&token).await {
        Ok(Principal::Operator(o)) => Some(o),
        _ => None,
    }
}

fn field(label: &str, name: &str, value: &str, error: Option<&str>, kind: &str) -> String {
    let err = error.map(|e| format!("<p class=\"error\" id=\"{name}-error\">{}</p>", esc(e))).unwrap_or_default();
    let aria = if error.is_some() {
        format!(" aria-invalid=\"true\" aria-describedby=\"{name}-error\"")
    } else {
        String::new()
    };
    format!(
        "<label for=\"{name}\">{}</label><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{aria}>{err}",
        esc(label),
        esc(value)
    )
}

fn with_csrf(mut res: Response, cookie: Option<axum::http::HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

async fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let (_, csrf, cookie) = csrf_pair(state, headers);
    let alert = error.map(|e| format!("<p role=\"alert\" class=\"error\">{}</p>", esc(e))).unwrap_or_default();
    let body = format!(
        "{alert}<form method=\"post\" action=\"/counter\">{}{}{}{}<button type=\"submit\">{}</button></form>",
        hidden("csrf", &csrf),
        hidden("lang", lang.html_lang()),
        field(message(lang, "username"), "username", "", None, "text"),
        field(message(lang, "password"), "password", "", None, "password"),
        esc(message(lang, "submit")),
    );
    with_csrf(page::render(lang, status, "counter_login_title", &body), cookie)
}

pub async fn get_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if operator(&state, &headers).await.is_some() {
        return see_other("/counter/eid");
    }
    sign_in_page(&state, &headers, lang_of(&q), None, StatusCode::OK).await
}

pub async fn post_sign_in(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&f);
    if !form_is_ours(&state, &headers, f.get("csrf").map(String::as_str).unwrap_or_default()) {
        return page::forbidden_page(lang);
    }
    let (user, pass) = (f.get("username").cloned().unwrap_or_default(), f.get("password").cloned().unwrap_or_default());
    match state.services.operator_login(&ctx, &user, &pass).await {
        Ok(token) => {
            let mut res = see_other("/counter/eid");
            res.headers_mut().append(header::SET_COOKIE, cookies::set(&state, SESSION, &token, None));
            res
        }
        Err(Error::TooManyAttempts { .. }) => {
            sign_in_page(
                &state,
                &headers,
                lang,
                Some(message(lang, "too_many_attempts")),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(_) => {
            let why = message(lang, "invalid_credentials");
            sign_in_page(&state, &headers, lang, Some(why), StatusCode::UNAUTHORIZED).await
        }
    }
}

/// The operator behind a posted form, when the form is ours: otherwise the answer to give
/// (to the sign-in page, or 403).
async fn signed_in_form(
    state: &AppState,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
    lang: Lang,
) -> Result<Operator, Response> {
    let Some(op) = operator(state, headers).await else { return Err(see_other("/counter")) };
    if !form_is_ours(state, headers, f.get("csrf").map(String::as_str).unwrap_or_default()) {
        return Err(page::forbidden_page(lang));
    }
    Ok(op)
}

/// Ends the operator's session (a shared counter computer must not stay signed in).
pub async fn post_sign_out(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !form_is_ours(&state, &headers, f.get("csrf").map(String::as_str).unwrap_or_default()) {
        return page::forbidden_page(lang_of(&f));
    }
    if let Some(token) = cookies::read(&state, &headers, SESSION) {
        if let Ok(p @ Principal::Operator(_)) = state.services.authenticate(&token).await {
            if let Err(e) = state.services.logout(&ctx, &p).await {
                tracing::error!(error = %e, "operator sign-out failed");
            }
        }
    }
    let mut res = see_other("/counter");
    res.headers_mut().append(header::SET_COOKIE, cookies::set(&state, SESSION, "", Some(0)));
    res
}

/// The lookup form, and for a found login its state and the two acts.
struct EidPage<'a> {
    lang: Lang,
    entity_number: &'a str,
    login_id: &'a str,
    notice: Option<&'a str>,
    /// (field, message) beside the binding form's fields.
    errors: Vec<(&'a str, &'a str)>,
    typed: (&'a str, &'a str, &'a str),
}

async fn eid_page(
    state: &AppState,
    headers: &HeaderMap,
    op: &Operator,
    p: EidPage<'_>,
    status: StatusCode,
) -> Response {
    let lang = p.lang;
    let (_, csrf, cookie) = csrf_pair(state, headers);
    let mut body = format!(
        "<form method=\"post\" action=\"/counter/sign-out\">{}{}<button type=\"submit\">{}</button></form>",
        hidden("csrf", &csrf),
        hidden("lang", lang.html_lang()),
        esc(message(lang, "sign_out"))
    );
    if let Some(n) = p.notice {
        body.push_str(&format!("<p role=\"status\">{}</p>", esc(n)));
    }
    body.push_str(&format!(
        "<form method=\"get\" action=\"/counter/eid\">{}{}{}<button type=\"submit\">{}</button></form>",
        hidden("lang", lang.html_lang()),
        field(message(lang, "entity_number"), "entity_number", p.entity_number, None, "text"),
        field(message(lang, "login_id"), "login_id", p.login_id, None, "text"),
        esc(message(lang, "find")),
    ));
    let mut status = status;
    if !p.entity_number.is_empty() && !p.login_id.is_empty() {
        match state.services.counter_eid(op, p.entity_number, p.login_id).await {
            Ok(s) => {
                let face = match (s.face_available, s.face_enabled) {
                    (false, _) => message(lang, "state_na"),
                    (true, true) => message(lang, "state_on"),
                    (true, false) => message(lang, "state_off"),
                };
                let code = match (s.code_available, s.code_bound) {
                    (false, _) => message(lang, "state_na"),
                    (true, true) => message(lang, "state_bound"),
                    (true, false) => message(lang, "state_unbound"),
                };
                body.push_str(&format!(
                    "<dl><dt>{}</dt><dd id=\"face-state\">{}</dd><dt>{}</dt><dd id=\"code-state\">{}</dd></dl>",
                    esc(message(lang, "eid_face")),
                    esc(face),
                    esc(message(lang, "eid_code")),
                    esc(code)
                ));
                let ids = format!(
                    "{}{}{}{}",
                    hidden("csrf", &csrf),
                    hidden("lang", lang.html_lang()),
                    hidden("entity_number", p.entity_number),
                    hidden("login_id", p.login_id)
                );
                if s.face_available && !s.face_enabled {
                    body.push_str(&format!(
                        "<form method=\"post\" action=\"/counter/eid/face-recognition\">{ids}<button type=\"submit\">{}</button></form>",
                        esc(message(lang, "face_on"))
                    ));
                }
                if s.code_available {
                    let err = |f: &str| p.errors.iter().find(|(n, _)| *n == f).map(|(_, m)| *m);
                    body.push_str(&format!(
                        "<form method=\"post\" action=\"/counter/eid/security-code\">{ids}\
                         <label for=\"payload\">{}</label><textarea id=\"payload\" name=\"payload\" rows=\"3\">{}</textarea>{}\
                         <label for=\"id_type\">{}</label><select id=\"id_type\" name=\"id_type\">\
                         <option value=\"passport\"{}>passport</option><option value=\"other\"{}>other</option></select>{}\
                         <button type=\"submit\">{}</button></form>",
                        esc(message(lang, "payload")),
                        esc(p.typed.0),
                        err("payload").map(|m| format!("<p class=\"error\" id=\"payload-error\">{}</p>", esc(m))).unwrap_or_default(),
                        esc(message(lang, "id_type")),
                        if p.typed.1 != "other" { " selected" } else { "" },
                        if p.typed.1 == "other" { " selected" } else { "" },
                        field(message(lang, "id_number"), "id_number", p.typed.2, err("id_document"), "text"),
                        esc(message(lang, "bind")),
                    ));
                }
            }
            Err(_) => {
                status = StatusCode::NOT_FOUND;
                body.push_str(&format!("<p role=\"alert\" class=\"error\">{}</p>", esc(message(lang, "not_found"))));
            }
        }
    }
    with_csrf(page::render(lang, status, "counter_title", &body), cookie)
}

pub async fn get_eid(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(op) = operator(&state, &headers).await else { return see_other("/counter") };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let notice = match get("done") {
        "bound" => Some(message(lang_of(&q), "done_bound")),
        "face_on" => Some(message(lang_of(&q), "done_face_on")),
        _ => None,
    };
    let p = EidPage {
        lang: lang_of(&q),
        entity_number: get("entity_number"),
        login_id: get("login_id"),
        notice,
        errors: vec![],
        typed: ("", "passport", ""),
    };
    eid_page(&state, &headers, &op, p, StatusCode::OK).await
}

fn back(f: &HashMap<String, String>, done: &str) -> Response {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    see_other(&with_params(
        "/counter/eid",
        &[
            ("entity_number", get("entity_number")),
            ("login_id", get("login_id")),
            ("done", done),
            ("lang", get("lang")),
        ],
    ))
}

pub async fn post_security_code(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&f);
    let op = match signed_in_form(&state, &headers, &f, lang).await {
        Ok(op) => op,
        Err(res) => return res,
    };
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let doc = IdDocumentInput { kind: get("id_type").to_string(), number: get("id_number").to_string() };
    let result =
        state.services.bind_security_code(&op, &ctx, get("entity_number"), get("login_id"), get("payload"), doc).await;
    let (status, errors): (StatusCode, Vec<(&str, &str)>) = match result {
        Ok(()) => return back(&f, "bound"),
        Err(Error::Validation(fields)) => {
            let errs = fields
                .iter()
                .map(|e| {
                    let at = if e.field.starts_with("id_document") { "id_document" } else { "payload" };
                    let key = if e.code == "id_document_mismatch" {
                        "id_document_mismatch"
                    } else if at == "payload" {
                        "invalid_payload"
                    } else {
                        "invalid"
                    };
                    (at, message(lang, key))
                })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, errs)
        }
        Err(Error::Conflict { code: "enrolment_invalid", .. }) => {
            (StatusCode::CONFLICT, vec![("payload", message(lang, "enrolment_invalid"))])
        }
        Err(Error::NotFound) => (StatusCode::NOT_FOUND, vec![("payload", message(lang, "not_found"))]),
        Err(Error::Conflict { code: "security_code_not_available", .. }) => {
            (StatusCode::CONFLICT, vec![("payload", message(lang, "security_code_not_available"))])
        }
        Err(e) => {
            tracing::error!(error = %e, "binding a security code failed");
            (StatusCode::CONFLICT, vec![("payload", message(lang, "invalid_payload"))])
        }
    };
    let p = EidPage {
        lang,
        entity_number: get("entity_number"),
        login_id: get("login_id"),
        notice: None,
        errors,
        typed: (get("payload"), get("id_type"), get("id_number")),
    };
    eid_page(&state, &headers, &op, p, status).await
}

pub async fn post_face_on(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&f);
    let op = match signed_in_form(&state, &headers, &f, lang).await {
        Ok(op) => op,
        Err(res) => return res,
    };
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    match state.services.counter_face_on(&op, &ctx, get("entity_number"), get("login_id")).await {
        Ok(()) => back(&f, "face_on"),
        Err(_) => (StatusCode::CONFLICT, page::bad_request_page(lang, message(lang, "not_found"))).into_response(),
    }
}
