//! The provider's few pages (sign-in, refusals, sign-out), plain and trilingual, until the
//! web platform restyles them. No script; every value escaped.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Zh,
    Pt,
    En,
}

impl Lang {
    pub fn from_tag(tag: Option<&str>) -> Lang {
        match tag {
            Some("pt") => Lang::Pt,
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hant",
            Lang::Pt => "pt",
            Lang::En => "en",
        }
    }
}

/// The message catalogue of these pages: key → (zh-Hant, pt, en).
fn t(lang: Lang, key: &str) -> &'static str {
    let (zh, pt, en) = match key {
        "title" => ("一戶通實體帳戶登入", "Conta de Entidade — iniciar sessão", "Entity Account — sign in"),
        "lead" => (
            "以實體帳戶登入：",
            "Inicie sessão com a conta de entidade para usar:",
            "Sign in with your entity account to use:",
        ),
        "entity_number" => ("實體編號", "Número da entidade", "Entity number"),
        "username" => ("用戶名稱", "Nome de utilizador", "Username"),
        "password" => ("密碼", "Palavra-passe", "Password"),
        "submit" => ("登入", "Iniciar sessão", "Sign in"),
        "invalid_credentials" => (
            "實體編號、用戶名稱或密碼不正確。",
            "Número da entidade, nome de utilizador ou palavra-passe incorrectos.",
            "The entity number, username or password is wrong.",
        ),
        "too_many_attempts" => (
            "嘗試次數過多，請稍後再試。",
            "Demasiadas tentativas; tente mais tarde.",
            "Too many attempts; try again later.",
        ),
        "password_locked" => (
            "密碼已因多次錯誤而停用，請重設密碼。",
            "A palavra-passe foi desactivada após demasiadas falhas; redefina-a.",
            "The password was disabled after too many failures; reset it.",
        ),
        "required" => ("必須填寫。", "Campo obrigatório.", "Required."),
        "invalid" => ("格式不正確。", "Formato inválido.", "Not in the expected format."),
        "errors" => ("請更正以下錯誤：", "Corrija o seguinte:", "Please correct the following:"),
        "denied_title" => {
            ("未能使用此電子服務", "Não pode usar este serviço electrónico", "You cannot use this e-service")
        }
        "eservice_not_assigned" => (
            "實體的管理員尚未為此登入帳戶分配此電子服務。",
            "O administrador da entidade não atribuiu este serviço a este acesso.",
            "Your entity's administrator has not assigned this e-service to your login.",
        ),
        "entity_not_registered" => (
            "實體尚未登記使用此電子服務。",
            "A entidade não está registada neste serviço electrónico.",
            "Your entity is not registered with this e-service.",
        ),
        "entity_account_has_no_eservices" => (
            "實體帳戶只用於管理，不能使用電子服務。",
            "A conta de entidade serve para gerir acessos e não usa serviços electrónicos.",
            "The entity account manages logins and does not use e-services.",
        ),
        "login_not_active" => ("此登入帳戶未啟用。", "Este acesso não está activo.", "This login is not active."),
        "unknown_eservice" => ("沒有此電子服務。", "Serviço electrónico desconhecido.", "Unknown e-service."),
        "return" => ("返回電子服務", "Voltar ao serviço electrónico", "Return to the e-service"),
        "bad_request_title" => ("請求無效", "Pedido inválido", "Invalid request"),
        "forbidden_title" => ("請求被拒絕", "Pedido recusado", "Request refused"),
        "forbidden" => (
            "表單已過期或來自其他網站，請重新開始。",
            "O formulário expirou ou veio de outro sítio; recomece.",
            "The form expired or came from another site; please start again.",
        ),
        "logout_title" => ("登出", "Terminar sessão", "Sign out"),
        "logout_confirm" => {
            ("確定登出一戶通實體帳戶？", "Terminar a sessão da Conta de Entidade?", "Sign out of Entity Account?")
        }
        "logged_out" => ("你已登出。", "Sessão terminada.", "You are signed out."),
        "step_up_title" => ("進階身份認證", "Autenticação avançada", "Advanced authentication"),
        "step_up_lead" => (
            "此電子服務需要進階身份認證，請選擇以下其中一種方式：",
            "Este serviço electrónico exige autenticação avançada; use um dos meios abaixo:",
            "This e-service needs advanced authentication; use one of the following:",
        ),
        "security_code" => ("安全驗證碼", "Código de verificação de segurança", "Security verification code"),
        "security_code_hint" => (
            "請輸入手機應用程式顯示的 6 位數字。",
            "Introduza os 6 algarismos que a aplicação móvel mostra.",
            "Enter the 6 digits the mobile app shows.",
        ),
        "capture_ref" => ("人臉識別", "Reconhecimento facial", "Face recognition"),
        "capture_ref_hint" => (
            "請以手機應用程式完成人臉拍攝，然後輸入其參考編號。",
            "Faça a captura facial na aplicação móvel e introduza a referência.",
            "Take the face capture in the mobile app and enter its reference.",
        ),
        "verify" => ("確認", "Confirmar", "Verify"),
        "invalid_code" => (
            "驗證不成功：驗證碼錯誤或已使用，或人臉不相符。",
            "Verificação falhada: código errado ou já usado, ou o rosto não corresponde.",
            "Verification failed: the code is wrong or used, or the face did not match.",
        ),
        "face_not_available" => (
            "此登入帳戶的人臉識別已關閉。",
            "O reconhecimento facial está desligado para este acesso.",
            "Face recognition is off for this login.",
        ),
        "face_verification_unavailable" => (
            "人臉識別服務暫時無法使用。",
            "O serviço de reconhecimento facial está indisponível.",
            "The face recognition service is unavailable.",
        ),
        "counter_title" => {
            ("服務櫃檯：電子身份", "Balcão: identificação electrónica", "Counter: electronic identification")
        }
        "counter_login_title" => ("服務櫃檯登入", "Balcão — iniciar sessão", "Counter sign-in"),
        "login_id" => ("登入帳戶編號", "Identificador do acesso", "Login id"),
        "find" => ("查閱", "Consultar", "Look up"),
        "sign_out" => ("登出", "Terminar sessão", "Sign out"),
        "security_code_not_available" => (
            "此登入帳戶以澳門居民身份證登記，使用人臉識別。",
            "Este acesso foi registado com o BIR de Macau e usa o reconhecimento facial.",
            "This login was registered with a Macau resident card and uses face recognition.",
        ),
        "eid_face" => ("人臉識別", "Reconhecimento facial", "Face recognition"),
        "eid_code" => ("安全驗證碼", "Código de verificação de segurança", "Security verification code"),
        "state_on" => ("已開啟", "Ligado", "On"),
        "state_off" => ("已關閉", "Desligado", "Off"),
        "state_na" => ("不適用", "Não aplicável", "Not applicable"),
        "state_bound" => ("已綁定手機應用程式", "Aplicação associada", "App bound"),
        "state_unbound" => ("未綁定", "Não associado", "Not bound"),
        "face_on" => ("重新開啟人臉識別", "Voltar a ligar o reconhecimento facial", "Switch face recognition back on"),
        "payload" => ("手機應用程式的二維碼內容", "Conteúdo do código QR da aplicação", "The app's QR code content"),
        "id_type" => ("身份證明文件類別", "Tipo de documento de identificação", "Identity document type"),
        "id_number" => ("身份證明文件編號", "Número do documento de identificação", "Identity document number"),
        "bind" => ("核對證件並綁定", "Verificar o documento e associar", "Check the document and bind"),
        "done_bound" => ("已綁定。", "Associado.", "Bound."),
        "done_face_on" => ("人臉識別已重新開啟。", "Reconhecimento facial ligado.", "Face recognition is on again."),
        "not_found" => ("找不到此實體或登入帳戶。", "Entidade ou acesso não encontrado.", "No such entity or login."),
        "id_document_mismatch" => (
            "證件與登記時所用的不相同。",
            "O documento não é o usado no registo.",
            "This is not the document the login was registered with.",
        ),
        "invalid_payload" => ("二維碼內容無效。", "Código QR inválido.", "The QR code content is not valid."),
        "enrolment_invalid" => (
            "二維碼已使用、已過期或屬於其他登入帳戶，請在手機應用程式重新產生。",
            "O código QR foi usado, expirou ou é de outro acesso; gere outro na aplicação.",
            "The QR code is used, expired or another login's; make a new one in the app.",
        ),
        "security_code_not_bound" => (
            "此登入帳戶未綁定手機應用程式，請到服務櫃檯辦理。",
            "Nenhuma aplicação está associada a este acesso; dirija-se ao balcão.",
            "No app is bound to this login; please visit the counter.",
        ),
        _ => ("?", "?", "?"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::Pt => pt,
        Lang::En => en,
    }
}

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\
label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}\
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#0b4f8a;color:#fff;border:0}\
.error{color:#a00000}:focus{outline:3px solid #f5a623}";

/// `scheme://authority` of an absolute URI, for a CSP source list.
pub fn origin_of(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let ok = !authority.is_empty() && authority.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("{scheme}://{authority}"))
}

