//! Entities acting for entities (R34): an entity's administrator offers another entity (by
//! its number) a mandate to act for it on chosen e-services until an end; the other entity's
//! administrators accept or decline it, and once accepted assign their own logins to act under
//! it, never for more e-services or longer than it grants. Either side ends it at any time,
//! and every sign-in made under it ends with it. Nothing passes onward: a mandate lets the
//! mandated entity's logins act for the mandating one, never the mandated entity's own
//! mandates, and it grants no management of the mandating entity at all. Both entities'
//! audits record each step with both numbers.

use crate::access::{AdminOf, Caller, OverseerOf};
use crate::assignment_form::AssignmentInput;
use crate::audit::{Action, AuditEvent};
use crate::clock::Timestamp;
use crate::error::{Error, FieldError, Fields, Result};
use crate::logins::actor_of;
use crate::mandate_form::MandateInput;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::LoginId;
use crate::oidc::logout::end_grants;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

/// One side of a mandate as the pages and the API name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub entity_number: String,
    pub entity_names: EntityNames,
}

/// A mandate as either side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateView {
    pub id: String,
    pub from: Party,
    pub to: Party,
    pub eservices: Vec<String>,
    pub valid_until: Timestamp,
    /// `ended` once its end has come, whatever is stored.
    pub status: MandateStatus,
    pub offered_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// The mandated entity's logins acting under it, by name (never identity numbers).
    pub acting: Vec<ActingLogin>,
}

/// What an entity gave and received.
#[derive(Debug, Clone, Default)]
pub struct MandateLists {
    pub given: Vec<MandateView>,
    pub received: Vec<MandateView>,
}

/// One of a login's e-services under a mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandatedEService {
    pub code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub status: crate::access_terms::AssignmentStatus,
}

/// The status the clock gives a mandate: an active one whose end has come is ended.
fn status_at(m: &MandateRecord, now: Timestamp) -> MandateStatus {
    match m.status {
        MandateStatus::Active | MandateStatus::Offered if now >= m.valid_until => MandateStatus::Ended,
        s => s,
    }
}

/// A mandate id is a UUID; anything else names no mandate (and never reaches the database).
fn mandate_id(raw: &str) -> Result<String> {
    uuid::Uuid::parse_str(raw).map(|u| u.to_string()).map_err(|_| Error::NotFound)
}

/// What both audits say of a mandate: its id and both entities' numbers.
fn mandate_detail(m: &MandateRecord, from: &str, to: &str) -> String {
    format!("mandate={} for={from} by={to} eservices={}", m.id, m.eservices.join(","))
}

impl Services {
    async fn party(&self, tx: &mut dyn Tx, entity_id: i64) -> Result<Party> {
        let e = tx.find_entity(entity_id).await?.ok_or(Error::NotFound)?;
        Ok(Party { entity_number: e.number, entity_names: e.names })
    }

    async fn view_mandate(&self, tx: &mut dyn Tx, m: &MandateRecord, now: Timestamp) -> Result<MandateView> {
        Ok(MandateView {
            id: m.id.clone(),
            from: self.party(tx, m.from_entity_id).await?,
            to: self.party(tx, m.to_entity_id).await?,
            eservices: m.eservices.clone(),
            valid_until: m.valid_until,
            status: status_at(m, now),
            offered_at: m.offered_at,
            decided_at: m.decided_at,
            ended_at: m.ended_at,
            acting: tx.list_acting_logins(&m.id).await?,
        })
    }

    /// The two audit records of a step: one in each entity's audit.
    fn both_audits(&self, ev: AuditEvent, m: &MandateRecord, from: &str, to: &str) -> [AuditEvent; 2] {
        let ev = ev.detail(mandate_detail(m, from, to));
        [ev.clone().entity(m.from_entity_id).target(to), ev.entity(m.to_entity_id).target(from)]
    }

