//! The message keys of the domain's closed lists: an error code's message, an audit action's
//! label, the labels of kinds and statuses. Each is an exhaustive `match` onto `keys`, so a new code or action without its
//! message in all three languages does not compile.

use domain::audit::Action;
use domain::identity::IdDocumentType;
use domain::model::{ApplicationStatus, EntityType, LoginKind, LoginStatus};
use domain::Code;

use super::keys::*;

/// The message a page shows for an error code (`invalid_format` → `error-invalid-format`).
pub fn error_key(code: Code) -> Key {
    match code {
        Code::Required => ERROR_REQUIRED,
        Code::TooLong => ERROR_TOO_LONG,
        Code::Invalid => ERROR_INVALID,
        Code::InvalidFormat => ERROR_INVALID_FORMAT,
        Code::InvalidChoice => ERROR_INVALID_CHOICE,
        Code::InvalidCredentials => ERROR_INVALID_CREDENTIALS,
        Code::TooManyAttempts => ERROR_TOO_MANY_ATTEMPTS,
        Code::Busy => ERROR_BUSY,
        Code::PasswordLocked => ERROR_PASSWORD_LOCKED,
        Code::Unauthenticated => ERROR_UNAUTHENTICATED,
        Code::Forbidden => ERROR_FORBIDDEN,
        Code::NotFound => ERROR_NOT_FOUND,
        Code::Internal => ERROR_INTERNAL,
        Code::AdministratorsCount => ERROR_ADMINISTRATORS_COUNT,
        Code::AgreementNotSigned => ERROR_AGREEMENT_NOT_SIGNED,
        Code::DocumentNotShown => ERROR_DOCUMENT_NOT_SHOWN,
        Code::DuplicatePerson => ERROR_DUPLICATE_PERSON,
        Code::EntityNotRegistered => ERROR_ENTITY_NOT_REGISTERED,
        Code::IdDocumentMismatch => ERROR_ID_DOCUMENT_MISMATCH,
        Code::InvalidCheckDigit => ERROR_INVALID_CHECK_DIGIT,
        Code::InvalidCode => ERROR_INVALID_CODE,
        Code::InvalidIdNumber => ERROR_INVALID_ID_NUMBER,
        Code::InvalidMobile => ERROR_INVALID_MOBILE,
        Code::InvalidPayload => ERROR_INVALID_PAYLOAD,
        Code::InvalidUri => ERROR_INVALID_URI,
        Code::InvalidUsername => ERROR_INVALID_USERNAME,
        Code::OneOfRequired => ERROR_ONE_OF_REQUIRED,
        Code::PasswordBlocklisted => ERROR_PASSWORD_BLOCKLISTED,
        Code::PasswordContainsContext => ERROR_PASSWORD_CONTAINS_CONTEXT,
        Code::PasswordGuessable => ERROR_PASSWORD_GUESSABLE,
        Code::PasswordRepetitive => ERROR_PASSWORD_REPETITIVE,
        Code::PasswordTooLong => ERROR_PASSWORD_TOO_LONG,
        Code::UnknownField => ERROR_UNKNOWN_FIELD,
        Code::InvalidType => ERROR_INVALID_TYPE,
        Code::MalformedJson => ERROR_MALFORMED_JSON,
        Code::InvalidJwks => ERROR_INVALID_JWKS,
        Code::PasswordTooShort => ERROR_PASSWORD_TOO_SHORT,
        Code::PasswordMismatch => ERROR_PASSWORD_MISMATCH,
        Code::PowerOfAttorneyNotNotarised => ERROR_POWER_OF_ATTORNEY_NOT_NOTARISED,
        Code::TooMany => ERROR_TOO_MANY,
        Code::UnknownEservice => ERROR_UNKNOWN_ESERVICE,
        Code::UsernameTaken => ERROR_USERNAME_TAKEN,
        Code::WeakSecret => ERROR_WEAK_SECRET,
        Code::AlreadyActivated => ERROR_ALREADY_ACTIVATED,
        Code::ApplicationDecided => ERROR_APPLICATION_DECIDED,
        Code::CannotDeleteEntityAccount => ERROR_CANNOT_DELETE_ENTITY_ACCOUNT,
        Code::CannotDeleteSelf => ERROR_CANNOT_DELETE_SELF,
        Code::ClientUsesPrivateKeyJwt => ERROR_CLIENT_USES_PRIVATE_KEY_JWT,
        Code::EnrolmentInvalid => ERROR_ENROLMENT_INVALID,
        Code::EntityAccountHasNoEservices => ERROR_ENTITY_ACCOUNT_HAS_NO_ESERVICES,
        Code::EntityAlreadyRegistered => ERROR_ENTITY_ALREADY_REGISTERED,
        Code::EserviceExists => ERROR_ESERVICE_EXISTS,
        Code::FaceNeedsCounter => ERROR_FACE_NEEDS_COUNTER,
        Code::FaceNotAvailable => ERROR_FACE_NOT_AVAILABLE,
        Code::FaceVerificationUnavailable => ERROR_FACE_VERIFICATION_UNAVAILABLE,
        Code::InvalidStatus => ERROR_INVALID_STATUS,
        Code::NotAnAdministrator => ERROR_NOT_AN_ADMINISTRATOR,
        Code::NotRemovedAdministrator => ERROR_NOT_REMOVED_ADMINISTRATOR,
        Code::PersonHasLogin => ERROR_PERSON_HAS_LOGIN,
        Code::SecurityCodeNotAvailable => ERROR_SECURITY_CODE_NOT_AVAILABLE,
        Code::SecurityCodeNotBound => ERROR_SECURITY_CODE_NOT_BOUND,
        Code::InvalidDate => ERROR_INVALID_DATE,
        Code::EndsBeforeStart => ERROR_ENDS_BEFORE_START,
        Code::EndInPast => ERROR_END_IN_PAST,
        Code::StartTooFarAhead => ERROR_START_TOO_FAR_AHEAD,
        Code::OutOfRange => ERROR_OUT_OF_RANGE,
        Code::Duplicate => ERROR_DUPLICATE,
        Code::CannotApproveOwnProposal => ERROR_CANNOT_APPROVE_OWN_PROPOSAL,
        Code::NotAwaitingApproval => ERROR_NOT_AWAITING_APPROVAL,
        Code::CannotConfirmOwnAccess => ERROR_CANNOT_CONFIRM_OWN_ACCESS,
        Code::AlreadyDecided => ERROR_ALREADY_DECIDED,
        Code::NotInReview => ERROR_NOT_IN_REVIEW,
        Code::RequestAnswered => ERROR_REQUEST_ANSWERED,
        Code::AlreadyAssigned => ERROR_ALREADY_ASSIGNED,
        Code::UnknownEntity => ERROR_UNKNOWN_ENTITY,
        Code::OwnEntity => ERROR_OWN_ENTITY,
        Code::EndTooFarAhead => ERROR_END_TOO_FAR_AHEAD,
        Code::IntermediariesNotAllowed => ERROR_INTERMEDIARIES_NOT_ALLOWED,
        Code::MandateExists => ERROR_MANDATE_EXISTS,
        Code::MandateNotActive => ERROR_MANDATE_NOT_ACTIVE,
        Code::NotInMandate => ERROR_NOT_IN_MANDATE,
        Code::BeyondMandate => ERROR_BEYOND_MANDATE,
        Code::InvalidJwk => ERROR_INVALID_JWK,
        Code::MissingColumn => ERROR_MISSING_COLUMN,
        Code::TooLarge => ERROR_TOO_LARGE,
        Code::ExternalIdTaken => ERROR_EXTERNAL_ID_TAKEN,
        Code::InvalidFilter => ERROR_INVALID_FILTER,
        Code::InvalidPath => ERROR_INVALID_PATH,
        Code::NoTarget => ERROR_NO_TARGET,
        Code::Immutable => ERROR_IMMUTABLE,
        Code::VersionMismatch => ERROR_VERSION_MISMATCH,
        Code::TooManyAdministrators => ERROR_TOO_MANY_ADMINISTRATORS,
        Code::InvalidEserviceCode => ERROR_INVALID_ESERVICE_CODE,
    }
}

