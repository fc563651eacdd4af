//! What every login of an entity sees of itself (its e-services and requests are
//! `my_access.rs`): its notification inbox (R25, and R29–R31, R34, R37's notices), its entity, and its e-ID tools (R22, R23) — where the person may switch face
//! recognition off, after a confirmation that only the counter switches it back on.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use domain::model::EServiceRecord;
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{eservice_name, failed};
use crate::web::audience::LoginPage;
use crate::web::form::{FormErrors, FormValues};
use crate::web::format::{local_day, local_time};
use crate::web::i18n::Lang;
use crate::web::labels::{entity_type_key, login_kind_key};
use crate::web::page::Web;
use crate::web::posted::Post;
use crate::web::query::query;

#[derive(Serialize)]
struct Notice {
    kind: String,
    params: BTreeMap<String, String>,
    at: String,
}

/// The names of a comma-separated list of e-service codes, in the page's language.
fn names_of(lang: Lang, codes: &str, catalogue: &[EServiceRecord]) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| catalogue.iter().find(|e| e.code == c).map(|e| eservice_name(lang, e)).unwrap_or(c.to_string()))
        .collect::<Vec<_>>()
        .join(sep)
}

pub async fn get_notifications(LoginPage(mut web, caller): LoginPage) -> Response {
    let loaded: Result<_, Error> = async {
        let list = web.state.services.my_notifications(&caller).await?;
        let catalogue = web.state.services.list_eservices().await?;
        let sms = web.state.services.sms_notices(&caller).await?;
        Ok((list, catalogue, sms))
    }
    .await;
    let (list, catalogue, sms) = match loaded {
        Ok(x) => x,
        Err(e) => return failed(&mut web, &e),
    };
    let notices: Vec<Notice> = list
        .into_iter()
        .map(|n| {
            let mut params: BTreeMap<String, String> = n.params.into_iter().collect();
            // E-services by name, not code: the sentence is for people.
            if let Some(codes) = params.get("eservices").cloned() {
                params.insert("eservice_names".into(), names_of(web.lang, &codes, &catalogue));
            }
            if let Some(code) = params.get("eservice").cloned() {
                params.insert("eservice_name".into(), names_of(web.lang, &code, &catalogue));
            }
            // Days (R29's end, R30's due date) in the page's language.
            for key in ["until", "due"] {
                if let Some(ymd) = params.get(key).cloned() {
                    params.insert(format!("{key}_day"), local_day(web.lang, &ymd));
                }
            }
            Notice { kind: n.kind, params, at: local_time(n.created_at) }
        })
        .collect();
    let saved = query(&web, "saved").is_some();
    let values = context! { notices, sms, saved };
    web.render_form(
        "account/my_notifications.html",
        StatusCode::OK,
        values,
        &FormValues::default(),
        &FormErrors::default(),
    )
}

/// R29: the login asks for (or stops) notices of access ending by SMS too.
pub async fn post_sms_notices(Post(LoginPage(mut web, caller), form): Post<LoginPage>) -> Response {
    match web.state.services.set_sms_notices(&caller, &web.ctx, form.checked("sms")).await {
        Ok(_) => web.redirect("/my/notifications?saved=1"),
        Err(e) => failed(&mut web, &e),
    }
}

pub async fn get_entity(LoginPage(mut web, caller): LoginPage) -> Response {
    let me = match web.state.services.me(&caller).await {
        Ok(m) => m,
        Err(e) => return failed(&mut web, &e),
    };
    let names = &me.entity.names;
    let values = context! {
        entity_number => caller.entity_number(),
        name_zh => names.zh.clone(),
        name_pt => names.pt.clone(),
        name_en => names.en.clone(),
        entity_type_key => entity_type_key(me.entity.entity_type),
        kind => caller.kind().as_str(),
        kind_key => login_kind_key(caller.kind()),
        my_name => me.login.name.clone(),
        username => me.login.username.clone(),
    };
    web.render("account/my_entity.html", StatusCode::OK, values)
}

async fn eid_page(web: &mut Web, caller: &domain::access::Caller, status: StatusCode, errors: &FormErrors) -> Response {
    let state = match web.state.services.my_eid(caller).await {
        Ok(s) => s,
        Err(e) => return failed(web, &e),
    };
    let values = context! {
        face_available => state.face_available,
        face_enabled => state.face_enabled,
        face_off_reason => state.face_off_reason,
        code_available => state.code_available,
        code_bound => state.code_bound,
        switched_off => query(web, "face_off").is_some() && errors.is_empty(),
    };
    web.render_form("account/my_eid.html", status, values, &FormValues::default(), errors)
}

pub async fn get_eid(LoginPage(mut web, caller): LoginPage) -> Response {
    eid_page(&mut web, &caller, StatusCode::OK, &FormErrors::default()).await
}

pub async fn get_face_off(LoginPage(mut web, caller): LoginPage) -> Response {
    let state = match web.state.services.my_eid(&caller).await {
        Ok(s) => s,
        Err(e) => return failed(&mut web, &e),
    };
    if !state.face_enabled {
        // Nothing to switch off: the e-ID page says why.
        return web.redirect("/my/eid");
    }
    web.render("account/my_face_off.html", StatusCode::OK, context! {})
}

pub async fn post_face_off(Post(LoginPage(mut web, caller), _form): Post<LoginPage>) -> Response {
    match web.state.services.set_my_face(&caller, &web.ctx, false).await {
        Ok(_) => web.redirect("/my/eid?face_off=1"),
        Err(e @ (Error::NotFound | Error::Unauthenticated | Error::Forbidden)) => failed(&mut web, &e),
        Err(e) => eid_page(&mut web, &caller, FormErrors::status(&e), &FormErrors::from_error(&e)).await,
    }
}
