//! Finding an entity (by entity number or registration number) and its counter page (R8,
//! R19): its logins with masked identity data; add an administrator (never beyond the policy's limit),
//! restore removed administrator rights, send a new activation code to a login not yet
//! activated, record the entity's registration with an e-service, and open a login's e-ID.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Operator;
use domain::activation::Reissuer;
use domain::logins::{CounterEntityView, LoginSummary};
use domain::model::{EntityRecord, LoginKind, LoginStatus};
use domain::person::{IdDocumentInput, PersonInput};
use domain::Code;
use domain::Error;
use minijinja::context;
use serde::Serialize;

use crate::web::audience::OperatorPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{local_time, path_segment};
use crate::web::labels::{entity_type_key, id_type_key, id_type_options, login_kind_key, login_status_key};
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::{notice_of, query_values};

#[derive(Serialize)]
struct Found {
    number: String,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
    entity_type_key: &'static str,
    registration_number: String,
}

fn found(e: EntityRecord) -> Found {
    Found {
        number: e.number,
        name_zh: e.names.zh,
        name_pt: e.names.pt,
        name_en: e.names.en,
        entity_type_key: entity_type_key(e.entity_type),
        registration_number: e.registration_number,
    }
}

fn lookup_page(
    web: &mut Web,
    status: StatusCode,
    query: &FormValues,
    errors: &FormErrors,
    list: Vec<Found>,
) -> Response {
    web.render_form("counter/entities.html", status, context! { found => list }, query, errors)
}

/// `?entity_number=` or `?registration_number=`: one match opens the entity's page.
pub async fn get_lookup(OperatorPage(mut web, op): OperatorPage) -> Response {
    let query = query_values(&web);
    if let Some(number) = query.opt("entity_number") {
        return match web.state.services.lookup_entity(&op, &number).await {
            Ok(v) => web.redirect(&format!("/counter/entities/{}", path_segment(&v.entity.number))),
            Err(e) => {
                let errors = FormErrors::from_error(&e).beside("entity_number");
                lookup_page(&mut web, FormErrors::status(&e), &query, &errors, vec![])
            }
        };
    }
    if let Some(reg) = query.opt("registration_number") {
        return match web.state.services.find_entities_by_registration(&op, &reg).await {
            Ok(list) if list.len() == 1 => {
                let number = path_segment(&list[0].number);
                web.redirect(&format!("/counter/entities/{number}"))
            }
            Ok(list) if list.is_empty() => {
                let mut errors = FormErrors::default();
                errors.field("registration_number", Code::NotFound);
                lookup_page(&mut web, StatusCode::NOT_FOUND, &query, &errors, vec![])
            }
            Ok(list) => {
                let list = list.into_iter().map(found).collect();
                lookup_page(&mut web, StatusCode::OK, &query, &FormErrors::default(), list)
            }
            Err(e) => {
                let errors = FormErrors::from_error(&e).beside("registration_number");
                lookup_page(&mut web, FormErrors::status(&e), &query, &errors, vec![])
            }
        };
    }
    let mut errors = FormErrors::default();
    if query.0.iter().any(|(k, _)| k == "entity_number" || k == "registration_number") {
        errors.field("entity_number", Code::OneOfRequired);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    lookup_page(&mut web, status, &query, &errors, vec![])
}

#[derive(Serialize)]
struct LoginRow {
    login_id: String,
    name: String,
    kind_key: &'static str,
    is_admin: bool,
    status_key: &'static str,
    pending: bool,
    username: Option<String>,
    id_type_key: Option<&'static str>,
    id_number: Option<String>,
    mobile: String,
    eservices: Vec<String>,
    can_restore: bool,
    has_eid: bool,
    activated_at: Option<String>,
}

#[derive(Serialize)]
struct EServiceOption {
    code: String,
    name_zh: String,
    name_pt: String,
    name_en: String,
    registered: bool,
}

/// The `?done=` notices after the page's forms.
const NOTICES: &[(&str, &str)] = &[
    ("admin_added", "counter-done-admin-added"),
    ("restored", "counter-done-restored"),
    ("reissued", "counter-done-reissued"),
    ("registered", "counter-done-registered"),
];

/// One login as the counter's entity page lists it: masks only, never a full number.
fn login_row(s: LoginSummary) -> LoginRow {
    let l = s.login;
    LoginRow {
        kind_key: login_kind_key(l.kind),
        is_admin: l.kind == LoginKind::Admin,
        status_key: login_status_key(l.status),
        pending: l.status == LoginStatus::Pending,
        username: l.username,
        id_type_key: l.id_type.map(id_type_key),
        id_number: l.id_number_mask,
        mobile: l.mobile_mask,
        eservices: s.eservices,
        can_restore: l.kind == LoginKind::Staff && l.admin_removed,
        has_eid: l.kind != LoginKind::Entity,
        activated_at: l.activated_at.map(local_time),
        name: l.name,
        login_id: l.id.into(),
    }
}

async fn entity_page(
    web: &mut Web,
    op: &Operator,
    number: &str,
    status: StatusCode,
    form: &FormValues,
    errors_in: &FormErrors,
) -> Response {
    web.page_is(&format!("/counter/entities/{}", path_segment(number)));
    let CounterEntityView { entity, logins, registrations } = match web.state.services.lookup_entity(op, number).await {
        Ok(v) => v,
        Err(Error::NotFound) => return web.not_found(),
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            return lookup_page(web, FormErrors::status(&e), &FormValues::default(), &errors, vec![]);
        }
    };
    // Without the catalogue the page still shows the entity, and says what failed.
    let (catalogue, status, errors) = match web.state.services.list_eservices().await {
        Ok(c) => (c, status, None),
        Err(e) => {
            let mut shown = FormErrors { fields: errors_in.fields.clone(), summary: errors_in.summary.clone() };
            shown.summary.extend(FormErrors::from_error(&e).summary);
            let status = if status.is_success() { FormErrors::status(&e) } else { status };
            (Vec::new(), status, Some(shown))
        }
    };
    let errors = errors.as_ref().unwrap_or(errors_in);
    let admins = logins.iter().filter(|l| l.login.kind == LoginKind::Admin).count();
    let rows: Vec<LoginRow> = logins.into_iter().map(login_row).collect();
    let eservices: Vec<EServiceOption> = catalogue
        .into_iter()
        .map(|e| EServiceOption {
            registered: registrations.contains(&e.code),
            code: e.code,
            name_zh: e.name_zh,
            name_pt: e.name_pt,
            name_en: e.name_en,
        })
        .collect();
    let notice = notice_of(web, NOTICES);
    let values = context! {
        entity => context! {
            number => entity.number,
            entity_type_key => entity_type_key(entity.entity_type),
            name_zh => entity.names.zh,
            name_pt => entity.names.pt,
            name_en => entity.names.en,
            registration_number => entity.registration_number,
            created_at => local_time(entity.created_at),
        },
        logins => rows,
        admins,
        max_admins => web.state.services.policy.max_admins,
        eservices,
        id_types => id_type_options(),
        notice,
    };
    web.render_form("counter/entity.html", status, values, form, errors)
}

