//! The audit log (R26): every change is recorded in the transaction that makes it, as a
//! link in one SHA-256 hash chain whose head is checkpointed with a MAC under a key kept
//! outside the database. Altering, inserting or deleting any record — the newest included —
//! breaks the chain or the checkpoint, and `verify` names where.

use crate::clock::Timestamp;
use crate::closed::closed_enum;
use crate::crypto::{sha256_hex, Vault};
use crate::model::{AuditHead, AuditRow};
use crate::store::{StoreResult, Tx};

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Operator(i64),
    Login {
        entity_id: i64,
        login_id: crate::numbers::LoginId,
    },
    /// Someone not signed in: the public activation, help and login pages.
    Anonymous,
    System,
    /// An e-service acting with its own credentials (the department API).
    Client(String),
}

impl Actor {
    fn render(&self) -> String {
        match self {
            Actor::Operator(id) => format!("operator:{id}"),
            Actor::Login { login_id, .. } => format!("login:{login_id}"),
            Actor::Anonymous => "anonymous".into(),
            Actor::System => "system".into(),
            Actor::Client(id) => format!("client:{id}"),
        }
    }
}

closed_enum! {
    /// What happened: a closed list, so every record's action is one the code knows.
    pub enum Action {
        OperatorCreated => "operator.created",
        OperatorLogin => "operator.login",
        ApplicationSubmitted => "application.submitted",
        ApplicationReviewStarted => "application.review_started",
        ApplicationApproved => "application.approved",
        ApplicationRejected => "application.rejected",
        AdministratorAdded => "login.administrator_added",
        AdminRightsRemoved => "login.admin_rights_removed",
        AdminRightsRestored => "login.admin_rights_restored",
        LoginCreated => "login.created",
        LoginsImported => "login.imported",
        LoginDeleted => "login.deleted",
        LoginActivated => "login.activated",
        ActivationFailed => "login.activation_failed",
        ActivationCodeResent => "login.activation_code_resent",
        UsernameReminderSent => "login.username_reminder_sent",
        PasswordResetRequested => "login.password_reset_requested",
        PasswordReset => "login.password_reset",
        LoginSucceeded => "session.login_succeeded",
        LoginFailed => "session.login_failed",
        LoginLocked => "session.login_locked",
        Logout => "session.logout",
        EServiceCreated => "eservice.created",
        EServiceRegistered => "eservice.entity_registered",
        EServicesAssigned => "eservice.assigned",
        AssignmentProposed => "eservice.assignment_proposed",
        AssignmentApproved => "eservice.assignment_approved",
        AssignmentEnded => "eservice.assignment_ended",
        ReviewConfirmed => "review.confirmed",
        ReviewRemoved => "review.removed",
        ReviewFinished => "review.finished",
        AccessRequested => "request.created",
        AccessRequestGranted => "request.granted",
        AccessRequestRefused => "request.refused",
        SmsNoticesSet => "login.sms_notices_set",
        MandateOffered => "mandate.offered",
        MandateAccepted => "mandate.accepted",
        MandateDeclined => "mandate.declined",
        MandateEnded => "mandate.ended",
        MandateLoginsAssigned => "mandate.logins_assigned",
        EServiceUnregistered => "eservice.entity_unregistered",
        ClientRegistered => "oidc.client_registered",
        ClientSecretRotated => "oidc.client_secret_rotated",
        ClientUpdated => "oidc.client_updated",
        SigningKeyRotated => "oidc.signing_key_rotated",
        SignInAuthorized => "oidc.sign_in_authorized",
        SignInDenied => "oidc.sign_in_denied",
        GrantRevoked => "oidc.grant_revoked",
        TokenIssued => "oidc.token_issued",
        FaceSwitchedOff => "eid.face_switched_off",
        FaceSwitchedOn => "eid.face_switched_on",
        FaceMatchFailed => "eid.face_match_failed",
        EnrolmentRequested => "eid.enrolment_requested",
        SecurityCodeBound => "eid.security_code_bound",
        SecurityCodeUnbound => "eid.security_code_unbound",
        StepUpSucceeded => "eid.step_up_succeeded",
        StepUpFailed => "eid.step_up_failed",
        DepartmentNotice => "notification.from_department",
        MachineCredentialCreated => "machine_credential.created",
        MachineCredentialEservicesSet => "machine_credential.eservices_set",
        MachineCredentialDeleted => "machine_credential.deleted",
        ScimUserCreated => "scim.user_created",
        ScimUserReplaced => "scim.user_replaced",
        ScimUserPatched => "scim.user_patched",
        ScimUserSuspended => "scim.user_suspended",
        ScimUserResumed => "scim.user_resumed",
        ScimUserDeleted => "scim.user_deleted",
    }
}

/// One record before it joins the chain. `detail` is free text that never holds a
/// password, code, secret or full identity number (callers pass masked values only).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: Actor,
    pub entity_id: Option<i64>,
    pub action: Action,
    pub target: Option<String>,
    pub success: bool,
    pub detail: String,
}