    /// A mandate the caller's entity is a party to; another's answers as if it did not exist.
    async fn party_mandate(&self, tx: &mut dyn Tx, caller: &Caller, raw_id: &str) -> Result<MandateRecord> {
        let id = mandate_id(raw_id)?;
        match tx.find_mandate(&id).await? {
            Some(m) if m.from_entity_id == caller.entity_id || m.to_entity_id == caller.entity_id => Ok(m),
            _ => Err(Error::NotFound),
        }
    }

    /// R34: an administrator offers another entity a mandate. The other entity must exist
    /// and not be the caller's own; each e-service must exist and allow intermediaries; the
    /// end comes within two years. At most one mandate is offered or active between two
    /// entities at a time.
    pub async fn offer_mandate(&self, admin: &AdminOf<'_>, ctx: &Ctx, input: MandateInput) -> Result<MandateView> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::MandateOffered)
            .target(input.to_entity_number.trim().to_string());
        self.attempts_audited(ctx, refusal, async move {
            let now = self.clock.now();
            let mut f = Fields::default();
            let parsed = input.parse(now, &mut f);
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let Some(parsed) = parsed else { return Err(Error::Validation(f.into_vec())) };
            let to = tx.find_entity_by_number(parsed.to_entity_number.as_str()).await?;
            match &to {
                None => f.push(FieldError::new("to_entity_number", Code::UnknownEntity, "no entity has this number")),
                Some(e) if e.id == admin.caller.entity_id => {
                    f.push(FieldError::new("to_entity_number", Code::OwnEntity, "an entity does not mandate itself"))
                }
                Some(_) => {}
            }
            for (i, code) in parsed.eservices.iter().enumerate() {
                match tx.find_eservice(code).await? {
                    None => f.push(FieldError::new(
                        format!("eservices[{i}]"),
                        Code::UnknownEservice,
                        "not in the catalogue",
                    )),
                    Some(e) if !e.allows_intermediaries => f.push(FieldError::new(
                        format!("eservices[{i}]"),
                        Code::IntermediariesNotAllowed,
                        "its department allows no intermediaries",
                    )),
                    Some(_) => {}
                }
            }
            f.finish()?;
            let to = to.ok_or(Error::NotFound)?;
            match tx.find_live_mandate(admin.caller.entity_id, to.id).await? {
                // One whose end has come grants nothing: it is ended now, making room.
                Some(old) if now >= old.valid_until => {
                    tx.set_mandate_status(&old.id, old.status, MandateStatus::Ended, "system", now).await?;
                    let grants = tx.live_grants_under_mandate(&old.id, None, None).await?;
                    end_grants(tx.as_mut(), &grants, now, true).await?;
                }
                Some(_) => {
                    return Err(Error::conflict(
                        Code::MandateExists,
                        "a mandate to this entity is already offered or active; end it first",
                    ))
                }
                None => {}
            }
            let mut eservices = parsed.eservices;
            eservices.sort();
            let m = MandateRecord {
                id: uuid::Uuid::new_v4().to_string(),
                from_entity_id: admin.caller.entity_id,
                to_entity_id: to.id,
                status: MandateStatus::Offered,
                eservices,
                valid_until: parsed.valid_until,
                offered_by: admin.caller.login_id.clone(),
                offered_at: now,
                decided_by: None,
                decided_at: None,
                ended_by: None,
                ended_at: None,
                warned_days: None,
            };
            tx.insert_mandate(&m).await?;
            let from_number = admin.caller.entity_number.clone();
            for who in crate::assignments::active_admins(tx.as_mut(), to.id).await? {
                let params = vec![
                    ("entity", from_number.clone()),
                    ("eservices", m.eservices.join(", ")),
                    ("until", crate::assignment_form::macau_date(m.valid_until, true)),
                ];
                notify(tx.as_mut(), now, to.id, &who, kinds::MANDATE_OFFERED, params).await?;
            }
            let view = self.view_mandate(tx.as_mut(), &m, now).await?;
            let ev = AuditEvent::new(actor_of(admin.caller), Action::MandateOffered);
            let events = self.both_audits(ev, &m, &from_number, &to.number);
            self.commit(tx, ctx, &events).await?;
            Ok(view)
        })
        .await
    }

