//! The stable codes of what the rules refuse: every field error, conflict and refusal names
//! one. The wire strings are fixed by the contract; the pages reach their messages by match.

use crate::closed::closed_enum;

closed_enum! {
    /// Why a request was refused, as the problem body's `code` (or a field's) says it.
    pub enum Code {
        // Parsing a field
        Required => "required",
        TooLong => "too_long",
        TooMany => "too_many",
        Invalid => "invalid",
        InvalidFormat => "invalid_format",
        InvalidChoice => "invalid_choice",
        InvalidCheckDigit => "invalid_check_digit",
        InvalidCode => "invalid_code",
        InvalidIdNumber => "invalid_id_number",
        InvalidMobile => "invalid_mobile",
        InvalidPayload => "invalid_payload",
        InvalidUri => "invalid_uri",
        InvalidUsername => "invalid_username",
        InvalidEserviceCode => "invalid_eservice_code",
        OneOfRequired => "one_of_required",
        // Reading a request (the JSON API's own)
        UnknownField => "unknown_field",
        InvalidType => "invalid_type",
        MalformedJson => "malformed_json",
        InvalidJwks => "invalid_jwks",
        // The password policy (R10)
        PasswordTooShort => "password_too_short",
        PasswordTooLong => "password_too_long",
        PasswordBlocklisted => "password_blocklisted",
        PasswordContainsContext => "password_contains_context",
        PasswordGuessable => "password_guessable",
        PasswordRepetitive => "password_repetitive",
        PasswordMismatch => "password_mismatch",
        WeakSecret => "weak_secret",
        // Signing in and being allowed (R13, R16)
        InvalidCredentials => "invalid_credentials",
        TooManyAttempts => "too_many_attempts",
        Busy => "busy",
        PasswordLocked => "password_locked",
        Unauthenticated => "unauthenticated",
        Forbidden => "forbidden",
        NotFound => "not_found",
        Internal => "internal",
        // Applications at the counter (R1–R7)
        AdministratorsCount => "administrators_count",
        AgreementNotSigned => "agreement_not_signed",
        DocumentNotShown => "document_not_shown",
        DuplicatePerson => "duplicate_person",
        IdDocumentMismatch => "id_document_mismatch",
        PowerOfAttorneyNotNotarised => "power_of_attorney_not_notarised",
        ApplicationDecided => "application_decided",
        InvalidStatus => "invalid_status",
        EntityAlreadyRegistered => "entity_already_registered",
        // Logins and administrators (R8, R15–R18)
        UsernameTaken => "username_taken",
        AlreadyActivated => "already_activated",
        PersonHasLogin => "person_has_login",
        NotAnAdministrator => "not_an_administrator",
        NotRemovedAdministrator => "not_removed_administrator",
        TooManyAdministrators => "too_many_administrators",
        CannotDeleteEntityAccount => "cannot_delete_entity_account",
        CannotDeleteSelf => "cannot_delete_self",
        // E-services and their clients (R19)
        UnknownEservice => "unknown_eservice",
        EntityNotRegistered => "entity_not_registered",
        EntityAccountHasNoEservices => "entity_account_has_no_eservices",
        EserviceExists => "eservice_exists",
        ClientUsesPrivateKeyJwt => "client_uses_private_key_jwt",
        // Advanced e-ID (R21–R24)
        EnrolmentInvalid => "enrolment_invalid",
        FaceNeedsCounter => "face_needs_counter",
        FaceNotAvailable => "face_not_available",
        FaceVerificationUnavailable => "face_verification_unavailable",
        SecurityCodeNotAvailable => "security_code_not_available",
        SecurityCodeNotBound => "security_code_not_bound",
        InvalidDate => "invalid_date",
        EndsBeforeStart => "ends_before_start",
        EndInPast => "end_in_past",
        StartTooFarAhead => "start_too_far_ahead",
        OutOfRange => "out_of_range",
        Duplicate => "duplicate",
        CannotApproveOwnProposal => "cannot_approve_own_proposal",
        NotAwaitingApproval => "not_awaiting_approval",
        CannotConfirmOwnAccess => "cannot_confirm_own_access",
        AlreadyDecided => "already_decided",
        NotInReview => "not_in_review",
        RequestAnswered => "request_answered",
        AlreadyAssigned => "already_assigned",
        // Mandates (R34)
        UnknownEntity => "unknown_entity",
        OwnEntity => "own_entity",
        EndTooFarAhead => "end_too_far_ahead",
        IntermediariesNotAllowed => "intermediaries_not_allowed",
        MandateExists => "mandate_exists",
        MandateNotActive => "mandate_not_active",
        NotInMandate => "not_in_mandate",
        BeyondMandate => "beyond_mandate",
        // Machine credentials (R36)
        InvalidJwk => "invalid_jwk",
        // Staff from a file (R32)
        MissingColumn => "missing_column",
        TooLarge => "too_large",
    }
}
