//! What a login holds and asks for (R19, R28, R29, R37): its e-services with their dates and
//! what each does now, a form to ask the administrators for an e-service it does not hold
//! (with a reason), and its requests with their answers.
//!
//! Form fields: `eservice` (a code), `reason`.

use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::access_terms::AssignmentStatus;
use domain::assignments::LoginAssignment;
use domain::model::{AccessRequestRecord, EServiceRecord, LoginKind, RequestDecision};
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::terms::{terms_view, TermsView};
use super::{eservice_name, eservice_view, failed, EServiceView};
use crate::web::audience::LoginPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::local_time;
use crate::web::i18n::Lang;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

#[derive(Serialize)]
struct Held {
    #[serde(flatten)]
    eservice: EServiceView,
    terms: TermsView,
}

/// A request as its requester and the administrators see it.
#[derive(Serialize)]
pub(super) struct RequestView {
    pub id: String,
    pub login_id: String,
    pub eservice: String,
    pub reason: String,
    pub at: String,
    /// `access-request-open`, `access-request-granted` or `access-request-refused`.
    pub state_key: &'static str,
    pub open: bool,
    pub answer: Option<String>,
    pub decided_at: Option<String>,
}

pub(super) fn request_view(lang: Lang, r: &AccessRequestRecord, catalogue: &[EServiceRecord]) -> RequestView {
    RequestView {
        id: r.id.clone(),
        login_id: r.login_id.to_string(),
        eservice: catalogue
            .iter()
            .find(|e| e.code == r.eservice_code)
            .map(|e| eservice_name(lang, e))
            .unwrap_or(r.eservice_code.clone()),
        reason: r.reason.clone(),
        at: local_time(r.created_at),
        state_key: match r.decision {
            None => "access-request-open",
            Some(RequestDecision::Granted) => "access-request-granted",
            Some(RequestDecision::Refused) => "access-request-refused",
        },
        open: r.decision.is_none(),
        answer: r.answer.clone(),
        decided_at: r.decided_at.map(local_time),
    }
}

struct Data {
    catalogue: Vec<EServiceRecord>,
    assignments: Vec<LoginAssignment>,
    requests: Vec<AccessRequestRecord>,
}

async fn load(web: &Web, caller: &Caller) -> Result<Data, Error> {
    let catalogue = web.state.services.list_eservices().await?;
    if caller.kind() == LoginKind::Entity {
        return Ok(Data { catalogue, assignments: Vec::new(), requests: Vec::new() });
    }
    let services = &web.state.services;
    let assignments = services.login_assignments(caller, caller.entity_number(), caller.login_id()).await?;
    // An administrator is given the entity's requests: this page shows their own.
    let requests = services
        .access_requests(caller, false)
        .await?
        .into_iter()
        .filter(|r| r.login_id == caller.login_id())
        .collect();
    Ok(Data { catalogue, assignments, requests })
}

fn page(
    web: &mut Web,
    caller: &Caller,
    data: &Data,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    let lang = web.lang;
    let held: Vec<Held> = data
        .assignments
        .iter()
        .filter_map(|a| {
            let e = data.catalogue.iter().find(|e| e.code == a.code)?;
            Some(Held { eservice: eservice_view(lang, e), terms: terms_view(lang, a) })
        })
        .collect();
    // What may be asked for: what the login does not hold, or held once and ended.
    let askable: Vec<(String, String)> = data
        .catalogue
        .iter()
        .filter(|e| !data.assignments.iter().any(|a| a.code == e.code && a.status != AssignmentStatus::Ended))
        .map(|e| (e.code.clone(), eservice_name(lang, e)))
        .collect();
    let requests: Vec<RequestView> = data.requests.iter().map(|r| request_view(lang, r, &data.catalogue)).collect();
    let values = context! {
        is_entity => caller.kind() == LoginKind::Entity,
        eservices => held,
        askable,
        requests,
        requested => query(web, "requested").is_some() && errors.is_empty(),
    };
    web.render_form("account/my_eservices.html", status, values, form, errors)
}

pub async fn get_my_eservices(LoginPage(mut web, caller): LoginPage) -> Response {
    match load(&web, &caller).await {
        Ok(data) => page(&mut web, &caller, &data, StatusCode::OK, &FormValues::default(), &FormErrors::default()),
        Err(e) => failed(&mut web, &e),
    }
}

pub async fn post_my_request(Post(LoginPage(mut web, caller), form): Post<LoginPage>) -> Response {
    web.page_is("/my/eservices");
    let result = web
        .state
        .services
        .request_access(&caller, &web.ctx, caller.entity_number(), form.get("eservice").trim(), form.get("reason"))
        .await;
    match result {
        Ok(_) => web.redirect("/my/eservices?requested=1"),
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => match load(&web, &caller).await {
            Ok(data) => page(&mut web, &caller, &data, FormErrors::status(&e), &form, &FormErrors::from_error(&e)),
            Err(e) => failed(&mut web, &e),
        },
    }
}
