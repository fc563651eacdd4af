//! Each login's inbox (R25): the rules drop a notice in the same transaction as the change
//! it reports; pages render it in the reader's language from its kind and parameters.

use crate::access::Caller;
use crate::audit::{Action, AuditEvent};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::model::{LoginStatus, NotificationRecord};
use crate::numbers::LoginId;
use crate::services::{Ctx, Services};
use crate::store::{StoreResult, Tx};

pub mod kinds {
    pub const APPLICATION_APPROVED: &str = "application_approved";
    pub const LOGIN_CREATED: &str = "login_created";
    pub const ADMIN_RIGHTS_REMOVED: &str = "admin_rights_removed";
    pub const ADMIN_RIGHTS_RESTORED: &str = "admin_rights_restored";
    pub const ADMINISTRATOR_ADDED: &str = "administrator_added";
    pub const ESERVICES_ASSIGNED: &str = "eservices_assigned";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const DEPARTMENT_NOTICE: &str = "department_notice";
    pub const SECURITY_CODE_BOUND: &str = "security_code_bound";
    pub const SECURITY_CODE_UNBOUND: &str = "security_code_unbound";
    pub const FACE_SWITCHED_ON: &str = "face_recognition_on";
    pub const FACE_SWITCHED_OFF: &str = "face_recognition_off";
    /// R29: an assignment ends in 14 or 3 days (`eservice`, `login`, `until`, `days`).
    pub const ACCESS_ENDING: &str = "access_ending";
    /// R31: an administrator proposed an assignment another must approve (`eservice`, `login`).
    pub const ASSIGNMENT_PROPOSED: &str = "assignment_proposed";
    /// R30: the entity's access review fell due (`due`).
    pub const REVIEW_DUE: &str = "access_review_due";
    /// R37: a login asked for an e-service (`eservice`, `login`).
    pub const ACCESS_REQUESTED: &str = "access_requested";
    /// R37: the administrators granted or refused the login's request (`eservice`, `reason`).
    pub const ACCESS_REQUEST_GRANTED: &str = "access_request_granted";
    pub const ACCESS_REQUEST_REFUSED: &str = "access_request_refused";
    /// R34: another entity offered a mandate (`entity`, `eservices`, `until`).
    pub const MANDATE_OFFERED: &str = "mandate_offered";
    /// R34: the other entity accepted or declined a mandate, or either side ended it (`entity`).
    pub const MANDATE_ACCEPTED: &str = "mandate_accepted";
    pub const MANDATE_DECLINED: &str = "mandate_declined";
    pub const MANDATE_ENDED: &str = "mandate_ended";
    /// R29: a mandate ends in 14 or 3 days (`entity`, `until`, `days`).
    pub const MANDATE_ENDING: &str = "mandate_ending";
    /// R29, R36: a machine credential ends in 30, 14, 7 or 3 days (`name`, `until`, `days`).
    pub const MACHINE_CREDENTIAL_ENDING: &str = "machine_credential_ending";
}

pub async fn notify(
    tx: &mut dyn Tx,
    at: Timestamp,
    entity_id: i64,
    login_id: &LoginId,
    kind: &str,
    params: Vec<(&str, String)>,
) -> StoreResult<()> {
    tx.insert_notification(&NotificationRecord {
        entity_id,
        id: uuid::Uuid::new_v4().to_string(),
        login_id: login_id.clone(),
        kind: kind.to_string(),
        params: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        created_at: at,
    })
    .await
}

impl Services {
    /// R29: whether the caller's notices about access ending come by SMS too.
    pub async fn sms_notices(&self, caller: &Caller) -> Result<bool> {
        let mut tx = self.store.read().await?;
        let login = tx.find_login(caller.entity_id, &caller.login_id).await?.ok_or(Error::Unauthenticated)?;
        Ok(login.sms_notices)
    }

    /// R29: the caller asks for (or stops) notices about access ending by SMS.
    pub async fn set_sms_notices(&self, caller: &Caller, ctx: &Ctx, on: bool) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let login = tx.find_login(caller.entity_id, &caller.login_id).await?;
        let mut login = login.filter(|l| l.status == LoginStatus::Active).ok_or(Error::Unauthenticated)?;
        if login.sms_notices == on {
            return Ok(on);
        }
        login.sms_notices = on;
        tx.update_login(&login).await?;
        let ev = AuditEvent::new(crate::logins::actor_of(caller), Action::SmsNoticesSet)
            .target(login.id.to_string())
            .detail(if on { "on" } else { "off" });
        self.commit(tx, ctx, &[ev]).await?;
        Ok(on)
    }

    /// The caller's own inbox, newest first.
    pub async fn my_notifications(&self, caller: &Caller) -> Result<Vec<NotificationRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_notifications(caller.entity_id, &caller.login_id, 200).await?)
    }
}
