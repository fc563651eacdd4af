//! Access reviews (R30): every review period (180 days, or the shortest an assigned e-service
//! asks for) an entity's administrators confirm or remove each login × e-service. Where the
//! entity has another administrator, nobody confirms their own access. Items left unconfirmed
//! 14 days past the due date are suspended (`access_terms`; one granted or changed during the
//! cycle is not), and come back when confirmed.
//! When no item is left undecided the review is finished: its report is kept, sealed with
//! the audit chain's head, and the next cycle begins.

use serde::{Deserialize, Serialize};

use crate::access::AdminOf;
use crate::access_terms::{self, AssignmentStatus, DAY_SECS};
use crate::assignments::{active_admins, current_cycle};
use crate::audit::{self, Action, AuditEvent};
use crate::clock::Timestamp;
use crate::closed::closed_enum;
use crate::error::{Error, FieldError, Fields, Result};
use crate::logins::actor_of;
use crate::model::*;
use crate::numbers::LoginId;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

closed_enum! {
    /// What an administrator decides of one item.
    pub enum ReviewDecision {
        Confirm => "confirm",
        Remove => "remove",
    }
}

/// One login × e-service of a review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewItem {
    pub login_id: String,
    pub login_name: String,
    pub eservice: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub last_used_at: Option<String>,
    /// `confirm` or `remove` when an administrator decided it in this review.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub status: String,
}

/// The entity's current review.
#[derive(Debug, Clone)]
pub struct Review {
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    /// When undecided items stop granting.
    pub suspends_at: Timestamp,
    pub items: Vec<ReviewItem>,
    /// The last finished review, if any.
    pub last_finished: Option<(String, Timestamp)>,
}

/// One decision as asked for.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub login_id: String,
    pub eservice: String,
    pub decision: String,
}

/// A finished review's export, as JSON and CSV show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewReport {
    pub review_id: String,
    pub started_at: String,
    pub due_at: String,
    pub finished_at: String,
    pub finished_by: String,
    /// The audit chain's head (`seq:hash`) right after the record that finished it.
    pub sealed_head: String,
    pub items: Vec<ReviewItem>,
}

fn stamp(t: Option<Timestamp>) -> Option<String> {
    t.map(Timestamp::rfc3339)
}

/// Every item of the cycle: the granted assignments (proposals grant nothing and are not
/// reviewed), then what the review removed.
async fn items(tx: &mut dyn Tx, entity_id: i64, cycle: &ReviewCycle, now: Timestamp) -> Result<Vec<ReviewItem>> {
    let names: Vec<(LoginId, String)> = tx.list_logins(entity_id).await?.into_iter().map(|l| (l.id, l.name)).collect();
    let name_of = |id: &LoginId| names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for a in tx.list_entity_assignment_records(entity_id).await? {
        if a.terms.proposed_by.is_some() {
            continue;
        }
        let confirmed = a.confirmed_at.is_some_and(|t| t >= cycle.started_at);
        out.push(ReviewItem {
            login_name: name_of(&a.login_id),
            login_id: a.login_id.to_string(),
            eservice: a.eservice_code.clone(),
            valid_from: stamp(a.terms.valid_from),
            valid_until: stamp(a.terms.valid_until),
            last_used_at: stamp(a.last_used_at),
            decision: confirmed.then(|| ReviewDecision::Confirm.to_string()),
            decided_by: if confirmed { a.reviewed_by.clone() } else { None },
            status: access_terms::status_at(&a.terms, cycle, now).to_string(),
        });
    }
    for r in tx.list_review_removals(entity_id, cycle.started_at).await? {
        out.push(ReviewItem {
            login_name: name_of(&r.login_id),
            login_id: r.login_id.to_string(),
            eservice: r.eservice_code,
            valid_from: stamp(r.valid_from),
            valid_until: stamp(r.valid_until),
            last_used_at: stamp(r.last_used_at),
            decision: Some(ReviewDecision::Remove.to_string()),
            decided_by: Some(r.removed_by),
            status: AssignmentStatus::Ended.to_string(),
        });
    }
    Ok(out)
}

