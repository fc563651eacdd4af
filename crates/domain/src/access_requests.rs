//! Access requests (R37): a staff member or administrator asks the entity's administrators for
//! an e-service, with a reason; an administrator grants it (with dates, through the same
//! assignment rules, four eyes included) or refuses it with a reason; the requester is told
//! either way, in their inbox.

use crate::access::{AdminOf, Caller};
use crate::assignment_form::AssignmentInput;
use crate::assignments::{active_admins, Dates};
use crate::audit::{Action, AuditEvent};
use crate::error::{Error, Fields, Result};
use crate::eservice_form::parse_code;
use crate::logins::actor_of;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::services::{Ctx, Services};
use crate::text::Text;
use crate::Code;

/// A reason's length, asked or answered.
pub const REASON_MAX: usize = 500;
/// Open requests one login may have at once.
const OPEN_PER_LOGIN: usize = 20;

impl Services {
    /// R37: the caller asks for an e-service.
    pub async fn request_access(
        &self,
        caller: &Caller,
        ctx: &Ctx,
        entity_number: &str,
        eservice: &str,
        reason: &str,
    ) -> Result<AccessRequestRecord> {
        if caller.entity_number() != entity_number {
            return Err(Error::NotFound);
        }
        if caller.kind() == LoginKind::Entity {
            return Err(Error::conflict(
                Code::EntityAccountHasNoEservices,
                "the entity account does not use e-services",
            ));
        }
        let refusal = AuditEvent::new(actor_of(caller), Action::AccessRequested).target(eservice.to_string());
        self.attempts_audited(ctx, refusal, async move {
            let mut f = Fields::default();
            let code = f.take(parse_code("eservice", eservice));
            let reason = f.take(Text::parse("reason", reason, REASON_MAX));
            let (code, reason) = f.finish_with(|| Some((code?, reason?)))?;
            let mut tx = self.store.write().await?;
            let now = self.clock.now();
            let login = tx.find_login(caller.entity_id, &caller.login_id).await?;
            let login = login.filter(|l| l.status == LoginStatus::Active).ok_or(Error::Unauthenticated)?;
            let Some(e) = tx.find_eservice(&code).await? else {
                return Err(Error::field("eservice", Code::UnknownEservice, "no e-service has this code"));
            };
            let cycle = crate::assignments::current_cycle(tx.as_mut(), caller.entity_id).await?;
            let held = tx.list_assignments(caller.entity_id, &caller.login_id).await?.into_iter().any(|a| {
                a.eservice_code == e.code
                    && crate::access_terms::status_at(&a.terms, &cycle, now)
                        != crate::access_terms::AssignmentStatus::Ended
            });
            if held {
                return Err(Error::field("eservice", Code::AlreadyAssigned, "this e-service is already assigned"));
            }
            let open = tx.list_access_requests(caller.entity_id, Some(&caller.login_id), true, 100).await?;
            if open.iter().any(|r| r.eservice_code == e.code) {
                return Err(Error::field("eservice", Code::Duplicate, "this e-service is already requested"));
            }
            if open.len() >= OPEN_PER_LOGIN {
                return Err(Error::field("eservice", Code::TooMany, "at most 20 open requests"));
            }
            let r = AccessRequestRecord {
                entity_id: caller.entity_id,
                id: uuid::Uuid::new_v4().to_string(),
                login_id: caller.login_id.clone(),
                eservice_code: e.code.clone(),
                reason: reason.to_string(),
                created_at: now,
                decision: None,
                decided_by: None,
                decided_at: None,
                answer: None,
            };
            tx.insert_access_request(&r).await?;
            for admin in active_admins(tx.as_mut(), caller.entity_id).await? {
                let params = vec![("eservice", e.code.clone()), ("login", login.name.clone())];
                notify(tx.as_mut(), now, caller.entity_id, &admin, kinds::ACCESS_REQUESTED, params).await?;
            }
            let ev = AuditEvent::new(actor_of(caller), Action::AccessRequested).target(r.id.clone()).detail(e.code);
            self.commit(tx, ctx, &[ev]).await?;
            Ok(r)
        })
        .await
    }

    /// R37: the caller's own requests, or, for an administrator, every request of the entity.
    pub async fn access_requests(&self, caller: &Caller, open_only: bool) -> Result<Vec<AccessRequestRecord>> {
        let mut tx = self.store.read().await?;
        let own = (caller.kind() != LoginKind::Admin).then_some(caller.login_id());
        Ok(tx.list_access_requests(caller.entity_id, own, open_only, 500).await?)
    }

