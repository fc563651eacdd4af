//! Whether a login may use an e-service now (R19, R28–R31): asked at sign-in, at code
//! redemption, at every refresh, userinfo and introspection, so a removed, ended, suspended or
//! not yet approved assignment, or a deleted login, takes effect on the very next request. The
//! facts are read in one statement (`find_access`, or `find_mandated_access` for a login
//! acting for another entity under a mandate, R34, R35) and compared with the clock here.

use crate::access_terms::{self, AssignmentStatus};
use crate::clock::Timestamp;
use crate::model::{EServiceRecord, EntityNames, LoginKind, LoginStatus, MandateStatus};
use crate::numbers::LoginId;
use crate::store::{StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Deleted, or not yet activated.
    LoginNotActive,
    /// The entity account manages logins and uses no e-services itself.
    EntityAccount,
    NotAssigned,
    /// R28: its start is still ahead.
    NotYetValid,
    /// R28: its end has come.
    Ended,
    /// R31: a second administrator has not approved it yet.
    AwaitingApproval,
    /// R30: the entity's review left it unconfirmed past the grace.
    Suspended,
    EntityNotRegistered,
    UnknownEService,
    /// R34: the e-service's department allows no intermediaries.
    NoIntermediaries,
    /// R34: the entity gave no live mandate naming this e-service to the login's entity.
    NotMandated,
    /// R34: the mandate's end has come.
    MandateEnded,
    /// R34: the login's entity has not assigned the login to act under the mandate here.
    NotActingUnderMandate,
}

impl Denial {
    pub fn code(self) -> &'static str {
        match self {
            Denial::LoginNotActive => "login_not_active",
            Denial::EntityAccount => "entity_account_has_no_eservices",
            Denial::NotAssigned => "eservice_not_assigned",
            Denial::NotYetValid => "assignment_not_started",
            Denial::Ended => "assignment_ended",
            Denial::AwaitingApproval => "assignment_awaiting_approval",
            Denial::Suspended => "assignment_suspended",
            Denial::EntityNotRegistered => "entity_not_registered",
            Denial::UnknownEService => "unknown_eservice",
            Denial::NoIntermediaries => "intermediaries_not_allowed",
            Denial::NotMandated => "not_mandated",
            Denial::MandateEnded => "mandate_ended",
            Denial::NotActingUnderMandate => "not_acting_under_mandate",
        }
    }

    /// Why, for the e-service's `error_description` (the person's page translates the code).
    pub fn description(self) -> &'static str {
        match self {
            Denial::LoginNotActive => "the login is not active",
            Denial::EntityAccount => "the entity account does not use e-services",
            Denial::NotAssigned => "the entity's administrator has not assigned this e-service to the login",
            Denial::NotYetValid => "the login's assignment of this e-service has not started yet",
            Denial::Ended => "the login's assignment of this e-service has ended",
            Denial::AwaitingApproval => "the assignment of this e-service awaits a second administrator's approval",
            Denial::Suspended => "the assignment is suspended until the entity's access review confirms it",
            Denial::EntityNotRegistered => "the entity is not registered with this e-service",
            Denial::UnknownEService => "the e-service is not in the catalogue",
            Denial::NoIntermediaries => "this e-service does not allow acting for another entity",
            Denial::NotMandated => "the entity has not mandated the login's entity for this e-service",
            Denial::MandateEnded => "the mandate has ended",
            Denial::NotActingUnderMandate => "the login's entity has not assigned the login to act under the mandate",
        }
    }
}

/// What a permitted sign-in is about: the claims are made from these.
#[derive(Debug, Clone)]
pub struct Permitted {
    pub entity_id: i64,
    pub login_id: LoginId,
    pub login_name: String,
    pub login_kind: LoginKind,
    pub entity_number: String,
    pub entity_names: EntityNames,
    pub eservice: EServiceRecord,
    /// R28: the assignment grants until then; no token issued under it outlives it.
    pub until: Option<Timestamp>,
    /// R35: the entity the login acts for, when it acts under a mandate.
    pub on_behalf: Option<Represented>,
}

/// The entity a login acts for (R35): its claims name it, and the login's own entity in `act`.
#[derive(Debug, Clone)]
pub struct Represented {
    pub entity_id: i64,
    pub entity_number: String,
    pub entity_names: EntityNames,
    pub mandate_id: String,
}

/// For whom a login asks to use an e-service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting<'a> {
    /// Its own entity.
    Own,
    /// Another entity, under a mandate; a sign-in already made names the mandate it was made
    /// under, and a later mandate between the same entities does not revive it.
    For { entity_id: i64, mandate_id: Option<&'a str> },
}

impl<'a> Acting<'a> {
    pub fn of(on_behalf: Option<&'a crate::model::oidc::OnBehalf>) -> Self {
        match on_behalf {
            None => Acting::Own,
            Some(o) => Acting::For { entity_id: o.represented_entity_id, mandate_id: Some(&o.mandate_id) },
        }
    }
}

