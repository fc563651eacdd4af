//! Assigning e-services (R19): a matrix of the entity's logins × the catalogue's e-services.
//! One form holds the whole matrix; "save" saves every row that changed, a row's own button
//! (`name="row"`) only that row; the rows are saved together or not at all
//! (`Services::assign_matrix`). An e-service that needs a registration the entity
//! lacks is shown disabled, with the reason — except in a row that already has it (the
//! entity was unregistered after the assignment): there the box stays ticked and enabled.
//! A disabled box is never posted, so a disabled ticked box would read as "unticked" and
//! saving the row would drop the assignment silently; and the domain refuses to save a row
//! that keeps it. So such a row is left as it is unless the admin unticks the box, which
//! removes the assignment; changing its other boxes while keeping it is refused beside the
//! row (`entity_not_registered`), nothing saved.
//!
//! Each ticked box shows the end of its assignment where it has one (R29); the dates
//! themselves are set on the login's own page (`login_eservices.rs`), linked from its row,
//! and saving the matrix keeps them.
//!
//! Form fields: `logins` (one hidden field per row: the rows the form shows),
//! `eservices:{login_id}` (one checkbox per assignable e-service, value = its code), `row`
//! (set by a row's button).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::assignments::LoginAssignment;
use domain::logins::LoginSummary;
use domain::model::{EServiceRecord, LoginKind};
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{eservice_view, failed, EServiceView};
use crate::web::audience::AdminPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::local_date;
use crate::web::labels::login_kind_key;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

#[derive(Serialize)]
struct Column {
    #[serde(flatten)]
    eservice: EServiceView,
    /// Needs a registration with the e-service that the entity does not have.
    blocked: bool,
}

#[derive(Serialize)]
struct Cell {
    code: String,
    checked: bool,
    /// The last day the stored assignment includes, when it ends.
    until: Option<String>,
    /// Needs a registration the entity lacks.
    blocked: bool,
    /// Blocked and not ticked: it cannot be ticked (a ticked one can still be unticked).
    disabled: bool,
}

#[derive(Serialize)]
struct Row {
    login_id: String,
    name: String,
    kind_key: &'static str,
    is_self: bool,
    cells: Vec<Cell>,
    /// The message key of what went wrong saving this row.
    error: Option<String>,
}

struct Data {
    logins: Vec<LoginSummary>,
    catalogue: Vec<EServiceRecord>,
    registrations: Vec<String>,
    /// Each login's assignments with their dates, by login id.
    terms: BTreeMap<String, Vec<LoginAssignment>>,
}

async fn load(web: &Web, caller: &Caller) -> Result<Data, Error> {
    let admin = caller.admin_of_own()?;
    let registrations = web.state.services.entity_registrations(&admin).await?;
    let viewer = caller.overseer_of(caller.entity_number())?;
    let logins = web.state.services.list_logins(&viewer).await?;
    let catalogue = web.state.services.list_eservices().await?;
    // One read for the whole entity, however many logins it has.
    let terms = web.state.services.entity_assignments(&viewer).await?;
    Ok(Data { logins, catalogue, registrations, terms })
}

/// The matrix; rows in `posted` show what was posted instead of what is stored.
fn page(
    web: &mut Web,
    caller: &Caller,
    data: &Data,
    status: StatusCode,
    posted: &BTreeMap<String, Vec<String>>,
    errors: &FormErrors,
) -> Response {
    let columns: Vec<Column> = data
        .catalogue
        .iter()
        .map(|e| Column {
            eservice: eservice_view(web.lang, e),
            blocked: e.requires_registration && !data.registrations.contains(&e.code),
        })
        .collect();
    let lang = web.lang;
    let rows: Vec<Row> = data
        .logins
        .iter()
        .filter(|s| s.login.kind != LoginKind::Entity)
        .map(|s| {
            let l = &s.login;
            let chosen = posted.get(l.id.as_str()).unwrap_or(&s.eservices);
            let held = data.terms.get(l.id.as_str());
            Row {
                login_id: l.id.to_string(),
                name: l.name.clone(),
                kind_key: login_kind_key(l.kind),
                is_self: l.id == caller.login_id(),
                cells: columns
                    .iter()
                    .map(|c| {
                        let checked = chosen.contains(&c.eservice.code);
                        let ends = held
                            .and_then(|list| list.iter().find(|a| a.code == c.eservice.code))
                            .and_then(|a| a.valid_until);
                        Cell {
                            code: c.eservice.code.clone(),
                            checked,
                            until: ends.filter(|_| checked).map(|t| local_date(lang, t, true)),
                            blocked: c.blocked,
                            disabled: c.blocked && !checked,
                        }
                    })
                    .collect(),
                error: errors.fields.get(&format!("eservices:{}", l.id)).cloned(),
            }
        })
        .collect();
    let saved = query(web, "saved").is_some() && errors.is_empty();
    let values = context! { columns, rows, saved };
    web.render_form("account/assignments.html", status, values, &FormValues::default(), errors)
}

pub async fn get_assignments(AdminPage(mut web, caller): AdminPage) -> Response {
    match load(&web, &caller).await {
        Ok(data) => page(&mut web, &caller, &data, StatusCode::OK, &BTreeMap::new(), &FormErrors::default()),
        Err(e) => failed(&mut web, &e),
    }
}

fn normalised(mut codes: Vec<String>) -> Vec<String> {
    codes.sort();
    codes.dedup();
    codes
}

pub async fn post_assignments(Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    let data = match load(&web, &caller).await {
        Ok(d) => d,
        Err(e) => return failed(&mut web, &e),
    };
    let targets: Vec<String> = match form.opt("row") {
        Some(one) => vec![one],
        None => form.all("logins").into_iter().map(str::to_string).collect(),
    };
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for login_id in targets {
        let wanted = normalised(form.all(&format!("eservices:{login_id}")).into_iter().map(str::to_string).collect());
        // An unchanged row is not written again (no audit record, no notice), and is not
        // refused for an e-service it keeps after the entity was unregistered from it.
        let current = data.logins.iter().find(|s| s.login.id == login_id);
        if current.is_none_or(|s| normalised(s.eservices.clone()) != wanted) {
            rows.push((login_id, wanted));
        }
    }
    if rows.is_empty() {
        return web.redirect("/admin/assignments?saved=1");
    }
    // The domain looks every login up within the session's entity only (R20), and saves
    // the rows together or not at all.
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.assign_matrix(&admin, &web.ctx, rows.clone()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => web.redirect("/admin/assignments?saved=1"),
        Err(e @ (Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => {
            // Nothing was saved: the page shows what was ticked, and why each row failed.
            let errors = FormErrors::from_error(&e);
            let ticked: BTreeMap<String, Vec<String>> = rows.into_iter().collect();
            page(&mut web, &caller, &data, FormErrors::status(&e), &ticked, &errors)
        }
    }
}
