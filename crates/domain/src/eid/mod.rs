//! Advanced electronic identification (R21–R24): face recognition for logins registered
//! with a Macau resident card (on by default, off by the person, on again only at the
//! counter, switched off after 50 failed matches), the security verification code bound in
//! person at the counter for any other document (per login, so per entity), and the step-up
//! that advanced e-services ask for.

pub mod enrolment;
pub mod face;
pub mod payload;
pub mod state;
pub mod step_up;
pub mod totp;

use crate::clock::Timestamp;
use crate::identity::IdDocumentType;
use crate::model::eid::{EidRecord, EidState};
use crate::model::{LoginKind, LoginRecord};

/// R24: an enrolment payload is single use and lives at most 10 minutes.
pub const ENROLMENT_TTL_SECS: i64 = 600;
/// R24 (NIST SP 800-63B §5.2.3): failures before each try must wait, how long, and the
/// failures that switch face recognition off.
pub const FACE_FREE_FAILURES: i64 = 5;
pub const FACE_WAIT_SECS: i64 = 30;
pub const FACE_MAX_FAILURES: i64 = 50;

/// The owner a login's sealed TOTP secret is bound to.
pub(crate) fn secret_owner(entity_id: i64, login_id: &str) -> String {
    format!("{entity_id}/{login_id}")
}

/// R24: consecutive wrong security codes after which the binding is dropped and the person
/// must bind again at the counter (NIST SP 800-63B allows at most 100).
pub const CODE_MAX_FAILURES: i64 = 20;

/// R22: face for Macau resident cards.
pub fn face_available(login: &LoginRecord) -> bool {
    login.kind != LoginKind::Entity && login.id_type == Some(IdDocumentType::MacauResident)
}

/// R23: the security code for every other document.
pub fn code_available(login: &LoginRecord) -> bool {
    login.kind != LoginKind::Entity && login.id_type.is_some_and(|t| t != IdDocumentType::MacauResident)
}

/// The login's record, or the defaults a login starts with.
pub(crate) fn record_or_default(stored: Option<EidRecord>, login: &LoginRecord, now: Timestamp) -> EidRecord {
    stored.unwrap_or_else(|| EidRecord {
        entity_id: login.entity_id,
        login_id: login.id.clone(),
        face_enabled: face_available(login),
        face_off_reason: None,
        face_failures: 0,
        face_next_try_at: now,
        totp_secret_sealed: None,
        totp_last_step: None,
        totp_bound_at: None,
        updated_at: now,
    })
}

/// What the login sees of its e-ID record.
pub(crate) fn state_of(login: &LoginRecord, r: &EidRecord) -> EidState {
    EidState {
        face_available: face_available(login),
        face_enabled: face_available(login) && r.face_enabled,
        face_off_reason: r.face_off_reason.clone(),
        code_available: code_available(login),
        code_bound: r.totp_secret_sealed.is_some(),
    }
}