/// What the login itself rules out, whoever it acts for: it must be active, and the entity
/// account uses no e-services.
fn login_denial(status: LoginStatus, kind: LoginKind) -> Option<Denial> {
    match (status, kind) {
        (s, _) if s != LoginStatus::Active => Some(Denial::LoginNotActive),
        (_, LoginKind::Entity) => Some(Denial::EntityAccount),
        _ => None,
    }
}

/// The cold path, when the decision's statement found no row: which of the login, the
/// e-service and (acting for another) the represented entity is missing.
async fn missing(
    tx: &mut dyn Tx,
    entity_id: i64,
    login_id: &str,
    eservice_code: &str,
    represented: Option<i64>,
) -> StoreResult<Denial> {
    if tx.find_login(entity_id, login_id).await?.is_none() {
        return Ok(Denial::LoginNotActive);
    }
    if tx.find_eservice(eservice_code).await?.is_none() {
        return Ok(Denial::UnknownEService);
    }
    Ok(match represented {
        Some(_) => Denial::NotMandated,
        None => Denial::LoginNotActive,
    })
}

pub async fn check(
    tx: &mut dyn Tx,
    entity_id: i64,
    login_id: &str,
    eservice_code: &str,
    acting: Acting<'_>,
    now: Timestamp,
) -> StoreResult<Result<Permitted, Denial>> {
    if let Acting::For { entity_id: represented, mandate_id } = acting {
        return check_mandated(tx, entity_id, login_id, represented, mandate_id, eservice_code, now).await;
    }
    let Some(f) = tx.find_access(entity_id, login_id, eservice_code).await? else {
        return Ok(Err(missing(tx, entity_id, login_id, eservice_code, None).await?));
    };
    if let Some(d) = login_denial(f.login_status, f.login_kind) {
        return Ok(Err(d));
    }
    let Some(terms) = f.assignment else { return Ok(Err(Denial::NotAssigned)) };
    let cycle = access_terms::cycle_or_first(f.cycle, f.entity_created_at);
    match access_terms::status_at(&terms, &cycle, now) {
        AssignmentStatus::Active => {}
        AssignmentStatus::Ended => return Ok(Err(Denial::Ended)),
        AssignmentStatus::Suspended => return Ok(Err(Denial::Suspended)),
        AssignmentStatus::Pending if terms.proposed_by.is_some() => return Ok(Err(Denial::AwaitingApproval)),
        AssignmentStatus::Pending => return Ok(Err(Denial::NotYetValid)),
    }
    if f.eservice.requires_registration && !f.registered {
        return Ok(Err(Denial::EntityNotRegistered));
    }
    Ok(Ok(Permitted {
        entity_id,
        login_id: f.login_id,
        login_name: f.login_name,
        login_kind: f.login_kind,
        entity_number: f.entity_number,
        entity_names: f.entity_names,
        eservice: f.eservice,
        until: access_terms::grants_until(&terms, &cycle),
        on_behalf: None,
    }))
}

/// R34, R35: a login acting for another entity. The mandate grants, not the login's own
/// assignments: it must be active and unended, name the e-service (which must allow
/// intermediaries), and the login's entity must have assigned the login under it, within
/// its dates. Where the e-service requires registration, both entities must be registered.
async fn check_mandated(
    tx: &mut dyn Tx,
    entity_id: i64,
    login_id: &str,
    represented: i64,
    made_under: Option<&str>,
    eservice_code: &str,
    now: Timestamp,
) -> StoreResult<Result<Permitted, Denial>> {
    let Some(f) = tx.find_mandated_access(entity_id, login_id, represented, eservice_code).await? else {
        return Ok(Err(missing(tx, entity_id, login_id, eservice_code, Some(represented)).await?));
    };
    if let Some(d) = login_denial(f.login_status, f.login_kind) {
        return Ok(Err(d));
    }
    if !f.eservice.allows_intermediaries {
        return Ok(Err(Denial::NoIntermediaries));
    }
    let Some((mandate_id, status, mandate_until)) = f.mandate else { return Ok(Err(Denial::NotMandated)) };
    if status != MandateStatus::Active || made_under.is_some_and(|m| m != mandate_id) || !f.mandate_names_eservice {
        return Ok(Err(Denial::NotMandated));
    }
    if now >= mandate_until {
        return Ok(Err(Denial::MandateEnded));
    }
    let Some((from, until)) = f.assignment else { return Ok(Err(Denial::NotActingUnderMandate)) };
    if from.is_some_and(|start| now < start) {
        return Ok(Err(Denial::NotYetValid));
    }
    if until.is_some_and(|end| now >= end) {
        return Ok(Err(Denial::Ended));
    }
    if f.eservice.requires_registration && !(f.registered && f.represented_registered) {
        return Ok(Err(Denial::EntityNotRegistered));
    }
    Ok(Ok(Permitted {
        entity_id,
        login_id: f.login_id,
        login_name: f.login_name,
        login_kind: f.login_kind,
        entity_number: f.entity_number,
        entity_names: f.entity_names,
        eservice: f.eservice,
        until: Some(until.map_or(mandate_until, |end| end.min(mandate_until))),
        on_behalf: Some(Represented {
            entity_id: represented,
            entity_number: f.represented_number,
            entity_names: f.represented_names,
            mandate_id,
        }),
    }))
}