impl AuditEvent {
    pub fn new(actor: Actor, action: Action) -> Self {
        let entity_id = match &actor {
            Actor::Login { entity_id, .. } => Some(*entity_id),
            _ => None,
        };
        AuditEvent { actor, entity_id, action, target: None, success: true, detail: String::new() }
    }
    pub fn entity(mut self, entity_id: i64) -> Self {
        self.entity_id = Some(entity_id);
        self
    }
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
    pub fn failed(mut self) -> Self {
        self.success = false;
        self
    }
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn row_hash(r: &AuditRow) -> String {
    let seq = r.seq.to_be_bytes();
    let at = r.at.0.to_be_bytes();
    let entity = r.entity_id.map(|e| e.to_string()).unwrap_or_default();
    sha256_hex(&[
        r.prev_hash.as_bytes(),
        &seq,
        &at,
        r.actor.as_bytes(),
        entity.as_bytes(),
        r.action.as_bytes(),
        r.target.as_deref().unwrap_or("").as_bytes(),
        r.result.as_bytes(),
        r.detail.as_bytes(),
        r.source.as_bytes(),
    ])
}

fn head_mac(vault: &Vault, seq: i64, hash: &str) -> String {
    vault.audit_mac(format!("{seq}:{hash}").as_bytes())
}

/// Appends the events to the chain inside `tx`. The caller then commits: the records become
/// durable exactly when the change they describe does.
pub async fn append(
    tx: &mut dyn Tx,
    vault: &Vault,
    at: Timestamp,
    source: &str,
    events: &[AuditEvent],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let head = tx.audit_head().await?;
    let (mut seq, mut prev) = head.map(|h| (h.seq, h.hash)).unwrap_or((0, GENESIS.to_string()));
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let mut row = AuditRow {
            seq,
            at,
            actor: e.actor.render(),
            entity_id: e.entity_id,
            action: e.action.as_str().to_string(),
            target: e.target.clone(),
            result: if e.success { "success" } else { "refused" }.to_string(),
            detail: e.detail.clone(),
            source: source.to_string(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        row.hash = row_hash(&row);
        prev = row.hash.clone();
        rows.push(row);
    }
    let head = AuditHead { seq, hash: prev.clone(), mac: head_mac(vault, seq, &prev) };
    tx.append_audit(&rows, &head).await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// Record `seq` was altered: its hash does not match its contents.
    Altered { seq: i64 },
    /// The record after `after` is missing or out of order.
    Gap { after: i64, found: i64 },
    /// Record `seq` does not link to the record before it.
    BrokenLink { seq: i64 },
    /// The checkpoint says the chain ends at `head_seq`, but the last record is `last_seq`.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The checkpoint's MAC is wrong: the head was rewritten without the key.
    ForgedHead,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Altered { seq } => write!(f, "audit record {seq} was altered (hash mismatch)"),
            VerifyError::Gap { after, found } => {
                write!(f, "audit record {} is missing (found {found} after {after})", after + 1)
            }
            VerifyError::BrokenLink { seq } => write!(f, "audit record {seq} does not link to record {}", seq - 1),
            VerifyError::Truncated { head_seq, last_seq } => write!(
                f,
                "audit records {}..={head_seq} are missing (the checkpoint says the chain ends at {head_seq}, the log at {last_seq})",
                last_seq + 1
            ),
            VerifyError::ForgedHead => write!(f, "the audit checkpoint's MAC does not verify: it was rewritten"),
        }
    }
}

/// Walks the whole chain in pages and checks it against the checkpoint.
pub async fn verify(tx: &mut dyn Tx, vault: &Vault) -> Result<i64, VerifyOutcome> {
    let mut prev_seq = 0;
    let mut prev_hash = GENESIS.to_string();
    loop {
        let page = tx.list_audit(None, prev_seq, 1000).await.map_err(VerifyOutcome::Store)?;
        if page.is_empty() {
            break;
        }
        for r in page {
            if r.seq != prev_seq + 1 {
                return Err(VerifyOutcome::Invalid(VerifyError::Gap { after: prev_seq, found: r.seq }));
            }
            if r.prev_hash != prev_hash {
                return Err(VerifyOutcome::Invalid(VerifyError::BrokenLink { seq: r.seq }));
            }
            if row_hash(&r) != r.hash {
                return Err(VerifyOutcome::Invalid(VerifyError::Altered { seq: r.seq }));
            }
            prev_seq = r.seq;
            prev_hash = r.hash;
        }
    }
    match tx.audit_head().await.map_err(VerifyOutcome::Store)? {
        None if prev_seq == 0 => Ok(0),
        None => Err(VerifyOutcome::Invalid(VerifyError::ForgedHead)),
        Some(head) => {
            if head.mac != head_mac(vault, head.seq, &head.hash) {
                return Err(VerifyOutcome::Invalid(VerifyError::ForgedHead));
            }
            if head.seq != prev_seq {
                return Err(VerifyOutcome::Invalid(VerifyError::Truncated { head_seq: head.seq, last_seq: prev_seq }));
            }
            if head.hash != prev_hash {
                return Err(VerifyOutcome::Invalid(VerifyError::Altered { seq: prev_seq }));
            }
            Ok(prev_seq)
        }
    }
}

#[derive(Debug)]
pub enum VerifyOutcome {
    Invalid(VerifyError),
    Store(crate::store::StoreError),
}