    /// R34: the mandates an entity gave and received, with who acts under each; for its
    /// entity account and administrators.
    pub async fn mandates(&self, viewer: &OverseerOf<'_>) -> Result<MandateLists> {
        let entity_id = viewer.caller.entity_id;
        let mut tx = self.store.read().await?;
        let now = self.clock.now();
        let mut out = MandateLists::default();
        for m in tx.list_mandates_of(entity_id).await? {
            let view = self.view_mandate(tx.as_mut(), &m, now).await?;
            if m.from_entity_id == entity_id {
                out.given.push(view);
            } else {
                out.received.push(view);
            }
        }
        Ok(out)
    }

    /// One mandate the caller's entity is a party to.
    pub async fn mandate(&self, viewer: &OverseerOf<'_>, id: &str) -> Result<MandateView> {
        let mut tx = self.store.read().await?;
        let m = self.party_mandate(tx.as_mut(), viewer.caller, id).await?;
        self.view_mandate(tx.as_mut(), &m, self.clock.now()).await
    }

    /// R34: the mandated entity's administrator accepts or declines an offer, once.
    pub async fn answer_mandate(&self, admin: &AdminOf<'_>, ctx: &Ctx, id: &str, accept: bool) -> Result<MandateView> {
        let action = if accept { Action::MandateAccepted } else { Action::MandateDeclined };
        let refusal = AuditEvent::new(actor_of(admin.caller), action).target(id.to_string());
        self.attempts_audited(ctx, refusal, async move {
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let m = self.party_mandate(tx.as_mut(), admin.caller, id).await?;
            // Only the receiving side answers; to the giver the offer is its own.
            if m.to_entity_id != admin.caller.entity_id {
                return Err(Error::NotFound);
            }
            let now = self.clock.now();
            if m.status != MandateStatus::Offered {
                return Err(Error::conflict(Code::AlreadyDecided, "this mandate was already answered or ended"));
            }
            if now >= m.valid_until {
                return Err(Error::conflict(Code::EndInPast, "this offer's end has already passed"));
            }
            let to = if accept { MandateStatus::Active } else { MandateStatus::Declined };
            if !tx.set_mandate_status(&m.id, MandateStatus::Offered, to, admin.caller.login_id(), now).await? {
                return Err(Error::conflict(Code::AlreadyDecided, "this mandate was already answered or ended"));
            }
            let from = self.party(tx.as_mut(), m.from_entity_id).await?;
            let kind = if accept { kinds::MANDATE_ACCEPTED } else { kinds::MANDATE_DECLINED };
            for who in crate::assignments::active_admins(tx.as_mut(), m.from_entity_id).await? {
                let params = vec![("entity", admin.caller.entity_number.clone())];
                notify(tx.as_mut(), now, m.from_entity_id, &who, kind, params).await?;
            }
            let m = tx.find_mandate(&m.id).await?.ok_or(Error::NotFound)?;
            let view = self.view_mandate(tx.as_mut(), &m, now).await?;
            let ev = AuditEvent::new(actor_of(admin.caller), action);
            let events = self.both_audits(ev, &m, &from.entity_number, &admin.caller.entity_number);
            self.commit(tx, ctx, &events).await?;
            Ok(view)
        })
        .await
    }

