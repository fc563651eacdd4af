//! Posted forms: `WebForm` reads an urlencoded body and refuses it (403, nothing changed)
//! unless its CSRF token and origin are ours; `FormErrors` carries what was wrong, field
//! by field, back to the page, named by the same field paths as the JSON API's errors.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use serde::Serialize;

use super::page::Web;
use crate::router::AppState;

/// The posted fields in order (a field may repeat: checkboxes).
#[derive(Debug, Default, Clone)]
pub struct FormValues(pub Vec<(String, String)>);

/// Fields never sent back to the page.
const SECRET_FIELDS: &[&str] =
    &["password", "password_confirm", "new_password", "csrf", "activation_code", "reset_code", "code", "security_code"];

impl FormValues {
    pub fn parse(body: &[u8]) -> FormValues {
        FormValues(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The value of `name`, trimmed; `None` when blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }

    /// What the page shows back: typed values, never a secret.
    pub fn for_template(&self) -> BTreeMap<String, String> {
        self.0.iter().filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str())).cloned().collect()
    }
}

/// A form post from one of our pages, checked against CSRF and cross-origin posting.
pub struct WebForm(pub FormValues);

impl FromRequest<AppState> for WebForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let mut web = match Web::from_request_parts(&mut parts, state).await {
            Ok(w) => w,
            Err(never) => match never {},
        };
        let bytes = match axum::body::to_bytes(body, crate::router::BODY_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return Err(web.render("bad_request.html", StatusCode::PAYLOAD_TOO_LARGE, minijinja::context! {}))
            }
        };
        let values = FormValues::parse(&bytes);
        if !super::csrf::is_ours(state, &parts.headers, values.get("csrf")) {
            return Err(web.forbidden());
        }
        Ok(WebForm(values))
    }
}

/// What went wrong, as message keys: beside each field, and at the top.
#[derive(Debug, Default, Serialize)]
pub struct FormErrors {
    /// field path → message key.
    pub fields: BTreeMap<String, String>,
    /// Messages about the whole form.
    pub summary: Vec<String>,
}

/// The catalogue key of an error code: `invalid_format` → `error-invalid-format`.
pub fn error_key(code: &str) -> String {
    format!("error-{}", code.replace('_', "-"))
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.summary.is_empty()
    }

    pub fn field(&mut self, name: &str, code: &str) -> &mut Self {
        self.fields.entry(name.to_string()).or_insert_with(|| error_key(code));
        self
    }

    pub fn general(&mut self, code: &str) -> &mut Self {
        self.summary.push(error_key(code));
        self
    }

    /// The domain's answer, as form errors: field errors beside their fields, the rest at
    /// the top. Store and internal failures are logged and shown as one generic message.
    pub fn from_error(e: &Error) -> FormErrors {
        let mut out = FormErrors::default();
        match e {
            Error::Validation(list) => {
                for fe in list {
                    out.field(&fe.field, fe.code);
                }
            }
            Error::InvalidCredentials => {
                out.general("invalid_credentials");
            }
            Error::TooManyAttempts { .. } => {
                out.general("too_many_attempts");
            }
            Error::PasswordLocked => {
                out.general("password_locked");
            }
            Error::Busy { .. } => {
                out.general("busy");
            }
            Error::Unauthenticated => {
                out.general("unauthenticated");
            }
            Error::Forbidden => {
                out.general("forbidden");
            }
            Error::NotFound => {
                out.general("not_found");
            }
            Error::InvalidCode => {
                out.field("activation_code", "invalid_code");
            }
            // The one conflict about a field: this person (by document) already has a login.
            Error::Conflict { code: "person_has_login", .. } => {
                out.field("id_document.number", "person_has_login");
            }
            Error::Conflict { code, .. } | Error::Refused { code, .. } => {
                out.general(code);
            }
            Error::Store(_) | Error::Internal(_) => {
                tracing::error!(error = %e, "a form's service failed");
                out.general("internal");
            }
        }
        out
    }

    /// Moves the messages about the whole form beside `field` (a wrong password is shown
    /// beside the password).
    pub fn beside(mut self, field: &str) -> FormErrors {
        if let Some(first) = self.summary.first().cloned() {
            self.fields.entry(field.to_string()).or_insert(first);
            self.summary.clear();
        }
        self
    }

    /// The status a page with these errors answers with.
    pub fn status(e: &Error) -> StatusCode {
        match e {
            Error::Validation(_) | Error::InvalidCode => StatusCode::UNPROCESSABLE_ENTITY,
            Error::InvalidCredentials | Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::PasswordLocked | Error::Forbidden | Error::Refused { .. } => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Store(_) | Error::Internal(_) | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// Every error code a page may show, as the domain and the pages produce them: the
/// catalogue test checks each has a message, in every language.
pub const ERROR_CODES: &[&str] = &[
    "required",
    "too_long",
    "invalid",
    "invalid_format",
    "invalid_choice",
    "invalid_credentials",
    "too_many_attempts",
    "busy",
    "password_locked",
    "unauthenticated",
    "forbidden",
    "not_found",
    "internal",
    "administrators_count",
    "agreement_not_signed",
    "document_not_shown",
    "duplicate_person",
    "entity_not_registered",
    "id_document_mismatch",
    "invalid_check_digit",
    "invalid_code",
    "invalid_id_number",
    "invalid_mobile",
    "invalid_payload",
    "invalid_uri",
    "invalid_username",
    "one_of_required",
    "password_blocklisted",
    "password_contains_context",
    "password_guessable",
    "password_repetitive",
    "password_too_long",
    "password_too_short",
    "password_mismatch",
    "power_of_attorney_not_notarised",
    "too_many",
    "unknown_eservice",
    "username_taken",
    "weak_secret",
    "already_activated",
    "application_decided",
    "cannot_delete_entity_account",
    "cannot_delete_self",
    "client_uses_private_key_jwt",
    "enrolment_invalid",
    "entity_account_has_no_eservices",
    "entity_already_registered",
    "eservice_exists",
    "face_needs_counter",
    "face_not_available",
    "face_verification_unavailable",
    "invalid_status",
    "not_an_administrator",
    "not_removed_administrator",
    "person_has_login",
    "security_code_not_available",
    "security_code_not_bound",
    "too_many_administrators",
    "invalid_eservice_code",
];
