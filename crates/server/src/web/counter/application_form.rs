//! The application form (R1–R3): the entity, its legal representatives, an optional proxy
//! with a notarised power of attorney, one to three administrators, the signed agreement.
//! Field names are the JSON API's paths (`entity.mobile`, `representatives[0].name`,
//! `administrators[1].id_document.number`), so the domain's errors land beside their field.
//! Blank person blocks are left out; the domain's indices are mapped back to the form's.

use axum::http::StatusCode;
use axum::response::Response;
use domain::application_form::{ApplicationInput, EntityInput, ProxyInput};
use domain::model::EntityType;
use domain::person::{IdDocumentInput, PersonInput};
use domain::Error;
use minijinja::context;

use crate::web::audience::OperatorPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::path_segment;
use crate::web::labels::{entity_type_key, id_type_options};
use crate::web::page::Web;
use crate::web::posted::Post;

/// Blocks the form shows at least, and at most keeps from a post.
const SHOWN: usize = 3;
const MAX_REPRESENTATIVES: usize = 20;
const MAX_ADMINISTRATORS: usize = 10;

/// The indices `list[i]…` the post holds values for, in order.
fn indices(form: &FormValues, list: &str, max: usize) -> Vec<usize> {
    let prefix = format!("{list}[");
    let mut out: Vec<usize> = form
        .0
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(&prefix)?.split_once(']')?.0.parse().ok())
        .filter(|i| *i < max)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn filled(form: &FormValues, at: &str, fields: &[&str]) -> bool {
    fields.iter().any(|f| !form.get(&format!("{at}.{f}")).trim().is_empty())
}

fn person(form: &FormValues, at: &str, with_mobile: bool, with_shown: bool) -> PersonInput {
    let get = |f: &str| form.get(&format!("{at}.{f}")).to_string();
    PersonInput {
        name: get("name"),
        id_document: IdDocumentInput { kind: get("id_document.type"), number: get("id_document.number") },
        mobile: with_mobile.then(|| get("mobile")),
        document_shown: with_shown.then(|| form.checked(&format!("{at}.document_shown"))),
    }
}

fn opt(form: &FormValues, name: &str) -> Option<String> {
    Some(form.get(name).to_string()).filter(|s| !s.trim().is_empty())
}

/// For each list, the form index of each person sent to the domain.
struct Mapping {
    representatives: Vec<usize>,
    administrators: Vec<usize>,
}

/// The domain input from the form.
fn build(form: &FormValues) -> (ApplicationInput, Mapping) {
    const REP: &[&str] = &["name", "id_document.type", "id_document.number", "document_shown"];
    const ADMIN: &[&str] = &["name", "id_document.type", "id_document.number", "mobile"];
    const PROXY: &[&str] = &[
        "name",
        "id_document.type",
        "id_document.number",
        "document_shown",
        "power_of_attorney.notarised",
        "power_of_attorney.reference",
    ];
    let representatives: Vec<usize> = indices(form, "representatives", MAX_REPRESENTATIVES)
        .into_iter()
        .filter(|i| filled(form, &format!("representatives[{i}]"), REP))
        .collect();
    let administrators: Vec<usize> = indices(form, "administrators", MAX_ADMINISTRATORS)
        .into_iter()
        .filter(|i| filled(form, &format!("administrators[{i}]"), ADMIN))
        .collect();
    let proxy = filled(form, "proxy", PROXY).then(|| ProxyInput {
        person: person(form, "proxy", false, true),
        poa_notarised: form.checked("proxy.power_of_attorney.notarised"),
        poa_reference: form.get("proxy.power_of_attorney.reference").to_string(),
    });
    let input = ApplicationInput {
        entity: EntityInput {
            kind: form.get("entity.type").to_string(),
            name_zh: opt(form, "entity.name_zh"),
            name_pt: opt(form, "entity.name_pt"),
            name_en: opt(form, "entity.name_en"),
            registration_number: form.get("entity.registration_number").to_string(),
            mobile: form.get("entity.mobile").to_string(),
        },
        representatives: representatives
            .iter()
            .map(|i| person(form, &format!("representatives[{i}]"), false, true))
            .collect(),
        proxy,
        administrators: administrators
            .iter()
            .map(|i| person(form, &format!("administrators[{i}]"), true, false))
            .collect(),
        agreement_signed: form.checked("agreement_signed"),
    };
    (input, Mapping { representatives, administrators })
}

