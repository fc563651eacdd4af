//! When an assignment grants access (R28, R30, R31), decided from its terms and the clock
//! alone: before its start and from its end it grants nothing, a proposal awaiting a second
//! administrator grants nothing, and an item its entity's review left unconfirmed 14 days past
//! the due date is suspended. No sweep has to run for any of this to hold.

use crate::clock::Timestamp;
use crate::closed::closed_enum;
use crate::model::{AssignmentTerms, ReviewCycle};

pub const DAY_SECS: i64 = 86_400;
/// R30: an entity reviews its assignments at least this often.
pub const REVIEW_DAYS_MAX: i64 = 180;
/// R30: an e-service may ask for reviews this often at the most.
pub const REVIEW_DAYS_MIN: i64 = 30;
/// R30: unconfirmed items are suspended this long after the review fell due.
pub const REVIEW_GRACE_SECS: i64 = 14 * DAY_SECS;
/// R28: a start at most this far ahead.
pub const START_AHEAD_MAX_SECS: i64 = 366 * DAY_SECS;
/// R29: the notices before an end, in days.
pub const ENDING_NOTICE_DAYS: [i64; 2] = [14, 3];

closed_enum! {
    /// What an assignment does now, as the API and the pages name it.
    pub enum AssignmentStatus {
        Active => "active",
        /// Not started yet, or awaiting a second administrator's approval.
        Pending => "pending",
        /// Left unconfirmed by a review past its grace (R30).
        Suspended => "suspended",
        Ended => "ended",
    }
}

/// The entity's current review cycle: the stored one, or the first, which began when the
/// entity was created.
pub fn cycle_or_first(cycle: Option<ReviewCycle>, entity_created_at: Timestamp) -> ReviewCycle {
    cycle.unwrap_or(ReviewCycle {
        started_at: entity_created_at,
        due_at: entity_created_at.plus_secs(REVIEW_DAYS_MAX * DAY_SECS),
        announced_at: None,
    })
}

/// Confirmed (or granted) in the current cycle.
pub fn reviewed_in(terms: &AssignmentTerms, cycle: &ReviewCycle) -> bool {
    terms.reviewed_at >= cycle.started_at
}

/// When an unconfirmed item of the cycle stops granting.
pub fn suspends_at(cycle: &ReviewCycle) -> Timestamp {
    cycle.due_at.plus_secs(REVIEW_GRACE_SECS)
}

pub fn status_at(terms: &AssignmentTerms, cycle: &ReviewCycle, now: Timestamp) -> AssignmentStatus {
    if terms.valid_until.is_some_and(|end| now >= end) {
        AssignmentStatus::Ended
    } else if terms.proposed_by.is_some() || terms.valid_from.is_some_and(|start| now < start) {
        AssignmentStatus::Pending
    } else if !reviewed_in(terms, cycle) && now >= suspends_at(cycle) {
        AssignmentStatus::Suspended
    } else {
        AssignmentStatus::Active
    }
}

/// The latest instant an active assignment still grants: its end, or its suspension when its
/// review has not confirmed it. Tokens issued under it expire by then.
pub fn grants_until(terms: &AssignmentTerms, cycle: &ReviewCycle) -> Option<Timestamp> {
    let suspension = (!reviewed_in(terms, cycle)).then(|| suspends_at(cycle));
    match (terms.valid_until, suspension) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(from: Option<i64>, until: Option<i64>) -> AssignmentTerms {
        AssignmentTerms {
            valid_from: from.map(Timestamp),
            valid_until: until.map(Timestamp),
            proposed_by: None,
            reviewed_at: Timestamp(0),
        }
    }

    #[test]
    fn r28_an_assignment_grants_from_its_start_until_just_before_its_end() {
        let cycle = cycle_or_first(None, Timestamp(0));
        let t = terms(Some(100), Some(200));
        assert_eq!(status_at(&t, &cycle, Timestamp(99)), AssignmentStatus::Pending);
        assert_eq!(status_at(&t, &cycle, Timestamp(100)), AssignmentStatus::Active);
        assert_eq!(status_at(&t, &cycle, Timestamp(199)), AssignmentStatus::Active);
        assert_eq!(status_at(&t, &cycle, Timestamp(200)), AssignmentStatus::Ended);
        assert_eq!(grants_until(&t, &cycle), Some(Timestamp(200)));
    }

    #[test]
    fn r30_an_unreviewed_item_is_suspended_from_the_end_of_the_grace_and_capped_there() {
        let cycle = ReviewCycle { started_at: Timestamp(10), due_at: Timestamp(1_000), announced_at: None };
        let t = terms(None, None);
        let suspended = suspends_at(&cycle);
        assert_eq!(status_at(&t, &cycle, Timestamp(suspended.0 - 1)), AssignmentStatus::Active);
        assert_eq!(status_at(&t, &cycle, suspended), AssignmentStatus::Suspended);
        assert_eq!(grants_until(&t, &cycle), Some(suspended));
        let confirmed = AssignmentTerms { reviewed_at: Timestamp(10), ..t };
        assert_eq!(status_at(&confirmed, &cycle, suspended), AssignmentStatus::Active);
        assert_eq!(grants_until(&confirmed, &cycle), None);
    }
}
