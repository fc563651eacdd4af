//! `Web`, what every page handler starts from: the language (and whether to remember it),
//! the CSRF pair, the request's source, and the signed-in person, looked up on demand.
//! `Web::render` turns a template and its values into the answer, with the cookies it needs.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use domain::access::{Caller, Operator, Principal};
use domain::model::LoginKind;
use domain::services::Ctx;
use minijinja::{context, Value};
use serde::Serialize;

use super::cookies;
use super::form::{FormErrors, FormValues};
use super::i18n::Lang;
use super::nav::{self, Who};
use crate::extract::ReqCtx;
use crate::state::AppState;

pub struct Web {
    pub state: AppState,
    pub lang: Lang,
    /// `?lang=` chose the language: remember it in a cookie.
    remember_lang: bool,
    pub ctx: Ctx,
    pub headers: HeaderMap,
    /// Path and query of this page without `lang`, for the switcher and `next=`.
    pub path: String,
    /// The page a language link reloads: this path, unless it only takes posts.
    page_path: Option<String>,
    is_get: bool,
    csrf_form: String,
    csrf_cookie: Option<HeaderValue>,
    /// Who the page is for, once a guard looked them up: it decides the navigation.
    pub who: Who,
    set_cookies: Vec<HeaderValue>,
}

fn query_lang(parts: &Parts) -> Option<Lang> {
    let q = parts.uri.query()?;
    form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
}

fn path_without_lang(parts: &Parts) -> String {
    let path = parts.uri.path().to_string();
    let Some(q) = parts.uri.query() else { return path };
    let kept: Vec<(String, String)> =
        form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k != "lang").map(|(k, v)| (k.into(), v.into())).collect();
    if kept.is_empty() {
        path
    } else {
        let q = form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
        format!("{path}?{q}")
    }
}

/// The page language: `?lang=`, the remembered choice, the browser's, Chinese.
pub fn negotiate(state: &AppState, parts: &Parts) -> (Lang, bool) {
    if let Some(l) = query_lang(parts) {
        return (l, true);
    }
    let remembered = cookies::read(state, &parts.headers, cookies::LANG).and_then(|v| Lang::parse(&v));
    if let Some(l) = remembered {
        return (l, false);
    }
    let accepted = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    (accepted.and_then(Lang::from_accept_language).unwrap_or(Lang::Zh), false)
}

impl Web {
    /// The page of a request, for extractors that build on it (it cannot be refused).
    pub async fn of(parts: &mut Parts, state: &AppState) -> Web {
        match Web::from_request_parts(parts, state).await {
            Ok(w) => w,
            Err(never) => match never {},
        }
    }
}

impl FromRequestParts<AppState> for Web {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (lang, remember_lang) = negotiate(state, parts);
        let ReqCtx(ctx) = ReqCtx::from_request_parts(parts, state).await?;
        let (csrf_form, csrf_cookie) = super::csrf::pair(state, &parts.headers);
        Ok(Web {
            state: state.clone(),
            lang,
            remember_lang,
            ctx,
            headers: parts.headers.clone(),
            path: path_without_lang(parts),
            page_path: None,
            is_get: parts.method == axum::http::Method::GET,
            csrf_form,
            csrf_cookie,
            who: Who::Nobody,
            set_cookies: Vec::new(),
        })
    }
}

/// The switcher's links: this page in each language.
#[derive(Serialize)]
struct LangLink {
    tag: &'static str,
    name: &'static str,
    href: String,
    current: bool,
}

impl Web {
    /// Names the page (a `GET` path) that shows what an action route answers, so the
    /// language links of a page answering a post reload that page instead.
    pub fn page_is(&mut self, get_path: &str) {
        self.page_path = Some(get_path.to_string());
    }

    pub fn csrf(&self) -> &str {
        &self.csrf_form
    }

    /// Adds a `Set-Cookie` to whatever this request answers.
    pub fn set_cookie(&mut self, cookie: HeaderValue) {
        self.set_cookies.push(cookie);
    }

    /// The signed-in login of this browser, if any.
    pub async fn current_login(&mut self) -> Option<Caller> {
        let token = cookies::read(&self.state, &self.headers, cookies::SESSION)?;
        match self.state.services.authenticate(&token).await {
            Ok(Principal::Login(c)) => {
                self.who = Who::Login(c.clone());
                Some(c)
            }
            _ => None,
        }
    }