async fn review_of(tx: &mut dyn Tx, entity_id: i64, now: Timestamp) -> Result<Review> {
    let cycle = current_cycle(tx, entity_id).await?;
    let items = items(tx, entity_id, &cycle, now).await?;
    let last_finished = tx.latest_finished_review(entity_id).await?.map(|r| (r.id, r.finished_at));
    Ok(Review {
        started_at: cycle.started_at,
        due_at: cycle.due_at,
        suspends_at: access_terms::suspends_at(&cycle),
        items,
        last_finished,
    })
}

impl Services {
    /// R30: the entity's current review.
    pub async fn access_review(&self, admin: &AdminOf<'_>) -> Result<Review> {
        let mut tx = self.store.read().await?;
        review_of(tx.as_mut(), admin.caller.entity_id, self.clock.now()).await
    }

    /// R30: confirms or removes items of the current review, all or none; finishes the review
    /// when no item is left undecided.
    pub async fn decide_review(&self, admin: &AdminOf<'_>, ctx: &Ctx, decisions: Vec<DecisionInput>) -> Result<Review> {
        let c = admin.caller;
        let refusal = AuditEvent::new(actor_of(c), Action::ReviewConfirmed).target("review");
        self.attempts_audited(ctx, refusal, async move {
            if decisions.is_empty() {
                return Err(Error::field("decisions", Code::Required, "at least one decision"));
            }
            if decisions.len() > 10_000 {
                return Err(Error::field("decisions", Code::TooMany, "at most 10000 decisions at once"));
            }
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let now = self.clock.now();
            let cycle = current_cycle(tx.as_mut(), c.entity_id).await?;
            let assignments = tx.list_entity_assignment_records(c.entity_id).await?;
            let four_eyes = active_admins(tx.as_mut(), c.entity_id).await?.len() >= 2;
            let mut f = Fields::default();
            let mut seen: Vec<(String, String)> = Vec::new();
            let mut chosen: Vec<(&AssignmentRecord, ReviewDecision)> = Vec::new();
            for (i, d) in decisions.iter().enumerate() {
                let field = format!("decisions[{i}]");
                let Some(decision) = ReviewDecision::parse(&d.decision) else {
                    f.push(FieldError::new(format!("{field}.decision"), Code::InvalidChoice, "confirm or remove"));
                    continue;
                };
                let key = (d.login_id.clone(), d.eservice.clone());
                if seen.contains(&key) {
                    f.push(FieldError::new(field, Code::Duplicate, "this item is decided twice"));
                    continue;
                }
                seen.push(key);
                // A login of another entity, or one without this e-service, is simply not in
                // this entity's review.
                let item = assignments.iter().find(|a| {
                    a.login_id == d.login_id && a.eservice_code == d.eservice && a.terms.proposed_by.is_none()
                });
                let Some(a) = item else {
                    f.push(FieldError::new(field, Code::NotInReview, "no such item in this entity's review"));
                    continue;
                };
                if a.confirmed_at.is_some_and(|t| t >= cycle.started_at) {
                    f.push(FieldError::new(field, Code::AlreadyDecided, "already decided in this review"));
                    continue;
                }
                if decision == ReviewDecision::Confirm && four_eyes && a.login_id == c.login_id {
                    f.push(FieldError::new(
                        field,
                        Code::CannotConfirmOwnAccess,
                        "another administrator must confirm your own access",
                    ));
                    continue;
                }
                chosen.push((a, decision));
            }
            f.finish()?;

            let mut events = Vec::with_capacity(chosen.len() + 1);
            for (a, decision) in chosen {
                let target = a.login_id.to_string();
                match decision {
                    ReviewDecision::Confirm => {
                        let mut row = a.clone();
                        row.terms.reviewed_at = now;
                        row.reviewed_by = Some(c.login_id.to_string());
                        row.confirmed_at = Some(now);
                        tx.upsert_assignment(c.entity_id, &row).await?;
                        events.push(
                            AuditEvent::new(actor_of(c), Action::ReviewConfirmed)
                                .target(target)
                                .detail(a.eservice_code.clone()),
                        );
                    }
                    ReviewDecision::Remove => {
                        tx.delete_assignment(c.entity_id, &a.login_id, &a.eservice_code).await?;
                        let removal = ReviewRemoval {
                            login_id: a.login_id.clone(),
                            eservice_code: a.eservice_code.clone(),
                            valid_from: a.terms.valid_from,
                            valid_until: a.terms.valid_until,
                            last_used_at: a.last_used_at,
                            removed_by: c.login_id.to_string(),
                            removed_at: now,
                        };
                        tx.insert_review_removal(c.entity_id, &removal).await?;
                        let codes = std::slice::from_ref(&a.eservice_code);
                        crate::oidc::logout::end_login_eservices(tx.as_mut(), c.entity_id, &a.login_id, codes, now)
                            .await?;
                        events.push(
                            AuditEvent::new(actor_of(c), Action::ReviewRemoved)
                                .target(target)
                                .detail(a.eservice_code.clone()),
                        );
                    }
                }
            }
            let review = review_of(tx.as_mut(), c.entity_id, now).await?;
            let undecided = review.items.iter().any(|i| i.decision.is_none());
            if undecided {
                self.commit(tx, ctx, &events).await?;
                return Ok(review);
            }
            self.finish_review(tx, ctx, admin, events, &cycle, review.items).await
        })
        .await
    }

