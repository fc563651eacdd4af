//! How a database error becomes the port's `StoreError`: what the caller may answer
//! (conflict, bad value, unavailable) is decided here once for both backends.

use domain::store::StoreError;

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("unique"),
        // SQLSTATE class 22, data exception: the value, not the database, is at fault.
        sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("22")) => {
            StoreError::InvalidValue(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Database(e.to_string()),
    }
}
