//! The provider's pages (sign-in, second factor, refusals, sign-out) on the platform's
//! templates and catalogues (`templates/oidc/`, `locales/*/oidc.ftl`).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::oidc::permission::Denial;
use minijinja::{context, Value};

use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::labels::error_key;
use crate::web::{cookies, view};

pub use crate::web::i18n::Lang;

/// The language of a provider page: the e-service's `ui_locales`, else the browser's
/// remembered choice or `Accept-Language`, else Chinese.
pub fn lang_for(state: &AppState, headers: &HeaderMap, ui_locale: Option<&str>) -> Lang {
    if let Some(l) = ui_locale.and_then(Lang::parse) {
        return l;
    }
    let remembered = cookies::read(state, headers, cookies::LANG);
    let accepted = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    remembered
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| accepted.and_then(Lang::from_accept_language))
        .unwrap_or(Lang::Zh)
}

/// The language of a page of the sign-in flow: the person's choice on the page (`lang`,
/// kept in the authorization request's query), else as `lang_for`.
pub fn lang_of(state: &AppState, headers: &HeaderMap, raw: &str, ui_locale: Option<&str>) -> Lang {
    let chosen = form_urlencoded::parse(raw.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v));
    chosen.unwrap_or_else(|| lang_for(state, headers, ui_locale))
}

/// The language links of a sign-in flow page: the authorization request again, in each
/// language (a page answering a post reloads the request, not the post).
fn switcher(raw: &str, lang: Lang) -> Vec<Value> {
    let kept: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    Lang::ALL
        .iter()
        .map(|l| {
            let q = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept.iter())
                .append_pair("lang", l.html_lang())
                .finish();
            context! {
                tag => l.html_lang(),
                name => l.autonym(),
                href => format!("/oidc/authorize?{q}"),
                current => *l == lang,
            }
        })
        .collect()
}

/// `scheme://authority` of an absolute URI, for a CSP source list.
pub fn origin_of(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let ok = !authority.is_empty() && authority.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("{scheme}://{authority}"))
}

fn page(lang: Lang, template: &str, status: StatusCode, values: Value, targets: &[String]) -> Response {
    let ctx = context! { lang => lang.html_lang(), ..values };
    view::html(template, ctx, status, targets)
}

pub struct LoginForm<'a> {
    pub lang: Lang,
    /// Where the form's answer redirects (the e-service's redirect URI).
    pub redirect_uri: &'a str,
    pub eservice_name: &'a str,
    pub authorize: &'a str,
    pub csrf: &'a str,
    pub entity_number: &'a str,
    pub username: &'a str,
    pub errors: FormErrors,
}

pub fn login_page(f: LoginForm<'_>, status: StatusCode) -> Response {
    let values = context! {
        eservice_name => f.eservice_name,
        authorize => f.authorize,
        csrf => f.csrf,
        form => context! { entity_number => f.entity_number, username => f.username },
        errors => f.errors,
        languages => switcher(f.authorize, f.lang),
    };
    let targets: Vec<String> = origin_of(f.redirect_uri).into_iter().collect();
    page(f.lang, "oidc/login.html", status, values, &targets)
}

/// The second-factor step (R21): a form per factor the login has.
pub struct StepUpForm<'a> {
    pub lang: Lang,
    pub redirect_uri: &'a str,
    pub authorize: &'a str,
    pub csrf: &'a str,
    pub code: bool,
    pub face: bool,
    /// (field, error code) of a failed try.
    pub error: Option<(&'a str, domain::Code)>,
}

pub fn step_up_page(f: StepUpForm<'_>, status: StatusCode) -> Response {
    let mut errors = FormErrors::default();
    if let Some((field, code)) = f.error {
        // A refused code or face is one message: which of the two failed is not said.
        let key = if code == domain::Code::InvalidCode { "oidc-step-up-failed" } else { error_key(code).as_str() };
        errors.fields.insert(field.to_string(), key.to_string());
    }
    let values = context! {
        authorize => f.authorize,
        csrf => f.csrf,
        code => f.code,
        face => f.face,
        errors => errors,
        languages => switcher(f.authorize, f.lang),
    };
    let targets: Vec<String> = origin_of(f.redirect_uri).into_iter().collect();
    page(f.lang, "oidc/step_up.html", status, values, &targets)
}