/// The label of an audit action, as the audit pages show it.
pub fn audit_action_key(action: Action) -> Key {
    match action {
        Action::OperatorCreated => AUDIT_ACTION_OPERATOR_CREATED,
        Action::OperatorLogin => AUDIT_ACTION_OPERATOR_LOGIN,
        Action::ApplicationSubmitted => AUDIT_ACTION_APPLICATION_SUBMITTED,
        Action::ApplicationReviewStarted => AUDIT_ACTION_APPLICATION_REVIEW_STARTED,
        Action::ApplicationApproved => AUDIT_ACTION_APPLICATION_APPROVED,
        Action::ApplicationRejected => AUDIT_ACTION_APPLICATION_REJECTED,
        Action::AdministratorAdded => AUDIT_ACTION_ADMINISTRATOR_ADDED,
        Action::AdminRightsRemoved => AUDIT_ACTION_ADMIN_RIGHTS_REMOVED,
        Action::AdminRightsRestored => AUDIT_ACTION_ADMIN_RIGHTS_RESTORED,
        Action::LoginCreated => AUDIT_ACTION_LOGIN_CREATED,
        Action::LoginsImported => AUDIT_ACTION_LOGINS_IMPORTED,
        Action::LoginDeleted => AUDIT_ACTION_LOGIN_DELETED,
        Action::LoginActivated => AUDIT_ACTION_LOGIN_ACTIVATED,
        Action::ActivationFailed => AUDIT_ACTION_ACTIVATION_FAILED,
        Action::ActivationCodeResent => AUDIT_ACTION_ACTIVATION_CODE_RESENT,
        Action::UsernameReminderSent => AUDIT_ACTION_USERNAME_REMINDER_SENT,
        Action::PasswordResetRequested => AUDIT_ACTION_PASSWORD_RESET_REQUESTED,
        Action::PasswordReset => AUDIT_ACTION_PASSWORD_RESET,
        Action::LoginSucceeded => AUDIT_ACTION_LOGIN_SUCCEEDED,
        Action::LoginFailed => AUDIT_ACTION_LOGIN_FAILED,
        Action::LoginLocked => AUDIT_ACTION_LOGIN_LOCKED,
        Action::Logout => AUDIT_ACTION_LOGOUT,
        Action::EServiceCreated => AUDIT_ACTION_ESERVICE_CREATED,
        Action::EServiceRegistered => AUDIT_ACTION_ESERVICE_REGISTERED,
        Action::EServicesAssigned => AUDIT_ACTION_ESERVICES_ASSIGNED,
        Action::AssignmentProposed => AUDIT_ACTION_ASSIGNMENT_PROPOSED,
        Action::AssignmentApproved => AUDIT_ACTION_ASSIGNMENT_APPROVED,
        Action::AssignmentEnded => AUDIT_ACTION_ASSIGNMENT_ENDED,
        Action::ReviewConfirmed => AUDIT_ACTION_REVIEW_CONFIRMED,
        Action::ReviewRemoved => AUDIT_ACTION_REVIEW_REMOVED,
        Action::ReviewFinished => AUDIT_ACTION_REVIEW_FINISHED,
        Action::AccessRequested => AUDIT_ACTION_ACCESS_REQUESTED,
        Action::AccessRequestGranted => AUDIT_ACTION_ACCESS_REQUEST_GRANTED,
        Action::AccessRequestRefused => AUDIT_ACTION_ACCESS_REQUEST_REFUSED,
        Action::MandateOffered => AUDIT_ACTION_MANDATE_OFFERED,
        Action::MandateAccepted => AUDIT_ACTION_MANDATE_ACCEPTED,
        Action::MandateDeclined => AUDIT_ACTION_MANDATE_DECLINED,
        Action::MandateEnded => AUDIT_ACTION_MANDATE_ENDED,
        Action::MandateLoginsAssigned => AUDIT_ACTION_MANDATE_LOGINS_ASSIGNED,
        Action::SmsNoticesSet => AUDIT_ACTION_SMS_NOTICES_SET,
        Action::EServiceUnregistered => AUDIT_ACTION_ESERVICE_UNREGISTERED,
        Action::ClientRegistered => AUDIT_ACTION_CLIENT_REGISTERED,
        Action::ClientSecretRotated => AUDIT_ACTION_CLIENT_SECRET_ROTATED,
        Action::ClientUpdated => AUDIT_ACTION_CLIENT_UPDATED,
        Action::SigningKeyRotated => AUDIT_ACTION_SIGNING_KEY_ROTATED,
        Action::SignInAuthorized => AUDIT_ACTION_SIGN_IN_AUTHORIZED,
        Action::SignInDenied => AUDIT_ACTION_SIGN_IN_DENIED,
        Action::GrantRevoked => AUDIT_ACTION_GRANT_REVOKED,
        Action::TokenIssued => AUDIT_ACTION_TOKEN_ISSUED,
        Action::FaceSwitchedOff => AUDIT_ACTION_FACE_OFF,
        Action::FaceSwitchedOn => AUDIT_ACTION_FACE_ON,
        Action::FaceMatchFailed => AUDIT_ACTION_FACE_MATCH_FAILED,
        Action::EnrolmentRequested => AUDIT_ACTION_ENROLMENT_REQUESTED,
        Action::SecurityCodeBound => AUDIT_ACTION_SECURITY_CODE_BOUND,
        Action::SecurityCodeUnbound => AUDIT_ACTION_SECURITY_CODE_UNBOUND,
        Action::StepUpSucceeded => AUDIT_ACTION_STEP_UP_SUCCEEDED,
        Action::StepUpFailed => AUDIT_ACTION_STEP_UP_FAILED,
        Action::DepartmentNotice => AUDIT_ACTION_DEPARTMENT_NOTICE,
        Action::MachineCredentialCreated => AUDIT_ACTION_MACHINE_CREDENTIAL_CREATED,
        Action::MachineCredentialEservicesSet => AUDIT_ACTION_MACHINE_CREDENTIAL_ESERVICES_SET,
        Action::MachineCredentialDeleted => AUDIT_ACTION_MACHINE_CREDENTIAL_DELETED,
        Action::ScimUserCreated => AUDIT_ACTION_SCIM_USER_CREATED,
        Action::ScimUserReplaced => AUDIT_ACTION_SCIM_USER_REPLACED,
        Action::ScimUserPatched => AUDIT_ACTION_SCIM_USER_PATCHED,
        Action::ScimUserSuspended => AUDIT_ACTION_SCIM_USER_SUSPENDED,
        Action::ScimUserResumed => AUDIT_ACTION_SCIM_USER_RESUMED,
        Action::ScimUserDeleted => AUDIT_ACTION_SCIM_USER_DELETED,
    }
}

/// The label of an audit record's action as stored: one the code does not know (written by
/// another version) is `audit-action-other`, and the page shows the raw string beside it.
pub fn stored_action_key(action: &str) -> Key {
    Action::parse(action).map(audit_action_key).unwrap_or(AUDIT_ACTION_OTHER)
}

/// Every key these tables can give, for the catalogue test that no key goes unused.
pub fn every_key() -> impl Iterator<Item = Key> {
    let errors = Code::ALL.iter().map(|c| error_key(*c));
    let actions = Action::ALL.iter().map(|a| audit_action_key(*a));
    errors.chain(actions).chain([AUDIT_ACTION_OTHER])
}

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
        LoginStatus::Suspended => "label-login-status-suspended",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_action_has_its_own_label() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            let key = audit_action_key(*a);
            assert_ne!(key, AUDIT_ACTION_OTHER, "{a} has no label");
            assert!(seen.insert(key), "{a} shares its label {key:?}");
            assert_eq!(stored_action_key(a.as_str()), key);
        }
        assert_eq!(stored_action_key("no.such_action"), AUDIT_ACTION_OTHER);
    }

    #[test]
    fn every_error_code_has_its_own_message() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(error_key(*c)), "{c} shares its message");
        }
    }
}
