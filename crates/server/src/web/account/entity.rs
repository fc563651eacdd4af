//! The entity account's pages (R17, R18): an overview of the entity, all of its logins, and
//! removing an administrator's rights, after a confirmation that says only the counter can
//! give them back.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::model::{LoginKind, LoginStatus};
use domain::Code;
use domain::Error;
use minijinja::context;

use super::{entity_logins, entity_name, entity_terms, failed, login_row, EntityTerms, LoginRow};
use crate::web::audience::EntityAccountPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

pub async fn get_overview(EntityAccountPage(mut web, caller): EntityAccountPage) -> Response {
    let me = match web.state.services.me(&caller).await {
        Ok(m) => m,
        Err(e) => return failed(&mut web, &e),
    };
    let logins = match entity_logins(&web, &caller).await {
        Ok(l) => l,
        Err(e) => return failed(&mut web, &e),
    };
    let people: Vec<_> = logins.iter().filter(|s| s.login.kind != LoginKind::Entity).collect();
    let admins = people.iter().filter(|s| s.login.kind == LoginKind::Admin).count();
    let staff = people.iter().filter(|s| s.login.kind == LoginKind::Staff).count();
    let pending = people.iter().filter(|s| s.login.status == LoginStatus::Pending).count();
    let values = context! {
        entity_number => caller.entity_number(),
        entity_name => entity_name(web.lang, &me.entity.names),
        logins => people.len(),
        admins,
        staff,
        pending,
    };
    web.render("account/overview.html", StatusCode::OK, values)
}

pub async fn get_logins(EntityAccountPage(mut web, caller): EntityAccountPage) -> Response {
    let (logins, catalogue, held) = match load(&web, &caller).await {
        Ok(x) => x,
        Err(e) => return failed(&mut web, &e),
    };
    let rows: Vec<LoginRow> = logins
        .iter()
        .filter(|s| s.login.kind != LoginKind::Entity)
        .map(|s| login_row(web.lang, s, &catalogue, &held, caller.login_id()))
        .collect();
    // After a removal: whose rights were removed, named from the list (never from the URL).
    let removed = query(&web, "removed").and_then(|id| rows.iter().find(|r| r.login_id == id).map(|r| r.name.clone()));
    web.render("account/logins.html", StatusCode::OK, context! { rows, removed })
}

async fn load(
    web: &Web,
    caller: &domain::access::Caller,
) -> Result<(Vec<domain::logins::LoginSummary>, Vec<domain::model::EServiceRecord>, EntityTerms), Error> {
    let logins = entity_logins(web, caller).await?;
    let catalogue = web.state.services.list_eservices().await?;
    let held = entity_terms(web, caller).await?;
    Ok((logins, catalogue, held))
}

/// The confirmation page for `login_id`, with what went wrong if anything.
async fn confirm_page(
    web: &mut Web,
    caller: &domain::access::Caller,
    login_id: &str,
    status: StatusCode,
    errors: FormErrors,
) -> Response {
    let (logins, catalogue, held) = match load(web, caller).await {
        Ok(x) => x,
        Err(e) => return failed(web, &e),
    };
    // Only this entity's logins are found: another entity's id answers 404 (R20).
    let Some(found) = logins.iter().find(|s| s.login.id == login_id && s.login.kind != LoginKind::Entity) else {
        return web.not_found();
    };
    let row = login_row(web.lang, found, &catalogue, &held, caller.login_id());
    // R17 as the domain states it: only rights the login holds can be removed.
    let can_remove = found.login.has_admin_rights();
    let mut errors = errors;
    if errors.is_empty() && !can_remove {
        errors.general(Code::NotAnAdministrator);
    }
    let values = context! { login => row, can_remove };
    web.render_form("account/remove_admin.html", status, values, &FormValues::default(), &errors)
}

pub async fn get_remove_admin(
    Path(login_id): Path<String>,
    EntityAccountPage(mut web, caller): EntityAccountPage,
) -> Response {
    confirm_page(&mut web, &caller, &login_id, StatusCode::OK, FormErrors::default()).await
}

pub async fn post_remove_admin(
    Path(login_id): Path<String>,
    Post(EntityAccountPage(mut web, caller), _form): Post<EntityAccountPage>,
) -> Response {
    let result = match caller.entity_account_of_own() {
        Ok(account) => web.state.services.remove_admin(&account, &web.ctx, &login_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let q = form_urlencoded::Serializer::new(String::new()).append_pair("removed", &login_id).finish();
            web.redirect(&format!("/account/logins?{q}"))
        }
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => confirm_page(&mut web, &caller, &login_id, FormErrors::status(&e), FormErrors::from_error(&e)).await,
    }
}
