//! The errors the rules produce. Each variant has one stable meaning that the server maps to
//! one HTTP status and one snake_case `code`; store failures stay opaque to callers.

use crate::error_code::Code;

/// What a storage call can fail with (`store`'s port traits answer it); here, beside
/// `Error`, which wraps it, so neither module needs the other.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write; names the constraint's meaning.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database refused a value (PostgreSQL's data exceptions, e.g. a NUL byte): the
    /// request was bad, whatever let it through the parsers.
    #[error("value refused by the database: {0}")]
    InvalidValue(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One field that failed to parse, named by its path in the request (`entity.mobile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code, message: message.into() }
    }
    /// The same error, reported under a parent path: `mobile` becomes `entity.mobile`.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_string()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Unknown entity, unknown username, wrong password and deleted login all look alike (R13).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The password-hash pool is saturated: nothing was checked or changed; try again soon.
    #[error("busy")]
    Busy { retry_after_secs: i64 },
    /// 100 consecutive failures: the password is disabled until reset (R13).
    #[error("password disabled after too many failures")]
    PasswordLocked,
    #[error("not authenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A state conflict the caller can understand, with a stable code.
    #[error("{message}")]
    Conflict { code: Code, message: String },
    /// Signed in and of the right kind, but this act is not allowed (R16: not on oneself).
    #[error("{message}")]
    Refused { code: Code, message: String },
    #[error("invalid activation code")]
    InvalidCode,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn field(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }
    pub fn conflict(code: Code, message: impl Into<String>) -> Self {
        Error::Conflict { code, message: message.into() }
    }
    pub fn refused(code: Code, message: impl Into<String>) -> Self {
        Error::Refused { code, message: message.into() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure that is the server's, not the request's (a sealed value that does not open).
pub(crate) fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

/// Collects field errors from several parses so one answer names every bad field.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn take<T>(&mut self, r: std::result::Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn extend(&mut self, errs: Vec<FieldError>) {
        self.0.extend(errs);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
    /// The parsed values once every field parsed: `f.finish_with(|| Some((number?, code?)))?`.
    /// A parse that reported no fault always gave its value, so `None` here would be a bug
    /// in the caller, answered as an internal error rather than a panic.
    pub fn finish_with<T>(self, parsed: impl FnOnce() -> Option<T>) -> Result<T> {
        self.finish()?;
        parsed().ok_or_else(|| Error::Internal("a parse that reported no fault gave no value".into()))
    }
}
