//! The e-ID records, as the store keeps them.

use crate::clock::Timestamp;

/// A login's second factors. No row means the defaults: face on when the login was
/// registered with a Macau resident card, no security code.
#[derive(Debug, Clone)]
pub struct EidRecord {
    pub entity_id: i64,
    pub login_id: crate::numbers::LoginId,
    pub face_enabled: bool,
    pub face_off_reason: Option<String>,
    pub face_failures: i64,
    pub face_next_try_at: Timestamp,
    pub totp_secret_sealed: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub totp_bound_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct EnrolmentRecord {
    pub entity_id: i64,
    pub id: String,
    pub login_id: crate::numbers::LoginId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct EidKeyRecord {
    pub id: String,
    pub private_sealed: Vec<u8>,
    pub public_key: String,
    pub created_at: Timestamp,
}

/// What a login (and the counter) sees of its e-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EidState {
    pub face_available: bool,
    pub face_enabled: bool,
    pub face_off_reason: Option<String>,
    pub code_available: bool,
    pub code_bound: bool,
}

impl EidState {
    /// Some second factor can be used now.
    pub fn any_factor(&self) -> bool {
        self.face_enabled || self.code_bound
    }
}
