//! One login's e-services with their dates (R19, R28, R29, R31): every catalogue e-service
//! with a box, a start and an end (Macau dates: an empty start is "from now", an empty end
//! "no end", and a quick choice for the end that the server resolves), what each does now and
//! when it was last used; saved whole (`Services::assign_eservices`). Above the form, the
//! proposals awaiting a second administrator, each with an "approve" of its own form for
//! anyone but its proposer (`Services::approve_assignment`).
//!
//! Form fields: `eservices` (one box per e-service, value = its code), `valid_from.{code}`,
//! `valid_until.{code}`, `ends.{code}` (a quick choice, `terms::END_CHOICES`). The domain
//! names a fault by its place in the list it was given (`eservices[2].valid_until`); the page
//! names it by code again, beside its field.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::assignment_form::{macau_date, AssignmentInput};
use domain::assignments::LoginAssignment;
use domain::logins::LoginSummary;
use domain::model::{EServiceRecord, LoginKind};
use domain::{Error, FieldError};
use minijinja::context;
use serde::Serialize;

use super::terms::{kept_or_typed, posted_end, terms_view, TermsView, END_CHOICES};
use super::{eservice_view, failed, EServiceView};
use crate::web::audience::AdminPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::labels::login_kind_key;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

struct Data {
    logins: Vec<LoginSummary>,
    /// The page's login, among `logins`.
    at: usize,
    catalogue: Vec<EServiceRecord>,
    registrations: Vec<String>,
    assignments: Vec<LoginAssignment>,
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    eservice: EServiceView,
    ticked: bool,
    /// Needs a registration with the e-service that the entity does not have.
    blocked: bool,
    /// Blocked and not ticked: it cannot be ticked (a ticked one can still be unticked).
    disabled: bool,
    valid_from: String,
    valid_until: String,
    ends: String,
    /// What the stored assignment does now; none when the login does not hold it.
    terms: Option<TermsView>,
}

#[derive(Serialize)]
struct Proposal {
    code: String,
    name: String,
    proposed_by: String,
    /// Anyone but the proposer may approve (R31).
    can_approve: bool,
}

/// The page's login among the caller's entity's (another entity's id is simply not found).
async fn load(web: &Web, caller: &Caller, login_id: &str) -> Result<Option<Data>, Error> {
    let admin = caller.admin_of_own()?;
    let logins = super::entity_logins(web, caller).await?;
    let Some(at) = logins.iter().position(|s| s.login.id == login_id) else { return Ok(None) };
    let login = &logins[at];
    let registrations = web.state.services.entity_registrations(&admin).await?;
    let catalogue = web.state.services.list_eservices().await?;
    let assignments = if login.login.kind == LoginKind::Entity {
        Vec::new()
    } else {
        web.state.services.login_assignments(caller, caller.entity_number(), login_id).await?
    };
    Ok(Some(Data { logins, at, catalogue, registrations, assignments }))
}

/// The form as stored: the boxes of the e-services held and their dates as days.
fn stored_form(data: &Data) -> FormValues {
    let mut v = Vec::new();
    for a in &data.assignments {
        v.push(("eservices".to_string(), a.code.clone()));
        if let Some(t) = a.valid_from {
            v.push((format!("valid_from.{}", a.code), macau_date(t, false)));
        }
        if let Some(t) = a.valid_until {
            v.push((format!("valid_until.{}", a.code), macau_date(t, true)));
        }
    }
    FormValues(v)
}

fn page(
    web: &mut Web,
    caller: &Caller,
    data: &Data,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    let ticked = form.all("eservices");
    let rows: Vec<Row> = data
        .catalogue
        .iter()
        .map(|e| {
            let held = data.assignments.iter().find(|a| a.code == e.code);
            let is_ticked = ticked.contains(&e.code.as_str());
            let blocked = e.requires_registration && !data.registrations.contains(&e.code);
            Row {
                eservice: eservice_view(web.lang, e),
                ticked: is_ticked,
                blocked,
                disabled: blocked && !is_ticked,
                valid_from: form.get(&format!("valid_from.{}", e.code)).to_string(),
                valid_until: form.get(&format!("valid_until.{}", e.code)).to_string(),
                ends: form.get(&format!("ends.{}", e.code)).to_string(),
                terms: held.map(|a| terms_view(web.lang, a)),
            }
        })
        .collect();
    let name_of = |id: &str| {
        data.logins.iter().find(|s| s.login.id == id).map(|s| s.login.name.clone()).unwrap_or_else(|| id.to_string())
    };
    let proposals: Vec<Proposal> = data
        .assignments
        .iter()
        .filter_map(|a| {
            let by = a.proposed_by.as_ref()?;
            let name = data.catalogue.iter().find(|e| e.code == a.code).map(|e| super::eservice_name(web.lang, e));
            Some(Proposal {
                code: a.code.clone(),
                name: name.unwrap_or_else(|| a.code.clone()),
                proposed_by: name_of(by.as_str()),
                can_approve: *by != caller.login_id(),
            })
        })
        .collect();
    let l = &data.logins[data.at].login;
    let values = context! {
        login_id => l.id.to_string(),
        name => l.name.clone(),
        kind_key => login_kind_key(l.kind),
        is_entity => l.kind == LoginKind::Entity,
        is_self => l.id == caller.login_id(),
        rows,
        proposals,
        end_choices => END_CHOICES,
        saved => query(web, "saved").is_some() && errors.is_empty(),
        approved => query(web, "approved").is_some() && errors.is_empty(),
    };
    web.render_form("account/login_eservices.html", status, values, form, errors)
}

