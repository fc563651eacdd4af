//! The access review (R30): when it is due and when undecided items are suspended, every
//! login × e-service with its dates, last use, status and decision, each with "confirm" and
//! "remove", and "confirm all" for a login. One form; each button posts its own decisions to
//! `Services::decide_review` (all or none), which finishes the review once nothing is left
//! undecided. The last finished review is exported as CSV and JSON with the audit head that
//! sealed it, by the API's own writers (`api::reviews`).
//!
//! Form fields: `item` = `confirm:{login_id}:{code}` or `remove:{login_id}:{code}`, or
//! `login` = a login id (confirm all of that login's undecided items).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::access::Caller;
use domain::logins::LoginSummary;
use domain::model::{EServiceRecord, LoginKind, LoginStatus};
use domain::reviews::{DecisionInput, Review};
use domain::{Error, FieldError};
use minijinja::context;
use serde::Serialize;

use super::terms::status_key;
use super::{eservice_name, failed};
use crate::api::reviews::{csv_of, export_of};
use crate::web::audience::AdminPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{instant_of, local_date, local_time};
use crate::web::i18n::Lang;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

struct Data {
    review: Review,
    logins: Vec<LoginSummary>,
    catalogue: Vec<EServiceRecord>,
}

async fn load(web: &Web, caller: &Caller) -> Result<Data, Error> {
    let admin = caller.admin_of_own()?;
    let review = web.state.services.access_review(&admin).await?;
    let logins = super::entity_logins(web, caller).await?;
    let catalogue = web.state.services.list_eservices().await?;
    Ok(Data { review, logins, catalogue })
}

#[derive(Serialize)]
struct Item {
    /// The field its faults are named by: `decision.{login_id}.{code}`.
    field: String,
    eservice: String,
    name: String,
    from: Option<String>,
    until: Option<String>,
    last_used: Option<String>,
    status_key: &'static str,
    /// `access-decision-confirm` or `access-decision-remove` once decided.
    decision_key: Option<&'static str>,
    decided_by: Option<String>,
    confirm: String,
    remove: String,
    /// Four eyes: the caller's own access, where another administrator must confirm it.
    own: bool,
}

#[derive(Serialize)]
struct Group {
    login_id: String,
    login_name: String,
    items: Vec<Item>,
    undecided: usize,
}

fn field_of(login_id: &str, code: &str) -> String {
    format!("decision.{login_id}.{code}")
}

fn day(lang: Lang, rfc3339: &Option<String>, is_end: bool) -> Option<String> {
    rfc3339.as_deref().map(|s| instant_of(s).map(|t| local_date(lang, t, is_end)).unwrap_or_else(|| s.to_string()))
}

fn groups(lang: Lang, caller: &Caller, data: &Data) -> Vec<Group> {
    let name_of = |id: &str| data.logins.iter().find(|s| s.login.id == id).map(|s| s.login.name.clone());
    let admins = data
        .logins
        .iter()
        .filter(|s| s.login.kind == LoginKind::Admin && s.login.status == LoginStatus::Active)
        .count();
    let mut out: Vec<Group> = Vec::new();
    for i in &data.review.items {
        let item = Item {
            field: field_of(&i.login_id, &i.eservice),
            eservice: i.eservice.clone(),
            name: data
                .catalogue
                .iter()
                .find(|e| e.code == i.eservice)
                .map(|e| eservice_name(lang, e))
                .unwrap_or(i.eservice.clone()),
            from: day(lang, &i.valid_from, false),
            until: day(lang, &i.valid_until, true),
            last_used: i.last_used_at.as_deref().and_then(instant_of).map(local_time),
            status_key: status_key(&i.status),
            decision_key: i.decision.as_deref().map(|d| {
                if d == "remove" {
                    "access-decision-remove"
                } else {
                    "access-decision-confirm"
                }
            }),
            decided_by: i.decided_by.as_deref().map(|id| name_of(id).unwrap_or(id.to_string())),
            confirm: format!("confirm:{}:{}", i.login_id, i.eservice),
            remove: format!("remove:{}:{}", i.login_id, i.eservice),
            own: admins >= 2 && i.login_id == caller.login_id(),
        };
        let undecided = usize::from(i.decision.is_none());
        match out.iter_mut().find(|g| g.login_id == i.login_id) {
            Some(g) => {
                g.undecided += undecided;
                g.items.push(item);
            }
            None => out.push(Group {
                login_id: i.login_id.clone(),
                login_name: i.login_name.clone(),
                items: vec![item],
                undecided,
            }),
        }
    }
    out
}

