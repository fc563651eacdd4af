//! The storage port's two implementations, SQLite (embedded default) and PostgreSQL (many
//! nodes, one database). Both are generated from one body of SQL in `queries.rs`, so the
//! backends cannot drift; they differ only in how they connect and lock.

mod breaker;
#[macro_use]
mod queries;
#[macro_use]
mod oidc_queries;
#[macro_use]
mod eid_queries;
pub mod postgres;
pub mod sqlite;
mod write_gate;

use std::sync::Arc;

use domain::store::{Store, StoreError};

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// Connects, runs the migrations, and returns the store.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    match Backend::of(url) {
        Some(Backend::Sqlite) => Ok(Arc::new(sqlite::SqliteStore::open(url).await?)),
        Some(Backend::Postgres) => Ok(Arc::new(postgres::PgStore::open(url).await?)),
        None => Err(StoreError::Database(format!(
            "unsupported database URL (use sqlite://PATH or postgres://…): {}",
            url.split('@').next_back().unwrap_or("")
        ))),
    }
}

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

pub(crate) fn encode_params(params: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::Value::Object(map).to_string()
}

pub(crate) fn decode_params(s: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s) {
        Ok(map) => map.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect(),
        Err(_) => Vec::new(),
    }
}