pub fn render(lang: Lang, status: StatusCode, title_key: &str, body: &str) -> Response {
    render_to(lang, status, title_key, body, &[])
}

/// A page whose forms may end in a redirect to `form_targets` (origins): browsers apply
/// `form-action` to a form's redirects too, so the e-service's origin must be listed.
pub fn render_to(lang: Lang, status: StatusCode, title_key: &str, body: &str, form_targets: &[String]) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1>{body}</main></body></html>",
        lang.html_lang(),
        esc(t(lang, title_key)),
        esc(t(lang, title_key)),
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The style element is the only inline content; no script at all.
    let targets: String = form_targets.iter().map(|o| format!(" {o}")).collect();
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'{targets}; frame-ancestors 'none'; base-uri 'none'"
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("origins are plain ASCII"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

pub fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(name), esc(value))
}

/// What went wrong in the sign-in form: a message at the top, and one beside each field.
#[derive(Default)]
pub struct FormErrors {
    pub summary: Option<&'static str>,
    pub fields: Vec<(String, &'static str)>,
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
    let lang = f.lang;
    let field_error = |name: &str| -> String {
        f.errors
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| format!("<p class=\"error\" id=\"{name}-error\">{}</p>", esc(t(lang, k))))
            .unwrap_or_default()
    };
    let described = |name: &str| {
        if f.errors.fields.iter().any(|(n, _)| n == name) {
            format!(" aria-invalid=\"true\" aria-describedby=\"{name}-error\"")
        } else {
            String::new()
        }
    };
    let mut summary = String::new();
    if f.errors.summary.is_some() || !f.errors.fields.is_empty() {
        let mut items = String::new();
        if let Some(k) = f.errors.summary {
            items.push_str(&format!("<li>{}</li>", esc(t(lang, k))));
        }
        for (name, k) in &f.errors.fields {
            items.push_str(&format!("<li><a href=\"#{name}\">{}</a></li>", esc(t(lang, k))));
        }
        summary =
            format!("<div role=\"alert\" class=\"error\"><p>{}</p><ul>{items}</ul></div>", esc(t(lang, "errors")));
    }
    let body = format!(
        "{summary}<p>{} <strong>{}</strong></p><form method=\"post\" action=\"/oidc/login\">{}{}\
         <label for=\"entity_number\">{}</label><input id=\"entity_number\" name=\"entity_number\" inputmode=\"numeric\" autocomplete=\"organization\" value=\"{}\"{}>{}\
         <label for=\"username\">{}</label><input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{}\"{}>{}\
         <label for=\"password\">{}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"{}>{}\
         <button type=\"submit\">{}</button></form>",
        esc(t(lang, "lead")),
        esc(f.eservice_name),
        hidden("authorize", f.authorize),
        hidden("csrf", f.csrf),
        esc(t(lang, "entity_number")),
        esc(f.entity_number),
        described("entity_number"),
        field_error("entity_number"),
        esc(t(lang, "username")),
        esc(f.username),
        described("username"),
        field_error("username"),
        esc(t(lang, "password")),
        described("password"),
        field_error("password"),
        esc(t(lang, "submit")),
    );
    let targets: Vec<String> = origin_of(f.redirect_uri).into_iter().collect();
    render_to(lang, status, "title", &body, &targets)
}

