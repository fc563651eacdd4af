//! Who may use what, and from when until when (R19, R28, R31): administrators assign their
//! entity's logins to e-services, each with an optional start and end; an e-service that
//! demands four eyes takes an assignment only when a second administrator approves it.

use crate::access::{AdminOf, Caller, OverseerOf};
use crate::access_terms::{self, AssignmentStatus, DAY_SECS};
use crate::assignment_form::{AssignmentInput, ParsedAssignment};
use crate::audit::{Action, AuditEvent};
use crate::clock::Timestamp;
use crate::error::{Error, FieldError, Fields, Result};
use crate::logins::actor_of;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::LoginId;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

/// One of a login's e-services as the API and the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAssignment {
    pub code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub status: AssignmentStatus,
    /// R31: the administrator whose proposal awaits another's approval.
    pub proposed_by: Option<LoginId>,
    pub last_used_at: Option<Timestamp>,
}

/// How a replacement treats the dates of e-services the login keeps.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Dates {
    /// As given: a plain code means no dates.
    AsGiven,
    /// Kept as stored (the pages' matrix, which shows no dates).
    Kept,
    /// Kept as stored but for this e-service's, which are as given (a granted request).
    KeptBut(String),
}

impl Dates {
    fn kept(&self, code: &str) -> bool {
        match self {
            Dates::AsGiven => false,
            Dates::Kept => true,
            Dates::KeptBut(given) => given != code,
        }
    }
}

pub(crate) fn view(a: &AssignmentRecord, cycle: &ReviewCycle, now: Timestamp) -> LoginAssignment {
    LoginAssignment {
        code: a.eservice_code.clone(),
        valid_from: a.terms.valid_from,
        valid_until: a.terms.valid_until,
        status: access_terms::status_at(&a.terms, cycle, now),
        proposed_by: a.terms.proposed_by.clone(),
        last_used_at: a.last_used_at,
    }
}

/// The entity's current review cycle.
pub(crate) async fn current_cycle(tx: &mut dyn Tx, entity_id: i64) -> Result<ReviewCycle> {
    let cycle = tx.find_review_cycle(entity_id).await?;
    let created = match cycle {
        Some(c) => return Ok(c),
        None => tx.find_entity(entity_id).await?.ok_or(Error::NotFound)?.created_at,
    };
    Ok(access_terms::cycle_or_first(None, created))
}

/// The ids of the entity's active administrators.
pub(crate) async fn active_admins(tx: &mut dyn Tx, entity_id: i64) -> Result<Vec<LoginId>> {
    Ok(tx
        .list_logins(entity_id)
        .await?
        .into_iter()
        .filter(|l| l.kind == LoginKind::Admin && l.status == LoginStatus::Active)
        .map(|l| l.id)
        .collect())
}

