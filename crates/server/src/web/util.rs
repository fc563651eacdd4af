//! Small helpers the page modules share: the page's query parameters, the `?next=` target
//! of a sign-in page, the `?done=` notice after a redirect, Macau local time, and the
//! percent-encoding of a path segment.

use domain::clock::Timestamp;
use domain::identity::IdDocumentType;
use domain::model::{ApplicationStatus, EntityType, LoginKind, LoginStatus};

use super::form::FormValues;
use super::local_path;
use super::page::Web;

/// This page's query parameters (without `lang`), read like a posted form.
pub fn query_values(web: &Web) -> FormValues {
    let q = web.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    FormValues::parse(q.as_bytes())
}

/// One query parameter of this page (`?page=2`), or `None` when absent.
pub fn query(web: &Web, name: &str) -> Option<String> {
    let q = web.path.split_once('?').map(|(_, q)| q)?;
    form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Whether the query holds `name=value` exactly (`?signed_out=1`).
pub fn query_is(web: &Web, name: &str, value: &str) -> bool {
    query(web, name).is_some_and(|v| v == value)
}

/// `?next=` of a sign-in page when it is one of our own paths, otherwise "".
pub fn next_of(web: &Web) -> String {
    query(web, "next").and_then(|v| local_path(&v).map(str::to_string)).unwrap_or_default()
}

/// The message key of the `?done=` notice, from the page's `(value, key)` list.
pub fn notice_of(web: &Web, notices: &[(&str, &'static str)]) -> Option<&'static str> {
    let done = query(web, "done")?;
    notices.iter().find(|(value, _)| *value == done).map(|(_, key)| *key)
}

/// A moment as people in Macau read it: local time (UTC+8), to the minute.
pub fn local_time(t: Timestamp) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(t.micros() as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// `s` as one path segment: every byte but the unreserved ones (`A–Z a–z 0–9 - . _ ~`)
/// percent-encoded, so a space is `%20` (not `+`, which is form encoding) and `/`, `?`, `#`
/// cannot end the segment.
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// The labels of the domain's kinds, one message key each, shared by the account, counter
// and public pages (the catalogues hold one translation per label).

/// A login's kind: the keys the navigation uses too.
pub fn login_kind_key(k: LoginKind) -> &'static str {
    match k {
        LoginKind::Entity => "kind-entity",
        LoginKind::Admin => "kind-admin",
        LoginKind::Staff => "kind-staff",
    }
}

pub fn login_status_key(s: LoginStatus) -> &'static str {
    match s {
        LoginStatus::Pending => "label-login-status-pending",
        LoginStatus::Active => "label-login-status-active",
        LoginStatus::Deleted => "label-login-status-deleted",
    }
}

pub fn id_type_key(t: IdDocumentType) -> &'static str {
    match t {
        IdDocumentType::MacauResident => "label-id-type-macau-resident",
        IdDocumentType::Passport => "label-id-type-passport",
        IdDocumentType::Other => "label-id-type-other",
    }
}

/// The identity document types, as `[value, label key]` pairs for `m.select`.
pub fn id_type_options() -> Vec<(&'static str, &'static str)> {
    [IdDocumentType::MacauResident, IdDocumentType::Passport, IdDocumentType::Other]
        .into_iter()
        .map(|t| (t.as_str(), id_type_key(t)))
        .collect()
}

pub fn entity_type_key(t: EntityType) -> &'static str {
    match t {
        EntityType::Association => "label-entity-type-association",
        EntityType::Foundation => "label-entity-type-foundation",
        EntityType::Company => "label-entity-type-company",
        EntityType::Entrepreneur => "label-entity-type-entrepreneur",
        EntityType::Unincorporated => "label-entity-type-unincorporated",
    }
}

pub fn application_status_key(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted => "label-application-status-submitted",
        ApplicationStatus::UnderReview => "label-application-status-under-review",
        ApplicationStatus::Approved => "label-application-status-approved",
        ApplicationStatus::Rejected => "label-application-status-rejected",
    }
}