/// The second-factor step (R21): a form per factor the login has.
pub struct StepUpForm<'a> {
    pub lang: Lang,
    pub redirect_uri: &'a str,
    pub authorize: &'a str,
    pub csrf: &'a str,
    pub code: bool,
    pub face: bool,
    /// (field, message key) of a failed try.
    pub error: Option<(&'a str, &'static str)>,
}

pub fn step_up_page(f: StepUpForm<'_>, status: StatusCode) -> Response {
    let lang = f.lang;
    let mut body = String::new();
    if let Some((_, k)) = f.error {
        body.push_str(&format!("<div role=\"alert\" class=\"error\"><p>{}</p></div>", esc(t(lang, k))));
    }
    body.push_str(&format!("<p>{}</p>", esc(t(lang, "step_up_lead"))));
    let error_for = |field: &str| match f.error {
        Some((name, k)) if name == field => {
            format!("<p class=\"error\" id=\"{field}-error\">{}</p>", esc(t(lang, k)))
        }
        _ => String::new(),
    };
    let hidden_fields = format!("{}{}", hidden("authorize", f.authorize), hidden("csrf", f.csrf));
    if f.code {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/oidc/step-up\">{hidden_fields}{}\
             <label for=\"security_code\">{}</label><p>{}</p>\
             <input id=\"security_code\" name=\"security_code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\">{}\
             <button type=\"submit\">{}</button></form>",
            hidden("method", "otp"),
            esc(t(lang, "security_code")),
            esc(t(lang, "security_code_hint")),
            error_for("security_code"),
            esc(t(lang, "verify")),
        ));
    }
    if f.face {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/oidc/step-up\">{hidden_fields}{}\
             <label for=\"capture_ref\">{}</label><p>{}</p>\
             <input id=\"capture_ref\" name=\"capture_ref\" autocomplete=\"off\">{}\
             <button type=\"submit\">{}</button></form>",
            hidden("method", "face"),
            esc(t(lang, "capture_ref")),
            esc(t(lang, "capture_ref_hint")),
            error_for("capture_ref"),
            esc(t(lang, "verify")),
        ));
    }
    let targets: Vec<String> = origin_of(f.redirect_uri).into_iter().collect();
    render_to(lang, status, "step_up_title", &body, &targets)
}