/// What the audit says of a login's assignments: each code with its dates.
fn audit_detail(rows: &[AssignmentRecord]) -> String {
    rows.iter()
        .map(|a| {
            let date = |t: Option<Timestamp>| t.map(Timestamp::rfc3339).unwrap_or_default();
            match (a.terms.valid_from, a.terms.valid_until) {
                (None, None) => a.eservice_code.clone(),
                (from, until) => format!("{}[{}..{}]", a.eservice_code, date(from), date(until)),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Services {
    /// R19, R28: replaces a login's e-services, each with its dates. Each must exist and,
    /// where it requires it, the entity must be registered with it. The entity account uses
    /// no e-services.
    pub async fn assign_eservices(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        login_id: &str,
        wanted: Vec<AssignmentInput>,
    ) -> Result<Vec<LoginAssignment>> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::EServicesAssigned).target(login_id);
        self.attempts_audited(ctx, refusal, async move {
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let events = self.replace_assignments(tx.as_mut(), admin.caller, login_id, &wanted, Dates::AsGiven).await?;
            let login_id = LoginId::parse(login_id)?;
            let rows = tx.list_assignments(admin.caller.entity_id, &login_id).await?;
            let cycle = current_cycle(tx.as_mut(), admin.caller.entity_id).await?;
            self.commit(tx, ctx, &events).await?;
            let now = self.clock.now();
            Ok(rows.iter().map(|a| view(a, &cycle, now)).collect())
        })
        .await
    }

    /// R19 for many logins at once (the pages' matrix): every row is saved, or none. A row
    /// that cannot be saved is named by the field `eservices:{login_id}`. The dates of the
    /// e-services a row keeps stay as they are.
    pub async fn assign_matrix(&self, admin: &AdminOf<'_>, ctx: &Ctx, rows: Vec<(String, Vec<String>)>) -> Result<()> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::EServicesAssigned).target("matrix");
        self.attempts_audited(ctx, refusal, async move {
            if rows.len() > 10_000 {
                return Err(Error::field("logins", Code::TooMany, "at most 10000 logins at once"));
            }
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut f = Fields::default();
            let mut events = Vec::new();
            for (login_id, codes) in &rows {
                let field = format!("eservices:{login_id}");
                let wanted: Vec<AssignmentInput> = codes.iter().map(AssignmentInput::plain).collect();
                match self.replace_assignments(tx.as_mut(), admin.caller, login_id, &wanted, Dates::Kept).await {
                    Ok(evs) => events.extend(evs),
                    Err(Error::Validation(list)) => {
                        let first = list.into_iter().next();
                        let (code, message) =
                            first.map(|e| (e.code, e.message)).unwrap_or((Code::Invalid, String::new()));
                        f.push(FieldError::new(field, code, message));
                    }
                    Err(Error::Conflict { code, message }) => f.push(FieldError::new(field, code, message)),
                    Err(e) => return Err(e),
                }
            }
            // A refused row drops the transaction: the rows before it are not saved either.
            f.finish()?;
            self.commit(tx, ctx, &events).await
        })
        .await
    }

    /// R28: a login's e-services with their dates and what each does now; for the entity
    /// account, its administrators and the login itself.
    pub async fn login_assignments(
        &self,
        caller: &Caller,
        entity_number: &str,
        login_id: &str,
    ) -> Result<Vec<LoginAssignment>> {
        let own = caller.entity_number() == entity_number && caller.login_id() == login_id;
        if !own {
            caller.overseer_of(entity_number)?;
        }
        let login_id = LoginId::parse(login_id)?;
        let mut tx = self.store.read().await?;
        match tx.find_login(caller.entity_id, &login_id).await? {
            Some(l) if l.status != LoginStatus::Deleted => {}
            _ => return Err(Error::NotFound),
        }
        let rows = tx.list_assignments(caller.entity_id, &login_id).await?;
        let cycle = current_cycle(tx.as_mut(), caller.entity_id).await?;
        let now = self.clock.now();
        Ok(rows.iter().map(|a| view(a, &cycle, now)).collect())
    }

    /// R28, R29: every login's e-services with their dates and statuses, by login id, in one
    /// read (the pages' matrix shows the end of each).
    pub async fn entity_assignments(
        &self,
        viewer: &OverseerOf<'_>,
    ) -> Result<std::collections::BTreeMap<String, Vec<LoginAssignment>>> {
        let entity_id = viewer.caller.entity_id;
        let mut tx = self.store.read().await?;
        let cycle = current_cycle(tx.as_mut(), entity_id).await?;
        let now = self.clock.now();
        let mut out: std::collections::BTreeMap<String, Vec<LoginAssignment>> = Default::default();
        for a in tx.list_entity_assignment_records(entity_id).await? {
            out.entry(a.login_id.to_string()).or_default().push(view(&a, &cycle, now));
        }
        Ok(out)
    }

    /// R31: a second administrator approves a proposed assignment; it then takes effect.
    pub async fn approve_assignment(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        login_id: &str,
        code: &str,
    ) -> Result<Vec<LoginAssignment>> {
        let c = admin.caller;
        let refusal = AuditEvent::new(actor_of(c), Action::AssignmentApproved).target(login_id).detail(code);
        self.attempts_audited(ctx, refusal, async move {
            let login_id = LoginId::parse(login_id)?;
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let rows = tx.list_assignments(c.entity_id, &login_id).await?;
            let Some(mut a) = rows.into_iter().find(|a| a.eservice_code == code) else { return Err(Error::NotFound) };
            let Some(proposer) = a.terms.proposed_by.clone() else {
                return Err(Error::conflict(Code::NotAwaitingApproval, "this assignment awaits no approval"));
            };
            if proposer == c.login_id {
                return Err(Error::refused(
                    Code::CannotApproveOwnProposal,
                    "another administrator must approve what you proposed",
                ));
            }
            let now = self.clock.now();
            a.terms.proposed_by = None;
            a.terms.reviewed_at = now;
            a.reviewed_by = Some(c.login_id.to_string());
            tx.upsert_assignment(c.entity_id, &a).await?;
            notify(
                tx.as_mut(),
                now,
                c.entity_id,
                &login_id,
                kinds::ESERVICES_ASSIGNED,
                vec![("eservices", code.into())],
            )
            .await?;
            let ev = AuditEvent::new(actor_of(c), Action::AssignmentApproved)
                .target(login_id.to_string())
                .detail(format!("{code} proposed by {proposer}"));
            let rows = tx.list_assignments(c.entity_id, &login_id).await?;
            let cycle = current_cycle(tx.as_mut(), c.entity_id).await?;
            self.commit(tx, ctx, &[ev]).await?;
            Ok(rows.iter().map(|a| view(a, &cycle, now)).collect())
        })
        .await
    }

    /// Checks and writes one login's new e-services inside `tx`; the audit events to commit.
    pub(crate) async fn replace_assignments(
        &self,
        tx: &mut dyn Tx,
        c: &Caller,
        login_id: &str,
        wanted: &[AssignmentInput],
        dates: Dates,
    ) -> Result<Vec<AuditEvent>> {
        let dates = &dates;
        let login_id = &LoginId::parse(login_id)?;
        if wanted.len() > 500 {
            return Err(Error::field("eservices", Code::TooMany, "at most 500 e-services"));
        }
        let login = match tx.find_login(c.entity_id, login_id).await? {
            Some(l) if l.status != LoginStatus::Deleted => l,
            _ => return Err(Error::NotFound),
        };
        if login.kind == LoginKind::Entity {
            return Err(Error::conflict(
                Code::EntityAccountHasNoEservices,
                "the entity account does not use e-services",
            ));
        }
        let now = self.clock.now();
        let before = tx.list_assignments(c.entity_id, login_id).await?;
        let registrations = tx.list_registrations(c.entity_id).await?;
        let mut f = Fields::default();
        let mut chosen: Vec<(ParsedAssignment, EServiceRecord)> = Vec::new();
        for (i, input) in wanted.iter().enumerate() {
            let field = format!("eservices[{i}]");
            let Some(mut p) = input.parse(&field, &mut f) else { continue };
            let old = before.iter().find(|a| a.eservice_code == p.code);
            if let (true, Some(old)) = (dates.kept(&p.code), old) {
                (p.valid_from, p.valid_until) = (old.terms.valid_from, old.terms.valid_until);
            }
            let unchanged =
                old.is_some_and(|o| (o.terms.valid_from, o.terms.valid_until) == (p.valid_from, p.valid_until));
            if !unchanged {
                p.check_dates(&field, now, &mut f);
            }
            match chosen.iter().find(|(q, _)| q.code == p.code) {
                Some((q, _)) if *q == p => continue,
                Some(_) => {
                    f.push(FieldError::new(field, Code::Duplicate, "this e-service is given twice with other dates"));
                    continue;
                }
                None => {}
            }
            match tx.find_eservice(&p.code).await? {
                None => f.push(FieldError::new(field, Code::UnknownEservice, "no e-service has this code")),
                Some(e) if e.requires_registration && !registrations.contains(&e.code) => f.push(FieldError::new(
                    field,
                    Code::EntityNotRegistered,
                    "the entity must register with this e-service first",
                )),
                Some(e) => chosen.push((p, e)),
            }
        }
        f.finish()?;
        chosen.sort_by(|a, b| a.0.code.cmp(&b.0.code));

        let cycle = current_cycle(tx, c.entity_id).await?;
        let mut rows = Vec::with_capacity(chosen.len());
        let mut proposed = Vec::new();
        let mut to_end: Vec<String> = Vec::new();
        for (p, e) in &chosen {
            let old = before.iter().find(|a| a.eservice_code == p.code);
            let row = match old {
                Some(o) if (o.terms.valid_from, o.terms.valid_until) == (p.valid_from, p.valid_until) => o.clone(),
                _ => {
                    let row = AssignmentRecord {
                        login_id: login_id.clone(),
                        eservice_code: p.code.clone(),
                        assigned_at: old.map_or(now, |o| o.assigned_at),
                        terms: AssignmentTerms {
                            valid_from: p.valid_from,
                            valid_until: p.valid_until,
                            // R31: a new or changed assignment to a four-eyes e-service waits.
                            proposed_by: e.four_eyes.then(|| c.login_id.clone()),
                            reviewed_at: now,
                        },
                        reviewed_by: Some(c.login_id.to_string()),
                        confirmed_at: old.and_then(|o| o.confirmed_at),
                        last_used_at: old.and_then(|o| o.last_used_at),
                        warned_days: None,
                        ended_at: None,
                    };
                    if e.four_eyes {
                        proposed.push(p.code.clone());
                    }
                    // Access that now grants less than before ends its sessions at once.
                    let grants_now = access_terms::status_at(&row.terms, &cycle, now) == AssignmentStatus::Active;
                    let ends_sooner = old.is_some_and(|o| match (o.terms.valid_until, p.valid_until) {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some(a), Some(b)) => b < a,
                    });
                    if old.is_some() && (!grants_now || ends_sooner) {
                        to_end.push(p.code.clone());
                    }
                    row
                }
            };
            rows.push(row);
        }
        tx.replace_assignments(c.entity_id, login_id, &rows).await?;
        let added: Vec<String> = rows
            .iter()
            .filter(|r| r.terms.proposed_by.is_none() && !before.iter().any(|b| b.eservice_code == r.eservice_code))
            .map(|r| r.eservice_code.clone())
            .collect();
        to_end.extend(
            before
                .iter()
                .filter(|b| !rows.iter().any(|r| r.eservice_code == b.eservice_code))
                .map(|b| b.eservice_code.clone()),
        );
        crate::oidc::logout::end_login_eservices(tx, c.entity_id, login_id, &to_end, now).await?;
        // R30: an e-service that asks for shorter reviews brings the entity's next one nearer.
        let shortest = chosen.iter().map(|(_, e)| e.review_days).min().unwrap_or(access_terms::REVIEW_DAYS_MAX);
        let due = now.plus_secs(shortest * DAY_SECS);
        if due < cycle.due_at {
            tx.put_review_cycle(c.entity_id, &ReviewCycle { due_at: due, ..cycle }).await?;
        }
        if !added.is_empty() {
            notify(tx, now, c.entity_id, login_id, kinds::ESERVICES_ASSIGNED, vec![("eservices", added.join(","))])
                .await?;
        }
        let mut events = vec![AuditEvent::new(actor_of(c), Action::EServicesAssigned)
            .target(login_id.to_string())
            .detail(audit_detail(&rows))];
        // The other administrators, read once for every proposal.
        let others: Vec<LoginId> = if proposed.is_empty() {
            Vec::new()
        } else {
            active_admins(tx, c.entity_id).await?.into_iter().filter(|a| *a != c.login_id).collect()
        };
        for code in &proposed {
            for other in &others {
                let params = vec![("eservice", code.clone()), ("login", login.name.clone())];
                notify(tx, now, c.entity_id, other, kinds::ASSIGNMENT_PROPOSED, params).await?;
            }
            events.push(
                AuditEvent::new(actor_of(c), Action::AssignmentProposed)
                    .target(login_id.to_string())
                    .detail(code.clone()),
            );
        }
        Ok(events)
    }
}
