//! One error type for every answer that is not 2xx: RFC 9457 problem details with a stable
//! snake_case `code`. Domain errors map here exhaustively; 5xx bodies stay generic and the
//! cause goes to the log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::store::StoreError;
use domain::{Error, FieldError};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<i64>,
}

/// The problem document, as served and as described in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field's path in the request, e.g. `administrators[0].mobile`.
    pub field: String,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, title, detail: detail.into(), errors: vec![], retry_after: None }
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        ApiError {
            errors,
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Validation failed", detail)
        }
    }
    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", "no such resource")
    }
    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal error",
            "the server could not complete the request",
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        use StatusCode as S;
        match e {
            Error::Validation(errors) => ApiError::validation(errors),
            Error::InvalidCredentials => ApiError::new(
                S::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
                "the entity number, username or password is not correct",
            ),
            Error::TooManyAttempts { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs.max(1)),
                ..ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    "Too many attempts",
                    format!("too many attempts; try again in {} seconds", retry_after_secs.max(1)),
                )
            },
            Error::Busy { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs.max(1)),
                ..ApiError::new(
                    S::SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    "too many sign-ins at once; nothing was checked or changed; try again shortly",
                )
            },
            Error::PasswordLocked => ApiError::new(
                S::LOCKED,
                "password_locked",
                "Password disabled",
                "after too many failed attempts the password is disabled; reset it through \"need help\"",
            ),
            Error::Unauthenticated => {
                ApiError::new(S::UNAUTHORIZED, "unauthenticated", "Not signed in", "a valid session is required")
            }
            Error::Forbidden => ApiError::new(S::FORBIDDEN, "forbidden", "Forbidden", "this login may not do this"),
            Error::NotFound => ApiError::not_found(),
            Error::Conflict { code, message } => ApiError::new(S::CONFLICT, code.as_str(), "Conflict", message),
            Error::Refused { code, message } => ApiError::new(S::FORBIDDEN, code.as_str(), "Not allowed", message),
            Error::InvalidCode => ApiError::new(
                S::BAD_REQUEST,
                "invalid_code",
                "Invalid code",
                "the code is wrong, expired, already used, or void after too many wrong tries",
            ),
            Error::Store(StoreError::Unavailable(cause)) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::new(S::SERVICE_UNAVAILABLE, "service_unavailable", "Service unavailable", "try again shortly")
            }
            Error::Store(StoreError::InvalidValue(cause)) => {
                tracing::warn!(%cause, "a value got past the parsers and was refused by the database");
                ApiError::new(
                    S::BAD_REQUEST,
                    "invalid_input",
                    "Invalid input",
                    "the request holds a value that cannot be stored",
                )
            }
            Error::Store(StoreError::Conflict(what)) => ApiError::new(
                S::CONFLICT,
                "conflict",
                "Conflict",
                format!("the change conflicts with existing data ({what})"),
            ),
            Error::Store(StoreError::Database(cause)) | Error::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            type_: format!("https://entity-account.gov.mo/problems/{}", self.code.replace('_', "-")),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_string(),
            errors: self
                .errors
                .into_iter()
                .map(|e| ProblemField { field: e.field, code: e.code.as_str().to_string(), message: e.message })
                .collect(),
        };
        let mut res = (self.status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                h.insert(header::RETRY_AFTER, v);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED && self.code == "unauthenticated" {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