/// `administrators[1].mobile` as the domain numbered it → as the form did.
fn remap(field: &str, list: &str, form_indices: &[usize]) -> Option<String> {
    let rest = field.strip_prefix(list)?.strip_prefix('[')?;
    let (i, tail) = rest.split_once(']')?;
    let sent: usize = i.parse().ok()?;
    let shown = form_indices.get(sent).copied().unwrap_or(sent);
    // A whole-document error (the same person twice) sits beside the document number.
    let tail = if tail == ".id_document" { ".id_document.number" } else { tail };
    Some(format!("{list}[{shown}]{tail}"))
}

fn errors_of(e: &Error, built: &Mapping) -> FormErrors {
    let Error::Validation(list) = e else { return FormErrors::from_error(e) };
    let mut out = FormErrors::default();
    for fe in list {
        let field = remap(&fe.field, "representatives", &built.representatives)
            .or_else(|| remap(&fe.field, "administrators", &built.administrators))
            .unwrap_or_else(|| fe.field.clone());
        out.field(&field, fe.code);
    }
    out
}

fn page(web: &mut Web, status: StatusCode, form: &FormValues, errors: &FormErrors) -> Response {
    let blocks = |list: &str, max: usize| -> Vec<usize> {
        let n = indices(form, list, max).last().map(|i| i + 1).unwrap_or(0).max(SHOWN);
        (0..n).collect()
    };
    let entity_types: Vec<(&str, &str)> = EntityType::ALL.iter().map(|t| (t.as_str(), entity_type_key(*t))).collect();
    let values = context! {
        representatives => blocks("representatives", MAX_REPRESENTATIVES),
        administrators => blocks("administrators", MAX_ADMINISTRATORS),
        entity_types,
        id_types => id_type_options(),
    };
    web.render_form("counter/application_form.html", status, values, form, errors)
}

pub async fn get_new(OperatorPage(mut web, _): OperatorPage) -> Response {
    page(&mut web, StatusCode::OK, &FormValues::default(), &FormErrors::default())
}

pub async fn post_new(Post(OperatorPage(mut web, op), form): Post<OperatorPage>) -> Response {
    let (input, mapping) = build(&form);
    match web.state.services.submit_application(&op, &web.ctx, input).await {
        Ok((number, _)) => web.redirect(&format!("/counter/applications/{}?done=submitted", path_segment(&number))),
        Err(e) => {
            let errors = errors_of(&e, &mapping);
            page(&mut web, FormErrors::status(&e), &form, &errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        FormValues(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn r1_blank_blocks_are_left_out_and_errors_find_their_block_again() {
        let f = form(&[
            ("administrators[0].name", ""),
            ("administrators[0].mobile", ""),
            ("administrators[2].name", "Chan"),
            ("administrators[2].mobile", "123"),
            ("representatives[1].name", "Wong"),
        ]);
        let (input, b) = build(&f);
        assert_eq!(b.administrators, vec![2]);
        assert_eq!(b.representatives, vec![1]);
        assert_eq!(input.administrators.len(), 1);
        assert!(input.proxy.is_none());
        assert_eq!(
            remap("administrators[0].mobile", "administrators", &b.administrators).as_deref(),
            Some("administrators[2].mobile")
        );
        assert_eq!(
            remap("administrators[0].id_document", "administrators", &b.administrators).as_deref(),
            Some("administrators[2].id_document.number")
        );
        assert_eq!(remap("administrators", "administrators", &b.administrators), None);
        assert_eq!(remap("entity.mobile", "representatives", &b.representatives), None);
    }
}