fn page(web: &mut Web, caller: &Caller, data: &Data, status: StatusCode, errors: &FormErrors) -> Response {
    let lang = web.lang;
    let r = &data.review;
    let values = context! {
        started => local_date(lang, r.started_at, false),
        due => local_date(lang, r.due_at, false),
        suspends => local_date(lang, r.suspends_at, false),
        groups => groups(lang, caller, data),
        last_finished => r.last_finished.as_ref().map(|(_, at)| local_time(*at)),
        finished => query(web, "finished").is_some() && errors.is_empty(),
        saved => query(web, "saved").is_some() && errors.is_empty(),
    };
    web.render_form("account/review.html", status, values, &FormValues::default(), errors)
}

pub async fn get_review(AdminPage(mut web, caller): AdminPage) -> Response {
    match load(&web, &caller).await {
        Ok(data) => page(&mut web, &caller, &data, StatusCode::OK, &FormErrors::default()),
        Err(e) => failed(&mut web, &e),
    }
}

/// The decisions a button asks for: one item, or every undecided item of one login.
fn decisions(form: &FormValues, review: &Review) -> Vec<DecisionInput> {
    if let Some(login) = form.opt("login") {
        return review
            .items
            .iter()
            .filter(|i| i.login_id == login && i.decision.is_none())
            .map(|i| DecisionInput {
                login_id: i.login_id.clone(),
                eservice: i.eservice.clone(),
                decision: "confirm".into(),
            })
            .collect();
    }
    let item = form.get("item");
    let mut parts = item.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(decision), Some(login_id), Some(eservice)) => vec![DecisionInput {
            login_id: login_id.to_string(),
            eservice: eservice.to_string(),
            decision: decision.to_string(),
        }],
        _ => Vec::new(),
    }
}

/// `decisions[i]…` named by the item it was about, as the page names it.
fn by_item(e: Error, asked: &[DecisionInput]) -> Error {
    let Error::Validation(list) = e else { return e };
    let renamed = list
        .into_iter()
        .map(|mut fe: FieldError| {
            let place = fe.field.strip_prefix("decisions[").and_then(|rest| rest.split_once(']'));
            if let Some(d) = place.and_then(|(i, _)| i.parse::<usize>().ok()).and_then(|i| asked.get(i)) {
                fe.field = field_of(&d.login_id, &d.eservice);
            }
            fe
        })
        .collect();
    Error::Validation(renamed)
}

pub async fn post_review(Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    web.page_is("/admin/access-review");
    let data = match load(&web, &caller).await {
        Ok(d) => d,
        Err(e) => return failed(&mut web, &e),
    };
    let asked = decisions(&form, &data.review);
    let before = data.review.last_finished.as_ref().map(|(id, _)| id.clone());
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.decide_review(&admin, &web.ctx, asked.clone()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(after) if after.last_finished.as_ref().map(|(id, _)| id) != before.as_ref() => {
            web.redirect("/admin/access-review?finished=1")
        }
        Ok(_) => web.redirect("/admin/access-review?saved=1"),
        Err(e @ (Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => {
            let e = by_item(e, &asked);
            page(&mut web, &caller, &data, FormErrors::status(&e), &FormErrors::from_error(&e))
        }
    }
}

/// The last finished review as a download: CSV or JSON, the API's shapes.
async fn export(web: &mut Web, caller: &Caller, csv: bool) -> Response {
    let report = match caller.admin_of_own() {
        Ok(admin) => web.state.services.review_export(&admin).await,
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => return failed(web, &e),
    };
    let ext = if csv { "csv" } else { "json" };
    let name = format!("attachment; filename=\"access-review-{}.{ext}\"", report.review_id);
    let Ok(disposition) = HeaderValue::from_str(&name) else {
        return failed(web, &Error::Internal("a review id that is no header".into()));
    };
    if !csv {
        return ([(header::CONTENT_DISPOSITION, disposition)], Json(export_of(report))).into_response();
    }
    match csv_of(&report) {
        Ok(body) => {
            let kind = HeaderValue::from_static("text/csv; charset=utf-8");
            ([(header::CONTENT_TYPE, kind), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
        }
        Err(e) => failed(web, &Error::Internal(e.to_string())),
    }
}

pub async fn get_export_csv(AdminPage(mut web, caller): AdminPage) -> Response {
    export(&mut web, &caller, true).await
}

pub async fn get_export_json(AdminPage(mut web, caller): AdminPage) -> Response {
    export(&mut web, &caller, false).await
}
