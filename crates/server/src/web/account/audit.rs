//! The entity's part of the audit log (R26), for its entity account and administrators:
//! oldest first, a page at a time (`?after=` the last sequence number seen). Login ids are
//! shown as the names of the entity's logins; nothing in the log holds a secret or a full
//! identity number. A mandate's steps and the sign-ins made under one (R34, R35) are in both
//! entities' audits: they name both entities, and an actor who is a login of the other
//! entity is shown as such, never by its id.

use axum::http::StatusCode;
use axum::response::Response;
use domain::audit::Action;
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
    /// `login`, `former_login`, `other_entity_login` (its entity's number in `actor_name`),
    /// `operator`, `client`, `anonymous` or `system`.
    actor_kind: &'static str,
    actor_name: String,
    action: String,
    /// The label's message key (`audit-action-other` for an action the pages don't know).
    action_key: &'static str,
    target: Option<String>,
    /// `success` or `refused`.
    result: String,
    detail: String,
    /// A mandate's two entities, when the record names them (`for=`, `by=`).
    parties: Option<Parties>,
    source: String,
}

#[derive(Serialize)]
struct Parties {
    /// The entity acted for.
    mandating: String,
    /// The entity whose login acts.
    mandated: String,
}

/// The `for=` and `by=` of a mandate record's detail.
fn parties_of(detail: &str) -> Option<Parties> {
    let value = |name: &str| detail.split_whitespace().find_map(|w| w.strip_prefix(name)).map(str::to_string);
    Some(Parties { mandating: value("for=")?, mandated: value("by=")? })
}

/// The entity whose login made a mandate record: the mandating one offers; the mandated one
/// answers, assigns and signs in; either may end (then: not one of ours, so the other's).
fn actor_entity(action: &str, p: &Parties, own: &str) -> Option<String> {
    let other = if p.mandated == own { &p.mandating } else { &p.mandated };
    let side = match Action::parse(action) {
        Some(Action::MandateOffered) => &p.mandating,
        Some(Action::MandateAccepted | Action::MandateDeclined | Action::MandateLoginsAssigned) => &p.mandated,
        Some(Action::SignInAuthorized) => &p.mandated,
        _ => other,
    };
    (side != own).then(|| side.clone())
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
            let parties = parties_of(&r.detail);
            let (actor_kind, actor_name) = match r.actor.split_once(':') {
                Some(("login", id)) => match name_of(id) {
                    Some(n) => ("login", n),
                    None => match parties.as_ref().and_then(|p| actor_entity(&r.action, p, caller.entity_number())) {
                        Some(entity) => ("other_entity_login", entity),
                        None => ("former_login", id.chars().take(8).collect()),
                    },
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
                parties,
                source: r.source.clone(),
            }
        })
        .collect();
    let next =
        (records.len() as i64 == PER_PAGE).then(|| records.last().map(|r| format!("/entity/audit?after={}", r.seq)));
    let values = context! { records, next => next.flatten(), first => (after > 0).then_some("/entity/audit") };
    web.render("account/audit.html", StatusCode::OK, values)
}