    /// Seals the finished review with the audit head after its own record, and opens the
    /// next cycle.
    async fn finish_review(
        &self,
        mut tx: Box<dyn Tx>,
        ctx: &Ctx,
        admin: &AdminOf<'_>,
        mut events: Vec<AuditEvent>,
        cycle: &ReviewCycle,
        items: Vec<ReviewItem>,
    ) -> Result<Review> {
        let c = admin.caller;
        let now = self.clock.now();
        let id = uuid::Uuid::new_v4().to_string();
        events.push(
            AuditEvent::new(actor_of(c), Action::ReviewFinished)
                .target(id.clone())
                .detail(format!("{} items", items.len())),
        );
        audit::append(tx.as_mut(), &self.vault, now, &ctx.source, &events).await?;
        let head = tx.audit_head().await?.ok_or_else(|| Error::Internal("no audit head after appending".into()))?;
        let sealed_head = format!("{}:{}", head.seq, head.hash);
        let report = ReviewReport {
            review_id: id.clone(),
            started_at: cycle.started_at.rfc3339(),
            due_at: cycle.due_at.rfc3339(),
            finished_at: now.rfc3339(),
            finished_by: c.login_id.to_string(),
            sealed_head: sealed_head.clone(),
            items,
        };
        let finished = FinishedReview {
            id,
            started_at: cycle.started_at,
            due_at: cycle.due_at,
            finished_at: now,
            finished_by: c.login_id.to_string(),
            sealed_head,
            report: serde_json::to_string(&report).map_err(|e| Error::Internal(e.to_string()))?,
        };
        tx.insert_finished_review(c.entity_id, &finished).await?;
        // The next cycle: as long as the shortest period any assigned e-service asks for.
        // One read of the catalogue, not one per assignment.
        let catalogue = tx.list_eservices().await?;
        let assigned = tx.list_entity_assignment_records(c.entity_id).await?;
        let period = assigned
            .iter()
            .filter_map(|a| catalogue.iter().find(|e| e.code == a.eservice_code))
            .map(|e| e.review_days)
            .fold(access_terms::REVIEW_DAYS_MAX, i64::min);
        // Begins just after this instant: what was confirmed now belongs to the finished one.
        let start = Timestamp(now.0 + 1);
        let next = ReviewCycle { started_at: start, due_at: now.plus_secs(period * DAY_SECS), announced_at: None };
        tx.put_review_cycle(c.entity_id, &next).await?;
        let review = review_of(tx.as_mut(), c.entity_id, now).await?;
        tx.commit().await?;
        Ok(review)
    }

    /// R30: the last finished review, as exported.
    pub async fn review_export(&self, admin: &AdminOf<'_>) -> Result<ReviewReport> {
        let mut tx = self.store.read().await?;
        let r = tx.latest_finished_review(admin.caller.entity_id).await?.ok_or(Error::NotFound)?;
        serde_json::from_str(&r.report).map_err(|e| Error::Internal(format!("a stored review report: {e}")))
    }
}
