//! The counter's e-ID page (R22, R23): look a login up by entity number and login id, see
//! its e-ID state, bind the app's scanned QR payload after checking the same identity
//! document the login was registered with, and switch face recognition back on.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Operator;
use domain::applications::IdDocumentInput;
use domain::Error;
use minijinja::context;

use super::id_type_options;
use crate::web::form::{FormErrors, FormValues, WebForm};
use crate::web::page::Web;

fn notice_of(web: &Web) -> Option<&'static str> {
    let q = web.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let done = form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done").map(|(_, v)| v.into_owned())?;
    match done.as_str() {
        "bound" => Some("counter-eid-done-bound"),
        "face_on" => Some("counter-eid-done-face-on"),
        _ => None,
    }
}

/// The lookup form, and for a found login its state and the two acts.
async fn eid_page(
    web: &mut Web,
    op: &Operator,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    let (entity_number, login_id) = (form.get("entity_number").trim(), form.get("login_id").trim());
    let mut status = status;
    let mut login = None;
    let mut missing = false;
    if !entity_number.is_empty() && !login_id.is_empty() {
        match web.state.services.counter_eid(op, entity_number, login_id).await {
            Ok(s) => {
                let face_key = match (s.face_available, s.face_enabled) {
                    (false, _) => "counter-eid-state-na",
                    (true, true) => "counter-eid-state-on",
                    (true, false) => "counter-eid-state-off",
                };
                let code_key = match (s.code_available, s.code_bound) {
                    (false, _) => "counter-eid-state-na",
                    (true, true) => "counter-eid-state-bound",
                    (true, false) => "counter-eid-state-unbound",
                };
                login = Some(context! {
                    entity_number,
                    login_id,
                    face_key,
                    code_key,
                    can_face_on => s.face_available && !s.face_enabled,
                    can_bind => s.code_available,
                });
            }
            Err(_) => {
                status = StatusCode::NOT_FOUND;
                missing = true;
            }
        }
    }
    let notice = notice_of(web);
    let values = context! { login, missing, notice, id_types => id_type_options() };
    web.render_form("counter/eid.html", status, values, form, errors)
}

pub async fn get_eid(mut web: Web, RawQuery(q): RawQuery) -> Response {
    let op = match web.operator().await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let query = FormValues::parse(q.unwrap_or_default().as_bytes());
    eid_page(&mut web, &op, StatusCode::OK, &query, &FormErrors::default()).await
}

fn back(web: &mut Web, form: &FormValues, done: &str) -> Response {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("entity_number", form.get("entity_number").trim())
        .append_pair("login_id", form.get("login_id").trim())
        .append_pair("done", done)
        .finish();
    web.redirect(&format!("/counter/eid?{q}"))
}

/// The binding's errors beside the payload or the document number.
fn bind_errors(e: &Error) -> FormErrors {
    let mut out = FormErrors::default();
    match e {
        Error::Validation(list) => {
            for fe in list {
                let at = match fe.field.as_str() {
                    "id_document.type" => "id_document.type",
                    f if f.starts_with("id_document") => "id_document.number",
                    _ => "payload",
                };
                out.field(at, fe.code);
            }
        }
        Error::Conflict { code: code @ "enrolment_invalid", .. } => {
            out.field("payload", code);
        }
        _ => out = FormErrors::from_error(e),
    }
    out
}

/// R23: the operator checked the document and scanned the app's QR code.
pub async fn post_security_code(mut web: Web, WebForm(form): WebForm) -> Response {
    let op = match web.operator().await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let doc = IdDocumentInput {
        kind: form.get("id_document.type").to_string(),
        number: form.get("id_document.number").to_string(),
    };
    let (entity_number, login_id, payload) =
        (form.get("entity_number").trim(), form.get("login_id").trim(), form.get("payload"));
    let result = web.state.services.bind_security_code(&op, &web.ctx, entity_number, login_id, payload, doc).await;
    match result {
        Ok(()) => back(&mut web, &form, "bound"),
        Err(e) => eid_page(&mut web, &op, FormErrors::status(&e), &form, &bind_errors(&e)).await,
    }
}

/// R22: face recognition back on, failures forgotten.
pub async fn post_face_on(mut web: Web, WebForm(form): WebForm) -> Response {
    let op = match web.operator().await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (entity_number, login_id) = (form.get("entity_number").trim(), form.get("login_id").trim());
    match web.state.services.counter_face_on(&op, &web.ctx, entity_number, login_id).await {
        Ok(()) => back(&mut web, &form, "face_on"),
        Err(e) => eid_page(&mut web, &op, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await,
    }
}