    /// R34: either side's administrator ends a mandate (an offer not yet answered is
    /// withdrawn). Every sign-in made under it ends in the same transaction, and each
    /// e-service is told by back-channel logout.
    pub async fn end_mandate(&self, admin: &AdminOf<'_>, ctx: &Ctx, id: &str) -> Result<()> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::MandateEnded).target(id.to_string());
        self.attempts_audited(ctx, refusal, async move {
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let m = self.party_mandate(tx.as_mut(), admin.caller, id).await?;
            let now = self.clock.now();
            let ended = match m.status {
                MandateStatus::Offered | MandateStatus::Active => {
                    tx.set_mandate_status(&m.id, m.status, MandateStatus::Ended, admin.caller.login_id(), now).await?
                }
                MandateStatus::Declined | MandateStatus::Ended => false,
            };
            if !ended {
                return Err(Error::conflict(Code::MandateNotActive, "this mandate was already declined or ended"));
            }
            let grants = tx.live_grants_under_mandate(&m.id, None, None).await?;
            end_grants(tx.as_mut(), &grants, now, true).await?;
            let from = self.party(tx.as_mut(), m.from_entity_id).await?;
            let to = self.party(tx.as_mut(), m.to_entity_id).await?;
            let other = if m.from_entity_id == admin.caller.entity_id { m.to_entity_id } else { m.from_entity_id };
            for who in crate::assignments::active_admins(tx.as_mut(), other).await? {
                let params = vec![("entity", admin.caller.entity_number.clone())];
                notify(tx.as_mut(), now, other, &who, kinds::MANDATE_ENDED, params).await?;
            }
            let ev = AuditEvent::new(actor_of(admin.caller), Action::MandateEnded);
            let events = self.both_audits(ev, &m, &from.entity_number, &to.entity_number);
            self.commit(tx, ctx, &events).await
        })
        .await
    }

