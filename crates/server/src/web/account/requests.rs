//! The administrators' answers to access requests (R37): the open requests, each with a
//! "grant" form (optional dates, the same quick choices for the end as the assignment page;
//! the assignment rules apply, four eyes included) and a "refuse" form (a reason), then the
//! answered ones. The requester is told either way (the domain's notices).
//!
//! Form fields, one form per request and answer: `valid_from.{id}`, `valid_until.{id}`,
//! `ends.{id}` to grant; `reason.{id}` to refuse. The domain names a grant's faults
//! `valid_from`/`valid_until` and a refusal's `reason`; the page adds the request's id.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::logins::LoginSummary;
use domain::model::{AccessRequestRecord, EServiceRecord};
use domain::Error;
use minijinja::context;

use super::failed;
use super::my_access::request_view;
use super::terms::{posted_end, END_CHOICES};
use crate::web::audience::AdminPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::notice_of;

struct Data {
    requests: Vec<AccessRequestRecord>,
    logins: Vec<LoginSummary>,
    catalogue: Vec<EServiceRecord>,
}

async fn load(web: &Web, caller: &Caller) -> Result<Data, Error> {
    let requests = web.state.services.access_requests(caller, false).await?;
    let logins = super::entity_logins(web, caller).await?;
    let catalogue = web.state.services.list_eservices().await?;
    Ok(Data { requests, logins, catalogue })
}

const NOTICES: &[(&str, &str)] = &[("granted", "access-requests-granted"), ("refused", "access-requests-refused")];

fn page(web: &mut Web, data: &Data, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let lang = web.lang;
    let name_of = |id: &str| {
        data.logins.iter().find(|s| s.login.id == id).map(|s| s.login.name.clone()).unwrap_or_else(|| id.to_string())
    };
    let view = |r: &AccessRequestRecord| {
        let v = request_view(lang, r, &data.catalogue);
        let by = r.decided_by.as_deref().map(name_of);
        context! { who => name_of(r.login_id.as_str()), decided_by => by, ..minijinja::Value::from_serialize(&v) }
    };
    let open: Vec<_> = data.requests.iter().filter(|r| r.decision.is_none()).map(view).collect();
    let answered: Vec<_> = data.requests.iter().filter(|r| r.decision.is_some()).map(view).collect();
    let notice = if errors.is_empty() { notice_of(web, NOTICES) } else { None };
    let values = context! { open, answered, end_choices => END_CHOICES, notice };
    web.render_form("account/requests.html", status, values, form, errors)
}

pub async fn get_requests(AdminPage(mut web, caller): AdminPage) -> Response {
    match load(&web, &caller).await {
        Ok(data) => page(&mut web, &data, StatusCode::OK, &FormValues::default(), &FormErrors::default()),
        Err(e) => failed(&mut web, &e),
    }
}

/// The domain's faults named by this request's fields (`valid_until` → `valid_until.{id}`);
/// any other (a kept e-service's) stays as it is and is shown at the top.
fn of_request(e: Error, id: &str) -> Error {
    match e {
        Error::Validation(list) => Error::Validation(
            list.into_iter()
                .map(|mut fe| {
                    if matches!(fe.field.as_str(), "valid_from" | "valid_until" | "reason") {
                        fe.field = format!("{}.{id}", fe.field);
                    }
                    fe
                })
                .collect(),
        ),
        e => e,
    }
}

/// After a refused answer: the page again, with what was typed and why.
async fn again(web: &mut Web, caller: &Caller, e: Error, id: &str, form: &FormValues) -> Response {
    if matches!(e, Error::Unauthenticated | Error::Forbidden) {
        return failed(web, &e);
    }
    let e = of_request(e, id);
    match load(web, caller).await {
        Ok(data) => page(web, &data, FormErrors::status(&e), form, &FormErrors::from_error(&e)),
        Err(e) => failed(web, &e),
    }
}

pub async fn post_grant(Path(id): Path<String>, Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    web.page_is("/admin/access-requests");
    let now = web.state.services.clock.now();
    let from = form.opt(&format!("valid_from.{id}"));
    let until = posted_end(&form, &format!("ends.{id}"), &format!("valid_until.{id}"), now);
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.grant_access_request(&admin, &web.ctx, &id, from, until).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect("/admin/access-requests?done=granted"),
        Err(e) => again(&mut web, &caller, e, &id, &form).await,
    }
}

pub async fn post_refuse(Path(id): Path<String>, Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    web.page_is("/admin/access-requests");
    let reason = form.get(&format!("reason.{id}")).to_string();
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.refuse_access_request(&admin, &web.ctx, &id, &reason).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect("/admin/access-requests?done=refused"),
        Err(e) => again(&mut web, &caller, e, &id, &form).await,
    }
}
