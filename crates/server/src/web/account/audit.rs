//! The entity's part of the audit log (R26), for its entity account and administrators:
//! oldest first, a page at a time (`?after=` the last sequence number seen). Login ids are
//! shown as the names of the entity's logins; nothing in the log holds a secret or a full
//! identity number.

use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use minijinja::context;
use serde::Serialize;

use super::{entity_logins, failed};
use crate::web::audience::OverseerPage;
use crate::web::format::local_time;
use crate::web::labels::stored_action_key;
use crate::web::query::query;

const PER_PAGE: i64 = 50;

#[derive(Serialize)]
struct Record {
    seq: i64,
    at: String,
    /// `login`, `former_login`, `operator`, `client`, `anonymous` or `system`.
    actor_kind: &'static str,
    actor_name: String,
    action: String,
    /// The label's message key (`audit-action-other` for an action the pages don't know).
    action_key: &'static str,
    target: Option<String>,
    /// `success` or `refused`.
    result: String,
    detail: String,
    source: String,
}

pub async fn get_audit(OverseerPage(mut web, caller): OverseerPage) -> Response {
    let after = query(&web, "after").and_then(|a| a.trim().parse::<i64>().ok()).unwrap_or(0).max(0);
    let loaded: Result<_, Error> = async {
        let viewer = caller.overseer_of(caller.entity_number())?;
        let rows = web.state.services.entity_audit(&viewer, after, PER_PAGE).await?;
        let logins = entity_logins(&web, &caller).await?;
        Ok((rows, logins))
    }
    .await;
    let (rows, logins) = match loaded {
        Ok(x) => x,
        Err(e) => return failed(&mut web, &e),
    };
    let name_of = |id: &str| logins.iter().find(|s| s.login.id == id).map(|s| s.login.name.clone());
    let records: Vec<Record> = rows
        .iter()
        .map(|r| {
            let (actor_kind, actor_name) = match r.actor.split_once(':') {
                Some(("login", id)) => match name_of(id) {
                    Some(n) => ("login", n),
                    None => ("former_login", id.chars().take(8).collect()),
                },
                Some(("operator", _)) => ("operator", String::new()),
                Some(("client", id)) => ("client", id.to_string()),
                _ if r.actor == "anonymous" => ("anonymous", String::new()),
                _ => ("system", String::new()),
            };
            Record {
                seq: r.seq,
                at: local_time(r.at),
                actor_kind,
                actor_name,
                action: r.action.clone(),
                action_key: stored_action_key(&r.action).as_str(),
                target: r.target.as_ref().map(|t| name_of(t).unwrap_or(t.clone())),
                result: r.result.clone(),
                detail: r.detail.clone(),
                source: r.source.clone(),
            }
        })
        .collect();
    let next =
        (records.len() as i64 == PER_PAGE).then(|| records.last().map(|r| format!("/entity/audit?after={}", r.seq)));
    let values = context! { records, next => next.flatten(), first => (after > 0).then_some("/entity/audit") };
    web.render("account/audit.html", StatusCode::OK, values)
}