    /// R34: the mandated entity's administrator sets which of the mandate's e-services one of
    /// its logins acts on, each with optional dates within the mandate's. An e-service taken
    /// away ends the login's sign-ins under the mandate to it at once.
    pub async fn assign_under_mandate(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        login_id: &str,
        id: &str,
        wanted: Vec<AssignmentInput>,
    ) -> Result<Vec<MandatedEService>> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::MandateLoginsAssigned).target(login_id);
        self.attempts_audited(ctx, refusal, async move {
            let login_id = LoginId::parse(login_id)?;
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let m = self.party_mandate(tx.as_mut(), admin.caller, id).await?;
            if m.to_entity_id != admin.caller.entity_id {
                return Err(Error::NotFound);
            }
            let login = match tx.find_login(admin.caller.entity_id, &login_id).await? {
                Some(l) if l.status != LoginStatus::Deleted => l,
                _ => return Err(Error::NotFound),
            };
            let now = self.clock.now();
            if status_at(&m, now) != MandateStatus::Active {
                return Err(Error::conflict(
                    Code::MandateNotActive,
                    "only an accepted, unended mandate is acted under",
                ));
            }
            if login.kind == LoginKind::Entity && !wanted.is_empty() {
                return Err(Error::conflict(Code::EntityAccountHasNoEservices, "the entity account acts for nobody"));
            }
            let mut f = Fields::default();
            let mut rows: Vec<MandateLoginRecord> = Vec::new();
            for (i, w) in wanted.iter().enumerate() {
                let prefix = format!("eservices[{i}]");
                let Some(p) = w.parse(&prefix, &mut f) else { continue };
                let code_field = if w.valid_from.is_some() || w.valid_until.is_some() {
                    format!("{prefix}.code")
                } else {
                    prefix.clone()
                };
                if rows.iter().any(|r| r.eservice_code == p.code) {
                    f.push(FieldError::new(code_field, Code::Duplicate, "named twice"));
                    continue;
                }
                if !m.eservices.contains(&p.code) {
                    f.push(FieldError::new(code_field, Code::NotInMandate, "the mandate does not name this e-service"));
                    continue;
                }
                p.check_dates(&prefix, now, &mut f);
                if p.valid_until.is_some_and(|end| end > m.valid_until) {
                    f.push(FieldError::new(
                        format!("{prefix}.valid_until"),
                        Code::BeyondMandate,
                        "the mandate ends before this",
                    ));
                }
                if p.valid_from.is_some_and(|start| start >= m.valid_until) {
                    f.push(FieldError::new(
                        format!("{prefix}.valid_from"),
                        Code::BeyondMandate,
                        "the mandate ends before this",
                    ));
                }
                rows.push(MandateLoginRecord {
                    entity_id: admin.caller.entity_id,
                    login_id: login_id.clone(),
                    mandate_id: m.id.clone(),
                    eservice_code: p.code,
                    valid_from: p.valid_from,
                    valid_until: p.valid_until,
                    assigned_by: admin.caller.login_id.clone(),
                    assigned_at: now,
                    last_used_at: None,
                });
            }
            f.finish()?;
            let before: Vec<ActingLogin> =
                tx.list_acting_logins(&m.id).await?.into_iter().filter(|a| a.login_id == login_id).collect();
            tx.replace_mandate_logins(admin.caller.entity_id, &login_id, &m.id, &rows).await?;
            // Taken away, or given other dates: the sign-ins made under the old terms end (a new
            // sign-in is asked again); what stays as it was keeps its sessions.
            for old in &before {
                let kept = rows.iter().any(|r| {
                    r.eservice_code == old.eservice_code
                        && r.valid_from == old.valid_from
                        && r.valid_until == old.valid_until
                });
                if !kept {
                    let grants = tx.live_grants_under_mandate(&m.id, Some(&login_id), Some(&old.eservice_code)).await?;
                    end_grants(tx.as_mut(), &grants, now, true).await?;
                }
            }
            let from = self.party(tx.as_mut(), m.from_entity_id).await?;
            let detail = format!(
                "mandate={} for={} by={} login={} eservices={}",
                m.id,
                from.entity_number,
                admin.caller.entity_number,
                login.name,
                rows.iter().map(|r| r.eservice_code.as_str()).collect::<Vec<_>>().join(",")
            );
            let ev = AuditEvent::new(actor_of(admin.caller), Action::MandateLoginsAssigned).detail(detail);
            let events = [
                ev.clone().entity(m.to_entity_id).target(login_id.to_string()),
                ev.entity(m.from_entity_id).target(admin.caller.entity_number.clone()),
            ];
            self.commit(tx, ctx, &events).await?;
            Ok(rows.iter().map(|r| mandated_view(&r.eservice_code, r.valid_from, r.valid_until, &m, now)).collect())
        })
        .await
    }

    /// A login's e-services under one mandate, for the mandated entity's overseers.
    pub async fn login_mandate_eservices(
        &self,
        viewer: &OverseerOf<'_>,
        login_id: &str,
        id: &str,
    ) -> Result<Vec<MandatedEService>> {
        let login_id = LoginId::parse(login_id)?;
        let mut tx = self.store.read().await?;
        let m = self.party_mandate(tx.as_mut(), viewer.caller, id).await?;
        if m.to_entity_id != viewer.caller.entity_id {
            return Err(Error::NotFound);
        }
        match tx.find_login(viewer.caller.entity_id, &login_id).await? {
            Some(l) if l.status != LoginStatus::Deleted => {}
            _ => return Err(Error::NotFound),
        }
        let now = self.clock.now();
        Ok(tx
            .list_acting_logins(&m.id)
            .await?
            .into_iter()
            .filter(|a| a.login_id == login_id)
            .map(|a| mandated_view(&a.eservice_code, a.valid_from, a.valid_until, &m, now))
            .collect())
    }
}

/// What a login's assignment under a mandate does now: its own dates within the mandate's.
fn mandated_view(
    code: &str,
    valid_from: Option<Timestamp>,
    valid_until: Option<Timestamp>,
    m: &MandateRecord,
    now: Timestamp,
) -> MandatedEService {
    use crate::access_terms::AssignmentStatus as S;
    let status = if status_at(m, now) != MandateStatus::Active || valid_until.is_some_and(|end| now >= end) {
        S::Ended
    } else if valid_from.is_some_and(|start| now < start) {
        S::Pending
    } else {
        S::Active
    };
    MandatedEService { code: code.to_string(), valid_from, valid_until, status }
}
