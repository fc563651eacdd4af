//! PostgreSQL: the path past one machine. Writes lock the audit head row first (so they are
//! serialised across every node), the outbox is leased with `FOR UPDATE SKIP LOCKED`, and
//! sqlx's migrator takes an advisory lock so nodes starting together migrate once.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};

use domain::store::StoreError;

use crate::error::map_err;

pub struct PgStore {
    pool: PgPool,
    breaker: std::sync::Arc<crate::breaker::Breaker>,
    writers: crate::write_gate::WriteGate,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // No ping before lending a connection: it cost a round trip on every request
            // (a third of `/me`'s time in the profile). A connection that broke fails its
            // query with `Unavailable` (503) and is closed, and the next one is fresh.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(map_err)?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
        Ok(PgStore { pool, breaker: Default::default(), writers: Default::default() })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Whether the database holds no tables of ours (or anyone's) yet: a restore goes only there.
pub async fn is_empty(url: &str) -> Result<bool, StoreError> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(map_err)?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(map_err)?;
    conn.close().await.map_err(map_err)?;
    Ok(n == 0)
}

async fn begin_write(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE").execute(&mut *tx).await?;
    Ok(tx)
}

impl_store!(PgStore, Postgres, begin_write: begin_write, skip_locked: "FOR UPDATE SKIP LOCKED");
