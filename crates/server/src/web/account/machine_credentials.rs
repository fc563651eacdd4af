//! Machine credentials on the pages (R36): the entity's list (name, e-services, end, last
//! use), the create form, the page that shows a new credential's client id and secret once,
//! and deletion. The entity account sees the list; only administrators change anything.
//!
//! Form fields are the API's (`name`, `eservices` one box per code, `provisioning`,
//! `valid_until`, `jwk`); the domain's `eservices[i]` is named `eservices.{code}` again.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Caller;
use domain::machine_credential_form::MachineCredentialInput;
use domain::model::{EServiceRecord, LoginKind, MachineCredentialRecord};
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{eservice_name, failed};
use crate::web::audience::{AdminPage, OverseerPage};
use crate::web::form::eservice_fields_by_code;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{local_date, local_time};
use crate::web::i18n::Lang;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::notice_of;

const LIST: &str = "/admin/machine-credentials";

const NOTICES: &[(&str, &str)] = &[("deleted", "mc-done-deleted")];

#[derive(Serialize)]
struct Row {
    client_id: String,
    name: String,
    eservices: Vec<String>,
    provisioning: bool,
    until: String,
    last_used: Option<String>,
    /// `mc-auth-secret` or `mc-auth-key`.
    auth_key: &'static str,
}

#[derive(Serialize)]
struct Choice {
    code: String,
    name: String,
    ticked: bool,
}

fn row(lang: Lang, c: &MachineCredentialRecord, catalogue: &[EServiceRecord]) -> Row {
    Row {
        client_id: c.client_id.clone(),
        name: c.name.clone(),
        eservices: c
            .eservices
            .iter()
            .map(|code| {
                catalogue.iter().find(|e| e.code == *code).map(|e| eservice_name(lang, e)).unwrap_or(code.clone())
            })
            .collect(),
        provisioning: c.provisioning,
        until: local_date(lang, c.valid_until, true),
        last_used: c.last_used_at.map(local_time),
        auth_key: match c.auth {
            domain::model::oidc::ClientAuth::Secret => "mc-auth-secret",
            domain::model::oidc::ClientAuth::PrivateKeyJwt => "mc-auth-key",
        },
    }
}

async fn list_page(
    web: &mut Web,
    caller: &Caller,
    status: StatusCode,
    form: &FormValues,
    errors: &FormErrors,
) -> Response {
    let viewer = match caller.overseer_of(caller.entity_number()) {
        Ok(v) => v,
        Err(e) => return failed(web, &e),
    };
    let (list, catalogue) =
        match (web.state.services.list_machine_credentials(&viewer).await, web.state.services.list_eservices().await) {
            (Ok(l), Ok(c)) => (l, c),
            (Err(e), _) | (_, Err(e)) => return failed(web, &e),
        };
    let lang = web.lang;
    let rows: Vec<Row> = list.iter().map(|c| row(lang, c, &catalogue)).collect();
    let ticked = form.all("eservices");
    let choices: Vec<Choice> = catalogue
        .iter()
        .map(|e| Choice {
            code: e.code.clone(),
            name: eservice_name(lang, e),
            ticked: ticked.contains(&e.code.as_str()),
        })
        .collect();
    let is_admin = caller.kind() == LoginKind::Admin;
    let notice = if errors.is_empty() { notice_of(web, NOTICES) } else { None };
    let values = context! { rows, choices, is_admin, notice };
    web.render_form("account/machine_credentials.html", status, values, form, errors)
}

pub async fn get_machine_credentials(OverseerPage(mut web, caller): OverseerPage) -> Response {
    list_page(&mut web, &caller, StatusCode::OK, &FormValues::default(), &FormErrors::default()).await
}

pub async fn post_machine_credential(Post(AdminPage(mut web, caller), form): Post<AdminPage>) -> Response {
    web.page_is(LIST);
    let codes: Vec<String> = form.all("eservices").into_iter().map(str::to_string).collect();
    let input = MachineCredentialInput {
        name: form.get("name").to_string(),
        eservices: codes.clone(),
        provisioning: matches!(form.get("provisioning"), "on" | "true" | "1"),
        valid_until: form.get("valid_until").to_string(),
        jwk: Some(form.get("jwk").to_string()).filter(|j| !j.trim().is_empty()),
    };
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.create_machine_credential(&admin, &web.ctx, input).await,
        Err(e) => Err(e),
    };
    match result {
        // Shown once, on this answer only: never a redirect to a page that could show it again.
        Ok(created) => {
            let values = context! {
                name => created.credential.name,
                client_id => created.credential.client_id,
                secret => created.secret,
                issuer => web.state.issuer.to_string(),
            };
            web.render("account/machine_credential_created.html", StatusCode::CREATED, values)
        }
        Err(e) if matches!(e, Error::Unauthenticated | Error::Forbidden | Error::NotFound) => failed(&mut web, &e),
        Err(e) => {
            let e = eservice_fields_by_code(e, &codes);
            list_page(&mut web, &caller, FormErrors::status(&e), &form, &FormErrors::from_error(&e)).await
        }
    }
}

pub async fn post_delete(
    Path(client_id): Path<String>,
    Post(AdminPage(mut web, caller), _): Post<AdminPage>,
) -> Response {
    web.page_is(LIST);
    let result = match caller.admin_of_own() {
        Ok(admin) => web.state.services.delete_machine_credential(&admin, &web.ctx, &client_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => web.redirect(&format!("{LIST}?done=deleted")),
        Err(e) => failed(&mut web, &e),
    }
}
