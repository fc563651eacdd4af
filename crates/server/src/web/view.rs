//! Templates (minijinja, embedded at build time) and the one way a page leaves the server:
//! HTML with its security headers — a Content-Security-Policy without inline script or
//! style, no framing — and the cookies the request needs set.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::value::Kwargs;
use minijinja::{Environment, State, Value};

use super::i18n::{catalogue, Arg, Lang};

fn lang_of(state: &State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::Zh)
}

/// `{{ t("key") }}` or `{{ t("key", name=value) }}`: the message in the page's language.
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match value.kind() {
            minijinja::value::ValueKind::Number => match f64::try_from(value.clone()) {
                Ok(n) => Arg::Number(n),
                Err(_) => Arg::Text(value.to_string()),
            },
            _ => Arg::Text(value.to_string()),
        };
        args.push((name, arg));
    }
    Ok(catalogue().text(lang_of(state), key, &args))
}

/// `{{ name3(e.name_zh, e.name_pt, e.name_en) }}`: a record's name in the page's language.
fn name3(state: &State, zh: Option<String>, pt: Option<String>, en: Option<String>) -> String {
    let (zh, pt, en) = (zh.unwrap_or_default(), pt.unwrap_or_default(), en.unwrap_or_default());
    lang_of(state).pick(&zh, &pt, &en).to_string()
}

fn build() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, text) in super::embedded::TEMPLATES {
        env.add_template(name, text).unwrap_or_else(|e| panic!("templates/{name}: {e}"));
    }
    env.add_function("t", t);
    env.add_function("name3", name3);
    env.add_global("asset_version", Value::from(super::assets::version()));
    env
}

pub fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(build)
}

/// The policy of every page: only our own stylesheet and script, forms only to us (and to
/// the e-service origins a page names, since browsers apply `form-action` to redirects).
pub fn content_security_policy(form_targets: &[String]) -> String {
    let targets: String = form_targets.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
         form-action 'self'{targets}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Renders `template` with `ctx` into an HTML answer with the page headers.
pub fn html(template: &str, ctx: Value, status: StatusCode, form_targets: &[String]) -> Response {
    let body = match environment().get_template(template).and_then(|t| t.render(ctx)) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(template, error = %e, "a page failed to render");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let csp = content_security_policy(form_targets);
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("origins are plain ASCII"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
