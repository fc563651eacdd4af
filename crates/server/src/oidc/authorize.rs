//! `GET /oidc/authorize` and the sign-in form it shows (`POST /oidc/login`).

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use domain::access::{Caller, Principal};
use domain::oidc::authorize::{AuthorizeError, AuthorizeRequest, Outcome, Prompt};
use domain::sessions::LoginInput;
use domain::Code;
use domain::Error;

use super::cookies::{self, SSO};
use super::page::{self, Lang, LoginForm};
use crate::extract::ReqCtx;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::form::FormErrors;
use crate::web::redirect::see_other;

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// `uri` with the parameters added to its query (it may already have one).
pub fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", s.finish())
}

fn error_redirect(state: &AppState, uri: &str, st: Option<&str>, error: &str, description: &str) -> Response {
    let mut params = vec![("error", error), ("error_description", description), ("iss", state.issuer.as_ref())];
    if let Some(s) = st {
        params.push(("state", s));
    }
    see_other(&with_params(uri, &params))
}

fn refused(state: &AppState, e: AuthorizeError, lang: Lang) -> Response {
    match e {
        AuthorizeError::NoRedirect(why) => page::bad_request_page(lang, &why),
        AuthorizeError::Redirect { redirect_uri, state: st, error, description } => {
            error_redirect(state, &redirect_uri, st.as_deref(), error, &description)
        }
    }
}

/// The login behind the browser's single sign-on cookie, if it is still good.
pub async fn session_caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    let token = cookies::read(state, headers, SSO)?;
    match state.services.authenticate(&token).await {
        Ok(Principal::Login(c)) => Some(c),
        _ => None,
    }
}

async fn eservice_name(state: &AppState, client_id: &str, lang: Lang) -> String {
    let found = state.services.find_eservice(client_id).await.ok().flatten();
    found
        .map(|e| match lang {
            Lang::Zh => e.name_zh,
            Lang::Pt => e.name_pt,
            Lang::En => e.name_en,
        })
        .unwrap_or_else(|| client_id.to_string())
}