pub fn denied_page(lang: Lang, reason_code: &str, return_url: &str) -> Response {
    let body = format!(
        "<p role=\"alert\">{}</p><p><a id=\"return\" href=\"{}\">{}</a></p>",
        esc(t(lang, reason_code)),
        esc(return_url),
        esc(t(lang, "return"))
    );
    render(lang, StatusCode::FORBIDDEN, "denied_title", &body)
}

pub fn bad_request_page(lang: Lang, detail: &str) -> Response {
    render(lang, StatusCode::BAD_REQUEST, "bad_request_title", &format!("<p role=\"alert\">{}</p>", esc(detail)))
}

pub fn forbidden_page(lang: Lang) -> Response {
    render(
        lang,
        StatusCode::FORBIDDEN,
        "forbidden_title",
        &format!("<p role=\"alert\">{}</p>", esc(t(lang, "forbidden"))),
    )
}

pub fn logout_confirm_page(lang: Lang, csrf: &str, carry: &[(&str, &str)], return_to: Option<&str>) -> Response {
    let fields: String = carry.iter().map(|(k, v)| hidden(k, v)).collect();
    let body = format!(
        "<p>{}</p><form method=\"post\" action=\"/oidc/logout\">{}{fields}<button type=\"submit\">{}</button></form>",
        esc(t(lang, "logout_confirm")),
        hidden("csrf", csrf),
        esc(t(lang, "logout_title"))
    );
    let targets: Vec<String> = return_to.and_then(origin_of).into_iter().collect();
    render_to(lang, StatusCode::OK, "logout_title", &body, &targets)
}

pub fn logged_out_page(lang: Lang) -> Response {
    render(lang, StatusCode::OK, "logout_title", &format!("<p>{}</p>", esc(t(lang, "logged_out"))))
}

pub fn message(lang: Lang, key: &str) -> &'static str {
    t(lang, key)
}
