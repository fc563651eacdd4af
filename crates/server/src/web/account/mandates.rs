//! Mandates on the pages (R34): what the entity gave and received, with who acts under each
//! (names, never identity numbers), the offer form, and the answers (accept, decline, end);
//! then, for a received and active mandate, which of the entity's own logins act under it
//! on which of its e-services and until when (`Services::assign_under_mandate`, one login a
//! form). The entity account sees the lists; only administrators change anything.
//!
//! Form fields: the offer's are the API's (`to_entity_number`, `eservices`, `valid_until`;
//! the domain's `eservices[i]` is named `eservices.{code}` again). A login's form under a
//! mandate: `eservices.{login}` (one box per e-service, value = its code) and
//! `valid_until.{login}.{code}`; the domain's `eservices[i]…` is named by login and code.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::assignment_form::{macau_date, AssignmentInput};
use domain::logins::LoginSummary;
use domain::mandate_form::MandateInput;
use domain::mandates::{MandateLists, MandateView, Party};
use domain::model::{ActingLogin, EServiceRecord, LoginKind, MandateStatus};
use domain::{Error, FieldError};
use minijinja::context;
use serde::Serialize;

use super::terms::kept_or_typed;
use super::{eservice_name, failed};
use crate::web::audience::{AdminPage, OverseerPage};
use crate::web::form::eservice_fields_by_code;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{local_date, local_time};
use crate::web::i18n::Lang;
use crate::web::labels::login_kind_key;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::notice_of;

const LIST: &str = "/admin/mandates";

const NOTICES: &[(&str, &str)] = &[
    ("offered", "mandates-done-offered"),
    ("accepted", "mandates-done-accepted"),
    ("declined", "mandates-done-declined"),
    ("ended", "mandates-done-ended"),
];

/// A mandate as the lists show it, from the reader's side.
#[derive(Serialize)]
struct MandateRow {
    id: String,
    /// The other side.
    entity_name: String,
    entity_number: String,
    eservices: Vec<String>,
    until: String,
    offered_at: String,
    /// `offered`, `active`, `declined` or `ended`.
    status: &'static str,
    status_key: &'static str,
    /// The mandated entity's logins acting under it, one line per e-service.
    acting: Vec<ActingRow>,
    can_answer: bool,
    can_end: bool,
    can_assign: bool,
}

#[derive(Serialize)]
struct ActingRow {
    name: String,
    eservice: String,
    from: Option<String>,
    until: Option<String>,
    last_used: Option<String>,
}

fn status_key(s: MandateStatus) -> &'static str {
    match s {
        MandateStatus::Offered => "mandates-status-offered",
        MandateStatus::Active => "mandates-status-active",
        MandateStatus::Declined => "mandates-status-declined",
        MandateStatus::Ended => "mandates-status-ended",
    }
}

/// An entity's name in the page's language, or in any it has.
fn party_name(lang: Lang, p: &Party) -> String {
    let n = &p.entity_names;
    let wanted = match lang {
        Lang::Zh => n.zh.as_deref(),
        Lang::Pt => n.pt.as_deref(),
        Lang::En => n.en.as_deref(),
    };
    wanted.filter(|s| !s.is_empty()).unwrap_or_else(|| n.display()).to_string()
}

fn name_of_code(lang: Lang, code: &str, catalogue: &[EServiceRecord]) -> String {
    catalogue.iter().find(|e| e.code == code).map(|e| eservice_name(lang, e)).unwrap_or_else(|| code.to_string())
}

fn acting_row(lang: Lang, a: &ActingLogin, catalogue: &[EServiceRecord]) -> ActingRow {
    ActingRow {
        name: a.name.clone(),
        eservice: name_of_code(lang, &a.eservice_code, catalogue),
        from: a.valid_from.map(|t| local_date(lang, t, false)),
        until: a.valid_until.map(|t| local_date(lang, t, true)),
        last_used: a.last_used_at.map(local_time),
    }
}

