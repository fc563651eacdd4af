//! What a storage call can fail with, shared by every area's port trait.
//! A leaf module, so the area traits depend on it and not on `store` itself.

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