    /// The signed-in login, or the answer that sends the browser to sign in first.
    pub async fn login(&mut self) -> Result<Caller, Response> {
        match self.current_login().await {
            Some(c) => Ok(c),
            None => Err(self.sign_in_redirect("/login")),
        }
    }

    /// The signed-in login when it is of one of `kinds`; another kind gets 403.
    pub async fn login_of(&mut self, kinds: &[LoginKind]) -> Result<Caller, Response> {
        let caller = self.login().await?;
        if kinds.contains(&caller.kind()) {
            Ok(caller)
        } else {
            Err(self.forbidden())
        }
    }

    /// The signed-in counter operator, or the answer that sends the browser to the counter's
    /// sign-in page.
    pub async fn operator(&mut self) -> Result<Operator, Response> {
        let token = cookies::read(&self.state, &self.headers, cookies::COUNTER);
        let found = match token {
            Some(t) => self.state.services.authenticate(&t).await.ok(),
            None => None,
        };
        match found {
            Some(Principal::Operator(o)) => {
                self.who = Who::Operator(o.clone());
                Ok(o)
            }
            _ => Err(self.sign_in_redirect("/counter/login")),
        }
    }

    fn sign_in_redirect(&mut self, page: &str) -> Response {
        // Only a page can be come back to: a refused post starts again from its page.
        if !self.is_get {
            return self.redirect(page);
        }
        let next = form_urlencoded::Serializer::new(String::new()).append_pair("next", &self.path).finish();
        self.redirect(&format!("{page}?{next}"))
    }

    /// `303 See Other` to a path of ours, with this request's cookies.
    pub fn redirect(&mut self, to: &str) -> Response {
        let mut res = super::redirect::see_other(to);
        self.attach_cookies(&mut res);
        res
    }

    fn attach_cookies(&mut self, res: &mut Response) {
        let h = res.headers_mut();
        if let Some(c) = self.csrf_cookie.take() {
            h.append(header::SET_COOKIE, c);
        }
        if self.remember_lang {
            h.append(header::SET_COOKIE, cookies::set_lang(&self.state, self.lang));
        }
        for c in self.set_cookies.drain(..) {
            h.append(header::SET_COOKIE, c);
        }
    }

    fn common(&self) -> Value {
        // A crafted path (`//evil.example/…`, on a 404 page) must not make these links leave the site.
        let base = crate::web::local_path(self.page_path.as_deref().unwrap_or(&self.path)).unwrap_or("/");
        let links: Vec<LangLink> = Lang::ALL
            .iter()
            .map(|l| {
                let sep = if base.contains('?') { '&' } else { '?' };
                LangLink {
                    tag: l.html_lang(),
                    name: l.autonym(),
                    href: format!("{base}{sep}lang={}", l.html_lang()),
                    current: *l == self.lang,
                }
            })
            .collect();
        context! {
            lang => self.lang.html_lang(),
            csrf => self.csrf_form,
            path => self.path,
            languages => links,
            nav => nav::items(&self.who, &self.path),
            who => nav::who(&self.who),
        }
    }

    /// The page: `template` with `values` (a `context!{…}`), plus what every page has.
    pub fn render(&mut self, template: &str, status: StatusCode, values: Value) -> Response {
        self.render_to(template, status, values, &[])
    }

    /// A page whose forms may redirect to other origins (the OpenID Connect pages).
    pub fn render_to(&mut self, template: &str, status: StatusCode, values: Value, targets: &[String]) -> Response {
        let ctx = context! { ..values, ..self.common() };
        let mut res = super::view::html(template, ctx, status, targets);
        self.attach_cookies(&mut res);
        res
    }

    /// A form page again, with what was typed and what was wrong (field by field).
    pub fn render_form(
        &mut self,
        template: &str,
        status: StatusCode,
        values: Value,
        form: &FormValues,
        errors: &FormErrors,
    ) -> Response {
        let values = context! { form => form.for_template(), errors => errors, ..values };
        self.render(template, status, values)
    }

    /// 403: the form expired or came from elsewhere, or the page is not this login's.
    pub fn forbidden(&mut self) -> Response {
        self.render("forbidden.html", StatusCode::FORBIDDEN, context! {})
    }

    pub fn not_found(&mut self) -> Response {
        self.render("not_found.html", StatusCode::NOT_FOUND, context! {})
    }
}