pub async fn get_entity(Path(number): Path<String>, OperatorPage(mut web, op): OperatorPage) -> Response {
    entity_page(&mut web, &op, &number, StatusCode::OK, &FormValues::default(), &FormErrors::default()).await
}

fn done(web: &mut Web, number: &str, what: &str) -> Response {
    web.redirect(&format!("/counter/entities/{}?done={what}", path_segment(number)))
}

/// R8: a new administrator, with an activation code by SMS; refused beyond three.
pub async fn post_add_admin(
    Path(number): Path<String>,
    Post(OperatorPage(mut web, op), form): Post<OperatorPage>,
) -> Response {
    let person = PersonInput {
        name: form.get("name").to_string(),
        id_document: IdDocumentInput {
            kind: form.get("id_document.type").to_string(),
            number: form.get("id_document.number").to_string(),
        },
        mobile: Some(form.get("mobile").to_string()),
        document_shown: None,
    };
    match web.state.services.add_admin(&op, &web.ctx, &number, person).await {
        Ok(_) => done(&mut web, &number, "admin_added"),
        Err(e) => {
            let mut errors = FormErrors::from_error(&e);
            if let Error::Conflict { code: Code::PersonHasLogin, .. } = e {
                errors = FormErrors::default();
                errors.field("id_document.number", Code::PersonHasLogin);
            }
            entity_page(&mut web, &op, &number, FormErrors::status(&e), &form, &errors).await
        }
    }
}

/// R8: administrator rights the entity account removed come back.
pub async fn post_restore_admin(
    Path((number, login_id)): Path<(String, String)>,
    Post(OperatorPage(mut web, op), _): Post<OperatorPage>,
) -> Response {
    match web.state.services.restore_admin(&op, &web.ctx, &number, &login_id).await {
        Ok(_) => done(&mut web, &number, "restored"),
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            entity_page(&mut web, &op, &number, FormErrors::status(&e), &FormValues::default(), &errors).await
        }
    }
}

/// R9, R11: a new activation code to the registered mobile of a login not yet activated.
pub async fn post_activation_code(
    Path((number, login_id)): Path<(String, String)>,
    Post(OperatorPage(mut web, op), _): Post<OperatorPage>,
) -> Response {
    let result = web.state.services.reissue_activation_code(Reissuer::Counter(&op, &number), &web.ctx, &login_id).await;
    match result {
        Ok(()) => done(&mut web, &number, "reissued"),
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            entity_page(&mut web, &op, &number, FormErrors::status(&e), &FormValues::default(), &errors).await
        }
    }
}

/// R19 [FAQ 19]: the entity registered with an e-service.
pub async fn post_register_eservice(
    Path(number): Path<String>,
    Post(OperatorPage(mut web, op), form): Post<OperatorPage>,
) -> Response {
    let code = form.get("eservice").to_string();
    if code.is_empty() {
        let mut errors = FormErrors::default();
        errors.field("eservice", Code::Required);
        return entity_page(&mut web, &op, &number, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors).await;
    }
    match web.state.services.register_entity_eservice(&op, &web.ctx, &number, &code).await {
        Ok(()) => done(&mut web, &number, "registered"),
        Err(e) => {
            let errors = match e {
                Error::NotFound => {
                    let mut errors = FormErrors::default();
                    errors.field("eservice", Code::UnknownEservice);
                    errors
                }
                _ => FormErrors::from_error(&e),
            };
            entity_page(&mut web, &op, &number, FormErrors::status(&e), &form, &errors).await
        }
    }
}
