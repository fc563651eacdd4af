//! The administrators' staff pages (R15, R16): the entity's logins with search and paging,
//! a new staff login (the person gets an SMS activation code), and deleting a login after a
//! confirmation — never one's own, never the entity account.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::logins::deletion_refusal;
use domain::model::LoginKind;
use domain::person::{IdDocumentInput, PersonInput};
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{entity_logins, entity_terms, failed, login_row, LoginRow};
use crate::web::audience::AdminPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::labels::id_type_options;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

const PER_PAGE: usize = 20;

#[derive(Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

fn page_href(q: &str, page: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        s.append_pair("q", q);
    }
    s.append_pair("page", &page.to_string());
    format!("/admin/staff?{}", s.finish())
}

fn matches(row: &LoginRow, needle: &str) -> bool {
    needle.is_empty()
        || row.name.to_lowercase().contains(needle)
        || row.username.as_deref().is_some_and(|u| u.to_lowercase().contains(needle))
}

pub async fn get_staff(AdminPage(mut web, caller): AdminPage) -> Response {
    // The search and the paging run in memory over the entity's logins: an entity has tens
    // or hundreds of them, not millions. A paged store query can replace this when needed.
    let logins = match entity_logins(&web, &caller).await {
        Ok(l) => l,
        Err(e) => return failed(&mut web, &e),
    };
    let catalogue = match web.state.services.list_eservices().await {
        Ok(c) => c,
        Err(e) => return failed(&mut web, &e),
    };
    let held = match entity_terms(&web, &caller).await {
        Ok(h) => h,
        Err(e) => return failed(&mut web, &e),
    };
    let q = query(&web, "q").map(|q| q.trim().to_string()).unwrap_or_default();
    let needle = q.to_lowercase();
    let all: Vec<LoginRow> = logins
        .iter()
        .filter(|s| s.login.kind != LoginKind::Entity)
        .map(|s| login_row(web.lang, s, &catalogue, &held, caller.login_id()))
        .collect();
    // After creating a login: its name and masked mobile, from the list (never from the URL).
    let created = query(&web, "created").and_then(|id| all.iter().find(|r| r.login_id == id).cloned());
    let deleted = query(&web, "deleted").is_some();
    let imported = query(&web, "imported").and_then(|n| n.trim().parse::<usize>().ok());
    let found: Vec<LoginRow> = all.into_iter().filter(|r| matches(r, &needle)).collect();
    let total = found.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = query(&web, "page").and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let rows: Vec<LoginRow> = found.into_iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).collect();
    let pager = Pager {
        page,
        pages,
        prev: (page > 1).then(|| page_href(&q, page - 1)),
        next: (page < pages).then(|| page_href(&q, page + 1)),
    };
    let form = context! { q => q };
    let values = context! { rows, total, pager, form, q, created, deleted, imported };
    web.render("account/staff.html", StatusCode::OK, values)
}

fn new_page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    web.render_form("account/staff_new.html", status, context! { id_types => id_type_options() }, form, errors)
}

pub async fn get_new(AdminPage(mut web, _): AdminPage) -> Response {
    new_page(&mut web, StatusCode::OK, &FormValues::default(), &FormErrors::default())
}

pub async fn post_new(Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    // The JSON API's field names, so the domain's error paths land beside the right field.
    let person = PersonInput {
        name: form.get("name").to_string(),
        id_document: IdDocumentInput {
            kind: form.get("id_document.type").trim().to_string(),
            number: form.get("id_document.number").to_string(),
        },
        mobile: form.opt("mobile"),
        document_shown: None,
    };
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.create_staff(&admin, &web.ctx, person).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(login_id) => {
            let q = form_urlencoded::Serializer::new(String::new()).append_pair("created", &login_id).finish();
            web.redirect(&format!("/admin/staff?{q}"))
        }
        Err(e @ (Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => new_page(&mut web, FormErrors::status(&e), &form, &FormErrors::from_error(&e)),
    }
}

/// The confirmation page for deleting `login_id`, with what went wrong if anything.
async fn delete_page(
    web: &mut Web,
    caller: &domain::access::Caller,
    login_id: &str,
    status: StatusCode,
    errors: FormErrors,
) -> Response {
    let logins = match entity_logins(web, caller).await {
        Ok(l) => l,
        Err(e) => return failed(web, &e),
    };
    let catalogue = match web.state.services.list_eservices().await {
        Ok(c) => c,
        Err(e) => return failed(web, &e),
    };
    let held = match entity_terms(web, caller).await {
        Ok(h) => h,
        Err(e) => return failed(web, &e),
    };
    // Only this entity's logins are found: another entity's id answers 404 (R20).
    let Some(found) = logins.iter().find(|s| s.login.id == login_id) else {
        return web.not_found();
    };
    let row = login_row(web.lang, found, &catalogue, &held, caller.login_id());
    // R16 as the domain states it: never one's own login, never the entity account.
    let refusal = deletion_refusal(&found.login, caller.login_id());
    let mut errors = errors;
    if let Some(code) = refusal.filter(|_| errors.is_empty()) {
        errors.general(code);
    }
    let can_delete = refusal.is_none();
    let values = context! { login => row, can_delete };
    web.render_form("account/delete.html", status, values, &FormValues::default(), &errors)
}

pub async fn get_delete(Path(login_id): Path<String>, AdminPage(mut web, caller): AdminPage) -> Response {
    delete_page(&mut web, &caller, &login_id, StatusCode::OK, FormErrors::default()).await
}

pub async fn post_delete(
    Path(login_id): Path<String>,
    Post(AdminPage(mut web, caller), _form): Post<AdminPage>,
) -> Response {
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.delete_login(&admin, &web.ctx, &login_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => web.redirect("/admin/staff?deleted=1"),
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => delete_page(&mut web, &caller, &login_id, FormErrors::status(&e), FormErrors::from_error(&e)).await,
    }
}
