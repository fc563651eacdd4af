//! A form's values and what was wrong with them: `FormValues` as posted, `FormErrors` field
//! by field back to the page, named by the same field paths as the JSON API's errors.

use domain::Code;
use std::collections::BTreeMap;

use axum::http::StatusCode;
use domain::Error;
use serde::Serialize;

use super::labels::error_key;

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

/// What went wrong, as message keys: beside each field, and at the top.
#[derive(Debug, Default, Serialize)]
pub struct FormErrors {
    /// field path → message key.
    pub fields: BTreeMap<String, String>,
    /// Messages about the whole form.
    pub summary: Vec<String>,
}

/// The domain names a form's e-services by position (`eservices[i]`); the pages' checkboxes
/// are named by code (`eservices.{code}`), so a fault lands beside the box that caused it.
pub fn eservice_fields_by_code(e: Error, codes: &[String]) -> Error {
    let Error::Validation(list) = e else { return e };
    let renamed = list
        .into_iter()
        .map(|mut fe| {
            let at = fe.field.strip_prefix("eservices[").and_then(|rest| rest.strip_suffix(']'));
            if let Some(code) = at.and_then(|i| i.parse::<usize>().ok()).and_then(|i| codes.get(i)) {
                fe.field = format!("eservices.{code}");
            }
            fe
        })
        .collect();
    Error::Validation(renamed)
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.summary.is_empty()
    }

    pub fn field(&mut self, name: &str, code: Code) -> &mut Self {
        self.fields.entry(name.to_string()).or_insert_with(|| error_key(code).as_str().to_string());
        self
    }

    pub fn general(&mut self, code: Code) -> &mut Self {
        self.summary.push(error_key(code).as_str().to_string());
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
                out.general(Code::InvalidCredentials);
            }
            Error::TooManyAttempts { .. } => {
                out.general(Code::TooManyAttempts);
            }
            Error::PasswordLocked => {
                out.general(Code::PasswordLocked);
            }
            Error::Busy { .. } => {
                out.general(Code::Busy);
            }
            Error::Unauthenticated => {
                out.general(Code::Unauthenticated);
            }
            Error::Forbidden => {
                out.general(Code::Forbidden);
            }
            Error::NotFound => {
                out.general(Code::NotFound);
            }
            Error::InvalidCode => {
                out.field("activation_code", Code::InvalidCode);
            }
            // The one conflict about a field: this person (by document) already has a login.
            Error::Conflict { code: Code::PersonHasLogin, .. } => {
                out.field("id_document.number", Code::PersonHasLogin);
            }
            Error::Conflict { code, .. } | Error::Refused { code, .. } => {
                out.general(*code);
            }
            Error::Store(_) | Error::Internal(_) => {
                tracing::error!(error = %e, "a form's service failed");
                out.general(Code::Internal);
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