fn row(lang: Lang, m: &MandateView, given: bool, is_admin: bool, catalogue: &[EServiceRecord]) -> MandateRow {
    let other = if given { &m.to } else { &m.from };
    let live = matches!(m.status, MandateStatus::Offered | MandateStatus::Active);
    MandateRow {
        id: m.id.clone(),
        entity_name: party_name(lang, other),
        entity_number: other.entity_number.clone(),
        eservices: m.eservices.iter().map(|c| name_of_code(lang, c, catalogue)).collect(),
        until: local_date(lang, m.valid_until, true),
        offered_at: local_time(m.offered_at),
        status: m.status.as_str(),
        status_key: status_key(m.status),
        acting: m.acting.iter().map(|a| acting_row(lang, a, catalogue)).collect(),
        can_answer: is_admin && !given && m.status == MandateStatus::Offered,
        can_end: is_admin && live,
        can_assign: is_admin && !given && m.status == MandateStatus::Active,
    }
}

/// An e-service the offer form can name: only those whose department allows intermediaries.
#[derive(Serialize)]
struct Offerable {
    code: String,
    name: String,
    ticked: bool,
}

struct Lists {
    lists: MandateLists,
    catalogue: Vec<EServiceRecord>,
}

async fn load_lists(web: &Web, caller: &Caller) -> Result<Lists, Error> {
    let viewer = caller.overseer_of(caller.entity_number())?;
    let lists = web.state.services.mandates(&viewer).await?;
    let catalogue = web.state.services.list_eservices().await?;
    Ok(Lists { lists, catalogue })
}

fn list_page(
    web: &mut Web,
    caller: &Caller,
    data: &Lists,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    let lang = web.lang;
    let is_admin = caller.kind() == LoginKind::Admin;
    let given: Vec<MandateRow> =
        data.lists.given.iter().map(|m| row(lang, m, true, is_admin, &data.catalogue)).collect();
    let received: Vec<MandateRow> =
        data.lists.received.iter().map(|m| row(lang, m, false, is_admin, &data.catalogue)).collect();
    let ticked = form.all("eservices");
    let offerable: Vec<Offerable> = data
        .catalogue
        .iter()
        .filter(|e| e.allows_intermediaries)
        .map(|e| Offerable {
            code: e.code.clone(),
            name: eservice_name(lang, e),
            ticked: ticked.contains(&e.code.as_str()),
        })
        .collect();
    let notice = if errors.is_empty() { notice_of(web, NOTICES) } else { None };
    let values = context! { given, received, offerable, is_admin, notice };
    web.render_form("account/mandates.html", status, values, form, errors)
}

pub async fn get_mandates(OverseerPage(mut web, caller): OverseerPage) -> Response {
    match load_lists(&web, &caller).await {
        Ok(data) => list_page(&mut web, &caller, &data, StatusCode::OK, &FormValues::default(), &FormErrors::default()),
        Err(e) => failed(&mut web, &e),
    }
}

/// After a refused post: the lists again, with what was typed and why.
async fn lists_again(web: &mut Web, caller: &Caller, e: Error, form: &FormValues) -> Response {
    if matches!(e, Error::Unauthenticated | Error::Forbidden | Error::NotFound) {
        return failed(web, &e);
    }
    match load_lists(web, caller).await {
        Ok(data) => list_page(web, caller, &data, FormErrors::status(&e), form, &FormErrors::from_error(&e)),
        Err(e) => failed(web, &e),
    }
}

pub async fn post_offer(Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    web.page_is(LIST);
    let codes: Vec<String> = form.all("eservices").into_iter().map(str::to_string).collect();
    let input = MandateInput {
        to_entity_number: form.get("to_entity_number").to_string(),
        eservices: codes.clone(),
        valid_until: form.get("valid_until").to_string(),
    };
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.offer_mandate(&admin, &web.ctx, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect(&format!("{LIST}?done=offered")),
        Err(e) => lists_again(&mut web, &caller, eservice_fields_by_code(e, &codes), &form).await,
    }
}

/// What a mandate's buttons do.
#[derive(Clone, Copy)]
enum Step {
    Accept,
    Decline,
    End,
}

