//! SQLite: WAL, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for writes so a
//! read-then-write transaction never fails to upgrade its lock.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use domain::store::StoreError;

use crate::error::map_err;

/// Each connection's page cache, in KiB.
const CACHE_KIB: u32 = 1024;

pub struct SqliteStore {
    pool: SqlitePool,
    breaker: std::sync::Arc<crate::breaker::Breaker>,
    writers: crate::write_gate::WriteGate,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let path = file_path(url);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(map_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // A page cache of 1 MiB a connection instead of SQLite's 2 MiB: the operating
            // system caches the file too, and eight full caches of a large database were what
            // took peak memory past its budget in the login flood (BENCHMARKS.md).
            .pragma("cache_size", format!("-{CACHE_KIB}"));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // No ping before lending a connection: it cost a round trip on every request
            // (a third of `/me`'s time in the profile). A connection that broke fails its
            // query with `Unavailable` (503) and is closed, and the next one is fresh.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(map_err)?;
        sqlx::migrate!("../../migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
        Ok(SqliteStore { pool, breaker: Default::default(), writers: Default::default() })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The database file a `sqlite://PATH` URL names.
pub fn file_path(url: &str) -> &str {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or(path)
}

/// An online, consistent copy of the database at `dest` (`VACUUM INTO` reads one snapshot
/// while the server goes on writing; the copy is compact and has no WAL to carry).
pub async fn vacuum_into(url: &str, dest: &std::path::Path) -> Result<(), StoreError> {
    use sqlx::Connection;
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", file_path(url)))
        .map_err(map_err)?
        .busy_timeout(Duration::from_secs(10));
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.map_err(map_err)?;
    let dest = dest.to_str().ok_or(StoreError::Database("the backup path must be UTF-8".into()))?;
    sqlx::query("VACUUM INTO ?").bind(dest).execute(&mut conn).await.map_err(map_err)?;
    conn.close().await.map_err(map_err)
}

async fn begin_write(pool: &SqlitePool) -> Result<sqlx::Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

impl_store!(SqliteStore, Sqlite, begin_write: begin_write, skip_locked: "");