async fn show_login(
    state: &AppState,
    headers: &HeaderMap,
    raw: &str,
    req: &AuthorizeRequest,
    typed: (&str, &str),
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let lang = page::lang_of(state, headers, raw, req.locale);
    let (form_csrf, set_cookie) = csrf::pair(state, headers);
    let name = eservice_name(state, &req.client.client_id, lang).await;
    let form = LoginForm {
        lang,
        redirect_uri: &req.redirect_uri,
        eservice_name: &name,
        authorize: raw,
        csrf: &form_csrf,
        entity_number: typed.0,
        username: typed.1,
        errors,
    };
    let mut res = page::login_page(form, status);
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The second-factor page for a request, with its CSRF cookie when the browser has none.
pub async fn show_step_up(
    state: &AppState,
    headers: &HeaderMap,
    raw: &str,
    req: &AuthorizeRequest,
    eid: &domain::model::eid::EidState,
    error: Option<(&str, domain::Code)>,
    status: StatusCode,
) -> Response {
    let (form_csrf, set_cookie) = csrf::pair(state, headers);
    let form = page::StepUpForm {
        lang: page::lang_of(state, headers, raw, req.locale),
        redirect_uri: &req.redirect_uri,
        authorize: raw,
        csrf: &form_csrf,
        code: eid.code_bound,
        face: eid.face_enabled && state.face.is_some(),
        error,
    };
    let mut res = page::step_up_page(form, status);
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// A signed-in person's request, answered: the code, the second-factor step, or why not.
pub async fn finish(
    state: &AppState,
    ctx: &domain::services::Ctx,
    headers: &HeaderMap,
    caller: &Caller,
    req: &AuthorizeRequest,
    raw: &str,
) -> Response {
    let lang = page::lang_of(state, headers, raw, req.locale);
    let st = req.state.as_deref();
    match state.services.authorize(ctx, caller, req).await {
        Ok(Outcome::Code(code)) => {
            let mut params = vec![("code", code.as_str()), ("iss", state.issuer.as_ref())];
            if let Some(s) = st {
                params.push(("state", s));
            }
            see_other(&with_params(&req.redirect_uri, &params))
        }
        // `prompt=none` promises no page at all: the e-service hears the refusal directly.
        Ok(Outcome::Denied(d)) if req.prompt == Prompt::None => {
            error_redirect(state, &req.redirect_uri, st, "access_denied", d.description())
        }
        Ok(Outcome::Denied(d)) => {
            let mut params = vec![
                ("error", "access_denied"),
                ("error_description", d.description()),
                ("iss", state.issuer.as_ref()),
            ];
            if let Some(s) = st {
                params.push(("state", s));
            }
            page::denied_page(lang, d, &with_params(&req.redirect_uri, &params), raw)
        }
        Ok(Outcome::NeedsStepUp(_)) if req.prompt == Prompt::None => error_redirect(
            state,
            &req.redirect_uri,
            st,
            "interaction_required",
            "this e-service needs a second factor, which needs the person",
        ),
        // Face alone, and no verification service configured: no factor can be used here.
        Ok(Outcome::NeedsStepUp(eid)) if !eid.code_bound && state.face.is_none() => error_redirect(
            state,
            &req.redirect_uri,
            st,
            "unmet_authentication_requirements",
            "no second factor of this login can be used on this server",
        ),
        Ok(Outcome::NeedsStepUp(eid)) => show_step_up(state, headers, raw, req, &eid, None, StatusCode::OK).await,
        // `prompt=none` cannot ask; OpenID Connect Core §3.1.2.6 names this case.
        Ok(Outcome::Choose(_)) if req.prompt == Prompt::None => error_redirect(
            state,
            &req.redirect_uri,
            st,
            "account_selection_required",
            "the login may act for more than one entity here; name one in acting_for",
        ),
        Ok(Outcome::Choose(choices)) => {
            let (form_csrf, set_cookie) = csrf::pair(state, headers);
            let name = eservice_name(state, &req.client.client_id, lang).await;
            let form = page::ChooseForm {
                lang,
                redirect_uri: &req.redirect_uri,
                authorize: raw,
                csrf: &form_csrf,
                eservice_name: &name,
                choices: &choices,
            };
            let mut res = page::choose_page(form);
            if let Some(c) = set_cookie {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Ok(Outcome::NeedsAdvanced) => error_redirect(
            state,
            &req.redirect_uri,
            st,
            "unmet_authentication_requirements",
            "this e-service needs a second factor (face recognition or a security code), and the login has none",
        ),
        Err(e) => {
            tracing::error!(error = %e, "authorization failed");
            error_redirect(state, &req.redirect_uri, st, "server_error", "the service failed; try again")
        }
    }
}

pub async fn get_authorize(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    authorize(&state, &ctx, &headers, query.unwrap_or_default()).await
}

/// OpenID Connect Core §3.1.2.1: the endpoint takes POST too, the parameters form-encoded.
pub async fn post_authorize(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match String::from_utf8(body.to_vec()) {
        Ok(raw) => authorize(&state, &ctx, &headers, raw).await,
        Err(_) => page::bad_request_page(page::lang_for(&state, &headers, None), "the request is not UTF-8"),
    }
}

async fn authorize(state: &AppState, ctx: &domain::services::Ctx, headers: &HeaderMap, raw: String) -> Response {
    let req = match state.services.parse_authorize(&pairs(&raw)).await {
        Ok(r) => r,
        Err(e) => return refused(state, e, page::lang_of(state, headers, &raw, None)),
    };
    match session_caller(state, headers).await {
        Some(c) if state.services.session_suffices(&req, &c) => finish(state, ctx, headers, &c, &req, &raw).await,
        _ if req.prompt == Prompt::None => error_redirect(
            state,
            &req.redirect_uri,
            req.state.as_deref(),
            "login_required",
            "the person is not signed in",
        ),
        _ => show_login(state, headers, &raw, &req, ("", ""), FormErrors::default(), StatusCode::OK).await,
    }
}

#[derive(serde::Deserialize)]
pub struct LoginFormBody {
    #[serde(default)]
    authorize: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    entity_number: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn post_login(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    Form(f): Form<LoginFormBody>,
) -> Response {
    let req = match state.services.parse_authorize(&pairs(&f.authorize)).await {
        Ok(r) => r,
        Err(e) => return refused(&state, e, page::lang_for(&state, &headers, None)),
    };
    let lang = page::lang_of(&state, &headers, &f.authorize, req.locale);
    if !csrf::is_ours(&state, &headers, &f.csrf) {
        return page::forbidden_page(lang);
    }
    let typed = (f.entity_number.as_str(), f.username.as_str());
    let input =
        LoginInput { entity_number: f.entity_number.clone(), username: f.username.clone(), password: f.password };
    let signed = match state.services.login(&ctx, input).await {
        Ok(s) => s,
        Err(e) => {
            let (status, errors) = login_errors(e);
            return show_login(&state, &headers, &f.authorize, &req, typed, errors, status).await;
        }
    };
    let caller = match state.services.authenticate(&signed.token).await {
        Ok(Principal::Login(c)) => c,
        _ => return page::forbidden_page(lang),
    };
    // A new session id at sign-in (R14): the browser's previous session ends.
    if let Some(old) = session_caller(&state, &headers).await {
        if let Err(e) = state.services.logout(&ctx, &Principal::Login(old)).await {
            tracing::warn!(error = %e, "the previous session did not end");
        }
    }
    let mut res = finish(&state, &ctx, &headers, &caller, &req, &f.authorize).await;
    res.headers_mut().append(header::SET_COOKIE, cookies::set(&state, SSO, &signed.token, None));
    res
}

/// A failed sign-in, as the form shows it: the cause beside the field it concerns.
fn login_errors(e: Error) -> (StatusCode, FormErrors) {
    match e {
        Error::Validation(_) => (StatusCode::BAD_REQUEST, FormErrors::from_error(&e)),
        Error::InvalidCredentials | Error::TooManyAttempts { .. } | Error::PasswordLocked | Error::Busy { .. } => {
            (FormErrors::status(&e), FormErrors::from_error(&e).beside("password"))
        }
        other => {
            tracing::error!(error = %other, "sign-in failed");
            let mut errors = FormErrors::default();
            errors.general(Code::Internal);
            (StatusCode::SERVICE_UNAVAILABLE, errors)
        }
    }
}