impl Step {
    /// The `?done=` of the lists afterwards.
    fn done(self) -> &'static str {
        match self {
            Step::Accept => "accepted",
            Step::Decline => "declined",
            Step::End => "ended",
        }
    }
}

/// Accepting, declining or ending a mandate: one button each, back to the lists.
async fn answer(web: &mut Web, caller: &Caller, id: &str, step: Step) -> Response {
    web.page_is(LIST);
    let result = match caller.admin_of_own() {
        Ok(admin) => match step {
            Step::Accept => web.state.services.answer_mandate(&admin, &web.ctx, id, true).await.map(|_| ()),
            Step::Decline => web.state.services.answer_mandate(&admin, &web.ctx, id, false).await.map(|_| ()),
            Step::End => web.state.services.end_mandate(&admin, &web.ctx, id).await,
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => web.redirect(&format!("{LIST}?done={}", step.done())),
        Err(e) => lists_again(web, caller, e, &FormValues::default()).await,
    }
}

pub async fn post_accept(Path(id): Path<String>, Post(AdminPage(mut web, caller), _): Post<AdminPage>) -> Response {
    answer(&mut web, &caller, &id, Step::Accept).await
}

pub async fn post_decline(Path(id): Path<String>, Post(AdminPage(mut web, caller), _): Post<AdminPage>) -> Response {
    answer(&mut web, &caller, &id, Step::Decline).await
}

pub async fn post_end(Path(id): Path<String>, Post(AdminPage(mut web, caller), _): Post<AdminPage>) -> Response {
    answer(&mut web, &caller, &id, Step::End).await
}

// ---------------------------------------------------------------------------------------
// One received mandate: who acts under it.

struct Detail {
    mandate: MandateView,
    /// The entity's own staff and administrators (the entity account acts for nobody).
    logins: Vec<LoginSummary>,
    catalogue: Vec<EServiceRecord>,
}

/// A received mandate of the caller's entity; a given one (or another's) is not found here.
async fn load_detail(web: &Web, caller: &Caller, id: &str) -> Result<Detail, Error> {
    let viewer = caller.overseer_of(caller.entity_number())?;
    let mandate = web.state.services.mandate(&viewer, id).await?;
    if mandate.to.entity_number != caller.entity_number() {
        return Err(Error::NotFound);
    }
    let logins =
        super::entity_logins(web, caller).await?.into_iter().filter(|s| s.login.kind != LoginKind::Entity).collect();
    let catalogue = web.state.services.list_eservices().await?;
    Ok(Detail { mandate, logins, catalogue })
}

/// The boxes and ends as stored, for every login.
fn stored_form(d: &Detail) -> FormValues {
    let mut v = Vec::new();
    for a in &d.mandate.acting {
        v.push((format!("eservices.{}", a.login_id), a.eservice_code.clone()));
        if let Some(t) = a.valid_until {
            v.push((format!("valid_until.{}.{}", a.login_id, a.eservice_code), macau_date(t, true)));
        }
    }
    FormValues(v)
}

#[derive(Serialize)]
struct LoginForm {
    login_id: String,
    name: String,
    kind_key: &'static str,
    eservices: Vec<LoginEService>,
}

#[derive(Serialize)]
struct LoginEService {
    code: String,
    name: String,
    ticked: bool,
    until: String,
    /// What is stored now, when the login acts on it.
    acting: Option<ActingRow>,
}

fn detail_page(web: &mut Web, d: &Detail, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let lang = web.lang;
    let m = &d.mandate;
    let logins: Vec<LoginForm> = d
        .logins
        .iter()
        .map(|s| {
            let id = s.login.id.to_string();
            let ticked = form.all(&format!("eservices.{id}"));
            let eservices = m
                .eservices
                .iter()
                .map(|code| LoginEService {
                    code: code.clone(),
                    name: name_of_code(lang, code, &d.catalogue),
                    ticked: ticked.contains(&code.as_str()),
                    until: form.get(&format!("valid_until.{id}.{code}")).to_string(),
                    acting: m
                        .acting
                        .iter()
                        .find(|a| a.login_id == s.login.id && &a.eservice_code == code)
                        .map(|a| acting_row(lang, a, &d.catalogue)),
                })
                .collect();
            LoginForm { login_id: id, name: s.login.name.clone(), kind_key: login_kind_key(s.login.kind), eservices }
        })
        .collect();
    let values = context! {
        id => m.id.clone(),
        entity_name => party_name(lang, &m.from),
        entity_number => m.from.entity_number.clone(),
        eservices => m.eservices.iter().map(|c| name_of_code(lang, c, &d.catalogue)).collect::<Vec<_>>(),
        mandate_until => local_date(lang, m.valid_until, true),
        status_key => status_key(m.status),
        active => m.status == MandateStatus::Active,
        logins,
        saved => notice_of(web, &[("saved", "mandates-assign-saved")]).filter(|_| errors.is_empty()),
    };
    web.render_form("account/mandate.html", status, values, form, errors)
}

pub async fn get_mandate(Path(id): Path<String>, AdminPage(mut web, caller): AdminPage) -> Response {
    match load_detail(&web, &caller, &id).await {
        Ok(d) => {
            let form = stored_form(&d);
            detail_page(&mut web, &d, StatusCode::OK, &form, &FormErrors::default())
        }
        Err(e) => failed(&mut web, &e),
    }
}

/// The domain's `eservices[i]…` named by this login and the code posted at `i`.
fn login_fields(e: Error, login: &str, codes: &[String]) -> Error {
    let Error::Validation(list) = e else { return e };
    let renamed = list
        .into_iter()
        .map(|mut fe: FieldError| {
            let place = fe.field.strip_prefix("eservices[").and_then(|rest| rest.split_once(']'));
            if let Some((i, rest)) = place {
                if let Some(code) = i.parse::<usize>().ok().and_then(|i| codes.get(i)) {
                    fe.field = match rest {
                        ".valid_until" => format!("valid_until.{login}.{code}"),
                        _ => format!("eservices.{login}.{code}"),
                    };
                }
            }
            fe
        })
        .collect();
    Error::Validation(renamed)
}

pub async fn post_mandate_login(
    Path((id, login_id)): Path<(String, String)>,
    Post(AdminPage(mut web, caller), posted): Post<AdminPage>,
) -> Response {
    let page = format!("{LIST}/{id}");
    web.page_is(&page);
    let d = match load_detail(&web, &caller, &id).await {
        Ok(d) => d,
        Err(e) => return failed(&mut web, &e),
    };
    if !d.logins.iter().any(|s| s.login.id == login_id.as_str()) {
        return web.not_found();
    }
    let stored =
        |code: &str| d.mandate.acting.iter().find(|a| a.login_id == login_id.as_str() && a.eservice_code == code);
    let mut codes: Vec<String> = Vec::new();
    let mut wanted = Vec::new();
    for code in posted.all(&format!("eservices.{login_id}")) {
        if codes.iter().any(|c| c == code) {
            continue;
        }
        let held = stored(code);
        // A start set through the API is kept: this page only sets ends.
        wanted.push(AssignmentInput {
            code: code.to_string(),
            valid_from: held.and_then(|a| a.valid_from).map(|t| t.rfc3339()),
            valid_until: kept_or_typed(
                posted.opt(&format!("valid_until.{login_id}.{code}")),
                held.and_then(|a| a.valid_until),
                true,
            ),
        });
        codes.push(code.to_string());
    }
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.assign_under_mandate(&admin, &web.ctx, &login_id, &id, wanted).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => web.redirect(&format!("{page}?done=saved#login-{login_id}")),
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => {
            // Nothing of this login was saved: its form as typed, the others as stored.
            let e = login_fields(e, &login_id, &codes);
            let box_name = format!("eservices.{login_id}");
            let until_prefix = format!("valid_until.{login_id}.");
            let mut form = stored_form(&d);
            form.0.retain(|(k, _)| *k != box_name && !k.starts_with(&until_prefix));
            form.0.extend(posted.0.iter().filter(|(k, _)| *k == box_name || k.starts_with(&until_prefix)).cloned());
            detail_page(&mut web, &d, FormErrors::status(&e), &form, &FormErrors::from_error(&e))
        }
    }
}
