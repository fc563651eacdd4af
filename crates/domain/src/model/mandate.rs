//! The records of entities acting for entities (R34, R35): a mandate between two entities,
//! the logins of the mandated entity assigned to act under it, and what the access decision
//! reads when a login signs in for another entity.

use super::{EServiceRecord, EntityNames, LoginKind, LoginStatus};
use crate::clock::Timestamp;
use crate::closed::closed_enum;
use crate::numbers::LoginId;

closed_enum! {
    /// Where a mandate stands. Only `active` grants anything, and only before its end.
    pub enum MandateStatus {
        /// Offered by the mandating entity, not yet answered by the other.
        Offered => "offered",
        Active => "active",
        Declined => "declined",
        /// Ended by either side (or withdrawn before it was answered).
        Ended => "ended",
    }
}

/// One entity's authorisation of another to act for it on chosen e-services until an end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateRecord {
    pub id: String,
    /// The mandating (represented) entity.
    pub from_entity_id: i64,
    /// The mandated entity, whose logins act.
    pub to_entity_id: i64,
    pub status: MandateStatus,
    pub eservices: Vec<String>,
    pub valid_until: Timestamp,
    pub offered_by: LoginId,
    pub offered_at: Timestamp,
    pub decided_by: Option<LoginId>,
    pub decided_at: Option<Timestamp>,
    /// Who ended it: a login id, or `system` when its end came.
    pub ended_by: Option<String>,
    pub ended_at: Option<Timestamp>,
    /// The smallest ending notice already sent, in days (R29).
    pub warned_days: Option<i64>,
}

impl MandateRecord {
    /// Whether it grants anything at `now`.
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        self.status == MandateStatus::Active && now < self.valid_until
    }
}

/// A login of the mandated entity assigned to act under a mandate for one of its e-services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateLoginRecord {
    pub entity_id: i64,
    pub login_id: LoginId,
    pub mandate_id: String,
    pub eservice_code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub assigned_by: LoginId,
    pub assigned_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// An acting login as either side sees it: its name only, never its identity document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingLogin {
    pub login_id: LoginId,
    pub name: String,
    pub login_status: LoginStatus,
    pub eservice_code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// Everything the decision needs when a login acts for another entity, read in one
/// statement: the login and its entity, the represented entity, the e-service, the live
/// mandate between the two entities (if any), whether it names the e-service, the login's
/// assignment under it, and whether each entity is registered with the e-service.
#[derive(Debug, Clone)]
pub struct MandatedAccessFacts {
    pub login_id: LoginId,
    pub login_status: LoginStatus,
    pub login_kind: LoginKind,
    pub login_name: String,
    pub entity_number: String,
    pub entity_names: EntityNames,
    pub represented_number: String,
    pub represented_names: EntityNames,
    pub eservice: EServiceRecord,
    /// The mandate offered or active between the two, with its status and end.
    pub mandate: Option<(String, MandateStatus, Timestamp)>,
    pub mandate_names_eservice: bool,
    /// The login's assignment under the mandate for the e-service: its start and end.
    pub assignment: Option<(Option<Timestamp>, Option<Timestamp>)>,
    /// Where the e-service requires registration, both entities must be registered with it:
    /// the represented one, and the intermediary.
    pub represented_registered: bool,
    pub registered: bool,
}

/// An entity a login may choose to act for at an e-service (R35's chooser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandator {
    pub entity_id: i64,
    pub entity_number: String,
    pub entity_names: EntityNames,
}