    /// R37: an administrator grants a request with dates (the assignment rules apply: an
    /// e-service that demands four eyes gets a proposal) and the requester is told.
    pub async fn grant_access_request(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        request_id: &str,
        valid_from: Option<String>,
        valid_until: Option<String>,
    ) -> Result<AccessRequestRecord> {
        let c = admin.caller;
        let refusal = AuditEvent::new(actor_of(c), Action::AccessRequestGranted).target(request_id.to_string());
        self.attempts_audited(ctx, refusal, async move {
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut r = self.open_request(tx.as_mut(), c.entity_id, request_id).await?;
            let now = self.clock.now();
            let mut wanted: Vec<AssignmentInput> = tx
                .list_assignments(c.entity_id, &r.login_id)
                .await?
                .into_iter()
                .filter(|a| a.eservice_code != r.eservice_code)
                .map(|a| AssignmentInput::plain(a.eservice_code))
                .collect();
            wanted.push(AssignmentInput { code: r.eservice_code.clone(), valid_from, valid_until });
            let dates = Dates::KeptBut(r.eservice_code.clone());
            let mut events = match self.replace_assignments(tx.as_mut(), c, &r.login_id, &wanted, dates).await {
                Ok(evs) => evs,
                Err(Error::Validation(list)) => {
                    // Name the request's own fields, not a position in a list the admin never saw.
                    let renamed = list
                        .into_iter()
                        .map(|mut e| {
                            e.field = e.field.rsplit('.').next().map(str::to_string).unwrap_or(e.field);
                            e
                        })
                        .collect();
                    return Err(Error::Validation(renamed));
                }
                Err(e) => return Err(e),
            };
            r.decision = Some(RequestDecision::Granted);
            r.decided_by = Some(c.login_id.to_string());
            r.decided_at = Some(now);
            if !tx.answer_access_request(&r).await? {
                return Err(Error::conflict(Code::RequestAnswered, "this request has already been answered"));
            }
            let params = vec![("eservice", r.eservice_code.clone())];
            notify(tx.as_mut(), now, c.entity_id, &r.login_id, kinds::ACCESS_REQUEST_GRANTED, params).await?;
            events.push(
                AuditEvent::new(actor_of(c), Action::AccessRequestGranted)
                    .target(r.id.clone())
                    .detail(r.eservice_code.clone()),
            );
            self.commit(tx, ctx, &events).await?;
            Ok(r)
        })
        .await
    }

    /// R37: an administrator refuses a request with a reason, and the requester is told.
    pub async fn refuse_access_request(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        request_id: &str,
        reason: &str,
    ) -> Result<AccessRequestRecord> {
        let c = admin.caller;
        let refusal = AuditEvent::new(actor_of(c), Action::AccessRequestRefused).target(request_id.to_string());
        self.attempts_audited(ctx, refusal, async move {
            let reason = Text::parse("reason", reason, REASON_MAX).map_err(|e| Error::Validation(vec![e]))?;
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut r = self.open_request(tx.as_mut(), c.entity_id, request_id).await?;
            let now = self.clock.now();
            r.decision = Some(RequestDecision::Refused);
            r.decided_by = Some(c.login_id.to_string());
            r.decided_at = Some(now);
            r.answer = Some(reason.to_string());
            if !tx.answer_access_request(&r).await? {
                return Err(Error::conflict(Code::RequestAnswered, "this request has already been answered"));
            }
            let params = vec![("eservice", r.eservice_code.clone()), ("reason", reason.to_string())];
            notify(tx.as_mut(), now, c.entity_id, &r.login_id, kinds::ACCESS_REQUEST_REFUSED, params).await?;
            let ev = AuditEvent::new(actor_of(c), Action::AccessRequestRefused)
                .target(r.id.clone())
                .detail(r.eservice_code.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(r)
        })
        .await
    }

    async fn open_request(
        &self,
        tx: &mut dyn crate::store::Tx,
        entity_id: i64,
        id: &str,
    ) -> Result<AccessRequestRecord> {
        // Request ids are UUIDs: anything else is no request, without asking the database.
        uuid::Uuid::parse_str(id).map_err(|_| Error::NotFound)?;
        let r = tx.find_access_request(entity_id, id).await?.ok_or(Error::NotFound)?;
        if r.decision.is_some() {
            return Err(Error::conflict(Code::RequestAnswered, "this request has already been answered"));
        }
        Ok(r)
    }
}
