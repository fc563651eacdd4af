//! The e-service catalogue (R19, R21): what departments offer through this system, and a
//! form to add one. An e-service's OpenID Connect client (redirect addresses, secret) is
//! set up through the API or the command line, where its secret is shown once.

use axum::http::StatusCode;
use axum::response::Response;
use domain::eservice_form::EServiceInput;
use domain::model::Assurance;
use domain::Code;
use minijinja::context;
use serde::Serialize;

use super::assurance_key;
use crate::web::audience::OperatorPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::local_time;
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query_is;

#[derive(Serialize)]
struct Row {
    code: String,
    name_zh: String,
    name_pt: String,
    name_en: String,
    department: String,
    assurance_key: &'static str,
    requires_registration: bool,
    created_at: String,
}

async fn page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let (rows, errors_now) = match web.state.services.list_eservices().await {
        Ok(list) => (list, None),
        Err(e) => (Vec::new(), Some(FormErrors::from_error(&e))),
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|e| Row {
            code: e.code,
            name_zh: e.name_zh,
            name_pt: e.name_pt,
            name_en: e.name_en,
            department: e.department,
            assurance_key: assurance_key(e.assurance),
            requires_registration: e.requires_registration,
            created_at: local_time(e.created_at),
        })
        .collect();
    let assurances: Vec<(&str, &str)> = Assurance::ALL.iter().map(|a| (a.as_str(), assurance_key(*a))).collect();
    let added = query_is(web, "done", "added");
    // The code is not echoed by the generic form values (it is a secret elsewhere).
    let typed_code = form.get("code").to_string();
    let values = context! { rows, assurances, added, typed_code };
    web.render_form("counter/eservices.html", status, values, form, errors_now.as_ref().unwrap_or(errors))
}

pub async fn get_catalogue(OperatorPage(mut web, _): OperatorPage) -> Response {
    page(&mut web, StatusCode::OK, &FormValues::default(), &FormErrors::default()).await
}

pub async fn post_eservice(Post(OperatorPage(mut web, op), form): Post<OperatorPage>) -> Response {
    let input = EServiceInput {
        code: form.get("code").trim().to_string(),
        name_zh: form.get("names.zh").to_string(),
        name_pt: form.get("names.pt").to_string(),
        name_en: form.get("names.en").to_string(),
        department: form.get("department").to_string(),
        assurance: form.get("assurance").to_string(),
        requires_registration: form.checked("requires_registration"),
        four_eyes: form.checked("four_eyes"),
        allows_intermediaries: form.checked("allows_intermediaries"),
        // Not a number reads as 0, which the domain refuses as out of range.
        review_days: Some(form.get("review_days").trim()).filter(|v| !v.is_empty()).map(|v| v.parse().unwrap_or(0)),
    };
    match web.state.services.create_eservice(&op, &web.ctx, input).await {
        Ok(_) => web.redirect("/counter/eservices?done=added"),
        Err(e) => {
            let errors = match &e {
                domain::Error::Conflict { code: Code::EserviceExists, .. } => {
                    let mut errors = FormErrors::default();
                    errors.field("code", Code::EserviceExists);
                    errors
                }
                // "invalid_code" reads as a wrong one-time code elsewhere.
                domain::Error::Validation(list) => {
                    let mut errors = FormErrors::default();
                    for fe in list {
                        let code = if fe.field == "code" && fe.code == Code::InvalidCode {
                            Code::InvalidEserviceCode
                        } else {
                            fe.code
                        };
                        errors.field(&fe.field, code);
                    }
                    errors
                }
                _ => FormErrors::from_error(&e),
            };
            page(&mut web, FormErrors::status(&e), &form, &errors).await
        }
    }
}