/// An audit action (`Action::as_str` of the domain) as its label's message key, or
/// `audit-action-other` for one this code does not know (the page shows the raw code too).
pub fn audit_action_key(action: &str) -> &'static str {
    match action {
        "operator.created" => "audit-action-operator-created",
        "operator.login" => "audit-action-operator-login",
        "application.submitted" => "audit-action-application-submitted",
        "application.review_started" => "audit-action-application-review-started",
        "application.approved" => "audit-action-application-approved",
        "application.rejected" => "audit-action-application-rejected",
        "login.administrator_added" => "audit-action-administrator-added",
        "login.admin_rights_removed" => "audit-action-admin-rights-removed",
        "login.admin_rights_restored" => "audit-action-admin-rights-restored",
        "login.created" => "audit-action-login-created",
        "login.deleted" => "audit-action-login-deleted",
        "login.activated" => "audit-action-login-activated",
        "login.activation_failed" => "audit-action-activation-failed",
        "login.activation_code_resent" => "audit-action-activation-code-resent",
        "login.username_reminder_sent" => "audit-action-username-reminder-sent",
        "login.password_reset_requested" => "audit-action-password-reset-requested",
        "login.password_reset" => "audit-action-password-reset",
        "session.login_succeeded" => "audit-action-login-succeeded",
        "session.login_failed" => "audit-action-login-failed",
        "session.login_locked" => "audit-action-login-locked",
        "session.logout" => "audit-action-logout",
        "eservice.created" => "audit-action-eservice-created",
        "eservice.entity_registered" => "audit-action-eservice-registered",
        "eservice.assigned" => "audit-action-eservices-assigned",
        "eservice.entity_unregistered" => "audit-action-eservice-unregistered",
        "oidc.client_registered" => "audit-action-client-registered",
        "oidc.client_secret_rotated" => "audit-action-client-secret-rotated",
        "oidc.client_updated" => "audit-action-client-updated",
        "oidc.signing_key_rotated" => "audit-action-signing-key-rotated",
        "oidc.sign_in_authorized" => "audit-action-sign-in-authorized",
        "oidc.sign_in_denied" => "audit-action-sign-in-denied",
        "oidc.grant_revoked" => "audit-action-grant-revoked",
        "oidc.token_issued" => "audit-action-token-issued",
        "eid.face_switched_off" => "audit-action-face-off",
        "eid.face_switched_on" => "audit-action-face-on",
        "eid.face_match_failed" => "audit-action-face-match-failed",
        "eid.enrolment_requested" => "audit-action-enrolment-requested",
        "eid.security_code_bound" => "audit-action-security-code-bound",
        "eid.security_code_unbound" => "audit-action-security-code-unbound",
        "eid.step_up_succeeded" => "audit-action-step-up-succeeded",
        "eid.step_up_failed" => "audit-action-step-up-failed",
        "notification.from_department" => "audit-action-department-notice",
        _ => "audit-action-other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_is_percent_encoded() {
        assert_eq!(path_segment("A12345678-9"), "A12345678-9");
        assert_eq!(path_segment("a b+c/d?e#f%"), "a%20b%2Bc%2Fd%3Fe%23f%25");
        assert_eq!(path_segment("澳門"), "%E6%BE%B3%E9%96%80");
    }

    #[test]
    fn local_time_is_macau_time_to_the_minute() {
        // 2024-01-31 20:30:59 UTC is 2024-02-01 04:30 in Macau.
        let t = Timestamp(1_706_733_059_000_000);
        assert_eq!(local_time(t), "2024-02-01 04:30");
    }

    #[test]
    fn every_audit_action_has_its_own_label() {
        use domain::audit::Action;
        // The domain has no list of its actions: every variant, in declaration order.
        let all = [
            Action::OperatorCreated,
            Action::OperatorLogin,
            Action::ApplicationSubmitted,
            Action::ApplicationReviewStarted,
            Action::ApplicationApproved,
            Action::ApplicationRejected,
            Action::AdministratorAdded,
            Action::AdminRightsRemoved,
            Action::AdminRightsRestored,
            Action::LoginCreated,
            Action::LoginDeleted,
            Action::LoginActivated,
            Action::ActivationFailed,
            Action::ActivationCodeResent,
            Action::UsernameReminderSent,
            Action::PasswordResetRequested,
            Action::PasswordReset,
            Action::LoginSucceeded,
            Action::LoginFailed,
            Action::LoginLocked,
            Action::Logout,
            Action::EServiceCreated,
            Action::EServiceRegistered,
            Action::EServicesAssigned,
            Action::EServiceUnregistered,
            Action::ClientRegistered,
            Action::ClientSecretRotated,
            Action::ClientUpdated,
            Action::SigningKeyRotated,
            Action::SignInAuthorized,
            Action::SignInDenied,
            Action::GrantRevoked,
            Action::TokenIssued,
            Action::FaceSwitchedOff,
            Action::FaceSwitchedOn,
            Action::FaceMatchFailed,
            Action::EnrolmentRequested,
            Action::SecurityCodeBound,
            Action::SecurityCodeUnbound,
            Action::StepUpSucceeded,
            Action::StepUpFailed,
            Action::DepartmentNotice,
        ];
        // A new variant makes this match non-exhaustive: add it to `all` and to the labels.
        for a in all {
            match a {
                Action::OperatorCreated
                | Action::OperatorLogin
                | Action::ApplicationSubmitted
                | Action::ApplicationReviewStarted
                | Action::ApplicationApproved
                | Action::ApplicationRejected
                | Action::AdministratorAdded
                | Action::AdminRightsRemoved
                | Action::AdminRightsRestored
                | Action::LoginCreated
                | Action::LoginDeleted
                | Action::LoginActivated
                | Action::ActivationFailed
                | Action::ActivationCodeResent
                | Action::UsernameReminderSent
                | Action::PasswordResetRequested
                | Action::PasswordReset
                | Action::LoginSucceeded
                | Action::LoginFailed
                | Action::LoginLocked
                | Action::Logout
                | Action::EServiceCreated
                | Action::EServiceRegistered
                | Action::EServicesAssigned
                | Action::EServiceUnregistered
                | Action::ClientRegistered
                | Action::ClientSecretRotated
                | Action::ClientUpdated
                | Action::SigningKeyRotated
                | Action::SignInAuthorized
                | Action::SignInDenied
                | Action::GrantRevoked
                | Action::TokenIssued
                | Action::FaceSwitchedOff
                | Action::FaceSwitchedOn
                | Action::FaceMatchFailed
                | Action::EnrolmentRequested
                | Action::SecurityCodeBound
                | Action::SecurityCodeUnbound
                | Action::StepUpSucceeded
                | Action::StepUpFailed
                | Action::DepartmentNotice => {}
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for a in all {
            let key = audit_action_key(a.as_str());
            assert_ne!(key, "audit-action-other", "{} has no label", a.as_str());
            assert!(keys.insert(key), "{} shares its label {key}", a.as_str());
        }
        assert_eq!(audit_action_key("no.such_action"), "audit-action-other");
    }
}