pub async fn get_login_eservices(Path(login_id): Path<String>, AdminPage(mut web, caller): AdminPage) -> Response {
    match load(&web, &caller, &login_id).await {
        Ok(Some(data)) => {
            let form = stored_form(&data);
            page(&mut web, &caller, &data, StatusCode::OK, &form, &FormErrors::default())
        }
        Ok(None) => web.not_found(),
        Err(e) => failed(&mut web, &e),
    }
}

/// The domain's field `eservices[i]…` named by the code it was about, as the page names it.
fn by_code(e: Error, codes: &[String]) -> Error {
    let Error::Validation(list) = e else { return e };
    let renamed = list
        .into_iter()
        .map(|mut fe: FieldError| {
            let place = fe.field.strip_prefix("eservices[").and_then(|rest| rest.split_once(']'));
            if let Some((i, rest)) = place {
                if let Some(code) = i.parse::<usize>().ok().and_then(|i| codes.get(i)) {
                    fe.field = match rest {
                        ".valid_from" => format!("valid_from.{code}"),
                        ".valid_until" => format!("valid_until.{code}"),
                        _ => format!("eservices.{code}"),
                    };
                }
            }
            fe
        })
        .collect();
    Error::Validation(renamed)
}

pub async fn post_login_eservices(
    Path(login_id): Path<String>,
    Post(AdminPage(mut web, caller), form): Post<AdminPage>,
) -> Response {
    web.page_is(&format!("/admin/logins/{login_id}/eservices"));
    let data = match load(&web, &caller, &login_id).await {
        Ok(Some(d)) => d,
        Ok(None) => return web.not_found(),
        Err(e) => return failed(&mut web, &e),
    };
    let now = web.state.services.clock.now();
    let mut codes: Vec<String> = Vec::new();
    let mut wanted = Vec::new();
    for code in form.all("eservices") {
        if codes.iter().any(|c| c == code) {
            continue;
        }
        let stored = data.assignments.iter().find(|a| a.code == code);
        let from = form.opt(&format!("valid_from.{code}"));
        let until = posted_end(&form, &format!("ends.{code}"), &format!("valid_until.{code}"), now);
        wanted.push(AssignmentInput {
            code: code.to_string(),
            valid_from: kept_or_typed(from, stored.and_then(|a| a.valid_from), false),
            valid_until: kept_or_typed(until, stored.and_then(|a| a.valid_until), true),
        });
        codes.push(code.to_string());
    }
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.assign_eservices(&admin, &web.ctx, &login_id, wanted).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect(&format!("/admin/logins/{login_id}/eservices?saved=1")),
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => {
            // Nothing was saved: the page shows what was ticked and typed, and what was wrong.
            let e = by_code(e, &codes);
            page(&mut web, &caller, &data, FormErrors::status(&e), &form, &FormErrors::from_error(&e))
        }
    }
}

pub async fn post_approve(
    Path(login_id): Path<String>,
    Post(AdminPage(mut web, caller), form): Post<AdminPage>,
) -> Response {
    web.page_is(&format!("/admin/logins/{login_id}/eservices"));
    let code = form.get("eservice").to_string();
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.approve_assignment(&admin, &web.ctx, &login_id, &code).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect(&format!("/admin/logins/{login_id}/eservices?approved=1")),
        Err(e @ (Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => match load(&web, &caller, &login_id).await {
            Ok(Some(data)) => {
                let stored = stored_form(&data);
                page(&mut web, &caller, &data, FormErrors::status(&e), &stored, &FormErrors::from_error(&e))
            }
            Ok(None) => web.not_found(),
            Err(e) => failed(&mut web, &e),
        },
    }
}
