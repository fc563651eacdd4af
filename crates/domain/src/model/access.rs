//! The records of access over time (R28–R31, R37): an assignment's terms, an entity's review
//! cycle, what a review removed and what it sealed, and a login's requests for e-services.

use super::{EServiceRecord, EntityNames, LoginKind, LoginStatus};
use crate::clock::Timestamp;
use crate::numbers::LoginId;

/// One login's assignment of one e-service (R19), with its dates (R28), its approval (R31)
/// and when it was last granted or confirmed (R30).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRecord {
    pub login_id: LoginId,
    pub eservice_code: String,
    pub assigned_at: Timestamp,
    pub terms: AssignmentTerms,
    /// Who granted or last confirmed it (a login id), when it was.
    pub reviewed_by: Option<String>,
    /// When an administrator last confirmed it in a review (R30).
    pub confirmed_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// The smallest ending notice already sent, in days (R29).
    pub warned_days: Option<i64>,
    /// When the sweep ended its sessions at its end.
    pub ended_at: Option<Timestamp>,
}

/// What the access decision reads of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentTerms {
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// The administrator who proposed it, while it awaits a second one (R31).
    pub proposed_by: Option<LoginId>,
    /// When it was last granted, approved or confirmed in a review.
    pub reviewed_at: Timestamp,
}

/// An entity's current review cycle (R30). An entity without a stored one is in its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewCycle {
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    /// When the administrators were told it fell due.
    pub announced_at: Option<Timestamp>,
}

/// Everything the access decision needs, read in one statement: the login, its entity, the
/// e-service, the assignment (if any) and the entity's review cycle.
#[derive(Debug, Clone)]
pub struct AccessFacts {
    pub login_id: LoginId,
    pub login_status: LoginStatus,
    pub login_kind: LoginKind,
    pub login_name: String,
    pub entity_number: String,
    pub entity_names: EntityNames,
    pub entity_created_at: Timestamp,
    pub eservice: EServiceRecord,
    pub registered: bool,
    pub assignment: Option<AssignmentTerms>,
    pub cycle: Option<ReviewCycle>,
}

/// An item a review removed: listed in that review until it is finished.
#[derive(Debug, Clone)]
pub struct ReviewRemoval {
    pub login_id: LoginId,
    pub eservice_code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub removed_by: String,
    pub removed_at: Timestamp,
}

/// A finished review: its report as exported, sealed by the audit chain's head.
#[derive(Debug, Clone)]
pub struct FinishedReview {
    pub id: String,
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    pub finished_at: Timestamp,
    pub finished_by: String,
    pub sealed_head: String,
    /// The items as JSON, as the export shows them.
    pub report: String,
}

/// A login's request for an e-service (R37).
#[derive(Debug, Clone)]
pub struct AccessRequestRecord {
    pub entity_id: i64,
    pub id: String,
    pub login_id: LoginId,
    pub eservice_code: String,
    pub reason: String,
    pub created_at: Timestamp,
    pub decision: Option<RequestDecision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// The administrators' reason for a refusal.
    pub answer: Option<String>,
}

crate::closed::closed_enum! {
    /// How the administrators answered a request.
    pub enum RequestDecision {
        Granted => "granted",
        Refused => "refused",
    }
}
