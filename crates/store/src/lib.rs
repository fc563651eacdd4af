//! The storage port's two implementations, SQLite (embedded default) and PostgreSQL (many
//! nodes, one database). Both are generated from one body of SQL in `queries/`, so the
//! backends cannot drift; they differ only in how they connect and lock.

mod breaker;
mod columns;
mod error;
mod outbox;
#[macro_use]
mod queries;
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