/// R35's chooser: for whom the login acts at the e-service.
pub struct ChooseForm<'a> {
    pub lang: Lang,
    pub redirect_uri: &'a str,
    pub authorize: &'a str,
    pub csrf: &'a str,
    pub eservice_name: &'a str,
    pub choices: &'a [domain::oidc::authorize::Choice],
}

pub fn choose_page(f: ChooseForm<'_>) -> Response {
    let choices: Vec<Value> = f
        .choices
        .iter()
        .map(|c| {
            let names = &c.entity_names;
            let name = match f.lang {
                Lang::Zh => names.zh.as_deref(),
                Lang::Pt => names.pt.as_deref(),
                Lang::En => names.en.as_deref(),
            }
            .unwrap_or_else(|| names.display());
            context! { entity_number => c.entity_number, name => name, own => c.own }
        })
        .collect();
    let values = context! {
        authorize => f.authorize,
        csrf => f.csrf,
        eservice_name => f.eservice_name,
        choices => choices,
        languages => switcher(f.authorize, f.lang),
    };
    let targets: Vec<String> = origin_of(f.redirect_uri).into_iter().collect();
    page(f.lang, "oidc/choose.html", StatusCode::OK, values, &targets)
}

/// Why an e-service cannot be used, as a message key.
fn denied_key(denial: Denial) -> &'static str {
    match denial {
        Denial::NotAssigned => "oidc-denied-not-assigned",
        Denial::NotYetValid => "oidc-denied-not-started",
        Denial::Ended => "oidc-denied-ended",
        Denial::AwaitingApproval => "oidc-denied-awaiting-approval",
        Denial::Suspended => "oidc-denied-suspended",
        Denial::EntityNotRegistered => "oidc-denied-entity-not-registered",
        Denial::EntityAccount => "oidc-denied-entity-account",
        Denial::LoginNotActive => "oidc-denied-login-not-active",
        Denial::UnknownEService => "oidc-denied-unknown-eservice",
        Denial::NoIntermediaries => "oidc-denied-no-intermediaries",
        Denial::NotMandated => "oidc-denied-not-mandated",
        Denial::MandateEnded => "oidc-denied-mandate-ended",
        Denial::NotActingUnderMandate => "oidc-denied-not-acting-under-mandate",
    }
}

pub fn denied_page(lang: Lang, denial: Denial, return_url: &str, authorize: &str) -> Response {
    let values = context! {
        reason => denied_key(denial),
        return_url => return_url,
        languages => switcher(authorize, lang),
    };
    page(lang, "oidc/denied.html", StatusCode::FORBIDDEN, values, &[])
}

pub fn bad_request_page(lang: Lang, detail: &str) -> Response {
    page(lang, "bad_request.html", StatusCode::BAD_REQUEST, context! { detail => detail }, &[])
}

pub fn forbidden_page(lang: Lang) -> Response {
    page(lang, "forbidden.html", StatusCode::FORBIDDEN, context! {}, &[])
}

pub fn logout_confirm_page(lang: Lang, csrf: &str, carry: &[(&str, &str)], return_to: Option<&str>) -> Response {
    let carry: Vec<(String, String)> = carry.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let targets: Vec<String> = return_to.and_then(origin_of).into_iter().collect();
    page(lang, "oidc/logout.html", StatusCode::OK, context! { csrf => csrf, carry => carry }, &targets)
}

pub fn logged_out_page(lang: Lang) -> Response {
    page(lang, "oidc/logged_out.html", StatusCode::OK, context! {}, &[])
}
