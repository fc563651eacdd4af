//! The counter's e-ID page (R22, R23): look a login up by entity number and login id, see
//! its e-ID state, bind the app's scanned QR payload after checking the same identity
//! document the login was registered with, and switch face recognition back on.

use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Operator;
use domain::numbers::EntityNumber;
use domain::person::IdDocumentInput;
use domain::Code;
use domain::Error;
use minijinja::context;

use crate::web::audience::OperatorPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::labels::id_type_options;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::{notice_of, query_values};

/// The `?done=` notices after the page's two acts.
const NOTICES: &[(&str, &str)] = &[("bound", "counter-eid-done-bound"), ("face_on", "counter-eid-done-face-on")];

/// The lookup's own faults, beside their fields: an entity number or a login id that cannot
/// be one (the service answers "not found" for those, as for one that does not exist).
fn malformed(entity_number: &str, login_id: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    if let Err(fe) = EntityNumber::parse("entity_number", entity_number) {
        errors.field(&fe.field, fe.code);
    }
    if uuid::Uuid::parse_str(login_id).is_err() {
        errors.field("login_id", Code::InvalidFormat);
    }
    errors
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
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("entity_number", entity_number)
        .append_pair("login_id", login_id)
        .finish();
    web.page_is(&format!("/counter/eid?{q}"));
    let mut status = status;
    let mut login = None;
    let mut missing = false;
    let mut found_errors = None;
    if !entity_number.is_empty() && !login_id.is_empty() {
        let faults = malformed(entity_number, login_id);
        let lookup = if faults.is_empty() {
            web.state.services.counter_eid(op, entity_number, login_id).await
        } else {
            Err(Error::Validation(Vec::new()))
        };
        match lookup {
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
            Err(Error::NotFound) => {
                status = StatusCode::NOT_FOUND;
                missing = true;
            }
            // Malformed: re-shown with the fault beside its field.
            Err(Error::Validation(_)) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                found_errors = Some(faults);
            }
            // A failure of the store: the generic message, not "no such login".
            Err(e) => {
                status = FormErrors::status(&e);
                found_errors = Some(FormErrors::from_error(&e));
            }
        }
    }
    // What the caller found (a refused act) comes first; the lookup's faults otherwise.
    let errors = match found_errors {
        Some(found) if errors.is_empty() => found,
        _ => FormErrors { fields: errors.fields.clone(), summary: errors.summary.clone() },
    };
    let notice = notice_of(web, NOTICES);
    let values = context! { login, missing, notice, id_types => id_type_options() };
    web.render_form("counter/eid.html", status, values, form, &errors)
}

pub async fn get_eid(OperatorPage(mut web, op): OperatorPage) -> Response {
    let query = query_values(&web);
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
        Error::Conflict { code: code @ Code::EnrolmentInvalid, .. } => {
            out.field("payload", *code);
        }
        _ => out = FormErrors::from_error(e),
    }
    out
}

/// R23: the operator checked the document and scanned the app's QR code.
pub async fn post_security_code(Post(OperatorPage(mut web, op), form): Post<OperatorPage>) -> Response {
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
pub async fn post_face_on(Post(OperatorPage(mut web, op), form): Post<OperatorPage>) -> Response {
    let (entity_number, login_id) = (form.get("entity_number").trim(), form.get("login_id").trim());
    match web.state.services.counter_face_on(&op, &web.ctx, entity_number, login_id).await {
        Ok(()) => back(&mut web, &form, "face_on"),
        Err(e) => eid_page(&mut web, &op, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await,
    }
}
